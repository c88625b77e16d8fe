package dev.ordinal.core;

/** One reason an ops is rejected; {@code field} is the path inside the OpsRequest spec. */
public record ValidationError(String field, String message) {
    /**
     * The same error seen from an enclosing list, e.g. prefix "horizontalScaling[0].". An error about the entry as a
     * whole (field {@value #ENTRY}, as the planner reports a result outside replicasLimit) becomes
     * "horizontalScaling[0]", not "horizontalScaling[0].horizontalScaling".
     */
    public ValidationError prefixed(String prefix) {
        if (ENTRY.equals(field) && prefix.endsWith(".")) {
            return new ValidationError(prefix.substring(0, prefix.length() - 1), message);
        }
        return new ValidationError(prefix + field, message);
    }

    /** The field of an error about a whole {@code horizontalScaling[]} entry. */
    public static final String ENTRY = "horizontalScaling";

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
