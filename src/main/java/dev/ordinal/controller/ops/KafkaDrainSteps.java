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

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ScaleInGuardSpec.KafkaScaleInGuard;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.api.ops.OpsRequestStatus.KafkaDrainRecord;
import dev.ordinal.controller.ops.OpsDecision.Event;
import dev.ordinal.controller.ops.OpsDecision.Notes;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.core.KafkaDrain;
import dev.ordinal.core.KafkaSnapshot;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScaleInGuard.Broker;
import dev.ordinal.core.ScaleInGuard.Departure;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.vocabulary.ConditionType;
import dev.ordinal.vocabulary.OpsPhase;
import dev.ordinal.vocabulary.Reasons;

/**
 * The drain and the unregistration of Kafka brokers removed for good, pure (docs/kafka-drain.md, docs/scaling-rules.md
 * §8). Pending, for a component with {@code scaleInGuard.kafka.drain: true}: the plan ({@link KafkaDrain#plan}) is
 * recorded in {@code status.kafkaDrain} first, then Kafka is asked to move the partitions under a replication
 * throttle, the progress is written as it goes, and once every partition moved the throttle is removed and the guard
 * lets the ops start ({@link #drain}). A cancel while draining cancels the reassignments in progress and removes the
 * throttle ({@link #cancel}). Once the pods of removed brokers are gone, their node ids are unregistered
 * ({@link #unregister}). Every decision is made from the recorded plan and what Kafka says now, so a restarted
 * operator resumes.
 */
final class KafkaDrainSteps {
    /** The replication throttle without {@code drainThrottleBytesPerSecond}: 10 MiB/s. */
    static final long DEFAULT_THROTTLE = 10L * 1024 * 1024;
    /** How soon a drain in progress looks at Kafka again. */
    static final Duration DRAIN_RECHECK = Duration.ofSeconds(2);
    /** How soon a recorded plan or a finished drain is followed by the next step. */
    static final Duration RECORD_RECHECK = Duration.ofMillis(100);

    private KafkaDrainSteps() {
    }

