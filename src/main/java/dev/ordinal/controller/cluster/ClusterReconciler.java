package dev.ordinal.controller.cluster;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec.TerminationPolicy;
import dev.ordinal.api.cluster.ClusterStatus;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetSpec;
import dev.ordinal.controller.support.ApiAnswers;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.controller.support.GuardAnswers;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.controller.support.Naming;
import dev.ordinal.controller.support.Ownership;
import dev.ordinal.controller.support.SharedCaches;
import dev.ordinal.controller.support.StatusWriter;
import dev.ordinal.controller.support.StatusWriter.Outcome;
import dev.ordinal.controller.support.TerminatingNamespaces;
import dev.ordinal.controller.support.Wakeups;
import dev.ordinal.observability.EventRecorder;
import dev.ordinal.observability.OpsMetrics;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScaleInGuard.Verdict;
import dev.ordinal.vocabulary.ComponentPhase;
import dev.ordinal.vocabulary.ConditionType;
import dev.ordinal.vocabulary.Reasons;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;

/**
 * Runs a Cluster as one InstanceSet per component.
 * Runbook: check each component's shape (core naming rule) → server-side apply the InstanceSets that differ
 * (field manager {@code ordinal}) → delete InstanceSets of removed components → aggregate status from the
 * InstanceSets. Deletion follows terminationPolicy.
 */
