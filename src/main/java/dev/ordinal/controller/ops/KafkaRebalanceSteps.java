package dev.ordinal.controller.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.ordinal.api.cluster.ScaleInGuardSpec.KafkaScaleInGuard;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.api.ops.OpsRequestStatus.KafkaDrainRecord;
import dev.ordinal.controller.ops.OpsDecision.Event;
import dev.ordinal.controller.ops.OpsDecision.Notes;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.core.KafkaDrain;
import dev.ordinal.core.KafkaRebalance;
import dev.ordinal.core.KafkaSnapshot;
import dev.ordinal.core.LeaderMoves;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.vocabulary.ConditionType;
import dev.ordinal.vocabulary.OpsPhase;
import dev.ordinal.vocabulary.Reasons;

/**
 * The rebalance after a Kafka scale-out, pure (docs/kafka-rebalance.md, docs/scaling-rules.md §8). Running, every pod
 * change done and the Cluster settled, for a component with {@code scaleInGuard.kafka.rebalanceOnScaleOut: true}
 * whose ops added brokers: once they are registered with Kafka, the plan ({@link KafkaRebalance#plan}) is recorded in
 * {@code status.kafkaRebalance} first, then Kafka is asked to move the partitions under the drain's replication throttle
 * (the drain's steps, {@link KafkaDrain.Step}), the progress is written as it goes, and once every partition moved the
 * throttle is removed and the moved partitions' preferred leaders are elected ({@link #rebalance}); only then may the
 * ops succeed. A cancel stops it, keeping the scale-out ({@link #cancel}). Every decision is made from the recorded plan
 * and what Kafka says now, so a restarted operator resumes.
 */
final class KafkaRebalanceSteps {
    private KafkaRebalanceSteps() {
    }

