package dev.ordinal.controller.ops;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.controller.support.SharedCaches;
import dev.ordinal.core.ComponentShape;
import dev.ordinal.observability.OpsMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.smallrye.mutiny.Uni;

/**
 * The ops controller's reads and the one write of a Cluster (docs/ops-controller.md "The one Cluster write"): the
 * Cluster an ops decides on, a fresh read from the API server, and the server-side apply of a plan.
 */
@ApplicationScoped
public class ClusterWriter {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ClusterWriter.class);
    /** Bound on one Cluster apply including its retries (5 back-offs of at most 2 s, plus the requests). */
    private static final Duration APPLY_WAIT = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final OpsMetrics metrics;
    private final SharedCaches caches;
    /** Clusters as this controller's own apply answered, until the shared cache holds that generation. */
    private final Map<ResourceID, Cluster> applied = new ConcurrentHashMap<>();

    /**
     * @param client  the operator's client (the apply and the fresh read)
     * @param metrics counts every apply attempt ({@code ordinal_ssa_writes_total})
     * @param caches  the shared Cluster cache the ops decide on
     */
    public ClusterWriter(KubernetesClient client, OpsMetrics metrics, SharedCaches caches) {
        this.client = client;
        this.metrics = metrics;
        this.caches = caches;
    }

    /**
     * The ops' Cluster: the shared cache's copy, or the one this controller's apply answered while the cache still
     * shows an older generation (an ops must never end on the settled status from before its own write). A Cluster
     * being deleted counts as gone (null).
     */
    Cluster current(OpsRequest ops) {
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

    /**
     * The Cluster as the API server holds it, when that is newer than {@code cached} (or exists where the cache has
     * none); else null. Before an ops fails its precondition, its validation or for want of its Cluster, the informer
     * may not yet have delivered the version a user just waited for ({@code kubectl wait} on the Cluster, then the ops).
     */
    Cluster newer(OpsRequest ops, Cluster cached) {
        Cluster fresh = client.resources(Cluster.class).inNamespace(ops.getMetadata().getNamespace())
                .withName(ops.getSpec().clusterName).get();
        if (fresh == null || (cached != null && Objects.equals(fresh.getMetadata().getResourceVersion(),
                cached.getMetadata().getResourceVersion()))) {
            return null;
        }
        return fresh;
    }

    /**
     * The single Cluster write of a plan (or of its reversal): one server-side apply (field manager {@code ordinal-ops},
     * forced: the ops is the user's request to change those fields), retried on 409 with back-off 50 ms to 2 s, at most
     * 5 times. Returns the Cluster as the server answered it, and keeps it until the shared cache holds that generation.
     *
     * @throws KubernetesClientException when the apply fails for good (the reconcile is retried)
     */
    Cluster apply(OpsRequest ops, Cluster cluster, Map<String, ComponentShape> targets) {
        var body = ClusterApply.body(cluster, targets);
        return Uni.createFrom().item(() -> client.resource(body).fieldManager(Labels.OPS_MANAGER).forceConflicts().serverSideApply())
                .onFailure(ClusterWriter::isConflict).invoke(e -> metrics.applyConflict(ops))
                .onFailure(ClusterWriter::isConflict).retry().withBackOff(Duration.ofMillis(50), Duration.ofSeconds(2)).atMost(5)
                .onItem().invoke(r -> metrics.applied(ops, OpsMetrics.OK))
                .onFailure().invoke(e -> metrics.applied(ops, OpsMetrics.ERROR))
                .map(answer -> {
                    Cluster answered = client.getKubernetesSerialization().convertValue(answer, Cluster.class);
                    applied.put(ResourceID.fromResource(answered), answered);
                    LOG.infof("applied cluster %s/%s (field manager %s, generation %s) for opsrequest %s: %s", ops.getMetadata().getNamespace(),
                            ops.getSpec().clusterName, Labels.OPS_MANAGER, answered.getMetadata().getGeneration(),
                            ops.getMetadata().getName(), describe(targets));
                    return answered;
                })
                .await().atMost(APPLY_WAIT);
    }

    /** "broker: replicas 2, offline [kafka-broker-2]; …" (template replicas when there are templates). */
    private static String describe(Map<String, ComponentShape> targets) {
        return targets.entrySet().stream().map(e -> e.getKey() + ": replicas " + e.getValue().replicas() + ", offline "
                + e.getValue().offlineInstances() + (e.getValue().templates().isEmpty() ? ""
                        : ", templates " + e.getValue().templates().stream().map(t -> t.name() + "=" + t.replicas()).toList()))
                .collect(java.util.stream.Collectors.joining("; "));
    }

    private static long generation(Cluster c) {
        return c.getMetadata().getGeneration() == null ? 0 : c.getMetadata().getGeneration();
    }

    private static boolean isConflict(Throwable e) {
        return e instanceof KubernetesClientException k && k.getCode() == 409;
    }
}
