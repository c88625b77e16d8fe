package dev.ordinal.access;

import java.util.List;
import java.util.Map;

/**
 * A user as the Kubernetes API server authenticated it (a TokenReview's {@code status.user}): what a
 * SubjectAccessReview about that user must carry, since RBAC may grant by name, group, or neither.
 *
 * @param user   the user name, e.g. {@code system:serviceaccount:team-a:viewer}
 * @param uid    the user's uid (may be empty)
 * @param groups the user's groups, e.g. {@code system:serviceaccounts}, {@code system:authenticated}
 * @param extra  the authenticator's extra attributes (for ServiceAccount tokens: pod and node bindings)
 */
public record Caller(String user, String uid, List<String> groups, Map<String, List<String>> extra) {

    public Caller {
        uid = uid == null ? "" : uid;
        groups = groups == null ? List.of() : List.copyOf(groups);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }
}
