package dev.ordinal.controller.ops;

import dev.ordinal.controller.support.Conditions;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.controller.support.PodFacts;
import dev.ordinal.controller.support.SettleWindow;
import dev.ordinal.controller.support.SharedCaches;
import dev.ordinal.controller.support.Wakeups;
import java.util.concurrent.TimeUnit;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.api.vocabulary.ConditionType;
import dev.ordinal.config.OrdinalConfig;
import dev.ordinal.api.vocabulary.OpsPhase;
import dev.ordinal.api.vocabulary.Reasons;
import dev.ordinal.core.ComponentShape;
import dev.ordinal.core.ObservedPod;
import dev.ordinal.core.OpsProgress;
import dev.ordinal.core.OpsValidation;
import dev.ordinal.core.ProgressReport;
import dev.ordinal.core.ProgressStatus;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.observability.EventRecorder;
import dev.ordinal.observability.OpsEventStream;
import dev.ordinal.observability.OpsMetrics;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.smallrye.mutiny.Uni;

/**
 * Runs HorizontalScaling OpsRequests from Pending to an end, never stuck.
 * Runbook: Pending (validate → queue → cluster precondition) → Creating (snapshot lastConfiguration, then ONE
 * server-side apply of the Cluster) → Running (progress from observed pods; cancel re-applies the snapshot;
 * the deadline aborts) → Succeed | Failed | Cancelled | Aborted → TTL. Every decision is recomputed from the
 * snapshot in status and the pods observed now, so a restarted operator ends the same way.
 */
