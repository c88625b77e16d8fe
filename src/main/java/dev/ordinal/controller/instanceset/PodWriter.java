package dev.ordinal.controller.instanceset;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import dev.ordinal.api.common.PvcRetentionPolicy.Retention;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetSpec;
import dev.ordinal.controller.support.ApiAnswers;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.controller.support.Naming;
import dev.ordinal.controller.support.Ownership;
import dev.ordinal.controller.support.PodFacts;
import dev.ordinal.controller.support.TerminatingNamespaces;
import dev.ordinal.observability.EventRecorder;
import dev.ordinal.vocabulary.Reasons;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The InstanceSet controller's writes (the "apply" of its runbook): claims, then pods, the headless Service, pod and
 * claim deletion per retention, each with an Event. Also which objects are the set's own: Ordinal never counts, reuses
 * or deletes what another owner made (spec amendment §7a).
 */
final class PodWriter {
    private static final Logger LOG = Logger.getLogger(PodWriter.class);
    private final KubernetesClient client;
    private final EventRecorder events;
    private final TerminatingNamespaces namespaces;
    private volatile InformerEventSource<Pod, InstanceSet> podSource;
    private volatile InformerEventSource<PersistentVolumeClaim, InstanceSet> claimSource;

    /** @param namespaces where the API server refuses creates because the namespace is being deleted */
    PodWriter(KubernetesClient client, EventRecorder events, TerminatingNamespaces namespaces) {
        this.client = client;
        this.events = events;
        this.namespaces = namespaces;
    }

    /** The informers whose caches learn at once of what this writer creates. */
    void caches(InformerEventSource<Pod, InstanceSet> pods, InformerEventSource<PersistentVolumeClaim, InstanceSet> claims) {
        this.podSource = pods;
        this.claimSource = claims;
    }

    /**
     * Creates the pods {@code names} of {@code set}, each after its claims (those in {@code claims} exist already).
     *
     * @throws CannotCreate when an object is refused or its name is taken
     */
    void createAll(InstanceSet set, List<String> names, Map<String, PersistentVolumeClaim> claims) {
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
        if (namespaces.isTerminating(set)) {
            return;
        }
        Naming.Instance instance = Naming.parse(set.getSpec(), podName);
        for (String claimName : claimNames(set, podName)) {
            if (claims.containsKey(claimName)) {
                continue;
            }
            if (!createClaim(set, podName, claimName, "for pod " + podName)) {
                // a claim of that name is still being deleted (the cache had not seen it yet): the pod waits for it, and
                // the claim's own deletion event brings the next reconcile
                return;
            }
        }
        Created<Pod> created = create(set, podName, PodFactory.pod(set, podName, instance.template(), instance.ordinal()));
        if (created != null && !created.existed()) {
            remember(podSource, created.object());
            LOG.infof("created pod %s/%s of instance set %s", set.getMetadata().getNamespace(), podName, set.getMetadata().getName());
            events.normal(set, Reasons.SUCCESSFUL_CREATE, "created pod " + podName);
        }
    }

    /**
     * Creates claim {@code claimName} of {@code podName}; {@code why} goes into the log line. False when a claim of ours
     * of that name exists and is being deleted: no pod may be created on it (spec amendment §7b).
     */
    private boolean createClaim(InstanceSet set, String podName, String claimName, String why) {
        Naming.Instance instance = Naming.parse(set.getSpec(), podName);
        PersistentVolumeClaim template = PodFactory.claimTemplates(set.getSpec(), PodFactory.template(set.getSpec(), instance.template()))
                .stream().filter(t -> Labels.claimName(t.getMetadata().getName(), podName).equals(claimName)).findFirst().orElseThrow();
        Created<PersistentVolumeClaim> claim = create(set, podName, PodFactory.claim(set, template, podName));
        if (claim == null) {
            return false;
        }
        if (claim.existed()) {
            return claim.object().getMetadata().getDeletionTimestamp() == null;
        }
        remember(claimSource, claim.object());
        LOG.infof("created claim %s/%s %s", set.getMetadata().getNamespace(), claimName, why);
        return true;
    }