@ControllerConfiguration(name = "cluster", maxReconciliationInterval = @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
@GradualRetry(initialInterval = 100, intervalMultiplier = 2.0, maxInterval = 30_000, maxAttempts = 10)
public class ClusterReconciler implements Reconciler<Cluster>, Cleaner<Cluster> {
    private static final Logger LOG = Logger.getLogger(ClusterReconciler.class);
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private final KubernetesClient client;
    private final EventRecorder events;
    private final OpsMetrics metrics;

    private final StatusWriter statuses;

    private final SharedCaches caches;
    private final TerminatingNamespaces namespaces;
    private final GuardAnswers guardAnswers;
    private final DirectEditGuard directEdits;
    private final Wakeups<Cluster> guardWakeups = new Wakeups<>("guard-answers");
    /** How often a direct edit held by the scale-in guard asks Kafka again. */
    private static final Duration HELD_RECHECK = Duration.ofSeconds(3);

    /**
     * @param namespaces   namespaces being deleted: no InstanceSet is applied there
     * @param guardAnswers whether Kafka answered each guarded component's scale-in guard (condition {@code ScaleInGuard})
     * @param directEdits  the scale-in guard of a direct edit of a guarded component's size (condition {@code ScaleInHeld})
     */
    public ClusterReconciler(KubernetesClient client, EventRecorder events, OpsMetrics metrics, SharedCaches caches,
            StatusWriter statuses, TerminatingNamespaces namespaces, GuardAnswers guardAnswers, DirectEditGuard directEdits) {
        this.client = client;
        this.directEdits = directEdits;
        this.guardAnswers = guardAnswers;
        this.namespaces = namespaces;
        this.caches = caches;
        this.events = events;
        this.metrics = metrics;
        this.statuses = statuses;
    }

    /** How often a Cluster being deleted looks again for its InstanceSets to be gone (their deletion events usually come first). */
    private static final Duration SETS_GONE_RECHECK = Duration.ofSeconds(2);
    /** How long a Cluster refused for a name collision waits before it checks again (the other Cluster may go). */
    private static final Duration NAME_RECHECK = Duration.ofSeconds(10);
    private volatile InformerEventSource<InstanceSet, Cluster> instanceSetSource;

    @Override
    public List<EventSource<?, Cluster>> prepareEventSources(EventSourceContext<Cluster> context) {
        // The operator's one Cluster cache: the OpsRequest controller reads it too (SharedCaches).
        caches.clusterCache(context.getPrimaryCache());
        instanceSetSource = new InformerEventSource<>(InformerEventSourceConfiguration.from(InstanceSet.class, Cluster.class)
                .withName("instancesets").build(), context);
        // the scale-in guard's answers (the OpsRequest controller asks Kafka) go into the Cluster's status
        guardAnswers.onChange(id -> guardWakeups.wake(List.of(id)));
        return List.of(instanceSetSource, guardWakeups);
    }

    /**
     * One reconcile ({@link #reconcileCluster}); an expected refusal of the API server (403, 404, 409, 422) is one WARN
     * line and a look again in a few seconds, not an error with a stack trace ({@link ApiAnswers}).
     */
    @Override
    public UpdateControl<Cluster> reconcile(Cluster cluster, Context<Cluster> context) {
        return ApiAnswers.reconcile(LOG, "cluster", cluster, () -> reconcileCluster(cluster, context));
    }

    private UpdateControl<Cluster> reconcileCluster(Cluster cluster, Context<Cluster> context) {
        Map<String, InstanceSet> sets = new LinkedHashMap<>();
        // Only the InstanceSets this Cluster controls (same uid): an object of the same name that belongs to someone
        // else is never counted, applied to or deleted.
        context.getSecondaryResources(InstanceSet.class).stream().filter(s -> Ownership.ownedBy(s, cluster))
                .forEach(s -> sets.put(s.getSpec().componentName, s));

        String namespace = cluster.getMetadata().getNamespace();
        java.util.Optional<NameCheck.Refusal> refusal = NameCheck.refusal(cluster,
                context.getPrimaryCache().list(namespace, c -> !c.getMetadata().getName().equals(cluster.getMetadata().getName())).toList(),
                name -> instanceSetSource.get(new io.javaoperatorsdk.operator.processing.event.ResourceID(name, namespace)).orElse(null));
        if (refusal.isPresent()) {
            return refuse(cluster, sets, refusal.get(), context);
        }

        Map<String, String> invalid = new LinkedHashMap<>();
        Map<String, String> held = new LinkedHashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        for (ComponentSpec component : cluster.getSpec().componentSpecs) {
            String error = !seen.add(component.name) ? "component " + component.name + " is listed twice"
                    : Naming.wanted(InstanceSetSpecs.of(cluster, component)).error();
            if (error != null) {
                invalid.put(component.name, error);
                continue;
            }
            if (namespaces.isTerminating(cluster)) {
                continue;
            }
            InstanceSetSpec wanted = InstanceSetSpecs.of(cluster, component);
            InstanceSet current = sets.get(component.name);
            if (current != null && JSON.asJson(wanted).equals(JSON.asJson(current.getSpec()))) {
                continue;
            }
            DirectEditGuard.Decision decision = directEdits.check(cluster, component, current, wanted);
            if (decision instanceof DirectEditGuard.Decision.Hold hold) {
                held.put(component.name, hold.verdict().message());
                continue;
            }
            InstanceSet applied = applyInstanceSet(cluster, component, wanted);
            Verdict verdict = ((DirectEditGuard.Decision.Go) decision).verdict();
            if (applied != null && verdict != null) {
                if (verdict.result() == ScaleInGuard.Result.SKIPPED) {
                    events.warning(cluster, Reasons.SCALE_IN_GUARD_SKIPPED, verdict.message());
                } else {
                    events.normal(cluster, Reasons.SCALE_IN_SAFE, "direct edit of component " + component.name + ": " + verdict.message());
                }
            }
            if (applied != null) {
                // The status below must judge the set the API server holds now, not the cached one it replaced:
                // a new spec generation the InstanceSet controller has not observed yet means "Updating".
                sets.put(component.name, applied);
            }
        }
        sets.values().stream()
                .filter(s -> cluster.getSpec().componentSpecs.stream().noneMatch(c -> c.name.equals(s.getSpec().componentName)))
                .forEach(s -> {
                    client.resource(s).delete();
                    events.normal(cluster, Reasons.COMPONENT_REMOVED, "deleted instance set " + s.getMetadata().getName());
                });
        if (!invalid.isEmpty()) {
            String message = invalid.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .reduce((a, b) -> a + "; " + b).orElse("");
            if (!Objects.equals(message, validMessage(cluster))) {
                events.warning(cluster, Reasons.INVALID_COMPONENT, message);
            }
        }
        ClusterStatus next = ClusterStatusBuilder.build(cluster, sets, invalid,
                guardAnswers.unanswered(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName()), held);
        String heldMessage = ClusterStatusBuilder.heldMessage(held);
        if (heldMessage != null && !heldMessage.equals(conditionMessage(cluster, ConditionType.SCALE_IN_HELD))) {
            events.warning(cluster, Reasons.DIRECT_EDIT_HELD, heldMessage);
        }
        // A component still rolling out (Creating, Updating) is transitional: its status waits for the settle window,
        // and the InstanceSet's next status (an event of this controller) usually brings the settled one first.
        boolean transitional = invalid.isEmpty() && next.components.values().stream()
                .anyMatch(c -> !ComponentPhase.isSettled(c.phase));
        return status(cluster, next, transitional, context, held.isEmpty() ? null : HELD_RECHECK);
    }

    /**
     * The one status write of a reconcile ({@link StatusWriter}: nothing when {@code next} says what the Cluster's
     * status says, nor yet when it is {@code transitional} and younger than the settle window; otherwise with the
     * resourceVersion the reconcile observed, because a status write that lands after a spec change, the ops' apply,
     * would swallow that change's event; a 409 reconciles again on the new version). Then the Cluster is handed to the
     * other controllers ({@link SharedCaches}).
     *
     * @param recheck reconcile again after this long even when nothing changes (null: only on events)
     */
    private UpdateControl<Cluster> status(Cluster cluster, ClusterStatus next, boolean transitional, Context<Cluster> context,
            Duration recheck) {
        Outcome<Cluster> outcome = statuses.write(cluster, next, transitional, context);
        if (outcome instanceof Outcome.Stale<Cluster>) {
            return UpdateControl.<Cluster> noUpdate().rescheduleAfter(StatusWriter.STALE_RECHECK);
        }
        caches.clusterReconciled(outcome instanceof Outcome.Written<Cluster> written ? written.saved() : cluster);
        Duration after = outcome.recheck().filter(d -> recheck == null || d.compareTo(recheck) < 0).orElse(recheck);
        return after == null ? UpdateControl.noUpdate() : UpdateControl.<Cluster> noUpdate().rescheduleAfter(after);
    }

    /**
     * A Cluster whose names are too long, collide or are taken: nothing is applied or deleted, {@code Valid=False}
     * and a Warning Event (reason {@code NameTooLong}, {@code NameCollision} or {@code NameTaken}) say why, and the
     * check is repeated every {@link #NAME_RECHECK}.
     */
    private UpdateControl<Cluster> refuse(Cluster cluster, Map<String, InstanceSet> sets, NameCheck.Refusal refusal, Context<Cluster> context) {
        String message = refusal.message();
        if (!Objects.equals(message, validMessage(cluster))) {
            events.warning(cluster, refusal.reason(), message);
        }
        Map<String, String> invalid = new LinkedHashMap<>();
        cluster.getSpec().componentSpecs.forEach(c -> invalid.put(c.name, message));
        ClusterStatus next = ClusterStatusBuilder.build(cluster, sets, invalid,
                guardAnswers.unanswered(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName()));
        next.conditions = Conditions.set(next.conditions, ConditionType.VALID, false, refusal.reason(), message, cluster.getMetadata().getGeneration());
        return status(cluster, next, false, context, NAME_RECHECK);
    }

    @Override
    public DeleteControl cleanup(Cluster cluster, Context<Cluster> context) {
        statuses.forget(cluster);
        guardAnswers.forget(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName());
        // An ops running on this Cluster learns now that it is going (it fails PlanFailed), not at its deadline.
        caches.clusterReconciled(cluster);
        TerminationPolicy policy = cluster.getSpec().terminationPolicy == null ? TerminationPolicy.Delete
                : cluster.getSpec().terminationPolicy;
        if (policy == TerminationPolicy.DoNotTerminate) {
            String msg = "terminationPolicy is DoNotTerminate: set it to Delete or WipeOut to delete this cluster";
            if (!Reasons.DO_NOT_TERMINATE.equals(reasonOf(cluster, ConditionType.TERMINATING))) {
                events.warning(cluster, Reasons.DELETION_REFUSED, msg);
                ClusterStatus status = cluster.getStatus() == null ? new ClusterStatus() : JSON.clone(cluster.getStatus());
                status.conditions = Conditions.set(status.conditions, ConditionType.TERMINATING, false, Reasons.DO_NOT_TERMINATE, msg,
                        cluster.getMetadata().getGeneration());
                if (statuses.write(cluster, status, false, context) instanceof Outcome.Stale<Cluster>) {
                    return DeleteControl.noFinalizerRemoval().rescheduleAfter(StatusWriter.STALE_RECHECK.toMillis());
                }
            }
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(30_000);
        }
        List<InstanceSet> sets = context.getSecondaryResources(InstanceSet.class).stream().filter(s -> Ownership.ownedBy(s, cluster)).toList();
        List<InstanceSet> deleted = sets.stream().filter(s -> s.getMetadata().getDeletionTimestamp() == null).toList();
        deleted.forEach(s -> {
            client.resource(s).delete();
            LOG.infof("deleted instance set %s/%s: cluster %s is being deleted (terminationPolicy %s)", s.getMetadata().getNamespace(),
                    s.getMetadata().getName(), cluster.getMetadata().getName(), policy);
        });
        if (!deleted.isEmpty()) {
            events.normal(cluster, Reasons.DELETING, "terminationPolicy " + policy + ": deleting instance sets "
                    + deleted.stream().map(s -> s.getMetadata().getName()).collect(java.util.stream.Collectors.joining(", "))
                    + "; the Cluster goes once their pods are gone" + (policy == TerminationPolicy.WipeOut ? ", then its claims" : ""));
        }
        if (!sets.isEmpty()) {
            // An InstanceSet goes only once its pods are gone (its own cleanup): the Cluster's finalizer stays until then.
            // Each InstanceSet's deletion is an event of this controller; the recheck bounds the wait should one be missed.
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(SETS_GONE_RECHECK.toMillis());
        }
        if (policy == TerminationPolicy.WipeOut) {
            // claims follow their pods: only now that every pod of the Cluster is gone
            client.persistentVolumeClaims().inNamespace(cluster.getMetadata().getNamespace())
                    .withLabel(Labels.CLUSTER, cluster.getMetadata().getName()).list().getItems().stream()
                    .filter(c -> c.getMetadata().getDeletionTimestamp() == null)
                    .forEach(c -> {
                        client.resource(c).delete();
                        LOG.infof("deleted claim %s/%s: cluster %s is deleted with terminationPolicy WipeOut", c.getMetadata().getNamespace(),
                                c.getMetadata().getName(), cluster.getMetadata().getName());
                    });
        }
        return DeleteControl.defaultDelete();
    }

    /** Applies the component's InstanceSet with {@code wanted}; returns what the server answered, or null. */
    private InstanceSet applyInstanceSet(Cluster cluster, ComponentSpec component, InstanceSetSpec wanted) {
        InstanceSet set = new InstanceSet();
        set.setMetadata(new ObjectMetaBuilder()
                .withName(Labels.instanceSetName(cluster.getMetadata().getName(), component.name))
                .withNamespace(cluster.getMetadata().getNamespace())
                .withLabels(Labels.forInstanceSet(cluster.getMetadata().getName(), component.name))
                .withOwnerReferences(Ownership.ownerOf(cluster))
                .build());
        set.setSpec(wanted);
        InstanceSet applied;
        try {
            applied = metrics.ssa("instancesets",
                    () -> client.resource(set).fieldManager(Labels.MANAGER).forceConflicts().serverSideApply());
        } catch (KubernetesClientException e) {
            if (!TerminatingNamespaces.isNamespaceTerminating(e)) {
                throw e;
            }
            namespaces.terminating(cluster.getMetadata().getNamespace(), e.getStatus().getMessage());
            return null;
        }
        LOG.infof("applied instance set %s/%s (generation %s): component %s of cluster %s, replicas %s, offline %s",
                set.getMetadata().getNamespace(), set.getMetadata().getName(), applied.getMetadata().getGeneration(), component.name,
                cluster.getMetadata().getName(), wanted.replicas, wanted.offlineInstances);
        return applied;
    }

    private static String validMessage(Cluster cluster) {
        var c = cluster.getStatus() == null ? null : Conditions.find(cluster.getStatus().conditions, ConditionType.VALID);
        return c == null || Conditions.TRUE.equals(c.status) ? null : c.message;
    }

    private static String conditionMessage(Cluster cluster, String type) {
        var c = cluster.getStatus() == null ? null : Conditions.find(cluster.getStatus().conditions, type);
        return c == null || !Conditions.TRUE.equals(c.status) ? null : c.message;
    }

    private static String reasonOf(Cluster cluster, String type) {
        var c = cluster.getStatus() == null ? null : Conditions.find(cluster.getStatus().conditions, type);
        return c == null ? null : c.reason;
    }

}
