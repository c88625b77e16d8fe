package dev.ordinal.vocabulary;

/**
 * The condition types Ordinal sets (docs/troubleshooting.md). An ops that ends also gets a condition named after its
 * end phase ({@link OpsPhase#value()}: Succeed, Failed, Cancelled, Aborted).
 */
public final class ConditionType {
    // ---- OpsRequest
    /** The request was checked against the live Cluster. */
    public static final String VALIDATED = "Validated";
    /** True while the ops waits in Pending (queue, precondition, scale-in guard). */
    public static final String WAIT_FOR_PROGRESSING = "WaitForProgressing";
    /** True while the ops changes the Cluster (Creating, Running, Cancelling); also on an InstanceSet rolling out. */
    public static final String PROGRESSING = "Progressing";

    // ---- Cluster
    /** The Cluster's spec can be applied: names fit and collide with nothing. */
    public static final String VALID = "Valid";
    /** Every component (Cluster) or every instance (InstanceSet) is Ready. */
    public static final String READY = "Ready";
    /**
     * Whether Kafka answered the scale-in guard of the Cluster's guarded components the last time an ops asked
     * (docs/scaling-rules.md §8); set once a guard was asked.
     */
    /**
     * Cluster: True while a direct edit of a guarded component's {@code replicas}/{@code offlineInstances} is held by the
     * scale-in guard (the pods stay); False once none is. Absent until the first hold.
     */
    public static final String SCALE_IN_HELD = "ScaleInHeld";
    public static final String SCALE_IN_GUARD = "ScaleInGuard";
    /** Set while deletion is refused ({@code terminationPolicy: DoNotTerminate}). */
    public static final String TERMINATING = "Terminating";

    // ---- InstanceSet
    /** An instance failed for good (image pull, crash loop, pod phase Failed). */
    public static final String FAILURE = "Failure";

    private ConditionType() {
    }
}