    /** The names of the claims pod {@code podName} of {@code set} mounts, one per volume claim template of its template. */
    static List<String> claimNames(InstanceSet set, String podName) {
        Naming.Instance instance = Naming.parse(set.getSpec(), podName);
        return PodFactory.claimTemplates(set.getSpec(), PodFactory.template(set.getSpec(), instance.template())).stream()
                .map(t -> Labels.claimName(t.getMetadata().getName(), podName)).toList();
    }

    /**
     * The missing pods among {@code wanted} that must not be created yet because a claim of theirs is still being deleted
     * (a pod on a terminating claim would be left without its volume): pod → "waits for claim X to finish deleting".
     *
     * @param claims the set's claims by name, terminating ones included
     */
    static Map<String, String> claimWaits(InstanceSet set, List<String> wanted, Map<String, Pod> pods,
            Map<String, PersistentVolumeClaim> claims) {
        Map<String, String> waits = new java.util.LinkedHashMap<>();
        for (String pod : wanted) {
            if (pods.containsKey(pod)) {
                continue;
            }
            claimNames(set, pod).stream().filter(c -> claims.containsKey(c) && isTerminating(claims.get(c))).findFirst()
                    .ifPresent(c -> waits.put(pod, "waits for claim " + c + " to finish deleting"));
        }
        return waits;
    }