    /**
     * Pending, after the queue and the precondition: the next drain step of the first guarded component with
     * {@code drain: true} whose plan removes brokers that still host replicas (or whose drain is not finished), or
     * empty when there is none (the guard then judges as without drain). A plan Kafka cannot fit (fewer brokers stay
     * than the highest replication factor) ends the ops Failed ({@code ValidationFailed}). Not under {@code force}.
     */
    static Optional<OpsDecision> drain(OpsInputs in, Instant now, Map<String, ScalingPlan> plans) {
        if (Boolean.TRUE.equals(in.ops().getSpec().force)) {
            return Optional.empty();
        }
        Map<String, KafkaDrainRecord> records = records(in.ops().getStatus());
        for (ScalingPlan plan : plans.values()) {
            KafkaScaleInGuard guard = kafkaGuard(in.cluster(), plan.component());
            if (guard == null || !Boolean.TRUE.equals(guard.drain)) {
                continue;
            }
            List<Broker> removed = removed(plan, guard);
            if (removed.isEmpty()) {
                continue;
            }
            KafkaDrainRecord record = records.get(plan.component());
            Optional<OpsInputs.KafkaLook> look = in.guard().look(in.cluster(), plan.component());
            if (look.isEmpty()) {
                continue;
            }
            String who = who(removed);
            KafkaSnapshot snapshot = look.get().snapshot();
            if (snapshot == null) {
                return Optional.of(waiting(in, now, Reasons.SCALE_IN_GUARD_UNAVAILABLE, "cannot drain " + who + ": "
                        + look.get().unavailable(), PendingDecider.GUARD_RECHECK, records, Notes.PLANNED));
            }
            boolean hosts = !snapshot.hostedBy(ScaleInGuard.nodeIds(removed)).isEmpty();
            if (record == null || (record.finishedAt != null && hosts)) {
                if (!hosts) {
                    continue;
                }
                List<String> others = KafkaDrain.othersMoving(ScaleInGuard.nodeIds(removed), snapshot);
                if (!others.isEmpty()) {
                    return Optional.of(waiting(in, now, Reasons.DRAINING, "waiting for the reassignment in progress of "
                            + KafkaDrain.shown(others) + " (not this drain's) to end before planning the drain of " + who,
                            DRAIN_RECHECK, records, Notes.PLANNED));
                }
                KafkaDrain.Plan planned = KafkaDrain.plan(removed, leavingToo(in, plans, plan, removed), snapshot);
                if (!planned.planned()) {
                    OpsStatus next = OpsStatus.of(in.ops(), now).condition(ConditionType.VALIDATED, false, Reasons.VALIDATION_FAILED,
                            planned.refusal());
                    next.status().kafkaDrain = records.isEmpty() ? null : records;
                    return Optional.of(PendingDecider.finish(next, OpsPhase.FAILED, Reasons.VALIDATION_FAILED, planned.refusal(), plans,
                            Notes.PLANNED));
                }
                // Record first: Kafka is asked to move anything only once the plan is in the ops' status.
                KafkaDrainRecord next = record == null ? new KafkaDrainRecord() : record;
                next.instances = removed.stream().map(Broker::pod).toList();
                next.nodeIds = removed.stream().map(Broker::nodeId).toList();
                next.originalReplicas.putAll(planned.original());
                next.targetReplicas.putAll(planned.targets());
                next.throttleBytesPerSecond = guard.drainThrottleBytesPerSecond == null ? DEFAULT_THROTTLE : guard.drainThrottleBytesPerSecond;
                next.progress = KafkaDrain.progress(next.targetReplicas, snapshot).fraction();
                next.startedAt = next.startedAt == null ? Conditions.timestamp(now) : next.startedAt;
                next.finishedAt = null;
                records.put(plan.component(), next);
                return Optional.of(waiting(in, now, Reasons.DRAINING, "draining " + who + ": the plan moves " + planned.targets().size()
                        + " partition" + (planned.targets().size() == 1 ? "" : "s") + " (status.kafkaDrain." + plan.component()
                        + "); asking Kafka next", RECORD_RECHECK, records, Notes.PLANNED));
            }
            if (record.finishedAt != null) {
                continue;
            }
            KafkaDrain.Progress progress = KafkaDrain.progress(record.targetReplicas, snapshot);
            record.progress = progress.fraction();
            KafkaDrain.Throttle throttle = KafkaDrain.throttle(record.originalReplicas, record.targetReplicas).within(snapshot);
            String moving = "draining " + who + ": " + progress.fraction() + " partitions moved (replication throttle "
                    + record.throttleBytesPerSecond + " B/s)";
            if (!progress.toStart().isEmpty()) {
                Map<String, List<Integer>> ask = new LinkedHashMap<>();
                progress.toStart().forEach(p -> ask.put(p, record.targetReplicas.get(p)));
                String message = moving + "; asked Kafka to move " + KafkaDrain.shown(progress.toStart());
                return Optional.of(new OpsDecision.DrainKafka(plan.component(), KafkaDrain.Step.start(ask, throttle,
                        record.throttleBytesPerSecond), error -> waiting(in, now, Reasons.DRAINING,
                                error == null ? message : moving + "; " + error, DRAIN_RECHECK, records, Notes.PLANNED)));
            }
            if (!progress.done()) {
                return Optional.of(waiting(in, now, Reasons.DRAINING, moving + "; in progress: " + KafkaDrain.shown(progress.inFlight()),
                        DRAIN_RECHECK, records, Notes.PLANNED));
            }
            String done = "drained " + who + ": all " + progress.total() + " partitions moved to the brokers that stay; replication"
                    + " throttle removed";
            return Optional.of(new OpsDecision.DrainKafka(plan.component(), KafkaDrain.Step.finish(throttle), error -> {
                if (error != null) {
                    return waiting(in, now, Reasons.DRAINING, moving + "; removing the replication throttle: " + error, DRAIN_RECHECK,
                            records, Notes.PLANNED);
                }
                record.finishedAt = Conditions.timestamp(now);
                return waiting(in, now, Reasons.DRAINING, done, RECORD_RECHECK, records,
                        new Notes(true, List.of(new Event(false, Reasons.DRAINED, done))));
            }));
        }
        return Optional.empty();
    }

