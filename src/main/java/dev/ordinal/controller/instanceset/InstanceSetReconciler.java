package dev.ordinal.controller.instanceset;

import dev.ordinal.api.vocabulary.ConditionType;
import dev.ordinal.api.vocabulary.Reasons;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.controller.support.Naming;
import dev.ordinal.controller.support.Ownership;
import dev.ordinal.controller.support.PodFacts;
import dev.ordinal.controller.support.PodMessages;
import dev.ordinal.controller.support.SettleWindow;
import dev.ordinal.controller.support.SharedCaches;
import java.util.concurrent.TimeUnit;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;


import dev.ordinal.api.common.PodManagementPolicy;
import dev.ordinal.api.common.PvcRetentionPolicy.Retention;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetSpec;
import dev.ordinal.api.instanceset.InstanceSetStatus;
import dev.ordinal.core.PodRollout;
import dev.ordinal.core.PodRollout.PodState;
import dev.ordinal.observability.EventRecorder;
import dev.ordinal.observability.PodReadinessMetrics;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Runs the pods of one Cluster component.
 * Runbook: observe pods and claims (informer caches) → wanted names from the naming rule → next rollout step
 * (core) → claims, then pods → release claims per retention → headless Service → status.
 */
@ControllerConfiguration(name = "instanceset", maxReconciliationInterval = @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
@GradualRetry(initialInterval = 100, intervalMultiplier = 2.0, maxInterval = 30_000, maxAttempts = 10)
public class InstanceSetReconciler implements Reconciler<InstanceSet>, Cleaner<InstanceSet> {
    private final KubernetesClient client;
    private final EventRecorder events;
    private final PodReadinessMetrics readiness;
    private volatile InformerEventSource<Pod, InstanceSet> podSource;
    private volatile InformerEventSource<PersistentVolumeClaim, InstanceSet> claimSource;
    private final SettleWindow settle;

    private final SharedCaches caches;

    public InstanceSetReconciler(KubernetesClient client, EventRecorder events, PodReadinessMetrics readiness, SharedCaches caches,
            SettleWindow settle) {
        this.client = client;
        this.caches = caches;
        this.events = events;
        this.readiness = readiness;
        this.settle = settle;
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
        podSource = pods;
        claimSource = claims;
        return List.of(pods, claims, services);
    }

    /** Pods, claims and services name their InstanceSet in a label (claims carry no owner reference). */
    private static Set<ResourceID> ownerByLabel(io.fabric8.kubernetes.api.model.HasMetadata r) {
        return Set.of(new ResourceID(r.getMetadata().getLabels().get(Labels.INSTANCE_SET), r.getMetadata().getNamespace()));
    }

    @Override
    public UpdateControl<InstanceSet> reconcile(InstanceSet set, Context<InstanceSet> context) {
        InstanceSetSpec spec = set.getSpec();
        // Only what this set owns: a pod or Service controlled by another object, or a claim labelled for another
        // cluster, is never counted, reused or deleted, even when its labels name this set.
        Map<String, Pod> pods = byName(ours(set, context.getSecondaryResources(Pod.class)));
        Map<String, PersistentVolumeClaim> claims = byName(ours(set, context.getSecondaryResources(PersistentVolumeClaim.class)));

        Naming.Result wanted = Naming.wanted(spec);
        if (wanted.error() != null) {
            events.warning(set, Reasons.INVALID_SPEC, wanted.error());
            return status(set, InstanceSetStatusBuilder.invalid(set, pods, wanted.error()), false);
        }

        PodRollout.Step step = PodRollout.next(wanted.names(), observed(pods), policy(spec),
                PodRollout.concurrency(concurrencyText(spec), wanted.names().size()));
        try {
            ensureHeadlessService(set, context);
            createAll(set, step.create(), claims);
        } catch (CannotCreate e) {
            if (!e.getMessage().equals(Conditions.messageOf(set.getStatus() == null ? null : set.getStatus().conditions, ConditionType.READY))) {
                events.warning(set, e.reason, e.getMessage());
            }
            InstanceSetStatus blocked = InstanceSetStatusBuilder.build(set, pods, wanted.names(), step.waiting());
            blocked.conditions = Conditions.set(blocked.conditions, ConditionType.READY, false, e.reason, e.getMessage(),
                    set.getMetadata().getGeneration());
            if (e.pod != null) {
                if (blocked.message == null) {
                    blocked.message = new LinkedHashMap<>();
                }
                blocked.message.put(PodMessages.POD + e.pod, e.getMessage());
            }
            return status(set, blocked, false).rescheduleAfter(e.recheck);
        }
        step.delete().forEach(name -> deletePod(set, pods.get(name)));
        releaseClaims(set, wanted.names(), pods, claims);

        // The status is one reconcile behind the pods just created or deleted: it is transitional, like one that
        // shows a rollout under way, and is held back for the settle window (the pods' events bring the next one).
        InstanceSetStatus next = InstanceSetStatusBuilder.build(set, pods, wanted.names(), step.waiting());
        boolean acted = !step.create().isEmpty() || !step.delete().isEmpty();
        return status(set, next, acted || Conditions.isTrue(next.conditions, ConditionType.PROGRESSING));
    }

    @Override
    public DeleteControl cleanup(InstanceSet set, Context<InstanceSet> context) {
        readiness.forget(set);
        settle.forget(SettleWindow.key(set));
        ours(set, context.getSecondaryResources(Pod.class)).forEach(p -> deletePod(set, p));
        if (retention(set.getSpec()).whenDeleted == Retention.Delete) {
            ours(set, context.getSecondaryResources(PersistentVolumeClaim.class)).forEach(c -> deleteClaim(set, c));
        }
        return DeleteControl.defaultDelete();
    }

    private void createAll(InstanceSet set, List<String> names, Map<String, PersistentVolumeClaim> claims) {
        if (names.size() == 1) {
            createWithClaims(set, names.get(0), claims);
            return;
        }
        // Parallel pod management: bounded concurrency is already applied by the rollout step.
        Multi.createFrom().iterable(names)
                .onItem().transformToUni(name -> Uni.createFrom().item(() -> {
                    createWithClaims(set, name, claims);
                    return name;
                }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .merge(Math.max(1, names.size()))
                .collect().asList()
                .await().atMost(Duration.ofSeconds(60));
    }

    private void createWithClaims(InstanceSet set, String podName, Map<String, PersistentVolumeClaim> claims) {
        Naming.Instance instance = Naming.parse(set.getSpec(), podName);
        for (PersistentVolumeClaim template : PodFactory.claimTemplates(set.getSpec(),
                PodFactory.template(set.getSpec(), instance.template()))) {
            String claimName = Labels.claimName(template.getMetadata().getName(), podName);
            if (!claims.containsKey(claimName)) {
                remember(claimSource, createIgnoringExisting(set, podName, PodFactory.claim(set, template, podName)));
            }
        }
        Pod created = createIgnoringExisting(set, podName, PodFactory.pod(set, podName, instance.template(), instance.ordinal()));
        if (created != null) {
            remember(podSource, created);
            events.normal(set, Reasons.SUCCESSFUL_CREATE, "created pod " + podName);
        }
    }

    /**
     * Hands what was just created to the informer's cache: a reconcile that runs before the watch delivers it (a
     * status write answered 409 retries at once, say) must not create it again.
     */
    private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> void remember(InformerEventSource<R, InstanceSet> source, R created) {
        if (source != null && created != null) {
            source.handleRecentResourceCreate(ResourceID.fromResource(created), created);
        }
    }

    /**
     * Creates; an object of ours that already exists (a stale cache) counts as done. One that exists and is not ours
     * raises {@link CannotCreate} {@code NameTaken}: "already exists" is success only when the object is ours (spec amendment §7a). A 409
     * for an object that is not there is rethrown so the reconcile is retried: nothing else would wake this set to
     * create it.
     */
    private <R extends io.fabric8.kubernetes.api.model.HasMetadata> R createIgnoringExisting(InstanceSet set, String pod, R resource) {
        try {
            return client.resource(resource).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 422) {
                throw new CannotCreate(Reasons.CREATE_REJECTED, pod, Duration.ofSeconds(30), "the API server refused to create "
                        + resource.getKind() + " " + resource.getMetadata().getName() + ": " + apiMessage(e)
                        + "; fix the component's template in the Cluster");
            }
            if (e.getCode() != 409) {
                throw e;
            }
            R existing = client.resource(resource).get();
            if (existing == null) {
                throw e;
            }
            if (!isOurs(set, existing)) {
                throw new CannotCreate(Reasons.NAME_TAKEN, pod, Duration.ofSeconds(10), existing.getKind() + " " + existing.getMetadata().getName()
                        + " already exists and belongs to "
                        + (existing instanceof PersistentVolumeClaim ? "cluster " + existing.getMetadata().getLabels().getOrDefault(Labels.CLUSTER, "<none>")
                                + ", instance set " + existing.getMetadata().getLabels().getOrDefault(Labels.INSTANCE_SET, "<none>")
                                : Ownership.owner(existing))
                        + "; Ordinal does not adopt objects another owner created, so instance set " + set.getMetadata().getName()
                        + " waits until it is gone");
            }
            return null;
        }
    }

    /**
     * An object this set needs for {@code pod} (null: for the set, its Service) cannot be created: reason {@code NameTaken} (an object another owner
     * made has its name) or {@code CreateRejected} (the API server refused it as invalid, 422, e.g. a template that
     * mounts a volume no claim template provides). Reported as the set's Ready condition, a Warning Event and the
     * pod's entry in {@code status.message}; checked again after {@code recheck}, not in a retry storm.
     */
    static final class CannotCreate extends RuntimeException {
        final String reason;
        final String pod;
        final Duration recheck;

        CannotCreate(String reason, String pod, Duration recheck, String message) {
            super(message, null, false, false);
            this.reason = reason;
            this.pod = pod;
            this.recheck = recheck;
        }
    }

    /** The API server's own message of a refused request, without fabric8's "Failure executing: …" wrapping. */
    private static String apiMessage(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    /**
     * Pods and Services are ours when this set is their controller (uid); claims carry no ownerReference (they outlive
     * the set by design), so a claim is ours when its labels name this set and its cluster, and no other object
     * controls it.
     */
    static boolean isOurs(InstanceSet set, io.fabric8.kubernetes.api.model.HasMetadata object) {
        if (!(object instanceof PersistentVolumeClaim)) {
            return Ownership.ownedBy(object, set);
        }
        Map<String, String> labels = object.getMetadata().getLabels() == null ? Map.of() : object.getMetadata().getLabels();
        return set.getMetadata().getName().equals(labels.get(Labels.INSTANCE_SET))
                && java.util.Objects.equals(set.getSpec().clusterName, labels.get(Labels.CLUSTER))
                && object.getMetadata().getOwnerReferences().stream().noneMatch(r -> Boolean.TRUE.equals(r.getController()));
    }

    private static <R extends io.fabric8.kubernetes.api.model.HasMetadata> Set<R> ours(InstanceSet set, Set<R> objects) {
        return objects.stream().filter(o -> isOurs(set, o)).collect(Collectors.toSet());
    }

    private void deletePod(InstanceSet set, Pod pod) {
        if (pod == null || PodFacts.isTerminating(pod)) {
            return;
        }
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
        events.normal(set, Reasons.SUCCESSFUL_DELETE, "deleted pod " + pod.getMetadata().getName());
    }

    /**
     * A claim outlives its pod unless the pod was scaled away by count with whenScaled: Delete.
     * Offline instances always keep their claims: that is what offline means.
     */
    private void releaseClaims(InstanceSet set, List<String> wanted, Map<String, Pod> pods, Map<String, PersistentVolumeClaim> claims) {
        if (retention(set.getSpec()).whenScaled != Retention.Delete) {
            return;
        }
        Set<String> keep = new java.util.HashSet<>(wanted);
        keep.addAll(set.getSpec().offlineInstances == null ? List.of() : set.getSpec().offlineInstances);
        for (PersistentVolumeClaim claim : claims.values()) {
            String pod = claim.getMetadata().getLabels().get("workloads.ordinal.dev/pod");
            if (pod != null && !keep.contains(pod) && !pods.containsKey(pod)) {
                deleteClaim(set, claim);
            }
        }
    }

    private void deleteClaim(InstanceSet set, PersistentVolumeClaim claim) {
        client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName()).delete();
        events.normal(set, Reasons.CLAIM_DELETED, "deleted claim " + claim.getMetadata().getName() + " per retention policy");
    }

    private void ensureHeadlessService(InstanceSet set, Context<InstanceSet> context) {
        String name = Labels.headlessServiceName(set.getMetadata().getName());
        if (ours(set, context.getSecondaryResources(Service.class)).stream().noneMatch(s -> name.equals(s.getMetadata().getName()))) {
            createIgnoringExisting(set, null, PodFactory.headlessService(set));
        }
    }

    /**
     * The one status write of a reconcile: none when {@code next} equals the status held, none yet when it is
     * {@code transitional} and younger than the settle window (the reconcile is then repeated when the window ends).
     */
    private UpdateControl<InstanceSet> status(InstanceSet set, InstanceSetStatus next, boolean transitional) {
        readiness.observe(set, next);
        if (InstanceSetStatusBuilder.same(set.getStatus(), next)) {
            if (!transitional) {
                settle.forget(SettleWindow.key(set));
            }
            return UpdateControl.noUpdate();
        }
        var hold = settle.holdBack(SettleWindow.key(set), transitional);
        if (hold.isPresent()) {
            return UpdateControl.<InstanceSet> noUpdate().rescheduleAfter(hold.get());
        }
        set.setStatus(next);
        // Keep the optimistic lock, as for the Cluster: a status write landing after the Cluster controller applied a
        // new spec would otherwise hide that spec change's event, and the new generation would not be reconciled.
        // A 409 retries the reconcile, which then sees the new spec.
        return UpdateControl.patchStatus(set);
    }

    private static Map<String, PodState> observed(Map<String, Pod> pods) {
        Map<String, PodState> out = new LinkedHashMap<>();
        pods.forEach((name, pod) -> out.put(name, PodFacts.state(pod)));
        return out;
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

    static dev.ordinal.api.common.PvcRetentionPolicy retention(InstanceSetSpec spec) {
        var p = spec.persistentVolumeClaimRetentionPolicy;
        return new dev.ordinal.api.common.PvcRetentionPolicy(
                p == null || p.whenScaled == null ? Retention.Retain : p.whenScaled,
                p == null || p.whenDeleted == null ? Retention.Retain : p.whenDeleted);
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> Map<String, T> byName(Set<T> resources) {
        return resources.stream().sorted(Comparator.comparing(r -> r.getMetadata().getName()))
                .collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r, (a, b) -> a, LinkedHashMap::new));
    }

}
