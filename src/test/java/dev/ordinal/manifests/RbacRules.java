package dev.ordinal.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ordinal.devcluster.AuditLog;

/**
 * The RBAC of kubernetes/rbac as "group/resource verb" strings, and the operator's requests from the API server's
 * audit log in the same terms.
 */
public final class RbacRules {
    /** Plural → API group of everything Ordinal may touch; an operator request on anything else fails the test. */
    static final Map<String, String> GROUPS = Map.ofEntries(
            Map.entry("clusters", "apps.ordinal.dev"),
            Map.entry("instancesets", "workloads.ordinal.dev"),
            Map.entry("opsrequests", "operations.ordinal.dev"),
            Map.entry("pods", ""), Map.entry("persistentvolumeclaims", ""), Map.entry("services", ""), Map.entry("events", ""),
            Map.entry("leases", "coordination.k8s.io"), Map.entry("secrets", ""),
            Map.entry("tokenreviews", "authentication.k8s.io"), Map.entry("subjectaccessreviews", "authorization.k8s.io"));

    /**
     * Reviews that every authenticated user may create (ClusterRole system:basic-user): JOSDK's leader election
     * asks a SelfSubjectRulesReview before it starts, and clients may ask what they may do. No rule of
     * kubernetes/rbac is involved, so they are not counted as used.
     */
    static final Set<String> EVERY_USER_MAY_CREATE = Set.of(
            "authorization.k8s.io/selfsubjectrulesreviews", "authorization.k8s.io/selfsubjectaccessreviews");

    private RbacRules() {
    }

    /** What the operator sent that no rule grants. */
    public static Set<String> notGranted(Set<String> used) {
        Set<String> out = new TreeSet<>(used);
        out.removeAll(granted());
        return out;
    }

    /**
     * "group/resource verb" of every request in {@code operator} (the audit log entries of the operator's user),
     * in RBAC's verbs: a server-side apply is a {@code patch}, and also a {@code create} when it created its
     * object (response 201: the API server authorizes such an apply as create too); a DELETE without a name is a
     * {@code deletecollection}.
     * <p>
     * Left out: requests that name no resource (discovery: /api, /apis; /version, /readyz), which the
     * system:discovery and system:public-info-viewer roles allow everybody, and {@link #EVERY_USER_MAY_CREATE}.
     */
    public static Set<String> used(AuditLog.Snapshot operator) {
        Set<String> out = new TreeSet<>();
        for (AuditLog.Entry e : operator.entries()) {
            if (e.resource().isEmpty()) {
                continue;
            }
            String group = e.apiGroup();
            String resource = group + "/" + e.resource();
            if (e.verb() == AuditLog.Verb.CREATE && EVERY_USER_MAY_CREATE.contains(resource)) {
                continue;
            }
            String plural = e.resource().split("/")[0];
            assertTrue(GROUPS.containsKey(plural), "the operator touched " + resource + ", which Ordinal has no business with: " + e);
            assertEquals(GROUPS.get(plural), group, "API group of " + e);
            switch (e.verb()) {
                case GET -> out.add(resource + " get");
                case LIST -> out.add(resource + " list");
                case WATCH -> out.add(resource + " watch");
                case CREATE -> out.add(resource + " create");
                case UPDATE -> out.add(resource + " update");
                case PATCH -> out.add(resource + " patch");
                case DELETE -> out.add(resource + (e.name().isEmpty() ? " deletecollection" : " delete"));
                case APPLY -> {
                    out.add(resource + " patch");
                    if (e.code() == 201) {
                        out.add(resource + " create");
                    }
                }
                default -> out.add(resource + " " + e.verb() + " (" + e.uri() + ")");
            }
        }
        return out;
    }

    /**
     * The object name a "group/resource verb" rule is limited to by its {@code resourceNames} (the one Secret of the
     * serving certificate), or null when it applies to every object.
     */
    public static String resourceName(String rule) {
        for (Path file : Manifests.yamlFiles(Manifests.ROOT.resolve("rbac"))) {
            for (JsonNode doc : Manifests.documents(file)) {
                for (JsonNode r : doc.path("rules")) {
                    if (r.path("resourceNames").isEmpty()) {
                        continue;
                    }
                    for (JsonNode group : r.path("apiGroups")) {
                        for (JsonNode resource : r.path("resources")) {
                            for (JsonNode verb : r.path("verbs")) {
                                if (rule.equals(group.asText() + "/" + resource.asText() + " " + verb.asText())) {
                                    return r.path("resourceNames").get(0).asText();
                                }
                            }
                        }
                    }
                }
            }
        }
        return null;
    }

    /** "group/resource verb" granted by the ClusterRole and Role in kubernetes/rbac. */
    public static Set<String> granted() {
        Set<String> out = new TreeSet<>();
        for (Path file : Manifests.yamlFiles(Manifests.ROOT.resolve("rbac"))) {
            for (JsonNode doc : Manifests.documents(file)) {
                String kind = doc.path("kind").asText();
                if (!kind.equals("ClusterRole") && !kind.equals("Role")) {
                    continue;
                }
                for (JsonNode rule : doc.path("rules")) {
                    for (JsonNode group : rule.path("apiGroups")) {
                        for (JsonNode resource : rule.path("resources")) {
                            for (JsonNode verb : rule.path("verbs")) {
                                out.add(group.asText() + "/" + resource.asText() + " " + verb.asText());
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
