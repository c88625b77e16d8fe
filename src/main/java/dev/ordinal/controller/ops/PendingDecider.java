package dev.ordinal.controller.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.ops.OpsDecision.Event;
import dev.ordinal.controller.ops.OpsDecision.Finish;
import dev.ordinal.controller.ops.OpsDecision.Notes;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.core.ClusterView;
import dev.ordinal.core.OpsValidation;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.vocabulary.ConditionType;
import dev.ordinal.vocabulary.OpsPhase;
import dev.ordinal.vocabulary.Reasons;

/**
 * The Pending step of an ops, pure (docs/ops-controller.md "The runbook", spec §5 and amendment §7a), as a chain of
 * named checks, each of which may hold or end the ops: cancelled (a drain in progress stopped first) → Cluster missing →
 * valid → dry run → queue (or, when forced, no conflict with a running ops) → precondition → drain of brokers removed
 * for good ({@link KafkaDrainSteps#drain}, opt-in) → scale-in guard → leadership off brokers going offline
 * ({@link LeadershipSteps#away}) → start (the snapshot, phase Creating).
 */
final class PendingDecider {
    /** How often a queued ops looks again (it is also woken when the ops ahead of it ends). */
    static final Duration QUEUE_RECHECK = Duration.ofSeconds(5);
    /** How long past the settle window an ops waits for a Cluster status that has not yet observed the Cluster's spec. */
    static final Duration GENERATION_GRACE = Duration.ofSeconds(10);
    /** How often a Pending ops held by the scale-in guard asks Kafka again. */
    static final Duration GUARD_RECHECK = Duration.ofSeconds(3);
    /** Past a deadline by this much, so that the recheck finds it passed. */
    private static final Duration PAST = Duration.ofMillis(100);
    /**
     * What a user can do about a failed precondition (the end of every {@code PreConditionFailed} message). A component
     * whose rollout is blocked by an unhealthy pod is {@code Abnormal} and accepts ops; an unsettled one is really
     * changing, so waiting is the answer.
     */
    static final String WHAT_TO_DO = "to go on: create the ops again once the component is Running, Abnormal or Failed, or"
            + " with preConditionDeadlineSeconds long enough to wait for it (e.g. 300), or with force: true to start it while"
            + " the component changes";

    private PendingDecider() {
    }

    /**
     * The Pending decision; an ops that ends here (cancelled, failed, aborted) first stops a drain it started
     * ({@link KafkaDrainSteps#stop}) and puts back the replica order of brokers it moved leadership off, which now stay
     * ({@link LeadershipSteps#undo}).
     */
    static OpsDecision decide(OpsInputs in, Instant now) {
        // Also an end that follows a step (a drain's cancel ends after its Kafka step): the same clean-up.
        return OpsDecision.onFinish(chain(in, now), ending -> ending.phase() == OpsPhase.SUCCEED ? ending
                : OpsDecision.onFinish(KafkaDrainSteps.stop(in, now, ending, KafkaDrainSteps.Moves.DRAIN),
                        stopped -> LeadershipSteps.undo(in, now, stopped)));
    }

    private static OpsDecision chain(OpsInputs in, Instant now) {
        OpsRequest ops = in.ops();
        if (Boolean.TRUE.equals(ops.getSpec().cancel)) {
            // A drain in progress is stopped first: reassignments cancelled, throttle removed (docs/kafka-drain.md).
            return KafkaDrainSteps.cancel(in, now).orElseGet(() -> finish(in, now, OpsPhase.CANCELLED, Reasons.CANCELLED_WHILE_PENDING,
                    "cancelled while Pending; the Cluster was not touched", null, Notes.NONE));
        }
        Optional<OpsDecision> missing = clusterMissing(in, now);
        if (missing.isPresent()) {
            return missing.get();
        }
        ClusterView live = OpsView.live(in.cluster());
        OpsValidation.Result validation = OpsValidation.validate(ops.getSpec().clusterName, live, OpsView.typeOf(ops),
                OpsView.requests(ops));
        if (!validation.isValid()) {
            return invalid(in, now, validation);
        }
        Map<String, ScalingPlan> plans = validation.plans();
        if (Boolean.TRUE.equals(ops.getSpec().dryRun)) {
            return dryRun(in, now, plans);
        }
        boolean force = Boolean.TRUE.equals(ops.getSpec().force);
        Optional<OpsDecision> held = force ? forceConflict(in, now, plans)
                : queue(in, now, plans).or(() -> precondition(in, now, plans));
        if (held.isPresent()) {
            return held.get();
        }
        List<Event> events = new ArrayList<>();
        return KafkaDrainSteps.drain(in, now, plans).or(() -> guard(in, now, plans, events))
                .or(() -> LeadershipSteps.away(in, now, plans, events))
                .orElseGet(() -> start(in, now, live, plans, events));
    }

