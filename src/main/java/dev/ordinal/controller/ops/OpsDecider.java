package dev.ordinal.controller.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.controller.ops.OpsDecision.Notes;
import dev.ordinal.core.OpsProgress;
import dev.ordinal.core.ProgressReport;
import dev.ordinal.core.ProgressStatus;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.vocabulary.ConditionType;
import dev.ordinal.vocabulary.OpsPhase;
import dev.ordinal.vocabulary.Reasons;

/**
 * What to do next with one OpsRequest, decided from what was observed and the time, without calling Kubernetes: a
 * pure function from {@link OpsInputs} to an {@link OpsDecision} (docs/ops-controller.md "The runbook"; docs/architecture.md).
 * Every decision is recomputed from the snapshot in the ops' status and the pods observed now, so a restarted operator
 * decides the same (docs/ops-controller.md "Restart safety").
 * <ul>
 * <li>Any phase before the end: a namespace being deleted ends it Failed ({@code NamespaceTerminating}).</li>
 * <li>Pending: {@link PendingDecider}.</li>
 * <li>Creating: the plan from the snapshot, then the one Cluster apply, then Running.</li>
 * <li>Running: progress from the pods; a cancel re-applies the snapshot (Cancelling); a Cluster that no longer
 * carries what the ops wrote fails it ({@link Overwrites}); the pods done and the Cluster settled end it; the deadline
 * aborts it.</li>
 * <li>Ended: the TTL deletes it.</li>
 * </ul>
 */
public final class OpsDecider {
    /** A waiting ops looks at its Cluster again at least this often (Cluster events wake it sooner). */
    static final Duration CLUSTER_RECHECK = Duration.ofSeconds(2);
    /** Past a deadline by this much, so that the recheck finds it passed. */
    private static final Duration PAST = Duration.ofMillis(50);

    private OpsDecider() {
    }

    /**
     * @param in    what was observed
     * @param clock the time of the decision (read once)
     * @return what to do next; never null
     */
    static OpsDecision decide(OpsInputs in, Clock clock) {
        Instant now = clock.instant();
        OpsPhase phase = OpsQueue.phaseOf(in.ops());
        if (!phase.isTerminal() && in.namespaceTerminating() != null) {
            // nothing can be created there any more: waiting for pods would only wait for the deadline
            return PendingDecider.finish(OpsStatus.of(in.ops(), now), OpsPhase.FAILED, Reasons.NAMESPACE_TERMINATING, "namespace "
                    + in.ops().getMetadata().getNamespace() + " is being deleted: the API server refuses to create anything in it ("
                    + in.namespaceTerminating() + "), so this ops cannot go on", null, Notes.NONE);
        }
        return switch (phase) {
            case PENDING -> PendingDecider.decide(in, now);
            case CREATING -> creating(in, now);
            case RUNNING, CANCELLING -> stoppingMoves(in, now, running(in, now, phase));
            case SUCCEED, FAILED, CANCELLED, ABORTED -> afterCompletion(in.ops(), now);
        };
    }

    /**
     * A Running ops that ends otherwise than by Succeed or its cancel (e.g. {@code OverwrittenByAnotherWriter}, a
     * deadline) while its rebalance runs stops the rebalance first ({@link KafkaDrainSteps#stop}).
     */
    private static OpsDecision stoppingMoves(OpsInputs in, Instant now, OpsDecision decision) {
        return OpsDecision.onFinish(decision, ending -> ending.phase() == OpsPhase.SUCCEED ? ending
                : KafkaDrainSteps.stop(in, now, ending, KafkaDrainSteps.Moves.REBALANCE));
    }

    /** The plan from the snapshot (the Cluster gone or changed so that none is valid: Failed, {@code PlanFailed}), then the one apply, then Running. */
    private static OpsDecision creating(OpsInputs in, Instant now) {
        OpsRequest ops = in.ops();
        Map<String, ScalingPlan> plans = OpsView.plans(ops, in.cluster());
        if (plans == null) {
            return PendingDecider.finish(OpsStatus.of(ops, now), OpsPhase.FAILED, Reasons.PLAN_FAILED,
                    OpsView.planError(ops, in.cluster()), null, Notes.NONE);
        }
        return apply(in.cluster(), OpsView.targets(plans, false), answered -> {
            OpsStatus next = OpsStatus.of(ops, now);
            next.status().plan = OpsStatus.plan(plans);
            next.condition(ConditionType.PROGRESSING, true, OpsPhase.RUNNING.value(), "the plan is applied; waiting for pods")
                    .progress(OpsProgress.compute(plans, in.pods()), ComponentPhases.messages(answered))
                    .phase(OpsPhase.RUNNING);
            return new OpsDecision.Advance(next.status(), OpsPhase.RUNNING, OpsPhase.RUNNING.value(), OpsView.describe(plans),
                    Notes.NONE);
        });
    }

