package dev.ordinal.controller.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.api.ops.OpsRequestStatus.KafkaLeadership;
import dev.ordinal.controller.ops.OpsDecision.Event;
import dev.ordinal.controller.ops.OpsDecision.MoveLeaders;
import dev.ordinal.controller.ops.OpsDecision.Notes;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.core.LeaderMoves;
import dev.ordinal.core.ObservedPod;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScaleInGuard.Broker;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.vocabulary.OpsPhase;
import dev.ordinal.vocabulary.Reasons;

/**
 * The Kafka leadership steps of an ops, pure (docs/kafka-broker-offline.md, docs/scaling-rules.md §8): before a guarded
 * broker goes offline, its leadership moves to brokers that stay ({@link #away}); the ops that brings it back carries
 * the record over ({@link #carriedOver}) and, once the broker is in sync again, restores the replica order before it
 * ends ({@link #back}). Each change to Kafka is preceded by a status write that records the original order
 * ({@code status.kafkaLeadership}), so a restarted operator still knows what to restore.
 */
final class LeadershipSteps {
    /** How long leadership may take to leave a broker before the pod goes anyway (Kafka's controlled shutdown then hands over). */
    static final Duration LEADERSHIP_WAIT = Duration.ofSeconds(60);
    /** How soon a leadership step looks at Kafka again. */
    static final Duration STEP_RECHECK = Duration.ofSeconds(1);
    /** How soon the status written before a Kafka change is followed by the change. */
    static final Duration RECORD_RECHECK = Duration.ofMillis(100);
    /** Partitions named in a message; the rest is counted. */
    private static final int SHOWN = 5;

    private LeadershipSteps() {
    }