    /**
     * The next rebalance step of the first component that needs one, written into {@code next} (its
     * {@code Progressing} condition, {@code status.kafkaRebalance}); empty when every such rebalance has finished (or
     * none applies). While the added brokers are not yet registered with Kafka, or before the plan is recorded while
     * Kafka does not answer, the ops' deadline applies ({@code DeadlineExceeded}); once the plan is recorded no deadline
     * cuts the moves short.
     *
     * @param deadline the ops' deadline ({@code timeoutSeconds})
     */
    static Optional<OpsDecision> rebalance(OpsInputs in, Instant now, Map<String, ScalingPlan> plans, OpsStatus next, Instant deadline) {
        OpsRequestStatus status = next.status();
        Map<String, KafkaDrainRecord> records = status.kafkaRebalance == null ? new LinkedHashMap<>() : status.kafkaRebalance;
        for (ScalingPlan plan : plans.values()) {
            KafkaScaleInGuard guard = KafkaDrainSteps.kafkaGuard(in.cluster(), plan.component());
            KafkaDrainRecord record = records.get(plan.component());
            boolean going = record != null && record.finishedAt == null;
            if (going && guard == null) {
                // The guard was removed mid-rebalance: no Kafka to ask; what may be left is said (review of #28).
                record.finishedAt = Conditions.timestamp(now);
                status.kafkaRebalance = records;
                String left = "the rebalance onto " + String.join(", ", record.instances) + " was not stopped: component "
                        + plan.component() + " has no scaleInGuard.kafka any more; its reassignments may still run and its replication"
                        + " throttle is left on the brokers and topics of status.kafkaRebalance (remove them with"
                        + " kafka-reassign-partitions.sh --cancel and kafka-configs.sh --delete-config, docs/kafka-drain.md)";
                return Optional.of(waiting(next, now, in, Reasons.REBALANCING, left, KafkaDrainSteps.RECORD_RECHECK,
                        new Notes(false, List.of(new Event(true, Reasons.REASSIGNMENTS_NOT_STOPPED, left)))));
            }
            // Turning rebalanceOnScaleOut off decides only whether to plan: a recorded rebalance runs to its end.
            if (guard == null || (!going && (!Boolean.TRUE.equals(guard.rebalanceOnScaleOut) || record != null))) {
                continue;
            }
            Map<String, Integer> added = added(plan, guard);
            if (added.isEmpty()) {
                continue;
            }
            Optional<OpsInputs.KafkaLook> look = in.guard().look(in.cluster(), plan.component());
            if (look.isEmpty()) {
                continue;
            }
            String who = who(added);
            KafkaSnapshot snapshot = look.get().snapshot();
            if (snapshot == null) {
                String message = "cannot rebalance onto " + who + ": " + look.get().unavailable();
                return Optional.of(record == null ? waitingOrAbort(in, now, next, deadline, Reasons.SCALE_IN_GUARD_UNAVAILABLE, message)
                        : waiting(next, now, in, Reasons.SCALE_IN_GUARD_UNAVAILABLE, message, PendingDecider.GUARD_RECHECK, Notes.NONE));
            }
            if (record == null) {
                Set<Integer> missing = new TreeSet<>(added.values());
                missing.removeAll(snapshot.liveBrokers());
                if (!missing.isEmpty()) {
                    return Optional.of(waitingOrAbort(in, now, next, deadline, Reasons.REBALANCING, "waiting for " + who(added, missing)
                            + " to register with Kafka before rebalancing (Kafka's live brokers: " + join(new TreeSet<>(snapshot.liveBrokers())) + ")"));
                }
                KafkaDrain.Plan planned = KafkaRebalance.plan(Set.copyOf(added.values()), snapshot);
                KafkaDrainRecord fresh = new KafkaDrainRecord();
                fresh.instances = new ArrayList<>(added.keySet());
                fresh.nodeIds = new ArrayList<>(added.values());
                fresh.originalReplicas.putAll(planned.original());
                fresh.targetReplicas.putAll(planned.targets());
                fresh.throttleBytesPerSecond = guard.drainThrottleBytesPerSecond == null ? KafkaDrainSteps.DEFAULT_THROTTLE
                        : guard.drainThrottleBytesPerSecond;
                fresh.progress = "0/" + planned.targets().size();
                fresh.startedAt = Conditions.timestamp(now);
                records.put(plan.component(), fresh);
                status.kafkaRebalance = records;
                String after = "replicas per broker after: " + KafkaRebalance.perBroker(KafkaRebalance.replicasPerBroker(planned, snapshot));
                if (planned.targets().isEmpty()) {
                    fresh.finishedAt = fresh.startedAt;
                    String nothing = "rebalanced onto " + who + ": nothing to move (" + after + ")";
                    return Optional.of(waiting(next, now, in, Reasons.REBALANCING, nothing, KafkaDrainSteps.RECORD_RECHECK,
                            new Notes(false, List.of(new Event(false, Reasons.REBALANCED, nothing)))));
                }
                // Record first: Kafka is asked to move anything only once the plan is in the ops' status.
                String message = "rebalancing onto " + who + ": the plan moves " + KafkaRebalance.replicasMoved(planned) + " replica"
                        + (KafkaRebalance.replicasMoved(planned) == 1 ? "" : "s") + " of " + planned.targets().size() + " partition"
                        + (planned.targets().size() == 1 ? "" : "s") + " (status.kafkaRebalance." + plan.component() + "); " + after;
                return Optional.of(waiting(next, now, in, Reasons.REBALANCING, message + "; asking Kafka next", KafkaDrainSteps.RECORD_RECHECK,
                        new Notes(false, List.of(new Event(false, Reasons.REBALANCING, message)))));
            }
            status.kafkaRebalance = records;
            KafkaDrain.Progress progress = KafkaRebalance.progress(record.targetReplicas, snapshot);
            record.progress = progress.fraction();
            KafkaDrain.Throttle throttle = KafkaDrain.throttle(record.originalReplicas, record.targetReplicas).within(snapshot);
            String moving = "rebalancing onto " + who + ": " + progress.fraction() + " partitions moved (replication throttle "
                    + record.throttleBytesPerSecond + " B/s)";
            if (!progress.toStart().isEmpty()) {
                Map<String, List<Integer>> ask = new LinkedHashMap<>();
                progress.toStart().forEach(p -> ask.put(p, record.targetReplicas.get(p)));
                String message = moving + "; asked Kafka to move " + KafkaDrain.shown(progress.toStart());
                return Optional.of(new OpsDecision.RebalanceKafka(plan.component(), KafkaDrain.Step.start(ask, throttle, record.throttleBytesPerSecond),
                        error -> waiting(next, now, in, Reasons.REBALANCING, error == null ? message : moving + "; " + error,
                                KafkaDrainSteps.DRAIN_RECHECK, Notes.NONE)));
            }
            if (!progress.done()) {
                return Optional.of(waiting(next, now, in, Reasons.REBALANCING, moving + "; in progress: " + KafkaDrain.shown(progress.inFlight()),
                        KafkaDrainSteps.DRAIN_RECHECK, Notes.NONE));
            }
            String done = "rebalanced onto " + who + ": all " + progress.total() + " partitions moved; replication throttle removed;"
                    + " replicas per broker: " + KafkaRebalance.perBroker(perBroker(snapshot));
            Set<String> elect = new TreeSet<>(record.targetReplicas.keySet());
            return Optional.of(new OpsDecision.RebalanceKafka(plan.component(), KafkaDrain.Step.finish(throttle), error -> {
                if (error != null) {
                    return waiting(next, now, in, Reasons.REBALANCING, moving + "; removing the replication throttle: " + error,
                            KafkaDrainSteps.DRAIN_RECHECK, Notes.NONE);
                }
                // The new replica lists name their preferred leaders; an election makes them lead now rather than at
                // Kafka's next automatic leader rebalance. Best effort: the moves are done either way.
                return new OpsDecision.MoveLeaders(plan.component(), new LeaderMoves.Step(Map.of(), elect), electError -> {
                    record.finishedAt = Conditions.timestamp(now);
                    String said = electError == null ? done + "; preferred leaders elected" : done + "; the preferred leader election"
                            + " was not confirmed (" + electError + "): Kafka's automatic leader rebalance will do it";
                    return waiting(next, now, in, Reasons.REBALANCING, said, KafkaDrainSteps.RECORD_RECHECK,
                            new Notes(false, List.of(new Event(false, Reasons.REBALANCED, said))));
                });
            }));
        }
        return Optional.empty();
    }