    /**
     * A dry run: for each component with {@code drain: true} whose plan removes brokers that host replicas, what the
     * drain would do, e.g. {@code with drain: 2 partitions would move off kafka-broker-3 (node 103)}, or why it would be
     * refused. Nothing is recorded and Kafka is only read.
     */
    static Map<String, String> preview(OpsInputs in, Map<String, ScalingPlan> plans) {
        Map<String, String> out = new LinkedHashMap<>();
        if (Boolean.TRUE.equals(in.ops().getSpec().force)) {
            return out;
        }
        for (ScalingPlan plan : plans.values()) {
            KafkaScaleInGuard guard = kafkaGuard(in.cluster(), plan.component());
            List<Broker> removed = guard == null || !Boolean.TRUE.equals(guard.drain) ? List.of() : removed(plan, guard);
            Optional<OpsInputs.KafkaLook> look = removed.isEmpty() ? Optional.empty() : in.guard().look(in.cluster(), plan.component());
            if (look.isEmpty() || look.get().snapshot() == null
                    || look.get().snapshot().hostedBy(ScaleInGuard.nodeIds(removed)).isEmpty()) {
                continue;
            }
            KafkaDrain.Plan planned = KafkaDrain.plan(removed, leavingToo(in, plans, plan, removed), look.get().snapshot());
            out.put(plan.component(), planned.planned() ? "with drain: " + planned.targets().size() + " partition"
                    + (planned.targets().size() == 1 ? "" : "s") + " would move off " + who(removed) + " first"
                    : "with drain: refused: " + planned.refusal());
        }
        return out;
    }

    /**
     * A cancel of a Pending ops with a drain not finished: the reassignments in progress are cancelled and the throttle
     * removed, one component per step; the ops ends {@code Cancelled} once no drain is left unfinished. Partitions that
     * had moved stay where they are; the Cluster was not touched. Empty when no drain is unfinished.
     */
    static Optional<OpsDecision> cancel(OpsInputs in, Instant now) {
        Map<String, KafkaDrainRecord> records = records(in.ops().getStatus());
        List<String> open = records.entrySet().stream().filter(e -> e.getValue().finishedAt == null).map(Map.Entry::getKey).toList();
        if (open.isEmpty()) {
            return Optional.empty();
        }
        String component = open.get(0);
        KafkaDrainRecord record = records.get(component);
        Optional<OpsInputs.KafkaLook> look = in.guard().look(in.cluster(), component);
        String who = String.join(", ", record.instances);
        if (look.isPresent() && look.get().snapshot() == null) {
            // Kafka does not answer: the cancel waits for it, so that no reassignment or throttle is left behind.
            return Optional.of(waiting(in, now, Reasons.SCALE_IN_GUARD_UNAVAILABLE, "cancelling the drain of " + who + ": "
                    + look.get().unavailable(), PendingDecider.GUARD_RECHECK, records, Notes.NONE));
        }
        if (look.isEmpty()) {
            // The component lost its Kafka guard meanwhile: there is no Kafka to ask, so nothing can be cancelled there.
            record.finishedAt = Conditions.timestamp(now);
            OpsStatus next = OpsStatus.of(in.ops(), now);
            next.status().kafkaDrain = records;
            return Optional.of(open.size() > 1 ? waiting(in, now, Reasons.DRAINING, "the drain of " + who + " has no Kafka guard any"
                    + " more; nothing to cancel there", RECORD_RECHECK, records, Notes.NONE)
                    : PendingDecider.finish(next, OpsPhase.CANCELLED, Reasons.CANCELLED_WHILE_PENDING, "cancelled while draining " + who
                            + "; component " + component + " has no scaleInGuard.kafka any more, so Kafka was not asked to cancel its"
                            + " reassignments or remove the throttle; the Cluster was not touched", null, Notes.NONE));
        }
        KafkaSnapshot snapshot = look.get().snapshot();
        record.progress = KafkaDrain.progress(record.targetReplicas, snapshot).fraction();
        Set<String> inFlight = KafkaDrain.ownInFlight(record.originalReplicas, record.targetReplicas, snapshot);
        String message = "cancelled while draining " + who + ": " + record.progress + " partitions had moved (they stay where"
                + " they are), the reassignment of " + inFlight.size() + " cancelled, the replication throttle removed; the Cluster was"
                + " not touched";
        return Optional.of(new OpsDecision.DrainKafka(component, KafkaDrain.Step.cancel(inFlight,
                KafkaDrain.throttle(record.originalReplicas, record.targetReplicas).within(snapshot)), error -> {
                    if (error != null) {
                        return waiting(in, now, Reasons.DRAINING, "cancelling the drain of " + who + ": " + error, DRAIN_RECHECK, records,
                                Notes.NONE);
                    }
                    record.finishedAt = Conditions.timestamp(now);
                    if (open.size() > 1) {
                        return waiting(in, now, Reasons.DRAINING, message, RECORD_RECHECK, records, Notes.NONE);
                    }
                    OpsStatus next = OpsStatus.of(in.ops(), now);
                    next.status().kafkaDrain = records;
                    return PendingDecider.finish(next, OpsPhase.CANCELLED, Reasons.CANCELLED_WHILE_PENDING, message, null, Notes.NONE);
                }));
    }