    /**
     * GitOps tools apply an ops and its Cluster in any order: the precondition deadline covers a Cluster that does not
     * exist yet (reason {@code ClusterNotFound}). Once it has passed, the Cluster is read once from the API server; when
     * it is not there either, validation ends the ops.
     */
    private static Optional<OpsDecision> clusterMissing(OpsInputs in, Instant now) {
        if (in.cluster() != null) {
            return Optional.empty();
        }
        Instant deadline = OpsDeadlines.precondition(in.ops(), now);
        if (!now.isBefore(deadline)) {
            return in.readFresh() ? Optional.of(new OpsDecision.ReadFreshCluster(Notes.NONE)) : Optional.empty();
        }
        Integer seconds = in.ops().getSpec().preConditionDeadlineSeconds;
        return Optional.of(waitFor(in, now, false, Reasons.CLUSTER_NOT_FOUND, "cluster " + in.ops().getSpec().clusterName
                + " does not exist yet; waiting for it until preConditionDeadlineSeconds (" + (seconds == null ? 0 : seconds)
                + "s after creation) passes", Duration.between(now, deadline).plus(PAST), Notes.NONE));
    }

    /** An invalid request ends Failed ({@code ValidationFailed}), but only on what the API server holds: a lagging cache is read again first. */
    private static OpsDecision invalid(OpsInputs in, Instant now, OpsValidation.Result validation) {
        if (in.readFresh() && in.cluster() != null) {
            return new OpsDecision.ReadFreshCluster(Notes.NONE);
        }
        OpsStatus next = OpsStatus.of(in.ops(), now)
                .condition(ConditionType.VALIDATED, false, Reasons.VALIDATION_FAILED, validation.summary());
        return finish(next, OpsPhase.FAILED, Reasons.VALIDATION_FAILED, validation.summary(), null, Notes.NONE);
    }

    /** A dry run ends Succeed with its plan and the scale-in guard's verdicts in {@code status.plan}; nothing is changed. */
    private static OpsDecision dryRun(OpsInputs in, Instant now, Map<String, ScalingPlan> plans) {
        OpsStatus next = OpsStatus.of(in.ops(), now).validated();
        next.status().plan = OpsStatus.plan(plans);
        ScaleInGuardGate.annotate(next.status().plan, in.guard().judge(in.cluster(), plans, Boolean.TRUE.equals(in.ops().getSpec().force)));
        KafkaDrainSteps.preview(in, plans).forEach((component, drain) -> {
            var cp = next.status().plan.get(component);
            if (cp != null && cp.scaleInGuard != null) {
                cp.scaleInGuard.message = cp.scaleInGuard.message + "; " + drain;
            }
        });
        KafkaRebalanceSteps.preview(in, plans).forEach((component, rebalance) -> {
            var cp = next.status().plan.get(component);
            if (cp != null) {
                cp.kafkaRebalance = rebalance;
            }
        });
        next.status().progress = "0/0";
        return finish(next, OpsPhase.SUCCEED, Reasons.DRY_RUN, "dry run: the plan is in status.plan; nothing was changed", null,
                Notes.PLANNED);
    }