    /**
     * Pending, the guard having found the departure safe: for each guarded component whose plan takes brokers offline,
     * the next leadership step, or empty once leadership left them (or cannot: under {@code force}, without a Kafka
     * guard, a partition with nobody in sync to hand over to, or {@link #LEADERSHIP_WAIT} passed, which adds a Warning
     * Event to {@code events}). A Normal Event says what moved when the ops may go on.
     */
    static Optional<OpsDecision> away(OpsInputs in, Instant now, Map<String, ScalingPlan> plans, List<Event> events) {
        if (Boolean.TRUE.equals(in.ops().getSpec().force)) {
            return Optional.empty();
        }
        Map<String, KafkaLeadership> records = records(in.ops().getStatus());
        List<Event> moved = new ArrayList<>();
        for (ScalingPlan plan : plans.values()) {
            List<String> offline = plan.podsToDelete().stream().filter(p -> plan.after().offlineInstances().contains(p)).toList();
            if (offline.isEmpty()) {
                continue;
            }
            Optional<OpsInputs.KafkaLook> look = in.guard().look(in.cluster(), plan.component());
            if (look.isEmpty()) {
                continue;
            }
            List<Broker> departing = ScaleInGuard.departing(plan, look.get().nodeIdOffset());
            String who = departing.stream().map(b -> b.pod() + " (node " + b.nodeId() + ")").collect(Collectors.joining(", "));
            // Leadership moves to brokers that stay on this Kafka, not onto one that another component takes offline in
            // the same ops (which would then move it back: a ping-pong until LEADERSHIP_WAIT). Each component records
            // only its own brokers' partitions, so each is restored when its own brokers are back.
            Set<Integer> leaving = ScaleInGuard.nodeIds(ScaleInGuardGate.departingFromSameKafka(in.cluster(), plans, plan.component()));
            if (look.get().snapshot() == null) {
                return Optional.of(waiting(in, now, Reasons.SCALE_IN_GUARD_UNAVAILABLE, "cannot move leadership off " + who + ": "
                        + look.get().unavailable(), PendingDecider.GUARD_RECHECK, records));
            }
            Set<Integer> ids = ScaleInGuard.nodeIds(departing);
            Set<Integer> others = new java.util.HashSet<>(leaving);
            others.removeAll(ids);
            var snapshot = look.get().snapshot();
            LeaderMoves.Step step = LeaderMoves.awayStep(ids, others, snapshot);
            KafkaLeadership record = records.get(plan.component());
            if (step.isEmpty()) {
                if (record != null && !record.originalReplicas.isEmpty()) {
                    moved.add(new Event(false, Reasons.LEADERSHIP_MOVED, "leadership moved off " + who + ": the replica order of "
                            + record.originalReplicas.size() + " partition" + (record.originalReplicas.size() == 1 ? "" : "s")
                            + " changed (status.kafkaLeadership), to be restored when " + (offline.size() == 1 ? "it is" : "they are")
                            + " back online"));
                }
                continue;
            }
            List<LeaderMoves.Move> unrecorded = LeaderMoves.away(ids, others, snapshot).stream()
                    .filter(m -> record == null || !record.originalReplicas.containsKey(m.partition())).toList();
            // A recorded partition whose order to write changed since it was recorded (Kafka's ISR moved): the new order
            // is recorded too before it is written, so the restore recognises it as the move's.
            Map<String, List<Integer>> rewritten = new LinkedHashMap<>();
            step.reorder().forEach((partition, order) -> {
                if (record != null && record.originalReplicas.containsKey(partition) && !order.equals(record.movedReplicas.get(partition))) {
                    rewritten.put(partition, order);
                }
            });
            if (record == null || !unrecorded.isEmpty() || !rewritten.isEmpty()) {
                // Record first: Kafka is changed only once the original order is in the ops' status.
                KafkaLeadership next = record == null ? new KafkaLeadership() : record;
                if (record == null) {
                    next.instances = new ArrayList<>(offline);
                    next.movedAt = Conditions.timestamp(now);
                }
                unrecorded.forEach(m -> {
                    next.originalReplicas.put(m.partition(), new ArrayList<>(m.original()));
                    next.movedReplicas.put(m.partition(), new ArrayList<>(m.reordered()));
                });
                rewritten.forEach((partition, order) -> next.movedReplicas.put(partition, new ArrayList<>(order)));
                records.put(plan.component(), next);
                return Optional.of(waiting(in, now, Reasons.LEADERSHIP_MOVING, "moving leadership off " + who + " before "
                        + (offline.size() == 1 ? "it goes" : "they go") + ": " + describe(step), RECORD_RECHECK, records));
            }
            if (!now.isBefore(Instant.parse(record.movedAt).plus(LEADERSHIP_WAIT))) {
                events.add(new Event(true, Reasons.LEADERSHIP_NOT_MOVED, "leadership did not leave " + who + " within "
                        + LEADERSHIP_WAIT.toSeconds() + "s (" + describe(step) + "); " + (offline.size() == 1 ? "it goes" : "they go")
                        + " anyway, and Kafka's controlled shutdown hands over the rest"));
                continue;
            }
            Map<String, KafkaLeadership> unchanged = records;
            String message = "moving leadership off " + who + " before " + (offline.size() == 1 ? "it goes" : "they go") + ": " + describe(step);
            return Optional.of(new MoveLeaders(plan.component(), step, error -> waiting(in, now, Reasons.LEADERSHIP_MOVING,
                    error == null ? message : message + "; " + error, STEP_RECHECK, unchanged)));
        }
        events.addAll(moved);
        return Optional.empty();
    }

    /**
     * The leadership records the ops that brings instances back takes over ({@code movedBy} names the ops they come
     * from): per component, the latest record not restored yet of an ended ops (Succeed, or Failed or Aborted once it
     * had started: the broker may be offline all the same) whose instances are all online once this ops is done, and
     * that no other ops holds: a copy restored by an ops that brought them back before, or held by one still going,
     * takes the record out of reach (review of #28: a record carried over once was otherwise carried over again by the
     * next ops that brought the instance back). An ops deleted meanwhile (its TTL) leaves nothing to take over: the
     * order is then not restored (docs/kafka-broker-offline.md).
     */
    static Map<String, KafkaLeadership> carriedOver(List<OpsRequest> peers, Map<String, ScalingPlan> plans) {
        Map<String, KafkaLeadership> out = new LinkedHashMap<>();
        for (ScalingPlan plan : plans.values()) {
            List<String> back = plan.podsToCreate().stream().filter(p -> plan.before().offlineInstances().contains(p)).toList();
            if (back.isEmpty()) {
                continue;
            }
            String component = plan.component();
            peers.stream()
                    .filter(p -> p.getStatus() != null && p.getStatus().startTimestamp != null && ENDED_WITH_RECORD.contains(p.getStatus().phase)
                            && p.getStatus().kafkaLeadership != null && p.getStatus().kafkaLeadership.get(component) != null)
                    .filter(p -> {
                        KafkaLeadership r = p.getStatus().kafkaLeadership.get(component);
                        return r.restoredAt == null && !r.originalReplicas.isEmpty()
                                && r.instances.stream().anyMatch(back::contains)
                                && r.instances.stream().allMatch(i -> back.contains(i) || !plan.after().offlineInstances().contains(i))
                                && !takenElsewhere(peers, p, component);
                    })
                    .max(Comparator.comparing((OpsRequest p) -> String.valueOf(p.getStatus().completionTimestamp)))
                    .ifPresent(p -> {
                        KafkaLeadership copy = copy(p.getStatus().kafkaLeadership.get(component));
                        copy.movedBy = origin(p, p.getStatus().kafkaLeadership.get(component));
                        out.put(component, copy);
                    });
        }
        return out;
    }