    /** The Kafka moves an ending ops stops first: its drain (Pending) or its rebalance (Running). */
    enum Moves {
        DRAIN("drain of", "status.kafkaDrain"), REBALANCE("rebalance onto", "status.kafkaRebalance");

        private final String words;
        private final String field;

        Moves(String words, String field) {
            this.words = words;
            this.field = field;
        }

        Map<String, KafkaDrainRecord> of(OpsRequestStatus status) {
            return this == DRAIN ? status.kafkaDrain : status.kafkaRebalance;
        }

        void set(OpsRequestStatus status, Map<String, KafkaDrainRecord> records) {
            if (this == DRAIN) {
                status.kafkaDrain = records;
            } else {
                status.kafkaRebalance = records;
            }
        }
    }

    /**
     * An ops that ends otherwise than by its cancel ({@code ending}: failed, aborted, cancelled by the controller)
     * while a drain (Pending) or a rebalance (Running) of it is not finished: the moves stop first, as on a cancel (its
     * own reassignments in progress cancelled, the replication throttle removed), one component per step, each followed
     * by a Normal Event {@code ReassignmentsStopped}; then {@code ending}. Without that, the throttle would stay on the
     * brokers and topics and slow every later catch-up of those replicas (review of #28: e.g. {@code drain} turned off
     * mid-drain fails the ops at its precondition deadline; a direct edit of {@code replicas} mid-rebalance fails it
     * {@code OverwrittenByAnotherWriter}). Moves Kafka cannot be asked about (no guard any more, no answer, a refused
     * step) are not waited for: {@code ending} gets a Warning Event {@code ReassignmentsNotStopped} naming what is left.
     */
    static OpsDecision stop(OpsInputs in, Instant now, OpsDecision.Finish ending, Moves moves) {
        Map<String, KafkaDrainRecord> records = copy(moves.of(ending.status()));
        List<Event> events = new ArrayList<>(ending.notes().events());
        for (Map.Entry<String, KafkaDrainRecord> e : records.entrySet()) {
            KafkaDrainRecord record = e.getValue();
            if (record.finishedAt != null) {
                continue;
            }
            String what = "the " + moves.words + " " + String.join(", ", record.instances);
            Optional<OpsInputs.KafkaLook> look = in.guard() == null ? Optional.empty() : in.guard().look(in.cluster(), e.getKey());
            if (look.isEmpty() || look.get().snapshot() == null) {
                record.finishedAt = Conditions.timestamp(now);
                events.add(notStopped(what, moves, look.isEmpty() ? "component " + e.getKey() + " has no scaleInGuard.kafka any more"
                        : look.get().unavailable()));
                continue;
            }
            KafkaSnapshot snapshot = look.get().snapshot();
            record.progress = KafkaDrain.progress(record.targetReplicas, snapshot).fraction();
            Set<String> inFlight = KafkaDrain.ownInFlight(record.originalReplicas, record.targetReplicas, snapshot);
            String stopped = "stopped " + what + " as the ops ends " + ending.phase().value() + " (" + ending.reason() + "): "
                    + record.progress + " partitions had moved (they stay where they are), the reassignment of " + inFlight.size()
                    + " cancelled, the replication throttle removed";
            return new OpsDecision.DrainKafka(e.getKey(), KafkaDrain.Step.cancel(inFlight,
                    KafkaDrain.throttle(record.originalReplicas, record.targetReplicas).within(snapshot)), error -> {
                        record.finishedAt = Conditions.timestamp(now);
                        Event event = error == null ? new Event(false, Reasons.REASSIGNMENTS_STOPPED, stopped) : notStopped(what, moves, error);
                        if (records.values().stream().allMatch(r -> r.finishedAt != null)) {
                            // The last one: the ops ends now, as decided, rather than deciding again next time (by then
                            // the cause may have cleared, and a stopped rebalance would pass for a finished one).
                            List<Event> all = new ArrayList<>(events);
                            all.add(event);
                            moves.set(ending.status(), records);
                            return new OpsDecision.Finish(ending.status(), ending.phase(), ending.reason(), ending.message(),
                                    new Notes(ending.notes().planComputed(), List.copyOf(all)));
                        }
                        String message = "the ops ends " + ending.phase().value() + ", but first " + what + " stops";
                        OpsStatus next = moves == Moves.DRAIN ? OpsStatus.of(in.ops(), now).waiting(true, Reasons.DRAINING, message)
                                : OpsStatus.of(in.ops(), now).condition(ConditionType.PROGRESSING, true, Reasons.REBALANCING, message);
                        moves.set(next.status(), records);
                        return new Wait(next.status(), RECORD_RECHECK, false, new Notes(false, List.of(event)));
                    });
        }
        if (events.size() == ending.notes().events().size()) {
            return ending;
        }
        moves.set(ending.status(), records);
        return new OpsDecision.Finish(ending.status(), ending.phase(), ending.reason(), ending.message(),
                new Notes(ending.notes().planComputed(), List.copyOf(events)));
    }

