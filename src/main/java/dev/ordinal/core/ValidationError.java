package dev.ordinal.core;

/** One reason an ops is rejected; {@code field} is the path inside the OpsRequest spec. */
public record ValidationError(String field, String message) {
    /** The same error seen from an enclosing list, e.g. prefix "horizontalScaling[0]." */
    public ValidationError prefixed(String prefix) {
        return new ValidationError(prefix + field, message);
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