    /**
     * Creates again the claims of running pods that have disappeared (deleted by hand, or by a storage system), so that a
     * pod never runs on a claim that is gone. A claim that is only being deleted is left alone: it goes when its pod
     * stops, and the pod then waits for it before it is created again.
     *
     * @param claims the set's claims by name, terminating ones included
     */
    void restoreClaims(InstanceSet set, List<String> wanted, Map<String, Pod> pods, Map<String, PersistentVolumeClaim> claims) {
        for (String pod : wanted) {
            Pod existing = pods.get(pod);
            if (existing == null || PodFacts.isTerminating(existing)) {
                continue;
            }
            for (String claim : claimNames(set, pod)) {
                if (!claims.containsKey(claim) && createClaim(set, pod, claim, "again for pod " + pod + ": it had disappeared")) {
                    events.normal(set, Reasons.SUCCESSFUL_CREATE, "created claim " + claim + " again: it had disappeared while pod "
                            + pod + " ran");
                }
            }
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

    /** What a create found: the object it created, or ({@code existed}) the set's own object that was already there. */
    private record Created<R>(R object, boolean existed) {
    }

    /**
     * Creates; an object of ours that already exists (a stale cache) is answered as {@code existed}. One that exists and is
     * not ours raises {@link CannotCreate} {@code NameTaken}: "already exists" is success only when the object is ours
     * (spec amendment §7a). A 409 for an object that is not there is rethrown so the reconcile is retried: nothing else
     * would wake this set to create it. Null when the namespace is being deleted ({@link TerminatingNamespaces}): nothing
     * is created there any more.
     */
    private <R extends io.fabric8.kubernetes.api.model.HasMetadata> Created<R> create(InstanceSet set, String pod, R resource) {
        try {
            return new Created<>(client.resource(resource).create(), false);
        } catch (KubernetesClientException e) {
            if (TerminatingNamespaces.isNamespaceTerminating(e)) {
                namespaces.terminating(set.getMetadata().getNamespace(), ApiAnswers.message(e));
                return null;
            }
            if (e.getCode() == 422) {
                throw new CannotCreate(Reasons.CREATE_REJECTED, pod, Duration.ofSeconds(30), "the API server refused to create "
                        + resource.getKind() + " " + resource.getMetadata().getName() + ": " + ApiAnswers.message(e)
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
            return new Created<>(existing, true);
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

    static <R extends io.fabric8.kubernetes.api.model.HasMetadata> Set<R> ours(InstanceSet set, Set<R> objects) {
        return objects.stream().filter(o -> isOurs(set, o)).collect(Collectors.toSet());
    }

    /**
     * Deletes {@code pod} unless it is already being deleted; {@code why} goes into the log line. A pod already gone
     * (404) is fine.
     */
    void deletePod(InstanceSet set, Pod pod, String why) {
        if (pod == null || PodFacts.isTerminating(pod)) {
            return;
        }
        if (delete(client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()))) {
            LOG.infof("deleted pod %s/%s of instance set %s: %s", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    set.getMetadata().getName(), why);
            events.normal(set, Reasons.SUCCESSFUL_DELETE, "deleted pod " + pod.getMetadata().getName());
        }
    }

    /**
     * A claim outlives its pod unless the pod was scaled away by count with whenScaled: Delete.
     * Offline instances always keep their claims: that is what offline means. A claim follows its pod: it is deleted only
     * once no pod of its name exists, terminating or not (as {@code kubernetes.io/pvc-protection} holds it on a node).
     */
    void releaseClaims(InstanceSet set, List<String> wanted, Map<String, Pod> pods, Map<String, PersistentVolumeClaim> claims) {
        if (retention(set.getSpec()).whenScaled != Retention.Delete) {
            return;
        }
        Set<String> keep = new java.util.HashSet<>(wanted);
        keep.addAll(set.getSpec().offlineInstances == null ? List.of() : set.getSpec().offlineInstances);
        for (PersistentVolumeClaim claim : claims.values()) {
            String pod = claim.getMetadata().getLabels().get("workloads.ordinal.dev/pod");
            if (pod != null && !keep.contains(pod) && !pods.containsKey(pod)) {
                deleteClaim(set, claim, "whenScaled: Delete, and pod " + pod + " was scaled in");
            }
        }
    }

    /** Deletes {@code claim} unless it is already being deleted; {@code why} goes into the log line and the Event. */
    void deleteClaim(InstanceSet set, PersistentVolumeClaim claim, String why) {
        if (isTerminating(claim)) {
            return;
        }
        if (delete(client.persistentVolumeClaims().inNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName()))) {
            LOG.infof("deleted claim %s/%s of instance set %s: %s", claim.getMetadata().getNamespace(), claim.getMetadata().getName(),
                    set.getMetadata().getName(), why);
            events.normal(set, Reasons.CLAIM_DELETED, "deleted claim " + claim.getMetadata().getName() + " per retention policy (" + why + ")");
        }
    }

    /** Sends a delete; false when the object was already gone (404), which is what was wanted. */
    private static boolean delete(io.fabric8.kubernetes.client.dsl.Resource<?> resource) {
        try {
            return !resource.delete().isEmpty();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    static boolean isTerminating(io.fabric8.kubernetes.api.model.HasMetadata object) {
        return object.getMetadata().getDeletionTimestamp() != null;
    }

    /** Creates the set's headless Service unless one of its own exists ({@code services}: from the cache). */
    void ensureHeadlessService(InstanceSet set, Set<Service> services) {
        String name = Labels.headlessServiceName(set.getMetadata().getName());
        if (ours(set, services).stream().noneMatch(s -> name.equals(s.getMetadata().getName()))) {
            create(set, null, PodFactory.headlessService(set));
        }
    }

    static dev.ordinal.api.common.PvcRetentionPolicy retention(InstanceSetSpec spec) {
        var p = spec.persistentVolumeClaimRetentionPolicy;
        return new dev.ordinal.api.common.PvcRetentionPolicy(
                p == null || p.whenScaled == null ? Retention.Retain : p.whenScaled,
                p == null || p.whenDeleted == null ? Retention.Retain : p.whenDeleted);
    }

}
