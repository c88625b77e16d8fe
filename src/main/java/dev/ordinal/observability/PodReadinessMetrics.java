package dev.ordinal.observability;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * {@code ordinal_pods_pending_readiness{namespace,cluster,component}}: instances an InstanceSet wants online that
 * are not Ready yet (not created, starting, or failing), as of its last reconcile. One series per InstanceSet,
 * removed when the InstanceSet is deleted.
 */
@ApplicationScoped
public class PodReadinessMetrics {
    static final String NAME = "ordinal_pods_pending_readiness";

    private record Key(String namespace, String cluster, String component) {
    }

    private final MeterRegistry registry;
    private final Map<Key, AtomicInteger> pending = new ConcurrentHashMap<>();

    public PodReadinessMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Records the InstanceSet's wanted-but-not-Ready count from the status just computed for it. */
    public void observe(InstanceSet set, InstanceSetStatus status) {
        int wanted = set.getSpec() == null || set.getSpec().replicas == null ? 0 : set.getSpec().replicas;
        int ready = status == null || status.readyReplicas == null ? 0 : status.readyReplicas;
        pending.computeIfAbsent(key(set), this::register).set(Math.max(0, wanted - ready));
    }

    /** The InstanceSet is gone: its series goes too. */
    public void forget(InstanceSet set) {
        Key key = key(set);
        if (pending.remove(key) != null) {
            registry.find(NAME).tags(tags(key)).meters().forEach(registry::remove);
        }
    }

    private AtomicInteger register(Key key) {
        AtomicInteger value = new AtomicInteger();
        Gauge.builder(NAME, value, AtomicInteger::get)
                .description("Instances an InstanceSet wants online that are not Ready yet")
                .tags(tags(key)).register(registry);
        return value;
    }

    private static Tags tags(Key key) {
        return Tags.of("namespace", key.namespace(), "cluster", key.cluster(), "component", key.component());
    }

    private static Key key(InstanceSet set) {
        var spec = set.getSpec();
        String cluster = spec == null || spec.clusterName == null ? "" : spec.clusterName;
        String component = spec == null || spec.componentName == null ? set.getMetadata().getName() : spec.componentName;
        String ns = set.getMetadata().getNamespace() == null ? "" : set.getMetadata().getNamespace();
        return new Key(ns, cluster, component);
    }
}