    /**
     * A dry run: for each component with {@code rebalanceOnScaleOut: true} whose plan adds brokers, what the rebalance
     * would move, planned on Kafka now as if the added brokers were already registered (without a rack); empty for a
     * component whose Kafka does not answer. Nothing is recorded and Kafka is only read.
     */
    static Map<String, String> preview(OpsInputs in, Map<String, ScalingPlan> plans) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ScalingPlan plan : plans.values()) {
            KafkaScaleInGuard guard = KafkaDrainSteps.kafkaGuard(in.cluster(), plan.component());
            Map<String, Integer> added = guard == null || !Boolean.TRUE.equals(guard.rebalanceOnScaleOut) ? Map.of() : added(plan, guard);
            Optional<OpsInputs.KafkaLook> look = added.isEmpty() ? Optional.empty() : in.guard().look(in.cluster(), plan.component());
            if (look.isEmpty() || look.get().snapshot() == null) {
                continue;
            }
            KafkaSnapshot now = look.get().snapshot();
            Set<Integer> live = new TreeSet<>(now.liveBrokers());
            live.addAll(added.values());
            KafkaSnapshot assumed = new KafkaSnapshot(now.partitions(), live, now.minInsync(), now.defaultMinInsync(), now.racks(), now.reassigning());
            KafkaDrain.Plan planned = KafkaRebalance.plan(Set.copyOf(added.values()), assumed);
            int replicas = KafkaRebalance.replicasMoved(planned);
            out.put(plan.component(), "with rebalanceOnScaleOut: " + replicas + " replica" + (replicas == 1 ? "" : "s") + " of "
                    + planned.targets().size() + " partition" + (planned.targets().size() == 1 ? "" : "s") + " would move once "
                    + who(added) + (added.size() == 1 ? " is" : " are") + " Ready; replicas per broker after: "
                    + KafkaRebalance.perBroker(KafkaRebalance.replicasPerBroker(planned, assumed)));
        }
        return out;
    }

    /** Whether {@code status} holds a rebalance: a cancel then keeps the scale-out ({@link #cancel}). */
    /** Whether a recorded rebalance has not finished: the deadline does not cut it short. */
    static boolean unfinished(OpsRequestStatus status) {
        return status != null && status.kafkaRebalance != null && status.kafkaRebalance.values().stream().anyMatch(r -> r.finishedAt == null);
    }

    static boolean started(OpsRequestStatus status) {
        return status != null && status.kafkaRebalance != null && !status.kafkaRebalance.isEmpty();
    }

    /**
     * A cancel of a Running ops whose rebalance was recorded: the reassignments in progress are cancelled (Kafka puts
     * those partitions back) and the throttle removed, one component per step, and the ops ends {@code Cancelled}
     * ({@code CancelledWhileRebalancing}) <em>keeping the scale-out</em>: the added brokers may already host moved
     * replicas, so the snapshot is not re-applied. While Kafka does not answer, the cancel waits for it.
     */
    static OpsDecision cancel(OpsInputs in, Instant now) {
        OpsStatus next = OpsStatus.of(in.ops(), now);
        Map<String, KafkaDrainRecord> records = next.status().kafkaRebalance;
        String component = records.entrySet().stream().filter(e -> e.getValue().finishedAt == null).map(Map.Entry::getKey).findFirst().orElse(null);
        String kept = records.values().stream().flatMap(r -> r.instances.stream()).collect(Collectors.joining(", "));
        String keep = "; the scale-out stays (" + kept + " kept: " + (kept.contains(",") ? "they" : "it") + " may host moved replicas)";
        if (component == null) {
            return PendingDecider.finish(next, OpsPhase.CANCELLED, Reasons.CANCELLED_WHILE_REBALANCING, "cancelled after the rebalance"
                    + " had finished" + keep, null, Notes.NONE);
        }
        KafkaDrainRecord record = records.get(component);
        String who = String.join(", ", record.instances);
        Optional<OpsInputs.KafkaLook> look = in.guard().look(in.cluster(), component);
        if (look.isPresent() && look.get().snapshot() == null) {
            next.condition(ConditionType.PROGRESSING, true, Reasons.SCALE_IN_GUARD_UNAVAILABLE, "cancelling the rebalance onto " + who + ": "
                    + look.get().unavailable());
            return new Wait(next.status(), PendingDecider.GUARD_RECHECK, false, Notes.NONE);
        }
        if (look.isEmpty()) {
            record.finishedAt = Conditions.timestamp(now);
            return PendingDecider.finish(next, OpsPhase.CANCELLED, Reasons.CANCELLED_WHILE_REBALANCING, "cancelled while rebalancing onto "
                    + who + "; component " + component + " has no scaleInGuard.kafka any more, so Kafka was not asked to cancel its"
                    + " reassignments or remove the throttle" + keep, null, Notes.NONE);
        }
        KafkaSnapshot snapshot = look.get().snapshot();
        record.progress = KafkaRebalance.progress(record.targetReplicas, snapshot).fraction();
        // only the rebalance's own reassignments: someone else's move of the same partition is not cancelled
        Set<String> inFlight = KafkaDrain.ownInFlight(record.originalReplicas, record.targetReplicas, snapshot);
        String message = "cancelled while rebalancing onto " + who + ": " + record.progress + " partitions had moved (they stay where"
                + " they are), the reassignment of " + inFlight.size() + " cancelled, the replication throttle removed" + keep;
        return new OpsDecision.RebalanceKafka(component, KafkaDrain.Step.cancel(inFlight,
                KafkaDrain.throttle(record.originalReplicas, record.targetReplicas).within(snapshot)), error -> {
                    if (error != null) {
                        next.condition(ConditionType.PROGRESSING, true, Reasons.REBALANCING, "cancelling the rebalance onto " + who + ": " + error);
                        return new Wait(next.status(), KafkaDrainSteps.DRAIN_RECHECK, false, Notes.NONE);
                    }
                    record.finishedAt = Conditions.timestamp(now);
                    boolean more = records.values().stream().anyMatch(r -> r.finishedAt == null);
                    if (more) {
                        next.condition(ConditionType.PROGRESSING, true, Reasons.REBALANCING, message);
                        return new Wait(next.status(), KafkaDrainSteps.RECORD_RECHECK, false, Notes.NONE);
                    }
                    return PendingDecider.finish(next, OpsPhase.CANCELLED, Reasons.CANCELLED_WHILE_REBALANCING, message, null, Notes.NONE);
                });
    }

    /** Pod → Kafka node id of the brokers {@code plan} adds (its new pods, not those coming back online), in plan order. */
    static Map<String, Integer> added(ScalingPlan plan, KafkaScaleInGuard guard) {
        int offset = guard.nodeIdOffset == null ? 0 : guard.nodeIdOffset;
        Map<String, Integer> out = new LinkedHashMap<>();
        plan.podsToCreate().stream().filter(p -> !plan.before().offlineInstances().contains(p))
                .forEach(p -> out.put(p, ScaleInGuard.nodeId(p, offset)));
        return out;
    }

    private static Map<Integer, Integer> perBroker(KafkaSnapshot snapshot) {
        return KafkaRebalance.replicasPerBroker(new KafkaDrain.Plan(Map.of(), Map.of(), null), snapshot);
    }

    private static String who(Map<String, Integer> added) {
        return who(added, Set.copyOf(added.values()));
    }

    private static String who(Map<String, Integer> added, Set<Integer> only) {
        return added.entrySet().stream().filter(e -> only.contains(e.getValue())).map(e -> e.getKey() + " (node " + e.getValue() + ")")
                .collect(Collectors.joining(", "));
    }

    private static String join(Set<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private static Wait waiting(OpsStatus next, Instant now, OpsInputs in, String reason, String message, Duration recheck, Notes notes) {
        next.condition(ConditionType.PROGRESSING, true, reason, message);
        return new Wait(next.status(), recheck, false, notes);
    }

    /** Waits within the ops' deadline; past it, ends the ops Aborted ({@code DeadlineExceeded}) with {@code message}. */
    private static OpsDecision waitingOrAbort(OpsInputs in, Instant now, OpsStatus next, Instant deadline, String reason, String message) {
        if (!now.isBefore(deadline)) {
            return PendingDecider.finish(next, OpsPhase.ABORTED, Reasons.DEADLINE_EXCEEDED, "deadline of "
                    + OpsDeadlines.timeout(in.ops(), in.settings().defaultTimeout()).toSeconds() + "s passed; the pods are done but "
                    + message, null, Notes.NONE);
        }
        Duration left = Duration.between(now, deadline).plusMillis(100);
        return waiting(next, now, in, reason, message, left.compareTo(PendingDecider.GUARD_RECHECK) < 0 ? left : PendingDecider.GUARD_RECHECK,
                Notes.NONE);
    }
}