    private static Event notStopped(String what, Moves moves, String why) {
        return new Event(true, Reasons.REASSIGNMENTS_NOT_STOPPED, what + " was not stopped: " + why + "; its reassignments"
                + " may still run and its replication throttle is left on the brokers and topics of " + moves.field + " (remove them"
                + " with kafka-reassign-partitions.sh --cancel and kafka-configs.sh --delete-config, docs/kafka-drain.md)");
    }

    /**
     * Running, every pod change done: the node ids of the brokers the ops removed for good (not those taken offline)
     * are unregistered from Kafka, one component per step, and recorded in {@code status.kafkaUnregistered}; empty once
     * every such component is recorded. {@code next} is the status being built; an error is written into its
     * {@code Progressing} condition ({@code UnregisteringBrokers}) and the step is tried again.
     */
    static Optional<OpsDecision> unregister(OpsInputs in, Instant now, Map<String, ScalingPlan> plans, OpsStatus next) {
        OpsRequestStatus status = next.status();
        for (ScalingPlan plan : plans.values()) {
            KafkaScaleInGuard guard = kafkaGuard(in.cluster(), plan.component());
            if (guard == null || (status.kafkaUnregistered != null && status.kafkaUnregistered.containsKey(plan.component()))) {
                continue;
            }
            List<Broker> removed = removed(plan, guard);
            if (removed.isEmpty()) {
                continue;
            }
            Set<Integer> ids = ScaleInGuard.nodeIds(removed);
            String who = who(removed);
            // Partitions placed on them after the drain or the guard looked (a topic created meanwhile) lost a replica
            // for good with the pod: said, since nobody else will (strimzi#12665 is that kind).
            List<Event> stillHosted = new ArrayList<>();
            Optional<OpsInputs.KafkaLook> look = in.guard() == null ? Optional.empty() : in.guard().look(in.cluster(), plan.component());
            if (look.isPresent() && look.get().snapshot() != null) {
                List<String> hosted = look.get().snapshot().hostedBy(ids).values().stream().flatMap(List::stream)
                        .map(r -> r.topic() + "-" + r.partition()).distinct().sorted().toList();
                if (!hosted.isEmpty()) {
                    stillHosted.add(new Event(true, Reasons.REMOVED_BROKER_HOSTS_REPLICAS, who + " still host" + (removed.size() == 1 ? "s" : "")
                            + " replicas of " + KafkaDrain.shown(hosted) + " now that " + (removed.size() == 1 ? "its pod is" : "their pods are")
                            + " gone (placed there after the drain or the guard looked); those partitions are under-replicated until"
                            + " reassigned to brokers that stay (kafka-reassign-partitions.sh)"));
                }
            }
            return Optional.of(new OpsDecision.UnregisterBrokers(plan.component(), ids, error -> {
                if (error != null) {
                    status.conditions = Conditions.set(status.conditions, ConditionType.PROGRESSING, true, Reasons.UNREGISTERING_BROKERS,
                            "the pods of " + who + " are gone; unregistering their Kafka node ids: " + error,
                            in.ops().getMetadata().getGeneration(), now);
                    return new Wait(status, DRAIN_RECHECK, false, Notes.NONE);
                }
                Map<String, List<Integer>> done = status.kafkaUnregistered == null ? new LinkedHashMap<>()
                        : new LinkedHashMap<>(status.kafkaUnregistered);
                done.put(plan.component(), new ArrayList<>(ids));
                status.kafkaUnregistered = done;
                List<Event> events = new ArrayList<>(stillHosted);
                events.add(new Event(false, Reasons.BROKERS_UNREGISTERED, "unregistered Kafka node id" + (ids.size() == 1 ? " " : "s ")
                        + ids.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " of " + who + ": their pods are gone"));
                return new Wait(status, RECORD_RECHECK, false, new Notes(false, List.copyOf(events)));
            }));
        }
        return Optional.empty();
    }