@ControllerConfiguration(name = "opsrequest", maxReconciliationInterval = @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
@GradualRetry(initialInterval = 100, intervalMultiplier = 2.0, maxInterval = 30_000, maxAttempts = 10)
public class OpsRequestReconciler implements Reconciler<OpsRequest> {
    private static final Logger LOG = Logger.getLogger(OpsRequestReconciler.class);
    static final String BY_CLUSTER = "byCluster";
    /** Bound on one Cluster apply including its retries (5 back-offs of at most 2 s, plus the requests). */
    private static final Duration APPLY_WAIT = Duration.ofSeconds(30);
    private static final Duration CLUSTER_RECHECK = Duration.ofSeconds(2);
    private static final Duration STALE_RECHECK = Duration.ofMillis(100);
    /** The next step of a reconcile that has written its one status (the next phase's work starts at once). */
    private static final Duration NEXT_STEP = Duration.ofMillis(1);
    /** How long past the settle window an ops waits for a Cluster status that has not yet observed the Cluster's spec. */
    private static final Duration GENERATION_GRACE = Duration.ofSeconds(10);
    /** How often an ops looks again while the shared caches are still filling after a start. */
    private static final Duration CACHE_WAIT = Duration.ofMillis(200);
    /** How often a Pending ops held by the scale-in guard asks Kafka again. */
    private static final Duration GUARD_RECHECK = Duration.ofSeconds(3);

    private final KubernetesClient client;
    private final EventRecorder events;
    private final OpsMetrics metrics;
    private final Duration defaultTimeout;
    private final int maxQueue;
    private final SettleWindow settle;
    private volatile IndexerResourceCache<OpsRequest> primaryCache;
    private final SharedCaches caches;
    private final Wakeups<OpsRequest> wakeups = new Wakeups<>("wakeups");
    /** Clusters as this controller's own apply answered, until the shared cache holds that generation. */
    private final Map<ResourceID, Cluster> applied = new java.util.concurrent.ConcurrentHashMap<>();

    private final OpsEventStream opsEvents;
    private final ScaleInGuardGate scaleInGuard;

    public OpsRequestReconciler(KubernetesClient client, EventRecorder events, OpsMetrics metrics, OpsEventStream opsEvents,
            SharedCaches caches, ScaleInGuardGate scaleInGuard, SettleWindow settle, OrdinalConfig config) {
        this.client = client;
        this.events = events;
        this.metrics = metrics;
        this.opsEvents = opsEvents;
        this.caches = caches;
        this.scaleInGuard = scaleInGuard;
        this.defaultTimeout = config.ops().defaultTimeout();
        this.maxQueue = config.ops().maxQueue();
        this.settle = settle;
    }

    /**
     * No informer of its own besides the OpsRequests: pods and Clusters are read from the caches of the controllers
     * that own them ({@link SharedCaches}), whose changes wake the active ops of their cluster; an ops that ends wakes
     * the ops queued behind it ({@link #wakeQueue}).
     */
    @Override
    public List<EventSource<?, OpsRequest>> prepareEventSources(EventSourceContext<OpsRequest> context) {
        primaryCache = context.getPrimaryCache();
        primaryCache.addIndexer(BY_CLUSTER, ops -> List.of(SharedCaches.key(ops.getMetadata().getNamespace(), ops.getSpec().clusterName)));
        caches.onPod(pod -> wakeups.wake(activeOps(pod.getMetadata().getNamespace(),
                pod.getMetadata().getLabels().get(Labels.CLUSTER), null)));
        caches.onCluster(c -> wakeups.wake(activeOps(c.getMetadata().getNamespace(), c.getMetadata().getName(), null)));
        return List.of(wakeups);
    }

    @Override
    public UpdateControl<OpsRequest> reconcile(OpsRequest ops, Context<OpsRequest> context) {
        OpsRequestStatus status = ops.getStatus() == null ? new OpsRequestStatus() : ops.getStatus();
        ops.setStatus(status);
        String phase = status.phase == null ? OpsPhase.PENDING.value() : status.phase;
        if (OpsPhase.isTerminal(phase)) {
            return afterCompletion(ops);
        }
        if (!caches.synced()) {
            // The pod and Cluster caches belong to the other controllers and may still be filling after a start.
            return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(CACHE_WAIT);
        }
        Cluster cluster = cluster(ops);
        try {
            return switch (OpsPhase.of(phase)) {
                case PENDING -> pending(ops, cluster, context, true);
                case CREATING -> creating(ops, cluster, context);
                default -> running(ops, cluster, context);
            };
        } catch (StaleOps e) {
            // The ops changed on the server (a user's cancel, or another writer) after the copy this reconcile decided
            // on: nothing was written; decide again on the new version as soon as the cache has it.
            LOG.debugf("opsrequest %s/%s changed while it was reconciled; reconciling again", ops.getMetadata().getNamespace(),
                    ops.getMetadata().getName());
            return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(STALE_RECHECK);
        }
    }

    /** A status write refused because the OpsRequest is no longer the version the decision was made on (409). */
    private static final class StaleOps extends RuntimeException {
        StaleOps(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    // ---- Pending: validate, queue, precondition -------------------------------------------------------------

    /** @param readFresh whether a failing precondition may first read the Cluster from the API server (once) */
    private UpdateControl<OpsRequest> pending(OpsRequest ops, Cluster cluster, Context<OpsRequest> context, boolean readFresh) {
        if (Boolean.TRUE.equals(ops.getSpec().cancel)) {
            return finish(ops, context, OpsPhase.CANCELLED.value(), Reasons.CANCELLED_WHILE_PENDING, "cancelled while Pending; the Cluster was not touched");
        }
        if (cluster == null) {
            // GitOps tools apply an ops and its Cluster in any order: the precondition deadline covers a Cluster that
            // does not exist yet, as it covers one that is not ready (spec amendment §7a).
            Instant deadline = created(ops).plusSeconds(orZero(ops.getSpec().preConditionDeadlineSeconds));
            Cluster fresh = readFresh && !Instant.now().isBefore(deadline) ? newerCluster(ops, null) : null;
            if (fresh != null) {
                return pending(ops, fresh, context, false);
            }
            if (Instant.now().isBefore(deadline)) {
                return waitFor(ops, context, false, Reasons.CLUSTER_NOT_FOUND, "cluster " + ops.getSpec().clusterName
                        + " does not exist yet; waiting for it until preConditionDeadlineSeconds ("
                        + orZero(ops.getSpec().preConditionDeadlineSeconds) + "s after creation) passes",
                        Duration.between(Instant.now(), deadline).plusMillis(100));
            }
        }
        var requests = OpsView.requests(ops);
        var live = OpsView.live(cluster);
        OpsValidation.Result validation = OpsValidation.validate(ops.getSpec().clusterName, live, typeOf(ops), requests);
        if (!validation.isValid()) {
            // As for the precondition: refuse only on what the API server holds, not on a cache that lags a user's edit.
            Cluster fresh = readFresh && cluster != null ? newerCluster(ops, cluster) : null;
            if (fresh != null) {
                return pending(ops, fresh, context, false);
            }
            OpsStatus.condition(ops, ConditionType.VALIDATED, false, Reasons.VALIDATION_FAILED, validation.summary());
            return finish(ops, context, OpsPhase.FAILED.value(), Reasons.VALIDATION_FAILED, validation.summary());
        }
        metrics.planComputed(ops);
        if (Boolean.TRUE.equals(ops.getSpec().dryRun)) {
            OpsStatus.condition(ops, ConditionType.VALIDATED, true, Reasons.VALIDATED, "the request is valid");
            ops.getStatus().plan = OpsStatus.plan(validation.plans());
            ScaleInGuardGate.annotate(ops.getStatus().plan, scaleInGuard.judge(cluster, validation.plans(), Boolean.TRUE.equals(ops.getSpec().force)));
            ops.getStatus().progress = "0/0";
            return finish(ops, context, OpsPhase.SUCCEED.value(), Reasons.DRY_RUN, "dry run: the plan is in status.plan; nothing was changed");
        }

        List<OpsRequest> peers = peers(ops);
        if (!Boolean.TRUE.equals(ops.getSpec().force)) {
            Optional<OpsRequest> failedHead = peers.stream().filter(p -> failedWhileAhead(p, ops)).findFirst();
            if (failedHead.isPresent()) {
                return finish(ops, context, OpsPhase.CANCELLED.value(), Reasons.CANCEL_BY_CONTROLLER, "opsrequest "
                        + failedHead.get().getMetadata().getName() + " ahead of this one failed; this ops was planned on a state that did not happen", validation.plans());
            }
            List<OpsRequest> ahead = peers.stream().filter(p -> isAhead(p, ops)).toList();
            if (!ahead.isEmpty()) {
                long waiting = peers.stream().filter(p -> OpsPhase.PENDING.value().equals(phaseOf(p))).count();
                if (waiting >= maxQueue && ahead.stream().filter(p -> OpsPhase.PENDING.value().equals(phaseOf(p))).count() >= maxQueue) {
                    return finish(ops, context, OpsPhase.FAILED.value(), Reasons.QUEUE_FULL, "more than " + maxQueue
                            + " opsrequests are waiting for cluster " + ops.getSpec().clusterName, validation.plans());
                }
                return waitFor(ops, context, true, Reasons.OPS_IN_PROGRESS, "waiting for opsrequest " + ahead.get(0).getMetadata().getName()
                        + " (" + phaseOf(ahead.get(0)) + ") on cluster " + ops.getSpec().clusterName, Duration.ofSeconds(5));
            }
            Optional<String> unsettled = ComponentPhases.notSettled(cluster, validation.plans().keySet(), false);
            Optional<String> lagging = unsettled.isPresent() ? Optional.empty()
                    : ComponentPhases.notSettled(cluster, validation.plans().keySet(), true);
            if (lagging.isPresent() && Instant.now().isBefore(created(ops).plus(settle.window()).plus(GENERATION_GRACE))) {
                // The Cluster changed and its status does not say so yet (a status that only restates a rollout under
                // way waits for the settle window): no verdict either way, wait for it rather than start mid-rollout.
                return waitFor(ops, context, true, Reasons.CLUSTER_PHASE, lagging.get(), settle.window().plusMillis(100));
            }
            if (unsettled.isPresent()) {
                Instant deadline = created(ops).plusSeconds(orZero(ops.getSpec().preConditionDeadlineSeconds));
                String message = unsettled.get() + "; scaling starts from Running, Abnormal or Failed";
                if (!Instant.now().isBefore(deadline)) {
                    Cluster fresh = readFresh ? newerCluster(ops, cluster) : null;
                    if (fresh != null) {
                        return pending(ops, fresh, context, false);
                    }
                    return finish(ops, context, OpsPhase.FAILED.value(), Reasons.PRE_CONDITION_FAILED, message, validation.plans());
                }
                return waitFor(ops, context, true, Reasons.CLUSTER_PHASE, message,
                        Duration.between(Instant.now(), deadline).plusMillis(100));
            }
        } else {
            Optional<String> conflict = forceConflict(ops, validation.plans(), peers);
            if (conflict.isPresent()) {
                return finish(ops, context, OpsPhase.FAILED.value(), Reasons.CONFLICT_WITH_RUNNING_OPS, conflict.get(), validation.plans());
            }
        }

        Optional<UpdateControl<OpsRequest>> guarded = scaleInGuard(ops, cluster, context, validation.plans());
        if (guarded.isPresent()) {
            return guarded.get();
        }

        OpsRequestStatus status = ops.getStatus();
        status.lastConfiguration = OpsView.snapshotOf(live, requests);
        status.startTimestamp = Conditions.now();
        OpsStatus.condition(ops, ConditionType.VALIDATED, true, Reasons.VALIDATED, "the request is valid");
        OpsStatus.condition(ops, ConditionType.WAIT_FOR_PROGRESSING, false, Reasons.STARTED, "the ops left the queue");
        OpsStatus.condition(ops, ConditionType.PROGRESSING, true, OpsPhase.CREATING.value(), "snapshot taken; applying the plan to the Cluster");
        metrics.queueWait(ops, Duration.between(created(ops), Instant.now()));
        transition(ops, context, OpsPhase.CREATING.value(), OpsPhase.CREATING.value(),
                "snapshot of " + String.join(", ", status.lastConfiguration.components.keySet()) + " taken");
        // One status write per reconcile: the snapshot is persisted; the Cluster apply and the Running write are the
        // next reconcile's, at once (a restarted operator resumes there too).
        return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(NEXT_STEP);
    }

    /**
     * The scale-in guard (docs/scaling-rules.md §8), the last gate before the snapshot: departing brokers that still
     * host replicas, or a Kafka that does not answer, keep the ops Pending (re-checked every few seconds) until
     * preConditionDeadlineSeconds has passed, then fail it with the same message; nothing is written to the Cluster.
     * Empty when the ops may go on; {@code force} goes on with a Warning Event.
     */
    private Optional<UpdateControl<OpsRequest>> scaleInGuard(OpsRequest ops, Cluster cluster, Context<OpsRequest> context,
            Map<String, ScalingPlan> plans) {
        var verdict = ScaleInGuardGate.overall(scaleInGuard.judge(cluster, plans, Boolean.TRUE.equals(ops.getSpec().force)));
        if (verdict.isEmpty() || verdict.get().result().allowsScaleIn()) {
            verdict.filter(v -> v.result() == ScaleInGuard.Result.SKIPPED).ifPresent(v -> events.warning(ops, Reasons.SCALE_IN_GUARD_SKIPPED, v.message()));
            verdict.filter(v -> v.result() == ScaleInGuard.Result.SAFE).ifPresent(v -> events.normal(ops, Reasons.SCALE_IN_SAFE, v.message()));
            return Optional.empty();
        }
        String reason = ScaleInGuardGate.reason(verdict.get().result());
        Instant deadline = created(ops).plusSeconds(orZero(ops.getSpec().preConditionDeadlineSeconds));
        if (!Instant.now().isBefore(deadline)) {
            return Optional.of(finish(ops, context, OpsPhase.FAILED.value(), reason, verdict.get().message(), plans));
        }
        Duration untilDeadline = Duration.between(Instant.now(), deadline).plusMillis(100);
        return Optional.of(waitFor(ops, context, true, reason, verdict.get().message(),
                untilDeadline.compareTo(GUARD_RECHECK) < 0 ? untilDeadline : GUARD_RECHECK));
    }

    // ---- Creating: the one Cluster write ---------------------------------------------------------------------

    /** The decision flow: observed state → plan (pure, from the snapshot) → ONE server-side apply → status. */
    private UpdateControl<OpsRequest> creating(OpsRequest ops, Cluster observed, Context<OpsRequest> context) {
        return Uni.createFrom().item(() -> plans(ops, observed))
                .onItem().ifNull().failWith(() -> new PlanFailure(planError(ops, observed)))
                .onItem().transformToUni(plans -> applyToCluster(ops, observed, targets(plans, false))
                        .map(cluster -> startRunning(ops, context, plans, cluster)))
                .onFailure(PlanFailure.class).recoverWithItem(e -> finish(ops, context, OpsPhase.FAILED.value(), Reasons.PLAN_FAILED, e.getMessage()))
                .await().atMost(APPLY_WAIT);
    }

    private UpdateControl<OpsRequest> startRunning(OpsRequest ops, Context<OpsRequest> context, Map<String, ScalingPlan> plans,
            Cluster cluster) {
        ops.getStatus().plan = OpsStatus.plan(plans);
        OpsStatus.condition(ops, ConditionType.PROGRESSING, true, OpsPhase.RUNNING.value(), "the plan is applied; waiting for pods");
        OpsStatus.progress(ops, OpsProgress.compute(plans, observedPods(context, ops)), ComponentPhases.messages(cluster));
        transition(ops, context, OpsPhase.RUNNING.value(), OpsPhase.RUNNING.value(), describe(plans));
        return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(NEXT_STEP);
    }

    /** The snapshot and the Cluster no longer give a valid plan (e.g. the Cluster was deleted). */
    private static final class PlanFailure extends RuntimeException {
        PlanFailure(String message) {
            super(message, null, false, false);
        }
    }

    // ---- Running / Cancelling: progress, cancel, deadline ----------------------------------------------------

    private UpdateControl<OpsRequest> running(OpsRequest ops, Cluster cluster, Context<OpsRequest> context) {
        Map<String, ScalingPlan> plans = plans(ops, cluster);
        if (plans == null) {
            return finish(ops, context, OpsPhase.FAILED.value(), Reasons.PLAN_FAILED, planError(ops, cluster));
        }
        String phase = ops.getStatus().phase;
        if (OpsPhase.RUNNING.value().equals(phase) && Boolean.TRUE.equals(ops.getSpec().cancel)) {
            cluster = applyToCluster(ops, cluster, targets(plans, true)).await().atMost(APPLY_WAIT);
            ops.getStatus().cancelTimestamp = Conditions.now();
            OpsStatus.condition(ops, ConditionType.PROGRESSING, true, OpsPhase.CANCELLING.value(), "the snapshot is re-applied; waiting for pods to match it");
            transition(ops, context, OpsPhase.CANCELLING.value(), OpsPhase.CANCELLING.value(), "re-applied lastConfiguration to cluster " + ops.getSpec().clusterName);
            return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(NEXT_STEP);
        }
        boolean cancelling = OpsPhase.CANCELLING.value().equals(phase);
        Map<String, ScalingPlan> tracked = cancelling ? OpsProgress.cancel(plans) : plans;
        ProgressReport report = OpsProgress.compute(tracked, observedPods(context, ops));
        OpsStatus.progress(ops, report, ComponentPhases.messages(cluster));

        Optional<String> unsettled = ComponentPhases.notSettled(cluster, plans.keySet(), true);
        boolean waitingForCluster = report.isComplete() && !report.isFailed() && unsettled.isPresent();
        if (waitingForCluster) {
            // Pods are done; end only once the Cluster reports the result for the components this ops touched, so the
            // next ops starts from a settled component. Another component's unready pod does not hold this ops.
            OpsStatus.condition(ops, ConditionType.PROGRESSING, true, Reasons.WAITING_FOR_CLUSTER,
                    "pod changes done; waiting for the Cluster to report the new state: " + unsettled.get());
        } else if (report.isComplete()) {
            if (cancelling) {
                return finish(ops, context, OpsPhase.CANCELLED.value(), OpsPhase.CANCELLED.value(), "pods match lastConfiguration again");
            }
            if (report.isFailed()) {
                return finish(ops, context, OpsPhase.FAILED.value(), Reasons.POD_FAILED, "failed pods: " + String.join(", ", report.failedPods())
                        + "; " + report.details().stream().filter(d -> d.status() == ProgressStatus.Failed).map(d -> d.message())
                                .collect(Collectors.joining("; ")));
            }
            return finish(ops, context, OpsPhase.SUCCEED.value(), OpsPhase.SUCCEED.value(), "all " + report.total() + " pod changes done");
        }
        Instant deadline = deadline(ops);
        if (!Instant.now().isBefore(deadline)) {
            String what = report.pendingPods().isEmpty()
                    ? "the pods are done but " + unsettled.orElse("the Cluster did not report the new state")
                    : "pods still pending: " + String.join(", ", report.pendingPods());
            return finish(ops, context, OpsPhase.ABORTED.value(), Reasons.DEADLINE_EXCEEDED, "deadline of " + timeout(ops).toSeconds()
                    + "s passed; " + what);
        }
        // Pods done, Cluster about to report: transitional, held back for the settle window (usually Succeed comes first).
        Optional<Duration> held = writeStatusIfChanged(ops, context, waitingForCluster);
        Duration untilDeadline = Duration.between(Instant.now(), deadline).plusMillis(50);
        // Cluster events wake a waiting ops; the short recheck bounds the wait should one be missed.
        Duration recheck = waitingForCluster && untilDeadline.compareTo(CLUSTER_RECHECK) > 0 ? CLUSTER_RECHECK : untilDeadline;
        if (held.isPresent() && held.get().compareTo(recheck) < 0) {
            recheck = held.get();
        }
        return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(recheck);
    }

    // ---- After completion: TTL ---------------------------------------------------------------------------------

    private UpdateControl<OpsRequest> afterCompletion(OpsRequest ops) {
        Integer ttl = OpsPhase.SUCCEED.value().equals(ops.getStatus().phase) ? ops.getSpec().ttlSecondsAfterSucceed
                : ops.getSpec().ttlSecondsAfterUnsuccessfulCompletion;
        if (ttl == null || ops.getStatus().completionTimestamp == null) {
            return UpdateControl.noUpdate();
        }
        Instant due = Instant.parse(ops.getStatus().completionTimestamp).plusSeconds(ttl);
        if (Instant.now().isBefore(due)) {
            return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(Duration.between(Instant.now(), due).plusMillis(50));
        }
        client.resource(ops).delete();
        LOG.infof("deleted opsrequest %s/%s after its TTL", ops.getMetadata().getNamespace(), ops.getMetadata().getName());
        return UpdateControl.noUpdate();
    }

    // ---- Steps -------------------------------------------------------------------------------------------------

    /**
     * The single Cluster write of a plan (or of its reversal): one server-side apply, retried on 409 with back-off.
     * Emits the Cluster as the server answered it, and hands that to the clusters informer's cache too: until the
     * watch delivers the new generation, the cache still shows the old, settled one, and an ops must never end on
     * that. When the Cluster already carries the targets (e.g. a restart after the write), nothing is sent.
     */
    private Uni<Cluster> applyToCluster(OpsRequest ops, Cluster cluster, Map<String, ComponentShape> targets) {
        if (ClusterApply.alreadyApplied(cluster, targets)) {
            return Uni.createFrom().item(cluster);
        }
        var body = ClusterApply.body(cluster, targets);
        return Uni.createFrom().item(() -> client.resource(body).fieldManager(Labels.OPS_MANAGER).forceConflicts().serverSideApply())
                .onFailure(OpsRequestReconciler::isConflict).invoke(e -> metrics.applyConflict(ops))
                .onFailure(OpsRequestReconciler::isConflict).retry().withBackOff(Duration.ofMillis(50), Duration.ofSeconds(2)).atMost(5)
                .onItem().invoke(r -> metrics.applied(ops, "ok"))
                .onFailure().invoke(e -> metrics.applied(ops, "error"))
                .map(answer -> {
                    Cluster answered = client.getKubernetesSerialization().convertValue(answer, Cluster.class);
                    applied.put(ResourceID.fromResource(answered), answered);
                    return answered;
                });
    }

    /**
     * Before an ops fails its precondition (or for want of its Cluster), the Cluster is read once from the API
     * server: the clusters informer may not yet have delivered the version a user just waited for ({@code kubectl
     * wait} on the Cluster, then the ops). Returns the server's Cluster when it is newer than {@code cached} (or
     * exists where the cache has none), else null; the caller decides again on it, once.
     */
    private Cluster newerCluster(OpsRequest ops, Cluster cached) {
        Cluster fresh = client.resources(Cluster.class).inNamespace(ops.getMetadata().getNamespace())
                .withName(ops.getSpec().clusterName).get();
        if (fresh == null || (cached != null && Objects.equals(fresh.getMetadata().getResourceVersion(),
                cached.getMetadata().getResourceVersion()))) {
            return null;
        }
        return fresh;
    }

    private static boolean isConflict(Throwable e) {
        return e instanceof KubernetesClientException k && k.getCode() == 409;
    }

    private Map<String, ScalingPlan> plans(OpsRequest ops, Cluster cluster) {
        if (cluster == null || ops.getStatus().lastConfiguration == null) {
            return null;
        }
        var result = OpsValidation.validate(ops.getSpec().clusterName, OpsView.snapshot(cluster, ops.getStatus().lastConfiguration),
                typeOf(ops), OpsView.requests(ops));
        return result.isValid() ? result.plans() : null;
    }

    private String planError(OpsRequest ops, Cluster cluster) {
        if (cluster == null) {
            return "cluster " + ops.getSpec().clusterName + " no longer exists";
        }
        if (ops.getStatus().lastConfiguration == null) {
            return "status.lastConfiguration is missing";
        }
        return OpsValidation.validate(ops.getSpec().clusterName, OpsView.snapshot(cluster, ops.getStatus().lastConfiguration),
                typeOf(ops), OpsView.requests(ops)).summary();
    }

    private static Map<String, ComponentShape> targets(Map<String, ScalingPlan> plans, boolean reverse) {
        Map<String, ComponentShape> out = new LinkedHashMap<>();
        plans.forEach((c, p) -> out.put(c, reverse ? p.before() : p.after()));
        return out;
    }

    private Map<String, ObservedPod> observedPods(Context<OpsRequest> context, OpsRequest ops) {
        Map<String, ObservedPod> observed = new LinkedHashMap<>();
        caches.podsOf(ops.getMetadata().getNamespace(), ops.getSpec().clusterName)
                .forEach(p -> observed.put(p.getMetadata().getName(),
                        new ObservedPod(true, PodFacts.isReady(p), PodFacts.isTerminating(p), PodFacts.failure(p))));
        return observed;
    }

    /**
     * The ops' Cluster: the shared cache's copy, or the one this controller's apply answered while the cache still
     * shows an older generation (an ops must never end on the settled status from before its own write). A Cluster
     * being deleted counts as gone.
     */
    private Cluster cluster(OpsRequest ops) {
        ResourceID id = new ResourceID(ops.getSpec().clusterName, ops.getMetadata().getNamespace());
        Cluster cached = caches.cluster(id.getNamespace().orElse(null), id.getName()).orElse(null);
        Cluster mine = applied.get(id);
        Cluster cluster = cached;
        if (mine != null) {
            if (cached != null && generation(cached) < generation(mine)) {
                cluster = mine;
            } else {
                applied.remove(id, mine);
            }
        }
        return cluster == null || cluster.getMetadata().getDeletionTimestamp() != null ? null : cluster;
    }

    private static long generation(Cluster c) {
        return c.getMetadata().getGeneration() == null ? 0 : c.getMetadata().getGeneration();
    }

    /** Other ops of the same cluster, oldest first, from the primary cache's index by cluster. */
    private List<OpsRequest> peers(OpsRequest ops) {
        return primaryCache.byIndex(BY_CLUSTER, SharedCaches.key(ops.getMetadata().getNamespace(), ops.getSpec().clusterName)).stream()
                .filter(p -> !p.getMetadata().getName().equals(ops.getMetadata().getName()))
                .sorted(QUEUE_ORDER).toList();
    }

    /**
     * Wakes the ops of the same cluster that wait in the queue (Pending) once {@code ended} has ended. An ops deleted by
     * hand wakes nobody: the queued ones look again within their 5 s recheck.
     */
    private void wakeQueue(OpsRequest ended) {
        if (primaryCache == null) {
            return;
        }
        wakeups.wake(primaryCache.byIndex(BY_CLUSTER, SharedCaches.key(ended.getMetadata().getNamespace(), ended.getSpec().clusterName))
                .stream().filter(o -> OpsPhase.PENDING.value().equals(phaseOf(o)) && !o.getMetadata().getName().equals(ended.getMetadata().getName()))
                .map(ResourceID::fromResource).toList());
    }

    private Set<ResourceID> activeOps(String namespace, String clusterName, String except) {
        if (clusterName == null || primaryCache == null) {
            return Set.of();
        }
        return primaryCache.byIndex(BY_CLUSTER, SharedCaches.key(namespace, clusterName)).stream()
                .filter(o -> !OpsPhase.isTerminal(phaseOf(o)) && !o.getMetadata().getName().equals(except))
                .map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    /** A peer holds the queue when it is started, or is an older non-forced Pending ops. */
    private static boolean isAhead(OpsRequest peer, OpsRequest ops) {
        String phase = phaseOf(peer);
        if (OpsPhase.isTerminal(phase) || Boolean.TRUE.equals(peer.getSpec().dryRun)) {
            return false;
        }
        if (!OpsPhase.PENDING.value().equals(phase)) {
            return true;
        }
        return !Boolean.TRUE.equals(peer.getSpec().force) && QUEUE_ORDER.compare(peer, ops) < 0;
    }

    /** The head failed after this ops had been queued behind it. */
    private static boolean failedWhileAhead(OpsRequest peer, OpsRequest ops) {
        var s = peer.getStatus();
        return s != null && OpsPhase.FAILED.value().equals(s.phase) && s.startTimestamp != null && s.completionTimestamp != null
                && QUEUE_ORDER.compare(peer, ops) < 0
                && !Instant.parse(s.completionTimestamp).isBefore(created(ops).minusSeconds(1));
    }

    /** A forced ops must not delete a pod that a running ops is creating. */
    private Optional<String> forceConflict(OpsRequest ops, Map<String, ScalingPlan> plans, List<OpsRequest> peers) {
        for (OpsRequest peer : peers) {
            String phase = phaseOf(peer);
            if (!(OpsPhase.CREATING.value().equals(phase) || OpsPhase.RUNNING.value().equals(phase)) || peer.getStatus().plan == null) {
                continue;
            }
            for (var entry : plans.entrySet()) {
                var theirs = peer.getStatus().plan.get(entry.getKey());
                if (theirs == null) {
                    continue;
                }
                for (String pod : entry.getValue().podsToDelete()) {
                    if (theirs.podsToCreate.contains(pod)) {
                        return Optional.of("pod " + pod + " is being created by opsrequest " + peer.getMetadata().getName()
                                + "; wait for it to end, or cancel it, before taking " + pod + " away");
                    }
                }
            }
        }
        return Optional.empty();
    }

    private UpdateControl<OpsRequest> waitFor(OpsRequest ops, Context<OpsRequest> context, boolean validated, String reason,
            String message, Duration recheck) {
        if (validated) {
            OpsStatus.condition(ops, ConditionType.VALIDATED, true, Reasons.VALIDATED, "the request is valid");
        }
        OpsStatus.condition(ops, ConditionType.WAIT_FOR_PROGRESSING, true, reason, message);
        ops.getStatus().phase = OpsPhase.PENDING.value();
        writeStatusIfChanged(ops, context, false);
        return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(recheck);
    }

    private OpsRequest transition(OpsRequest ops, Context<OpsRequest> context, String phase, String reason, String message) {
        ops.getStatus().phase = phase;
        OpsRequest saved = writeStatus(ops, context);
        events.normal(ops, reason, message);
        metrics.phase(ops, phase);
        return saved;
    }

    private UpdateControl<OpsRequest> finish(OpsRequest ops, Context<OpsRequest> context, String phase, String reason, String message) {
        return finish(ops, context, phase, reason, message, null);
    }

    /** Ends the ops; {@code planned} is the plan of an ops that ends before it started (it sets the progress total). */
    private UpdateControl<OpsRequest> finish(OpsRequest ops, Context<OpsRequest> context, String phase, String reason, String message,
            Map<String, ScalingPlan> planned) {
        var status = ops.getStatus();
        String from = status.phase == null ? OpsPhase.PENDING.value() : status.phase;
        status.phase = phase;
        status.completionTimestamp = Conditions.now();
        if (status.progress == null) {
            // Never started: "-/-" when there is no plan (invalid, cluster missing), "0/N" when one was made.
            status.progress = planned == null ? "-/-" : "0/" + planned.values().stream()
                    .mapToInt(p -> p.podsToCreate().size() + p.podsToDelete().size()).sum();
        }
        OpsStatus.ended(ops, OpsPhase.of(phase), reason);
        OpsStatus.condition(ops, ConditionType.PROGRESSING, false, reason, message);
        OpsStatus.condition(ops, phase, true, reason, message);
        if (OpsPhase.PENDING.value().equals(from)) {
            OpsStatus.condition(ops, ConditionType.WAIT_FOR_PROGRESSING, false, reason, message);
        }
        writeStatus(ops, context);
        settle.forget(SettleWindow.key(ops));
        wakeQueue(ops);
        if (OpsPhase.SUCCEED.value().equals(phase)) {
            events.normal(ops, reason, message);
        } else {
            events.warning(ops, reason, message);
        }
        metrics.phase(ops, phase);
        metrics.completed(ops, phase, created(ops));
        return afterCompletion(ops);
    }

    /**
     * Writes the status unless the cached one says the same; a {@code transitional} one waits for the settle window.
     *
     * @return empty when written or unchanged; else how long until the held back write is due
     */
    private Optional<Duration> writeStatusIfChanged(OpsRequest ops, Context<OpsRequest> context, boolean transitional) {
        ResourceID id = ResourceID.fromResource(ops);
        OpsRequest cached = context.getPrimaryCache().get(id).orElse(null);
        if (cached != null && OpsStatus.same(cached.getStatus(), ops.getStatus())) {
            return Optional.empty();
        }
        Optional<Duration> hold = settle.holdBack(SettleWindow.key(ops), transitional);
        if (hold.isEmpty()) {
            writeStatus(ops, context);
        }
        return hold;
    }

    /**
     * Server-side applies the whole status (field manager of the primary's status) in one request. The apply body
     * names the object and carries only the status: an apply that repeats metadata such as managedFields is refused
     * by the API server ("metadata.managedFields must be nil").
     * <p>
     * The body also carries the resourceVersion the decision was made on, which the API server treats as a
     * precondition: a status decided on a copy that is no longer current (a cancel that arrived meanwhile, or a
     * writer that lost its turn, such as an operator that was replaced while it reconciled) is refused with 409 and
     * raised as {@link StaleOps}, never written over the newer state. Without it, the user's change could also be
     * hidden: JOSDK filters the watch events that arrive while its own status write is in flight.
     */
    private OpsRequest writeStatus(OpsRequest ops, Context<OpsRequest> context) {
        ops.getStatus().observedGeneration = ops.getMetadata().getGeneration();
        OpsRequest body = new OpsRequest();
        body.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(ops.getMetadata().getName())
                .withNamespace(ops.getMetadata().getNamespace()).withResourceVersion(ops.getMetadata().getResourceVersion()).build());
        body.setStatus(ops.getStatus());
        OpsRequest saved;
        try {
            saved = context.resourceOperations().serverSideApplyPrimaryStatus(body);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw new StaleOps(e);
            }
            throw e;
        }
        opsEvents.statusWritten(ops);
        if (saved.getStatus() == null) {
            saved.setStatus(ops.getStatus());
        }
        return saved;
    }

    private Duration timeout(OpsRequest ops) {
        Integer t = ops.getSpec().timeoutSeconds;
        return t == null || t == 0 ? defaultTimeout : Duration.ofSeconds(t);
    }

    private Instant deadline(OpsRequest ops) {
        String start = ops.getStatus().startTimestamp;
        return (start == null ? created(ops) : Instant.parse(start)).plus(timeout(ops));
    }

    private static String describe(Map<String, ScalingPlan> plans) {
        return plans.values().stream().map(p -> p.component() + ": replicas " + p.before().replicas() + " → " + p.after().replicas()
                + (p.podsToCreate().isEmpty() ? "" : ", create " + String.join(", ", p.podsToCreate()))
                + (p.podsToDelete().isEmpty() ? "" : ", delete " + String.join(", ", p.podsToDelete())))
                .collect(Collectors.joining("; "));
    }

    static String phaseOf(OpsRequest ops) {
        return ops.getStatus() == null || ops.getStatus().phase == null ? OpsPhase.PENDING.value() : ops.getStatus().phase;
    }

    private static String typeOf(OpsRequest ops) {
        return ops.getSpec().type == null ? null : ops.getSpec().type.name();
    }

    static Instant created(OpsRequest ops) {
        String ts = ops.getMetadata().getCreationTimestamp();
        return ts == null ? Instant.now() : Instant.parse(ts);
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }

    static final Comparator<OpsRequest> QUEUE_ORDER = Comparator.comparing(OpsRequestReconciler::created)
            .thenComparing(o -> o.getMetadata().getName());

}
