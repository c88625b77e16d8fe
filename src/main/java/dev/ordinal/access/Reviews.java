package dev.ordinal.access;

/**
 * The two questions Ordinal asks the Kubernetes API server about an HTTP caller. Implementations block; callers
 * run them off the event loop ({@link AccessCache}).
 */
public interface Reviews {

    /**
     * Who the bearer token belongs to (TokenReview).
     *
     * @throws ReviewUnavailableException when the API server gives no answer (unreachable, timeout, 5xx, 403 to the
     *                                    operator): the caller is then neither accepted nor rejected
     */
    Authentication authenticate(String token);

    /**
     * Whether {@code caller} may do {@code permission} (SubjectAccessReview, which asks every authorizer the API
     * server runs, RBAC included).
     *
     * @throws ReviewUnavailableException as {@link #authenticate}
     */
    Decision authorize(Caller caller, Permission permission);

    /**
     * A TokenReview's answer: the user, or why the token was not accepted.
     *
     * @param caller the authenticated user, null when rejected
     * @param error  the API server's reason for rejecting the token ({@code status.error}), null when accepted
     */
    record Authentication(Caller caller, String error) {
        public static Authentication accepted(Caller caller) {
            return new Authentication(caller, null);
        }

        public static Authentication rejected(String error) {
            return new Authentication(null, error == null || error.isBlank() ? "the token is not valid" : error);
        }

        public boolean authenticated() {
            return caller != null;
        }
    }

    /**
     * A SubjectAccessReview's answer.
     *
     * @param allowed whether the authorizers allow it
     * @param reason  the authorizers' reason ({@code status.reason}), may be empty
     */
    record Decision(boolean allowed, String reason) {
    }
}
