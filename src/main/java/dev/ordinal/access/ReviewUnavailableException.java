package dev.ordinal.access;

/**
 * The API server did not answer a TokenReview or SubjectAccessReview, so the caller can be neither allowed nor
 * refused: the HTTP request is answered 503 and an open event stream ends. Never treated as allowed.
 */
public class ReviewUnavailableException extends RuntimeException {

    public ReviewUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
