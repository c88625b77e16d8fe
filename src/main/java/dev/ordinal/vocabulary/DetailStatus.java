package dev.ordinal.vocabulary;

/**
 * The status of one progress detail of an ops ({@code status.components.<name>.progressDetails[].status}; spec
 * scenario 3): the core's {@code ProgressStatus} values, and {@code Aborted} for a pod change an ended ops left
 * undone (spec amendment §7a).
 */
public enum DetailStatus {
    PENDING("Pending"),
    PROCESSING("Processing"),
    SUCCEED("Succeed"),
    FAILED("Failed"),
    ABORTED("Aborted");

    private final String value;

    DetailStatus(String value) {
        this.value = value;
    }

    /** The string written to the status. */
    public String value() {
        return value;
    }

    /** Whether a status string is Succeed or Failed: the pod change is over, either way. */
    public static boolean isDone(String value) {
        return SUCCEED.value.equals(value) || FAILED.value.equals(value);
    }

    /** Whether a status string is Failed. */
    public static boolean isFailed(String value) {
        return FAILED.value.equals(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