    /**
     * Running or Cancelling: a cancel of a Running ops re-applies the snapshot; otherwise progress from the pods
     * (the reversed plan while Cancelling). A Cluster whose fields another writer changed from what the ops (or its
     * cancel) wrote ends it Failed ({@code OverwrittenByAnotherWriter}). The pods done, the ops waits until the Cluster
     * reports the touched components settled at its generation ({@code WaitingForCluster}, transitional), then, when
     * it added Kafka brokers with {@code rebalanceOnScaleOut}, until their share of the replicas moved
     * ({@code Rebalancing}, {@link KafkaRebalanceSteps#rebalance}; a cancel then stops the rebalance and keeps the
     * scale-out), then, when it brought Kafka brokers back, until their partitions' replica order is restored ({@code RestoringLeadership},
     * {@link LeadershipSteps#back}), then ends; the deadline aborts it.
     */
    private static OpsDecision running(OpsInputs in, Instant now, OpsPhase phase) {
        OpsRequest ops = in.ops();
        Cluster cluster = in.cluster();
        Map<String, ScalingPlan> plans = OpsView.plans(ops, cluster);
        if (plans == null) {
            return PendingDecider.finish(OpsStatus.of(ops, now), OpsPhase.FAILED, Reasons.PLAN_FAILED,
                    OpsView.planError(ops, cluster), null, Notes.NONE);
        }
        if (phase == OpsPhase.RUNNING && Boolean.TRUE.equals(ops.getSpec().cancel) && KafkaRebalanceSteps.started(ops.getStatus())) {
            // The added brokers may already host moved replicas: the rebalance stops and the scale-out stays (docs/kafka-rebalance.md).
            return KafkaRebalanceSteps.cancel(in, now);
        }
        if (phase == OpsPhase.RUNNING && Boolean.TRUE.equals(ops.getSpec().cancel)) {
            return apply(cluster, OpsView.targets(plans, true), answered -> {
                OpsStatus next = OpsStatus.of(ops, now);
                next.status().cancelTimestamp = next.timestamp();
                next.condition(ConditionType.PROGRESSING, true, OpsPhase.CANCELLING.value(),
                        "the snapshot is re-applied; waiting for pods to match it").phase(OpsPhase.CANCELLING);
                return new OpsDecision.Advance(next.status(), OpsPhase.CANCELLING, OpsPhase.CANCELLING.value(),
                        "re-applied lastConfiguration to cluster " + ops.getSpec().clusterName, Notes.NONE);
            });
        }
        boolean cancelling = phase == OpsPhase.CANCELLING;
        ProgressReport report = OpsProgress.compute(cancelling ? OpsProgress.cancel(plans) : plans, in.pods());
        OpsStatus next = OpsStatus.of(ops, now).progress(report, ComponentPhases.messages(cluster));
        List<Overwrites.Overwrite> overwritten = Overwrites.byAnotherWriter(cluster, OpsView.targets(plans, cancelling));
        if (!overwritten.isEmpty()) {
            // Checked on every reconcile, not only at the end: the pods now follow the other writer (spec amendment §7b).
            return PendingDecider.finish(next, OpsPhase.FAILED, Reasons.OVERWRITTEN_BY_ANOTHER_WRITER,
                    Overwrites.message(overwritten), null, Notes.NONE);
        }

        if (report.isComplete() && !report.isFailed() && !cancelling) {
            // The pods of brokers removed for good are gone: their node ids leave the KRaft metadata (docs/kafka-drain.md).
            Instant deadline = OpsDeadlines.deadline(ops, in.settings().defaultTimeout(), now);
            Optional<OpsDecision> unregister = KafkaDrainSteps.unregister(in, now, plans, next);
            if (unregister.isPresent() && !now.isBefore(deadline)) {
                return PendingDecider.finish(next, OpsPhase.ABORTED, Reasons.DEADLINE_EXCEEDED, "deadline of "
                        + OpsDeadlines.timeout(ops, in.settings().defaultTimeout()).toSeconds() + "s passed; the pods are done but the Kafka node ids of the brokers removed were not unregistered (run"
                        + " kafka-cluster.sh unregister for them)", null, Notes.NONE);
            }
            if (unregister.isPresent()) {
                return unregister.get();
            }
        }
        Optional<String> unsettled = ComponentPhases.notSettled(cluster, plans.keySet(), true);
        boolean waitingForCluster = report.isComplete() && !report.isFailed() && unsettled.isPresent();
        boolean restoring = false;
        if (waitingForCluster) {
            // Pods are done; end only once the Cluster reports the result for the components this ops touched, so the
            // next ops starts from a settled component. Another component's unready pod does not hold this ops.
            next.condition(ConditionType.PROGRESSING, true, Reasons.WAITING_FOR_CLUSTER,
                    "pod changes done; waiting for the Cluster to report the new state: " + unsettled.get());
        } else if (report.isComplete()) {
            // Brokers added by a scale-out get their share of the replicas before the ops ends (docs/kafka-rebalance.md).
            Optional<OpsDecision> rebalance = report.isFailed() || cancelling ? Optional.empty()
                    : KafkaRebalanceSteps.rebalance(in, now, plans, next, OpsDeadlines.deadline(ops, in.settings().defaultTimeout(), now));
            if (rebalance.isPresent()) {
                return rebalance.get();
            }
            // Brokers back online: their partitions' replica order is restored before the ops ends (docs/kafka-broker-offline.md).
            LeadershipSteps.Back back = report.isFailed() ? new LeadershipSteps.Back.Done(List.of())
                    : LeadershipSteps.back(in, now, next.status());
            if (back instanceof LeadershipSteps.Back.Done done) {
                return ended(next, report, cancelling, done.events());
            }
            restoring = true;
            String message = back instanceof LeadershipSteps.Back.Step step ? step.message() : ((LeadershipSteps.Back.Waiting) back).message();
            next.condition(ConditionType.PROGRESSING, true, Reasons.RESTORING_LEADERSHIP, message);
            if (back instanceof LeadershipSteps.Back.Step step && now.isBefore(OpsDeadlines.deadline(ops, in.settings().defaultTimeout(), now))) {
                OpsRequestStatus written = next.status();
                return new OpsDecision.MoveLeaders(step.component(), step.step(), error -> {
                    if (error != null) {
                        written.conditions = Conditions.set(written.conditions, ConditionType.PROGRESSING, true,
                                Reasons.RESTORING_LEADERSHIP, message + "; " + error, ops.getMetadata().getGeneration(), now);
                    }
                    return new OpsDecision.Wait(written, LeadershipSteps.STEP_RECHECK, false, Notes.NONE);
                });
            }
        }
        Duration timeout = OpsDeadlines.timeout(ops, in.settings().defaultTimeout());
        Instant deadline = OpsDeadlines.deadline(ops, in.settings().defaultTimeout(), now);
        // A recorded rebalance is never cut short by the deadline (docs/kafka-rebalance.md), also while a new broker is
        // briefly not Ready or the Cluster has not yet reported a spec change: the ops waits and goes on with it.
        boolean rebalancing = !cancelling && KafkaRebalanceSteps.unfinished(ops.getStatus());
        if (!now.isBefore(deadline) && !rebalancing) {
            String what = restoring ? "the pods are done but " + Conditions.find(next.status().conditions, ConditionType.PROGRESSING).message
                    : report.pendingPods().isEmpty()
                    ? "the pods are done but " + unsettled.orElse("the Cluster did not report the new state")
                    : "pods still pending: " + String.join(", ", report.pendingPods());
            return PendingDecider.finish(next, OpsPhase.ABORTED, Reasons.DEADLINE_EXCEEDED, "deadline of " + timeout.toSeconds()
                    + "s passed; " + what, null, Notes.NONE);
        }
        Duration untilDeadline = rebalancing ? CLUSTER_RECHECK : Duration.between(now, deadline).plus(PAST);
        // Cluster events wake a waiting ops; the short recheck bounds the wait should one be missed.
        Duration recheck = (waitingForCluster || restoring) && untilDeadline.compareTo(CLUSTER_RECHECK) > 0 ? CLUSTER_RECHECK : untilDeadline;
        // Pods done, Cluster about to report: transitional, held back for the settle window (usually Succeed comes first).
        return new OpsDecision.Wait(next.status(), recheck, waitingForCluster, Notes.NONE);
    }

