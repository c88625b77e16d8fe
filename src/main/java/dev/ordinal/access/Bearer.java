package dev.ordinal.access;

/**
 * An HTTP request's bearer token and the user the API server says it belongs to, as {@link HttpAccessFilter} leaves
 * it in the request ({@link HttpAccessFilter#BEARER}) for the endpoint to authorize. The token is kept so that a
 * long-lived event stream can re-check it.
 *
 * @param token  the token from {@code Authorization: Bearer <token>}
 * @param caller the user of the token (TokenReview)
 */
public record Bearer(String token, Caller caller) {

    /** Never prints the token. */
    @Override
    public String toString() {
        return "Bearer[" + caller.user() + "]";
    }
}
