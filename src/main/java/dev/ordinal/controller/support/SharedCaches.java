package dev.ordinal.controller.support;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import jakarta.inject.Singleton;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.instanceset.InstanceSet;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * One cache per kind (docs/ops-controller.md, "Caches"): the controllers that need pods or Clusters besides their owner
 * read the owner's cache and are told of its changes, instead of each keeping an informer (a full copy and a watch) of
 * its own. JOSDK 5.3 has no informer sharing between controllers (it arrives as "informer pools" in 5.6), so this
 * class hands over two caches:
 * <ul>
 * <li>pods: the InstanceSet controller's pod informer, indexed by {@code <namespace>/<cluster>}; every pod event is
 * also passed to the listeners (the OpsRequest controller wakes the ops of that cluster);</li>
 * <li>Clusters: the Cluster controller's primary cache; the Cluster controller passes each Cluster it has reconciled
 * (after its status write, so a listener reads the new status) to the listeners.</li>
 * </ul>
 * Reads before the owning controller has registered its cache answer empty.
 */
@Singleton
public class SharedCaches {
    /** Index of the pod cache: {@code <namespace>/<cluster>}. */
    static final String BY_CLUSTER = "byCluster";

    private volatile InformerEventSource<Pod, InstanceSet> pods;
    private volatile IndexerResourceCache<Cluster> clusters;
    private final List<Consumer<Pod>> podListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Cluster>> clusterListeners = new CopyOnWriteArrayList<>();

    /**
     * The InstanceSet controller's pod event source, made here so that its events also reach the listeners.
     *
     * @param configuration the informer's configuration (label selector, mapper to InstanceSets)
     * @param context       the InstanceSet controller's event source context
     * @return the event source the InstanceSet controller registers
     */
    public InformerEventSource<Pod, InstanceSet> podSource(InformerEventSourceConfiguration<Pod> configuration,
            EventSourceContext<InstanceSet> context) {
        var source = new InformerEventSource<Pod, InstanceSet>(configuration, context) {
            @Override
            public void onAdd(Pod pod) {
                super.onAdd(pod);
                podListeners.forEach(l -> l.accept(pod));
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                super.onUpdate(old, pod);
                podListeners.forEach(l -> l.accept(pod));
            }

            @Override
            public synchronized void onDelete(Pod pod, boolean unknownFinalState) {
                super.onDelete(pod, unknownFinalState);
                podListeners.forEach(l -> l.accept(pod));
            }
        };
        source.addIndexers(java.util.Map.of(BY_CLUSTER, p -> List.of(key(p.getMetadata().getNamespace(),
                String.valueOf(p.getMetadata().getLabels().get(Labels.CLUSTER))))));
        pods = source;
        return source;
    }

    /** Registers the Cluster controller's primary cache. */
    public void clusterCache(IndexerResourceCache<Cluster> cache) {
        clusters = cache;
    }

    /**
     * Whether both shared caches are registered and have listed their objects once. A controller that reads them must
     * not decide before: a pod missing from a cache still being filled would look deleted, a Cluster look gone. The
     * OpsRequest controller's own informer is synced before its first reconcile, but not the other controllers'.
     */
    public boolean synced() {
        return synced(pods) && synced(clusters);
    }

    private static boolean synced(Object cache) {
        return cache instanceof InformerWrappingEventSourceHealthIndicator<?> informers
                && !informers.informerHealthIndicators().isEmpty()
                && informers.informerHealthIndicators().values().stream().allMatch(InformerHealthIndicator::hasSynced);
    }

    /** The pods of one cluster (every component), from the shared pod cache. */
    public List<Pod> podsOf(String namespace, String cluster) {
        var source = pods;
        return source == null ? List.of() : source.byIndex(BY_CLUSTER, key(namespace, cluster));
    }

    /** The cached Cluster, if any. */
    public Optional<Cluster> cluster(String namespace, String name) {
        var cache = clusters;
        return cache == null ? Optional.empty() : cache.get(new ResourceID(name, namespace));
    }

    /** Calls {@code listener} with every pod the shared pod cache adds, changes or removes (on the informer's thread). */
    public void onPod(Consumer<Pod> listener) {
        podListeners.add(listener);
    }

    /** Calls {@code listener} with every Cluster the Cluster controller has reconciled or is deleting. */
    public void onCluster(Consumer<Cluster> listener) {
        clusterListeners.add(listener);
    }

    /** Passes a reconciled Cluster (as written, or as observed when nothing was written) to the listeners. */
    public void clusterReconciled(Cluster cluster) {
        clusterListeners.forEach(l -> l.accept(cluster));
    }

    public static String key(String namespace, String cluster) {
        return namespace + "/" + cluster;
    }
}