    /** The phases of an ended ops whose leadership record may still wait for its restore. */
    private static final Set<String> ENDED_WITH_RECORD = Set.of(OpsPhase.SUCCEED.value(), OpsPhase.FAILED.value(), OpsPhase.ABORTED.value());

    /** The ops that moved the leadership of a record: the one named in {@code movedBy}, else the ops that holds it. */
    private static String origin(OpsRequest holder, KafkaLeadership record) {
        return record.movedBy != null ? record.movedBy : holder.getMetadata().getName();
    }

    /**
     * Whether another ops than {@code holder} has taken the record of {@code component} that {@code holder} holds: it
     * holds a copy of the same origin that is restored, or it is still going (a copy of it may be being restored).
     */
    private static boolean takenElsewhere(List<OpsRequest> peers, OpsRequest holder, String component) {
        String origin = origin(holder, holder.getStatus().kafkaLeadership.get(component));
        return peers.stream().filter(q -> q != holder && q.getStatus() != null && q.getStatus().kafkaLeadership != null)
                .anyMatch(q -> {
                    KafkaLeadership r = q.getStatus().kafkaLeadership.get(component);
                    return r != null && origin.equals(origin(q, r))
                            && (r.restoredAt != null || !OpsPhase.isTerminal(q.getStatus().phase));
                });
    }

    /** What the completion of a started ops waits for: a leadership step to take, or a wait with its message. */
    sealed interface Back {
        /** Nothing to restore (any more): the ops may end; {@code events} say what was restored. */
        record Done(List<Event> events) implements Back {
        }

        /** Take this step, then look again. */
        record Step(String component, LeaderMoves.Step step, String message) implements Back {
        }

        /** The brokers are not in sync yet, or Kafka gave no answer: look again later. */
        record Waiting(String message) implements Back {
        }
    }

    /**
     * A started ops whose pods are done and that holds a leadership record not yet restored, whose instances are all
     * Ready pods now (the ops that brings them back, or a cancelled offline): the original replica order comes back
     * once the broker it hands leadership back to is in sync ({@link LeaderMoves#back}). Records restored by this call get {@code restoredAt}
     * in {@code status}.
     */
    static Back back(OpsInputs in, Instant now, OpsRequestStatus status) {
        List<Event> events = new ArrayList<>();
        if (status.kafkaLeadership == null) {
            return new Back.Done(events);
        }
        for (Map.Entry<String, KafkaLeadership> e : status.kafkaLeadership.entrySet()) {
            KafkaLeadership record = e.getValue();
            if (record.restoredAt != null || record.originalReplicas.isEmpty()
                    || !record.instances.stream().allMatch(i -> in.pods().getOrDefault(i, ObservedPod.ABSENT).ready())) {
                continue;
            }
            String who = String.join(", ", record.instances);
            Optional<OpsInputs.KafkaLook> look = in.guard() == null ? Optional.empty() : in.guard().look(in.cluster(), e.getKey());
            if (look.isEmpty()) {
                continue;
            }
            if (look.get().snapshot() == null) {
                return new Back.Waiting("cannot restore the replica order of " + who + "'s partitions yet: " + look.get().unavailable());
            }
            LeaderMoves.Restore restore = LeaderMoves.back(record.originalReplicas, record.movedReplicas, look.get().snapshot());
            if (restore.isDone()) {
                record.restoredAt = Conditions.timestamp(now);
                int restored = record.originalReplicas.size() - restore.changed().size();
                events.add(new Event(false, Reasons.LEADERSHIP_RESTORED, "restored the replica order of " + restored + " partition"
                        + (restored == 1 ? "" : "s") + " of " + who + (restore.changed().isEmpty() ? ""
                                : "; left alone, because their replicas changed meanwhile: " + shown(restore.changed()))));
                continue;
            }
            if (!restore.step().isEmpty()) {
                return new Back.Step(e.getKey(), restore.step(), "restoring the replica order of " + who + "'s partitions: "
                        + describe(restore.step()));
            }
            return new Back.Waiting("waiting for " + who + " to catch up before its partitions get their replica order back: "
                    + shown(restore.catchingUp()));
        }
        return new Back.Done(events);
    }

