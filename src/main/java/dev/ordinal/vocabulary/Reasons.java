package dev.ordinal.vocabulary;

/**
 * Every condition reason and Event reason Ordinal writes, by the resource it is written on (docs/troubleshooting.md
 * explains each). Ops phases double as reasons in a few places ({@code Creating}, {@code Running}, {@code Cancelling},
 * {@code Succeed}, {@code Cancelled}); they come from {@link OpsPhase}.
 */
public final class Reasons {
    // ---- OpsRequest: Validated
    public static final String VALIDATED = "Validated";
    public static final String VALIDATION_FAILED = "ValidationFailed";
    // ---- OpsRequest: WaitForProgressing (Pending)
    public static final String CLUSTER_NOT_FOUND = "ClusterNotFound";
    public static final String OPS_IN_PROGRESS = "OpsInProgress";
    public static final String CLUSTER_PHASE = "ClusterPhase";
    public static final String STARTED = "Started";
    // ---- OpsRequest: scale-in guard (docs/scaling-rules.md §8)
    public static final String SCALE_IN_BLOCKED = "ScaleInBlocked";
    public static final String SCALE_IN_GUARD_UNAVAILABLE = "ScaleInGuardUnavailable";
    public static final String SCALE_IN_GUARD_SKIPPED = "ScaleInGuardSkipped";
    public static final String SCALE_IN_SAFE = "ScaleInSafe";
    /** WaitForProgressing: the replica order is recorded, then reordered, so that leaders leave brokers going offline. */
    public static final String LEADERSHIP_MOVING = "LeadershipMoving";
    /** Event: leadership left the brokers going offline (their partitions' replica order changed). */
    public static final String LEADERSHIP_MOVED = "LeadershipMoved";
    /** Event (Warning): some leadership did not leave the brokers within 60 s; they go anyway (Kafka's controlled shutdown). */
    public static final String LEADERSHIP_NOT_MOVED = "LeadershipNotMoved";
    /** Progressing: the instances are back; waiting for their replicas to be in sync, then restoring the replica order. */
    public static final String RESTORING_LEADERSHIP = "RestoringLeadership";
    /** Event: the original replica order is back and led by its preferred leaders. */
    public static final String LEADERSHIP_RESTORED = "LeadershipRestored";
    /** Event (Warning): an ops ended while Pending after moving leadership, and some replica order could not be put back. */
    public static final String LEADERSHIP_NOT_RESTORED = "LeadershipNotRestored";
    /** WaitForProgressing: the replicas of brokers removed for good move to the brokers that stay (docs/kafka-drain.md). */
    public static final String DRAINING = "Draining";
    /** Event: every partition of the drain moved and the replication throttle was removed. */
    public static final String DRAINED = "Drained";
    /** Event: an ops that ended while Pending stopped its drain first (own reassignments cancelled, throttle removed). */
    public static final String DRAIN_STOPPED = "DrainStopped";
    /** Event (Warning): brokers removed for good still host replicas once their pods are gone (placed there meanwhile). */
    public static final String REMOVED_BROKER_HOSTS_REPLICAS = "RemovedBrokerHostsReplicas";
    /** Event (Warning): such a drain could not be stopped (no guard, no answer, a refused step); what is left is named. */
    public static final String DRAIN_NOT_STOPPED = "DrainNotStopped";
    /** Event: the Kafka node ids of brokers removed for good were unregistered, their pods being gone. */
    public static final String BROKERS_UNREGISTERED = "BrokersUnregistered";
    /** Progressing: the pods of removed brokers are gone; their Kafka node ids are being unregistered. */
    public static final String UNREGISTERING_BROKERS = "UnregisteringBrokers";
    /**
     * Progressing and Event: the brokers a scale-out added are Ready; a fair share of the replicas moves onto them
     * ({@code rebalanceOnScaleOut}, docs/kafka-rebalance.md).
     */
    public static final String REBALANCING = "Rebalancing";
    /** Event: every partition of a rebalance moved, the replication throttle was removed, preferred leaders elected. */
    public static final String REBALANCED = "Rebalanced";
    // ---- OpsRequest: Progressing
    public static final String WAITING_FOR_CLUSTER = "WaitingForCluster";
    // ---- OpsRequest: end reasons
    public static final String CANCELLED_WHILE_PENDING = "CancelledWhilePending";
    /** A cancel during a rebalance: reassignments in progress cancelled, throttle removed, the scale-out kept. */
    public static final String CANCELLED_WHILE_REBALANCING = "CancelledWhileRebalancing";
    public static final String DRY_RUN = "DryRun";
    public static final String CANCEL_BY_CONTROLLER = "CancelByController";
    public static final String QUEUE_FULL = "QueueFull";
    public static final String PRE_CONDITION_FAILED = "PreConditionFailed";
    public static final String CONFLICT_WITH_RUNNING_OPS = "ConflictWithRunningOps";
    public static final String PLAN_FAILED = "PlanFailed";
    public static final String POD_FAILED = "PodFailed";
    public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
    /** The ops' namespace is being deleted: the API server refuses every create there. */
    public static final String NAMESPACE_TERMINATING = "NamespaceTerminating";
    /** A started ops whose Cluster no longer carries what it wrote: another writer changed it (spec amendment §7b). */
    public static final String OVERWRITTEN_BY_ANOTHER_WRITER = "OverwrittenByAnotherWriter";