    /** Every pod change is done: Cancelled (pods match the snapshot again), Failed ({@code PodFailed}) or Succeed. */
    private static OpsDecision ended(OpsStatus next, ProgressReport report, boolean cancelling, List<OpsDecision.Event> events) {
        Notes notes = new Notes(false, List.copyOf(events));
        if (cancelling) {
            return PendingDecider.finish(next, OpsPhase.CANCELLED, OpsPhase.CANCELLED.value(), "pods match lastConfiguration again",
                    null, notes);
        }
        if (report.isFailed()) {
            return PendingDecider.finish(next, OpsPhase.FAILED, Reasons.POD_FAILED, "failed pods: " + String.join(", ", report.failedPods())
                    + "; " + report.details().stream().filter(d -> d.status() == ProgressStatus.Failed).map(d -> d.message())
                            .collect(Collectors.joining("; ")), null, Notes.NONE);
        }
        return PendingDecider.finish(next, OpsPhase.SUCCEED, OpsPhase.SUCCEED.value(), "all " + report.total() + " pod changes done",
                null, notes);
    }

    /** The one Cluster write, unless the Cluster already carries every target (a restart after the write sends nothing). */
    private static OpsDecision apply(Cluster cluster, Map<String, dev.ordinal.core.ComponentShape> targets,
            java.util.function.Function<Cluster, OpsDecision> then) {
        return ClusterApply.alreadyApplied(cluster, targets) ? then.apply(cluster) : new OpsDecision.Apply(targets, then);
    }

    /**
     * An ended ops: deleted once its TTL has passed ({@link OpsDeadlines#ttlDue}), looked at again when it is due, or
     * kept (no TTL).
     */
    static OpsDecision afterCompletion(OpsRequest ops, Instant now) {
        Optional<Instant> due = OpsDeadlines.ttlDue(ops);
        if (due.isEmpty()) {
            return new OpsDecision.Idle(null);
        }
        return now.isBefore(due.get()) ? new OpsDecision.Idle(Duration.between(now, due.get()).plus(PAST)) : new OpsDecision.Delete();
    }
}