    /**
     * An ops about to end while Pending ({@code ending}: cancelled, failed or aborted before its snapshot) that already
     * moved leadership off brokers it was to take offline: those brokers never went, so their partitions get their
     * original replica order back before the ops ends (review of #28; docs/kafka-broker-offline.md). Returns
     * {@code ending} itself when there is nothing to restore; a leadership step, then a wait, while there is; or
     * {@code ending} with {@code restoredAt} set and a {@code LeadershipRestored} Event. What cannot be restored within
     * {@link #LEADERSHIP_WAIT} of the first try ({@code restoringSince}: Kafka does not answer, refuses or does not carry
     * out the step, a reorder still in progress), or at all (no guard any more, replicas changed by someone else), is
     * left as it is with a Warning Event {@code LeadershipNotRestored} naming it; the original orders stay in
     * {@code status.kafkaLeadership}. So the ops always ends, at most 60 s later.
     */
    static OpsDecision undo(OpsInputs in, Instant now, OpsDecision.Finish ending) {
        Map<String, KafkaLeadership> records = ending.status().kafkaLeadership;
        if (records == null || records.values().stream().allMatch(r -> r.restoredAt != null || r.originalReplicas.isEmpty())) {
            return ending;
        }
        List<Event> events = new ArrayList<>(ending.notes().events());
        for (Map.Entry<String, KafkaLeadership> e : records.entrySet()) {
            KafkaLeadership record = e.getValue();
            if (record.restoredAt != null || record.originalReplicas.isEmpty()) {
                continue;
            }
            String who = String.join(", ", record.instances);
            Instant since = record.restoringSince == null ? now : Instant.parse(record.restoringSince);
            record.restoringSince = Conditions.timestamp(since);
            boolean waited = !now.isBefore(since.plus(LEADERSHIP_WAIT));
            Optional<OpsInputs.KafkaLook> look = in.guard() == null ? Optional.empty() : in.guard().look(in.cluster(), e.getKey());
            if (look.isEmpty() || look.get().snapshot() == null) {
                if (look.isPresent() && !waited) {
                    return ending(in, now, ending, "the ops ends " + ending.phase().value() + ", but first the replica order of " + who
                            + "'s partitions comes back: " + look.get().unavailable());
                }
                events.add(new Event(true, Reasons.LEADERSHIP_NOT_RESTORED, "the replica order of " + record.originalReplicas.size()
                        + " partition" + (record.originalReplicas.size() == 1 ? "" : "s") + " of " + who + " was not restored: "
                        + (look.isEmpty() ? "the component has no Kafka guard any more" : look.get().unavailable())
                        + "; the original orders are in status.kafkaLeadership (kafka-reassign-partitions.sh can write them back)"));
                continue;
            }
            LeaderMoves.Restore restore = LeaderMoves.back(record.originalReplicas, record.movedReplicas, look.get().snapshot());
            if (!restore.step().isEmpty() && !waited) {
                String message = "the ops ends " + ending.phase().value() + ", but first the replica order of " + who
                        + "'s partitions comes back: " + describe(restore.step());
                OpsDecision wait = ending(in, now, ending, message);
                return new MoveLeaders(e.getKey(), restore.step(), error -> error == null ? wait : ending(in, now, ending, message + "; " + error));
            }
            if (!restore.catchingUp().isEmpty() && !waited) {
                return ending(in, now, ending, "the ops ends " + ending.phase().value() + ", but first the replica order of " + who
                        + "'s partitions comes back; waiting for " + shown(restore.catchingUp()));
            }
            List<String> left = new ArrayList<>(restore.changed());
            left.addAll(restore.catchingUp());
            left.addAll(new java.util.TreeSet<>(union(restore.step()))); // only past the 60 s: Kafka did not carry out the step
            record.restoredAt = Conditions.timestamp(now);
            int restored = record.originalReplicas.size() - left.size();
            if (restored > 0) {
                events.add(new Event(false, Reasons.LEADERSHIP_RESTORED, "restored the replica order of " + restored + " partition"
                        + (restored == 1 ? "" : "s") + " of " + who + ": " + (record.instances.size() == 1 ? "it stays" : "they stay")
                        + " online, the ops having ended " + ending.phase().value() + " while Pending"));
            }
            if (!left.isEmpty()) {
                events.add(new Event(true, Reasons.LEADERSHIP_NOT_RESTORED, "the replica order of " + shown(left) + " of " + who
                        + " was not restored within " + LEADERSHIP_WAIT.toSeconds() + "s: their replicas changed meanwhile, a"
                        + " reassignment is still in progress, or Kafka did not carry out the restore; the original orders are in"
                        + " status.kafkaLeadership"));
            }
        }
        return new OpsDecision.Finish(ending.status(), ending.phase(), ending.reason(), ending.message(),
                new Notes(ending.notes().planComputed(), List.copyOf(events)));
    }