    // ---- Cluster
    public static final String VALID_SPEC = "ValidSpec";
    public static final String INVALID_COMPONENT = "InvalidComponent";
    public static final String NAME_TOO_LONG = "NameTooLong";
    public static final String NAME_COLLISION = "NameCollision";
    public static final String NAME_TAKEN = "NameTaken";
    public static final String ALL_COMPONENTS_READY = "AllComponentsReady";
    public static final String COMPONENTS_NOT_READY = "ComponentsNotReady";
    public static final String DO_NOT_TERMINATE = "DoNotTerminate";
    /** Cluster condition ScaleInGuard=True: Kafka answered every guarded component's last question (False: {@link #SCALE_IN_GUARD_UNAVAILABLE}). */
    public static final String SCALE_IN_GUARD_ANSWERED = "ScaleInGuardAnswered";
    /** Cluster condition ScaleInHeld=True and Warning Event: a direct edit would remove guarded brokers the scale-in guard holds. */
    public static final String DIRECT_EDIT_HELD = "DirectEditHeld";
    /** Cluster condition ScaleInHeld=False: no direct edit is held (any more). */
    public static final String NOTHING_HELD = "NothingHeld";
    /** Event: deletion refused by {@code terminationPolicy: DoNotTerminate}. */
    public static final String DELETION_REFUSED = "DeletionRefused";
    /** Event: the Cluster is being deleted per its terminationPolicy. */
    public static final String DELETING = "Deleting";
    /** Event: a component left the spec and its InstanceSet was deleted. */
    public static final String COMPONENT_REMOVED = "ComponentRemoved";

    // ---- InstanceSet
    public static final String ALL_INSTANCES_READY = "AllInstancesReady";
    public static final String INSTANCES_NOT_READY = "InstancesNotReady";
    public static final String SCALING_INSTANCES = "ScalingInstances";
    public static final String STABLE = "Stable";
    /** Progressing=False: pods are still to be created or deleted, but only an unhealthy pod recovering (or going) lets the rollout go on. */
    public static final String ROLLOUT_BLOCKED = "RolloutBlocked";
    public static final String NO_FAILURE = "NoFailure";
    public static final String INSTANCE_FAILURE = "InstanceFailure";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String CREATE_REJECTED = "CreateRejected";
    /** Event: a pod was created. */
    public static final String SUCCESSFUL_CREATE = "SuccessfulCreate";
    /** Event: a pod was deleted. */
    public static final String SUCCESSFUL_DELETE = "SuccessfulDelete";
    /** Event: a claim was deleted per the retention policy. */
    public static final String CLAIM_DELETED = "ClaimDeleted";

    private Reasons() {
    }
}
