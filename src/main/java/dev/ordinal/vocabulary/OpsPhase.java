package dev.ordinal.vocabulary;

import java.util.Arrays;

/**
 * The phase of an OpsRequest ({@code status.phase}; spec §5, docs/ops-controller.md "The runbook"):
 * {@code Pending → Creating → Running → Succeed | Failed | Cancelling → Cancelled | Aborted}.
 */
public enum OpsPhase {
    PENDING("Pending"),
    CREATING("Creating"),
    RUNNING("Running"),
    CANCELLING("Cancelling"),
    SUCCEED("Succeed"),
    FAILED("Failed"),
    CANCELLED("Cancelled"),
    ABORTED("Aborted");

    private final String value;

    OpsPhase(String value) {
        this.value = value;
    }

    /** The string written to {@code status.phase} (also the type of the condition an ops ends with). */
    public String value() {
        return value;
    }

    /** Succeed, Failed, Cancelled and Aborted: the ops has ended and only its TTL is left. */
    public boolean isTerminal() {
        return this == SUCCEED || this == FAILED || this == CANCELLED || this == ABORTED;
    }

    /** Creating, Running or Cancelling: the ops holds its cluster's queue and may have written the Cluster. */
    public boolean isStarted() {
        return this == CREATING || this == RUNNING || this == CANCELLING;
    }

    /**
     * The phase a status string names; null (a new ops, no status yet) is {@link #PENDING}.
     *
     * @throws IllegalArgumentException for a string that is no ops phase
     */
    public static OpsPhase of(String value) {
        if (value == null) {
            return PENDING;
        }
        return Arrays.stream(values()).filter(p -> p.value.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not an ops phase: " + value));
    }

    /** Whether the status string names an end phase (false for null and for an unknown string). */
    public static boolean isTerminal(String value) {
        return Arrays.stream(values()).anyMatch(p -> p.value.equals(value) && p.isTerminal());
    }

    @Override
    public String toString() {
        return value;
    }
}