    /** Pending a little longer: the ops' end waits for the replica order to come back (the records keep {@code restoringSince}). */
    private static Wait ending(OpsInputs in, Instant now, OpsDecision.Finish ending, String message) {
        OpsStatus next = OpsStatus.of(in.ops(), now).waiting(true, Reasons.RESTORING_LEADERSHIP, message);
        next.status().kafkaLeadership = ending.status().kafkaLeadership;
        return new Wait(next.status(), STEP_RECHECK, false, Notes.NONE);
    }

    /** The partitions a leadership step names, reordered or elected. */
    private static java.util.Set<String> union(LeaderMoves.Step step) {
        java.util.Set<String> all = new java.util.HashSet<>(step.reorder().keySet());
        all.addAll(step.elect());
        return all;
    }

    /** A deep copy of the status' records (the observed ops is never changed). */
    private static Map<String, KafkaLeadership> records(OpsRequestStatus status) {
        Map<String, KafkaLeadership> out = new LinkedHashMap<>();
        if (status != null && status.kafkaLeadership != null) {
            status.kafkaLeadership.forEach((component, r) -> out.put(component, copy(r)));
        }
        return out;
    }

    private static KafkaLeadership copy(KafkaLeadership from) {
        KafkaLeadership copy = new KafkaLeadership();
        copy.instances = new ArrayList<>(from.instances);
        from.originalReplicas.forEach((p, order) -> copy.originalReplicas.put(p, new ArrayList<>(order)));
        if (from.movedReplicas != null) {
            from.movedReplicas.forEach((p, order) -> copy.movedReplicas.put(p, new ArrayList<>(order)));
        }
        copy.movedAt = from.movedAt;
        copy.movedBy = from.movedBy;
        copy.restoredAt = from.restoredAt;
        copy.restoringSince = from.restoringSince;
        return copy;
    }

    private static Wait waiting(OpsInputs in, Instant now, String reason, String message, Duration recheck,
            Map<String, KafkaLeadership> records) {
        OpsStatus next = OpsStatus.of(in.ops(), now).waiting(true, reason, message);
        next.status().kafkaLeadership = records.isEmpty() ? null : records;
        return new Wait(next.status(), recheck, false, Notes.PLANNED);
    }

    /** "new replica order for orders-0, orders-3; preferred leader election of orders-0, orders-3, orders-5". */
    private static String describe(LeaderMoves.Step step) {
        List<String> parts = new ArrayList<>();
        if (!step.reorder().isEmpty()) {
            parts.add("new replica order for " + shown(new ArrayList<>(step.reorder().keySet())));
        }
        if (!step.elect().isEmpty()) {
            parts.add("preferred leader election of " + shown(step.elect().stream().sorted().toList()));
        }
        return String.join("; ", parts);
    }

    private static String shown(List<String> names) {
        String first = names.stream().limit(SHOWN).collect(Collectors.joining(", "));
        return names.size() > SHOWN ? first + " and " + (names.size() - SHOWN) + " more" : first;
    }
}