    /** The brokers of {@code plan} removed for good (not taken offline), with their node ids. */
    private static List<Broker> removed(ScalingPlan plan, KafkaScaleInGuard guard) {
        int offset = guard.nodeIdOffset == null ? 0 : guard.nodeIdOffset;
        return ScaleInGuard.departing(plan, offset).stream().filter(b -> b.departure() == Departure.REMOVAL).toList();
    }

    /** The node ids the plan takes offline in the same ops (no drain target, though they keep their replicas). */
    /**
     * The other brokers the same ops takes from this Kafka (offline ones of this component, and any of another
     * component of the same Kafka, a node pool): no drain target, though they are not drained here.
     */
    static Set<Integer> leavingToo(OpsInputs in, Map<String, ScalingPlan> plans, ScalingPlan plan, List<Broker> removed) {
        Set<Integer> out = new java.util.HashSet<>(ScaleInGuard.nodeIds(ScaleInGuardGate.departingFromSameKafka(in.cluster(), plans,
                plan.component())));
        out.removeAll(ScaleInGuard.nodeIds(removed));
        return out;
    }

    private static String who(List<Broker> brokers) {
        return brokers.stream().map(b -> b.pod() + " (node " + b.nodeId() + ")").collect(Collectors.joining(", "));
    }

    static KafkaScaleInGuard kafkaGuard(Cluster cluster, String component) {
        if (cluster == null || cluster.getSpec() == null) {
            return null;
        }
        return cluster.getSpec().componentSpecs.stream().filter(c -> c.name.equals(component)).findFirst()
                .map(c -> c.scaleInGuard).map(g -> g.kafka).orElse(null);
    }

    /** A deep copy of the status' drain records (the observed ops is never changed). */
    private static Map<String, KafkaDrainRecord> records(OpsRequestStatus status) {
        return copy(status == null ? null : status.kafkaDrain);
    }

    /** A deep copy of drain or rebalance records; empty for null. */
    private static Map<String, KafkaDrainRecord> copy(Map<String, KafkaDrainRecord> from) {
        Map<String, KafkaDrainRecord> out = new LinkedHashMap<>();
        if (from != null) {
            from.forEach((component, r) -> {
                KafkaDrainRecord copy = new KafkaDrainRecord();
                copy.instances = new ArrayList<>(r.instances);
                copy.nodeIds = new ArrayList<>(r.nodeIds);
                r.originalReplicas.forEach((p, l) -> copy.originalReplicas.put(p, new ArrayList<>(l)));
                r.targetReplicas.forEach((p, l) -> copy.targetReplicas.put(p, new ArrayList<>(l)));
                copy.throttleBytesPerSecond = r.throttleBytesPerSecond;
                copy.progress = r.progress;
                copy.startedAt = r.startedAt;
                copy.finishedAt = r.finishedAt;
                out.put(component, copy);
            });
        }
        return out;
    }

    private static Wait waiting(OpsInputs in, Instant now, String reason, String message, Duration recheck,
            Map<String, KafkaDrainRecord> records, Notes notes) {
        OpsStatus next = OpsStatus.of(in.ops(), now).waiting(true, reason, message);
        next.status().kafkaDrain = records.isEmpty() ? null : records;
        return new Wait(next.status(), recheck, false, notes);
    }
}
