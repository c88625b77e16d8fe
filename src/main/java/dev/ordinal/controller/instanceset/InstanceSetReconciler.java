package dev.ordinal.controller.instanceset;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import dev.ordinal.api.common.PodManagementPolicy;
import dev.ordinal.api.common.PvcRetentionPolicy.Retention;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetSpec;
import dev.ordinal.api.instanceset.InstanceSetStatus;
import dev.ordinal.controller.instanceset.PodWriter.CannotCreate;
import dev.ordinal.controller.support.ApiAnswers;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.controller.support.Naming;
import dev.ordinal.controller.support.PodFacts;
import dev.ordinal.controller.support.PodMessages;
import dev.ordinal.controller.support.PodStates;
import dev.ordinal.controller.support.SharedCaches;
import dev.ordinal.controller.support.StatusWriter;
import dev.ordinal.controller.support.StatusWriter.Outcome;
import dev.ordinal.controller.support.TerminatingNamespaces;
import dev.ordinal.core.PodRollout;
import dev.ordinal.core.PodRollout.PodState;
import dev.ordinal.observability.EventRecorder;
import dev.ordinal.observability.PodReadinessMetrics;
import dev.ordinal.vocabulary.ConditionType;
import dev.ordinal.vocabulary.Reasons;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
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
 * Runs the pods of one Cluster component.
 * Runbook: observe pods and claims (informer caches) → wanted names from the naming rule → next rollout step
 * (core) → claims, then pods ({@link PodWriter}) → release claims per retention → headless Service → one status write
 * ({@link StatusWriter}).
 */