    /** The queue ({@link OpsQueue}): cancelled behind a failed head, full, or waiting behind the ops ahead. */
    private static Optional<OpsDecision> queue(OpsInputs in, Instant now, Map<String, ScalingPlan> plans) {
        OpsRequest ops = in.ops();
        Optional<OpsRequest> failedHead = in.peers().stream().filter(p -> OpsQueue.failedWhileAhead(p, ops, now)).findFirst();
        if (failedHead.isPresent()) {
            return Optional.of(finish(in, now, OpsPhase.CANCELLED, Reasons.CANCEL_BY_CONTROLLER, "opsrequest "
                    + failedHead.get().getMetadata().getName() + " ahead of this one failed; this ops was planned on a state that did not happen",
                    plans, Notes.PLANNED));
        }
        List<OpsRequest> ahead = in.peers().stream().filter(p -> OpsQueue.isAhead(p, ops, now)).toList();
        if (ahead.isEmpty()) {
            return Optional.empty();
        }
        int maxQueue = in.settings().maxQueue();
        if (OpsQueue.isFull(in.peers(), ahead, maxQueue)) {
            return Optional.of(finish(in, now, OpsPhase.FAILED, Reasons.QUEUE_FULL, "more than " + maxQueue
                    + " opsrequests are waiting for cluster " + ops.getSpec().clusterName, plans, Notes.PLANNED));
        }
        return Optional.of(waitFor(in, now, true, Reasons.OPS_IN_PROGRESS, "waiting for opsrequest " + ahead.get(0).getMetadata().getName()
                + " (" + OpsQueue.phaseOf(ahead.get(0)) + ") on cluster " + ops.getSpec().clusterName + "; cancel that one"
                + " (spec.cancel: true) to undo it and let this one go", QUEUE_RECHECK, Notes.PLANNED));
    }

    /**
     * The precondition: every component the ops touches is Running, Abnormal or Failed ({@link ComponentPhases}). A
     * Cluster status that has not yet observed the Cluster's generation is waited for (settle window + 10 s) rather
     * than judged; an unsettled component is waited for until the precondition deadline, then the Cluster is read once
     * from the API server and, failing that, the ops ends Failed ({@code PreConditionFailed}).
     */
    private static Optional<OpsDecision> precondition(OpsInputs in, Instant now, Map<String, ScalingPlan> plans) {
        Optional<String> unsettled = ComponentPhases.notSettled(in.cluster(), plans.keySet(), false);
        Optional<String> lagging = unsettled.isPresent() ? Optional.empty()
                : ComponentPhases.notSettled(in.cluster(), plans.keySet(), true);
        Duration window = in.settings().settleWindow();
        if (lagging.isPresent() && now.isBefore(OpsQueue.created(in.ops(), now).plus(window).plus(GENERATION_GRACE))) {
            return Optional.of(waitFor(in, now, true, Reasons.CLUSTER_PHASE, lagging.get(), window.plus(PAST), Notes.PLANNED));
        }
        if (unsettled.isEmpty()) {
            return Optional.empty();
        }
        Instant deadline = OpsDeadlines.precondition(in.ops(), now);
        String message = unsettled.get() + "; scaling starts from Running, Abnormal or Failed";
        if (now.isBefore(deadline)) {
            return Optional.of(waitFor(in, now, true, Reasons.CLUSTER_PHASE, message, Duration.between(now, deadline).plus(PAST),
                    Notes.PLANNED));
        }
        return Optional.of(in.readFresh() ? new OpsDecision.ReadFreshCluster(Notes.PLANNED)
                : finish(in, now, OpsPhase.FAILED, Reasons.PRE_CONDITION_FAILED, message + "; " + WHAT_TO_DO, plans, Notes.PLANNED));
    }

    /** {@code force} skips the queue and the precondition, but not {@link OpsQueue#forceConflict}. */
    private static Optional<OpsDecision> forceConflict(OpsInputs in, Instant now, Map<String, ScalingPlan> plans) {
        return OpsQueue.forceConflict(plans, in.peers()).map(conflict -> finish(in, now, OpsPhase.FAILED,
                Reasons.CONFLICT_WITH_RUNNING_OPS, conflict, plans, Notes.PLANNED));
    }

