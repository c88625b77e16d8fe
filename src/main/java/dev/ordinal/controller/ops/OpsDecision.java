package dev.ordinal.controller.ops;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.core.ComponentShape;
import dev.ordinal.vocabulary.OpsPhase;

/**
 * What the ops controller does next, as a value ({@link OpsDecider#decide}); {@code OpsRequestReconciler} carries it
 * out with at most one Cluster apply and one status write.
 */
sealed interface OpsDecision {

    /**
     * Side effects of having decided, carried out before the decision: the plan was computed for a valid Pending ops
     * (counted in {@code ordinal_scaling_decisions_total}), and Events that belong to no phase change (the scale-in
     * guard's {@code ScaleInSafe} and {@code ScaleInGuardSkipped}).
     */
    record Notes(boolean planComputed, List<Event> events) {
        static final Notes NONE = new Notes(false, List.of());
        static final Notes PLANNED = new Notes(true, List.of());
    }

    /** An Event on the ops. */
    record Event(boolean warning, String reason, String message) {
    }

    /**
     * Write {@code status} when it differs from the observed one (held back for the settle window when
     * {@code transitional}) and look again after {@code recheck} (or sooner, when the write was held back).
     */
    record Wait(OpsRequestStatus status, Duration recheck, boolean transitional, Notes notes) implements OpsDecision {
    }

    /**
     * Enter {@code phase}: write {@code status}, announce it (a Normal Event {@code reason}/{@code message}, the phase
     * meter) and reconcile again at once for the next step (one status write per reconcile).
     */
    record Advance(OpsRequestStatus status, OpsPhase phase, String reason, String message, Notes notes) implements OpsDecision {
    }

    /**
     * End the ops in {@code phase}: write {@code status}, announce it (an Event, Normal for Succeed and Warning
     * otherwise; the phase and duration meters), wake the ops queued behind it, then apply its TTL.
     */
    record Finish(OpsRequestStatus status, OpsPhase phase, String reason, String message, Notes notes) implements OpsDecision {
    }

    /**
     * Server-side apply {@code targets} to the Cluster (the one Cluster write of an ops, or of its cancel), then carry
     * out {@code then} applied to the Cluster the API server answered.
     */
    record Apply(Map<String, ComponentShape> targets, Function<Cluster, OpsDecision> then) implements OpsDecision {
    }

    /**
     * Carry out one Kafka leadership step for {@code component} (reorder replica lists, elect preferred leaders;
     * {@code dev.ordinal.core.LeaderMoves}), then carry out {@code then} applied to the error (null: Kafka took it).
     */
    record MoveLeaders(String component, dev.ordinal.core.LeaderMoves.Step step, Function<String, OpsDecision> then) implements OpsDecision {
    }

    /**
     * Carry out one drain step for {@code component} ({@code dev.ordinal.core.KafkaDrain.Step}: throttle, reassign,
     * cancel, unthrottle), then carry out {@code then} applied to the error (null: Kafka took it).
     */
    record DrainKafka(String component, dev.ordinal.core.KafkaDrain.Step step, Function<String, OpsDecision> then) implements OpsDecision {
    }

    /**
     * Carry out one rebalance step for {@code component} (the drain's step shape: throttle, reassign, cancel,
     * unthrottle; docs/kafka-rebalance.md), then carry out {@code then} applied to the error (null: Kafka took it).
     */
    record RebalanceKafka(String component, dev.ordinal.core.KafkaDrain.Step step, Function<String, OpsDecision> then) implements OpsDecision {
    }

    /**
     * Unregister {@code nodeIds} from {@code component}'s Kafka (their pods are gone for good), then carry out
     * {@code then} applied to the error (null: done).
     */
    record UnregisterBrokers(String component, java.util.Set<Integer> nodeIds, Function<String, OpsDecision> then) implements OpsDecision {
    }

    /** Read the Cluster from the API server (the cache may lag a change a user waited for) and decide again, once. */
    record ReadFreshCluster(Notes notes) implements OpsDecision {
    }

    /** The ended ops' TTL has passed: delete it. */
    record Delete() implements OpsDecision {
    }

    /** Nothing to do now; look again after {@code recheck} (null: only on an event). */
    record Idle(Duration recheck) implements OpsDecision {
    }

    /**
     * {@code decision} with {@code onEnd} applied to the {@link Finish} it ends with: at once, or after the change it
     * carries out first (the {@code then} of an apply or a Kafka step). So that whatever ends an ops, directly or
     * after a step, goes through the same clean-up (a drain stopped, leadership put back).
     */
    static OpsDecision onFinish(OpsDecision decision, Function<Finish, OpsDecision> onEnd) {
        if (decision instanceof Finish f) {
            return onEnd.apply(f);
        }
        if (decision instanceof Apply a) {
            return new Apply(a.targets(), c -> onFinish(a.then().apply(c), onEnd));
        }
        if (decision instanceof MoveLeaders m) {
            return new MoveLeaders(m.component(), m.step(), e -> onFinish(m.then().apply(e), onEnd));
        }
        if (decision instanceof DrainKafka d) {
            return new DrainKafka(d.component(), d.step(), e -> onFinish(d.then().apply(e), onEnd));
        }
        if (decision instanceof RebalanceKafka r) {
            return new RebalanceKafka(r.component(), r.step(), e -> onFinish(r.then().apply(e), onEnd));
        }
        if (decision instanceof UnregisterBrokers u) {
            return new UnregisterBrokers(u.component(), u.nodeIds(), e -> onFinish(u.then().apply(e), onEnd));
        }
        return decision;
    }
}