@ControllerConfiguration(name = "instanceset", maxReconciliationInterval = @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
@GradualRetry(initialInterval = 100, intervalMultiplier = 2.0, maxInterval = 30_000, maxAttempts = 10)
public class InstanceSetReconciler implements Reconciler<InstanceSet>, Cleaner<InstanceSet> {
    private static final Logger LOG = Logger.getLogger(InstanceSetReconciler.class);
    private final EventRecorder events;
    private final PodReadinessMetrics readiness;
    private final SharedCaches caches;
    private final StatusWriter statuses;
    private final PodWriter writer;
    private final PodStates podStates;
    private final TerminatingNamespaces namespaces;
    /** How often a set being deleted looks again for its pods to be gone (their events usually come first). */
    private static final Duration PODS_GONE_RECHECK = Duration.ofSeconds(2);

    /** @param namespaces where creates are refused because the namespace is being deleted: nothing is created there */
    public InstanceSetReconciler(KubernetesClient client, EventRecorder events, PodReadinessMetrics readiness, SharedCaches caches,
            StatusWriter statuses, PodStates podStates, TerminatingNamespaces namespaces) {
        this.events = events;
        this.namespaces = namespaces;
        this.podStates = podStates;
        this.readiness = readiness;
        this.caches = caches;
        this.statuses = statuses;
        this.writer = new PodWriter(client, events, namespaces);
    }

    @Override
    public List<EventSource<?, InstanceSet>> prepareEventSources(EventSourceContext<InstanceSet> context) {
        // The operator's one pod informer: the OpsRequest controller reads it too (SharedCaches).
        var pods = caches.podSource(InformerEventSourceConfiguration.from(Pod.class, InstanceSet.class)
                .withName("pods").withLabelSelector(Labels.INSTANCE_SET).withSecondaryToPrimaryMapper(InstanceSetReconciler::ownerByLabel)
                .build(), context);
        var claims = new InformerEventSource<>(InformerEventSourceConfiguration.from(PersistentVolumeClaim.class, InstanceSet.class)
                .withName("claims").withLabelSelector(Labels.INSTANCE_SET).withSecondaryToPrimaryMapper(InstanceSetReconciler::ownerByLabel)
                .build(), context);
        var services = new InformerEventSource<>(InformerEventSourceConfiguration.from(Service.class, InstanceSet.class)
                .withName("services").withLabelSelector(Labels.INSTANCE_SET).withSecondaryToPrimaryMapper(InstanceSetReconciler::ownerByLabel)
                .build(), context);
        writer.caches(pods, claims);
        return List.of(pods, claims, services);
    }

    /** Pods, claims and services name their InstanceSet in a label (claims carry no owner reference). */
    private static Set<ResourceID> ownerByLabel(HasMetadata r) {
        return Set.of(new ResourceID(r.getMetadata().getLabels().get(Labels.INSTANCE_SET), r.getMetadata().getNamespace()));
    }

    /**
     * One reconcile ({@link #reconcileSet}); an expected refusal of the API server (403, 404, 409, 422) is one WARN line
     * and a look again in a few seconds, not an error with a stack trace ({@link ApiAnswers}).
     */
    @Override
    public UpdateControl<InstanceSet> reconcile(InstanceSet set, Context<InstanceSet> context) {
        return ApiAnswers.reconcile(LOG, "instanceset", set, () -> reconcileSet(set, context));
    }

    private UpdateControl<InstanceSet> reconcileSet(InstanceSet set, Context<InstanceSet> context) {
        InstanceSetSpec spec = set.getSpec();
        // Only what this set owns: a pod or Service controlled by another object, or a claim labelled for another
        // cluster, is never counted, reused or deleted, even when its labels name this set.
        Map<String, Pod> pods = byName(PodWriter.ours(set, context.getSecondaryResources(Pod.class)));
        Map<String, PersistentVolumeClaim> claims = byName(PodWriter.ours(set, context.getSecondaryResources(PersistentVolumeClaim.class)));
        // A claim being deleted is not there for a pod (spec amendment §7b): the pod waits for it to go, then both are made again.
        Map<String, PersistentVolumeClaim> usable = new LinkedHashMap<>(claims);
        usable.values().removeIf(PodWriter::isTerminating);

        PodStates.Observed observed = podStates.observe(pods);
        Map<String, PodState> states = observed.states();
        Naming.Result wanted = Naming.wanted(spec);
        if (wanted.error() != null) {
            events.warning(set, Reasons.INVALID_SPEC, wanted.error());
            return status(set, InstanceSetStatusBuilder.invalid(set, pods, states, wanted.error()), false, context);
        }

        PodRollout.Step step = PodRollout.next(wanted.names(), states, policy(spec),
                PodRollout.concurrency(concurrencyText(spec), wanted.names().size()), PodWriter.claimWaits(set, wanted.names(), pods, claims));
        // In a namespace being deleted the API server refuses every create: nothing is tried there any more.
        boolean creates = !namespaces.isTerminating(set);
        try {
            if (creates) {
                writer.ensureHeadlessService(set, context.getSecondaryResources(Service.class));
                writer.restoreClaims(set, wanted.names(), pods, claims);
                writer.createAll(set, step.create(), usable);
            }
        } catch (CannotCreate e) {
            if (!e.getMessage().equals(Conditions.messageOf(set.getStatus() == null ? null : set.getStatus().conditions, ConditionType.READY))) {
                events.warning(set, e.reason, e.getMessage());
            }
            InstanceSetStatus blocked = InstanceSetStatusBuilder.build(set, pods, states, wanted.names(), step);
            blocked.conditions = Conditions.set(blocked.conditions, ConditionType.READY, false, e.reason, e.getMessage(),
                    set.getMetadata().getGeneration());
            if (e.pod != null) {
                if (blocked.message == null) {
                    blocked.message = new LinkedHashMap<>();
                }
                blocked.message.put(PodMessages.POD + e.pod, e.getMessage());
            }
            return status(set, blocked, false, context).rescheduleAfter(e.recheck);
        }
        step.delete().forEach(name -> writer.deletePod(set, pods.get(name), "not wanted by the spec (replicas " + spec.replicas
                + ", offline " + (spec.offlineInstances == null ? List.of() : spec.offlineInstances) + ")"));
        writer.releaseClaims(set, wanted.names(), pods, claims);

        // The status is one reconcile behind the pods just created or deleted: it is transitional, like one that
        // shows a rollout under way, and is held back for the settle window (the pods' events bring the next one).
        InstanceSetStatus next = InstanceSetStatusBuilder.build(set, pods, states, wanted.names(), step);
        boolean acted = (creates && !step.create().isEmpty()) || !step.delete().isEmpty();
        UpdateControl<InstanceSet> control = status(set, next, acted || Conditions.isTrue(next.conditions, ConditionType.PROGRESSING), context);
        // a pod still starting turns unhealthy when its start budget runs out, with no event of its own: look again then
        Optional<Duration> expiry = observed.recheck();
        if (expiry.isPresent() && control.getScheduleDelay().map(d -> d > expiry.get().toMillis()).orElse(true)) {
            control.rescheduleAfter(expiry.get());
        }
        return control;
    }

    /**
     * Deleting the set: its pods go first; its claims (with {@code whenDeleted: Delete}) and its finalizer only once
     * every pod is gone, terminating ones included. A claim follows its pod, as {@code kubernetes.io/pvc-protection}
     * holds it on a node, and the Cluster, which waits for its InstanceSets, is not gone while a pod of it still runs.
     */
    @Override
    public DeleteControl cleanup(InstanceSet set, Context<InstanceSet> context) {
        Set<Pod> pods = PodWriter.ours(set, context.getSecondaryResources(Pod.class));
        pods.forEach(p -> writer.deletePod(set, p, "its instance set is being deleted"));
        if (!pods.isEmpty()) {
            // each pod's deletion event brings the next look; the recheck bounds the wait should one be missed
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(PODS_GONE_RECHECK.toMillis());
        }
        if (PodWriter.retention(set.getSpec()).whenDeleted == Retention.Delete) {
            PodWriter.ours(set, context.getSecondaryResources(PersistentVolumeClaim.class))
                    .forEach(c -> writer.deleteClaim(set, c, "whenDeleted: Delete, and its instance set is deleted"));
        }
        readiness.forget(set);
        statuses.forget(set);
        return DeleteControl.defaultDelete();
    }

    /**
     * The one status write of a reconcile ({@link StatusWriter}): none when {@code next} says what the set's status
     * says, none yet when it is {@code transitional} and younger than the settle window (the reconcile is then repeated
     * when the window ends). The resourceVersion the reconcile observed is the write's precondition, as for the
     * Cluster: a status write landing after the Cluster controller applied a new spec would otherwise hide that spec
     * change's event; a 409 reconciles again, which then sees the new spec.
     */
    private UpdateControl<InstanceSet> status(InstanceSet set, InstanceSetStatus next, boolean transitional, Context<InstanceSet> context) {
        readiness.observe(set, next);
        Outcome<InstanceSet> outcome = statuses.write(set, next, transitional, context);
        return outcome.recheck().map(d -> UpdateControl.<InstanceSet> noUpdate().rescheduleAfter(d)).orElse(UpdateControl.noUpdate());
    }

    private static String concurrencyText(InstanceSetSpec spec) {
        var c = spec.parallelPodManagementConcurrency;
        if (c == null) {
            return null;
        }
        return c.getIntVal() != null ? c.getIntVal().toString() : c.getStrVal();
    }

    private static PodRollout.Policy policy(InstanceSetSpec spec) {
        return spec.podManagementPolicy == PodManagementPolicy.Parallel ? PodRollout.Policy.Parallel : PodRollout.Policy.OrderedReady;
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> Map<String, T> byName(Set<T> resources) {
        return resources.stream().sorted(Comparator.comparing(r -> r.getMetadata().getName()))
                .collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r, (a, b) -> a, LinkedHashMap::new));
    }

}
