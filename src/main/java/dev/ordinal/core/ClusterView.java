package dev.ordinal.core;

import java.util.Map;

/**
 * What cluster-level validation needs to know about a Cluster, free of Kubernetes types.
 *
 * @param exists     false when the named Cluster was not found
 * @param phase      status.phase as a string (may be null while the cluster is new)
 * @param components component name → its scaling-relevant shape and limits
 */
public record ClusterView(boolean exists, String phase, Map<String, ComponentView> components) {
    public ClusterView {
        components = components == null ? Map.of() : Map.copyOf(components);
    }

    public static ClusterView missing() {
        return new ClusterView(false, null, Map.of());
    }

    /** One component as the planner sees it. */
    public record ComponentView(ComponentShape shape, ReplicasLimits limits) {
        public ComponentView {
            limits = limits == null ? ReplicasLimits.DEFAULT : limits;
        }
    }
}
