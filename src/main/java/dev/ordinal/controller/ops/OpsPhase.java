package dev.ordinal.controller.ops;

import java.util.Set;

/** OpsRequest phases (spec §5). */
public final class OpsPhase {
    public static final String PENDING = "Pending";
    public static final String CREATING = "Creating";
    public static final String RUNNING = "Running";
    public static final String CANCELLING = "Cancelling";
    public static final String SUCCEED = "Succeed";
    public static final String FAILED = "Failed";
    public static final String CANCELLED = "Cancelled";
    public static final String ABORTED = "Aborted";

    /** Cluster phases an ops may start from. */
    static final Set<String> CLUSTER_PHASES_TO_START = Set.of("Running", "Abnormal", "Failed");

    private static final Set<String> TERMINAL = Set.of(SUCCEED, FAILED, CANCELLED, ABORTED);

    private OpsPhase() {
    }

    public static boolean isTerminal(String phase) {
        return TERMINAL.contains(phase);
    }
}
