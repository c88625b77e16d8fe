package dev.ordinal.controller.ops;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.config.OrdinalConfig;
import dev.ordinal.controller.ops.OpsDecision.Advance;
import dev.ordinal.controller.ops.OpsDecision.Apply;
import dev.ordinal.controller.ops.OpsDecision.Delete;
import dev.ordinal.controller.ops.OpsDecision.Finish;
import dev.ordinal.controller.ops.OpsDecision.Idle;
import dev.ordinal.controller.ops.OpsDecision.Notes;
import dev.ordinal.controller.ops.OpsDecision.ReadFreshCluster;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.controller.support.ApiAnswers;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.controller.support.PodFacts;
import dev.ordinal.controller.support.SharedCaches;
import dev.ordinal.controller.support.StatusWriter;
import dev.ordinal.controller.support.StatusWriter.Outcome;
import dev.ordinal.controller.support.TerminatingNamespaces;
import dev.ordinal.controller.support.Wakeups;
import dev.ordinal.core.ObservedPod;
import dev.ordinal.vocabulary.OpsPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;

/**
 * Runs HorizontalScaling OpsRequests from Pending to an end, never stuck (docs/ops-controller.md, docs/architecture.md).
 * Runbook of one reconcile: observe (the ops, its Cluster, the pods, the queue, from the shared caches) → decide
 * ({@link OpsDecider}, pure) → at most one Cluster apply ({@link ClusterWriter}) → at most one status write
 * ({@link StatusWriter}) → announce it ({@link OpsAnnouncer}: Events, meters, the event stream).
 */