    /**
     * The scale-in guard (docs/scaling-rules.md §8), the last gate before the snapshot: departing brokers that still
     * host replicas, or a Kafka that does not answer, keep the ops Pending (asked again every 3 s) until the precondition
     * deadline, then fail it with the same message. Empty when the ops may go on; a safe verdict, or a skipped one
     * under {@code force}, adds an Event to {@code events}.
     */
    private static Optional<OpsDecision> guard(OpsInputs in, Instant now, Map<String, ScalingPlan> plans, List<Event> events) {
        var verdict = ScaleInGuardGate.overall(in.guard().judge(in.cluster(), plans, Boolean.TRUE.equals(in.ops().getSpec().force)));
        if (verdict.isEmpty() || verdict.get().result().allowsScaleIn()) {
            verdict.filter(v -> v.result() == ScaleInGuard.Result.SKIPPED)
                    .ifPresent(v -> events.add(new Event(true, Reasons.SCALE_IN_GUARD_SKIPPED, v.message())));
            verdict.filter(v -> v.result() == ScaleInGuard.Result.SAFE)
                    .ifPresent(v -> events.add(new Event(false, Reasons.SCALE_IN_SAFE, v.message())));
            return Optional.empty();
        }
        String reason = ScaleInGuardGate.reason(verdict.get().result());
        Instant deadline = OpsDeadlines.precondition(in.ops(), now);
        if (!now.isBefore(deadline)) {
            return Optional.of(finish(in, now, OpsPhase.FAILED, reason, verdict.get().message(), plans, Notes.PLANNED));
        }
        Duration untilDeadline = Duration.between(now, deadline).plus(PAST);
        return Optional.of(waitFor(in, now, true, reason, verdict.get().message(),
                untilDeadline.compareTo(GUARD_RECHECK) < 0 ? untilDeadline : GUARD_RECHECK, Notes.PLANNED));
    }

    /**
     * The ops leaves the queue: the snapshot of the components it touches ({@code status.lastConfiguration}) and
     * {@code startTimestamp} are written, in phase Creating, before the Cluster is touched; an ops that brings Kafka
     * brokers back takes over the leadership record of the ops that took them offline ({@link LeadershipSteps#carriedOver}).
     */
    private static OpsDecision start(OpsInputs in, Instant now, ClusterView live, Map<String, ScalingPlan> plans, List<Event> events) {
        OpsStatus next = OpsStatus.of(in.ops(), now);
        var status = next.status();
        status.lastConfiguration = OpsView.snapshotOf(live, OpsView.requests(in.ops()));
        var carried = LeadershipSteps.carriedOver(in.peers(), plans);
        if (!carried.isEmpty()) {
            var records = status.kafkaLeadership == null ? new java.util.LinkedHashMap<String, dev.ordinal.api.ops.OpsRequestStatus.KafkaLeadership>()
                    : status.kafkaLeadership;
            records.putAll(carried);
            status.kafkaLeadership = records;
        }
        status.startTimestamp = next.timestamp();
        next.validated()
                .condition(ConditionType.WAIT_FOR_PROGRESSING, false, Reasons.STARTED, "the ops left the queue")
                .condition(ConditionType.PROGRESSING, true, OpsPhase.CREATING.value(), "snapshot taken; applying the plan to the Cluster")
                .phase(OpsPhase.CREATING);
        return new OpsDecision.Advance(status, OpsPhase.CREATING, OpsPhase.CREATING.value(),
                "snapshot of " + String.join(", ", status.lastConfiguration.components.keySet()) + " taken",
                new Notes(true, List.copyOf(events)));
    }

    private static Wait waitFor(OpsInputs in, Instant now, boolean validated, String reason, String message, Duration recheck,
            Notes notes) {
        return new Wait(OpsStatus.of(in.ops(), now).waiting(validated, reason, message).status(), recheck, false, notes);
    }

    private static Finish finish(OpsInputs in, Instant now, OpsPhase phase, String reason, String message,
            Map<String, ScalingPlan> planned, Notes notes) {
        return finish(OpsStatus.of(in.ops(), now), phase, reason, message, planned, notes);
    }

    static Finish finish(OpsStatus next, OpsPhase phase, String reason, String message, Map<String, ScalingPlan> planned, Notes notes) {
        return new Finish(next.finished(phase, reason, message, planned).status(), phase, reason, message, notes);
    }
}