@ControllerConfiguration(name = "opsrequest", maxReconciliationInterval = @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
@GradualRetry(initialInterval = 100, intervalMultiplier = 2.0, maxInterval = 30_000, maxAttempts = 10)
public class OpsRequestReconciler implements Reconciler<OpsRequest> {
    private static final Logger LOG = Logger.getLogger(OpsRequestReconciler.class);
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    static final String BY_CLUSTER = "byCluster";
    /** The next step of a reconcile that has written its one status (the next phase's work starts at once). */
    private static final Duration NEXT_STEP = Duration.ofMillis(1);
    /** How often an ops looks again while the shared caches are still filling after a start. */
    private static final Duration CACHE_WAIT = Duration.ofMillis(200);

    private final KubernetesClient client;
    private final SharedCaches caches;
    private final ClusterWriter clusters;
    private final StatusWriter statuses;
    private final OpsAnnouncer announcer;
    private final ScaleInGuardGate scaleInGuard;
    private final OpsInputs.Settings settings;
    private final TerminatingNamespaces namespaces;
    private final Clock clock = Clock.systemUTC();
    private final Wakeups<OpsRequest> wakeups = new Wakeups<>("wakeups");
    private volatile IndexerResourceCache<OpsRequest> primaryCache;

    /**
     * @param config     {@code ordinal.ops.*} (deadline, queue) and the settle window the precondition waits for
     * @param namespaces namespaces being deleted: an ops there ends at once
     */
    public OpsRequestReconciler(KubernetesClient client, SharedCaches caches, ClusterWriter clusters, StatusWriter statuses,
            OpsAnnouncer announcer, ScaleInGuardGate scaleInGuard, OrdinalConfig config, TerminatingNamespaces namespaces) {
        this.namespaces = namespaces;
        this.client = client;
        this.caches = caches;
        this.clusters = clusters;
        this.statuses = statuses;
        this.announcer = announcer;
        this.scaleInGuard = scaleInGuard;
        this.settings = new OpsInputs.Settings(config.ops().defaultTimeout(), config.ops().maxQueue(), config.status().settleWindow());
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
        caches.onPod(pod -> wakeups.wake(activeOps(pod.getMetadata().getNamespace(), pod.getMetadata().getLabels().get(Labels.CLUSTER))));
        caches.onCluster(c -> wakeups.wake(activeOps(c.getMetadata().getNamespace(), c.getMetadata().getName())));
        namespaces.onTerminating(ns -> wakeups.wake(primaryCache.list(ns).filter(o -> !OpsQueue.phaseOf(o).isTerminal())
                .map(ResourceID::fromResource).toList()));
        return List.of(wakeups);
    }

    /**
     * One reconcile ({@link #reconcileOps}); an expected refusal of the API server (403, 404, 409, 422) is one WARN line
     * and a look again in a few seconds, not an error with a stack trace ({@link ApiAnswers}).
     */
    @Override
    public UpdateControl<OpsRequest> reconcile(OpsRequest ops, Context<OpsRequest> context) {
        return ApiAnswers.reconcile(LOG, "opsrequest", ops, () -> reconcileOps(ops, context));
    }

    private UpdateControl<OpsRequest> reconcileOps(OpsRequest ops, Context<OpsRequest> context) {
        boolean ended = OpsPhase.isTerminal(ops.getStatus() == null ? null : ops.getStatus().phase);
        if (!ended && !caches.synced()) {
            // The pod and Cluster caches belong to the other controllers and may still be filling after a start.
            return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(CACHE_WAIT);
        }
        OpsInputs in = ended ? new OpsInputs(ops, null, Map.of(), List.of(), null, false, settings, null) : observe(ops);
        OpsDecision decision = OpsDecider.decide(in, clock);
        if (decision instanceof ReadFreshCluster fresh) {
            note(ops, fresh.notes(), true);
            Cluster newer = clusters.newer(ops, in.cluster());
            OpsDecision again = OpsDecider.decide(in.withFreshCluster(newer == null ? in.cluster() : newer), clock);
            return carryOut(in, again, context, newer != null);
        }
        return carryOut(in, decision, context, true);
    }

    /**
     * What one reconcile observes: the ops, its Cluster and, as its phase needs them, the pods of that Cluster (a
     * started ops) or the other ops of its queue (a Pending one).
     */
    private OpsInputs observe(OpsRequest ops) {
        OpsPhase phase = OpsQueue.phaseOf(ops);
        Map<String, ObservedPod> pods = new LinkedHashMap<>();
        if (phase.isStarted()) {
            caches.podsOf(ops.getMetadata().getNamespace(), ops.getSpec().clusterName).forEach(p -> pods.put(p.getMetadata().getName(),
                    new ObservedPod(true, PodFacts.isReady(p), PodFacts.isTerminating(p), PodFacts.failure(p))));
        }
        List<OpsRequest> peers = phase != OpsPhase.PENDING ? List.of() : queueOf(ops).stream()
                .filter(p -> !p.getMetadata().getName().equals(ops.getMetadata().getName()))
                .sorted(OpsQueue.order(clock.instant())).toList();
        return new OpsInputs(ops, clusters.current(ops), pods, peers, scaleInGuard, true, settings,
                namespaces.reason(ops).orElse(null));
    }

    /** Carries out a decision: its notes first (unless {@code withNotes} is false), then at most one Cluster apply and one status write. */
    private UpdateControl<OpsRequest> carryOut(OpsInputs in, OpsDecision decision, Context<OpsRequest> context, boolean withNotes) {
        OpsRequest ops = in.ops();
        if (decision instanceof Apply apply) {
            Cluster answered = clusters.apply(ops, in.cluster(), apply.targets());
            return carryOut(in, apply.then().apply(answered), context, withNotes);
        }
        if (decision instanceof OpsDecision.MoveLeaders move) {
            String error = scaleInGuard.apply(in.cluster(), move.component(), move.step());
            return carryOut(in, move.then().apply(error), context, withNotes);
        }
        if (decision instanceof OpsDecision.DrainKafka drain) {
            String error = scaleInGuard.drain(in.cluster(), drain.component(), drain.step());
            return carryOut(in, drain.then().apply(error), context, withNotes);
        }
        if (decision instanceof OpsDecision.RebalanceKafka rebalance) {
            String error = scaleInGuard.rebalance(in.cluster(), rebalance.component(), rebalance.step());
            return carryOut(in, rebalance.then().apply(error), context, withNotes);
        }
        if (decision instanceof OpsDecision.UnregisterBrokers unregister) {
            String error = scaleInGuard.unregister(in.cluster(), unregister.component(), unregister.nodeIds());
            return carryOut(in, unregister.then().apply(error), context, withNotes);
        }
        if (decision instanceof Wait wait) {
            note(ops, wait.notes(), withNotes);
            Outcome<OpsRequest> outcome = write(ops, wait.status(), wait.transitional(), context, null, null, null);
            Duration recheck = outcome.recheck().filter(d -> d.compareTo(wait.recheck()) < 0).orElse(wait.recheck());
            return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(recheck);
        }
        if (decision instanceof Advance advance) {
            note(ops, advance.notes(), withNotes);
            Outcome<OpsRequest> outcome = write(ops, advance.status(), false, context, advance.phase(), advance.reason(), advance.message());
            return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(outcome.recheck().orElse(NEXT_STEP));
        }
        if (decision instanceof Finish finish) {
            note(ops, finish.notes(), withNotes);
            Outcome<OpsRequest> outcome = write(ops, finish.status(), false, context, finish.phase(), finish.reason(), finish.message());
            if (outcome instanceof Outcome.Stale<OpsRequest>) {
                return UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(StatusWriter.STALE_RECHECK);
            }
            return carryOut(in, OpsDecider.afterCompletion(withStatus(ops, finish.status()), clock.instant()), context, false);
        }
        if (decision instanceof Delete) {
            client.resource(ops).delete();
            LOG.infof("deleted opsrequest %s/%s after its TTL", ops.getMetadata().getNamespace(), ops.getMetadata().getName());
            return UpdateControl.noUpdate();
        }
        if (decision instanceof Idle idle) {
            return idle.recheck() == null ? UpdateControl.noUpdate() : UpdateControl.<OpsRequest> noUpdate().rescheduleAfter(idle.recheck());
        }
        throw new IllegalStateException("a fresh Cluster is read once, by reconcile: " + decision);
    }

    /**
     * The one status write of a reconcile ({@link StatusWriter}: with the resourceVersion the decision was made on; a
     * 409 means the ops changed meanwhile, a user's cancel say, and the reconcile is repeated on the new version). A
     * written status goes to the event stream; an ops that {@code entered} a phase is announced, and one that ended
     * wakes the ops queued behind it.
     */
    private Outcome<OpsRequest> write(OpsRequest ops, OpsRequestStatus next, boolean transitional, Context<OpsRequest> context,
            OpsPhase entered, String reason, String message) {
        Outcome<OpsRequest> outcome = statuses.write(ops, next, transitional, context);
        if (outcome instanceof Outcome.Written<OpsRequest>) {
            OpsRequest written = withStatus(ops, next);
            announcer.written(written);
            if (entered != null && entered.isTerminal()) {
                wakeQueue(ops);
            }
            if (entered != null) {
                announcer.entered(written, entered, reason, message, clock.instant());
            }
        } else if (outcome instanceof Outcome.Stale<OpsRequest>) {
            LOG.debugf("opsrequest %s/%s changed while it was reconciled; reconciling again", ops.getMetadata().getNamespace(),
                    ops.getMetadata().getName());
        }
        return outcome;
    }

    private void note(OpsRequest ops, Notes notes, boolean withNotes) {
        if (!withNotes) {
            return;
        }
        if (notes.planComputed()) {
            announcer.planComputed(ops);
        }
        notes.events().forEach(e -> announcer.note(ops, e));
    }

    private static OpsRequest withStatus(OpsRequest ops, OpsRequestStatus status) {
        OpsRequest copy = JSON.clone(ops);
        copy.setStatus(status);
        return copy;
    }

    /** The ops of {@code ops}' cluster, from the primary cache's index by cluster. */
    private List<OpsRequest> queueOf(OpsRequest ops) {
        return primaryCache.byIndex(BY_CLUSTER, SharedCaches.key(ops.getMetadata().getNamespace(), ops.getSpec().clusterName));
    }

    /**
     * Wakes the ops of the same cluster that wait in the queue (Pending) once {@code ended} has ended. An ops deleted by
     * hand wakes nobody: the queued ones look again within their 5 s recheck.
     */
    private void wakeQueue(OpsRequest ended) {
        if (primaryCache == null) {
            return;
        }
        wakeups.wake(queueOf(ended).stream()
                .filter(o -> OpsQueue.phaseOf(o) == OpsPhase.PENDING && !o.getMetadata().getName().equals(ended.getMetadata().getName()))
                .map(ResourceID::fromResource).toList());
    }

    private Set<ResourceID> activeOps(String namespace, String clusterName) {
        if (clusterName == null || primaryCache == null) {
            return Set.of();
        }
        return primaryCache.byIndex(BY_CLUSTER, SharedCaches.key(namespace, clusterName)).stream()
                .filter(o -> !OpsQueue.phaseOf(o).isTerminal()).map(ResourceID::fromResource).collect(Collectors.toSet());
    }
}
