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

    /**
     * One component as the planner sees it.
     *
     * @param staticQuorum why the component's pods are a fixed set of members that an ops may not add to or remove from
     *                     (e.g. KRaft controllers of a static quorum, docs/scaling-rules.md §8), or null when they are not;
     *                     taking a member offline and bringing it back stays allowed
     */
    public record ComponentView(ComponentShape shape, ReplicasLimits limits, String staticQuorum) {
        public ComponentView {
            limits = limits == null ? ReplicasLimits.DEFAULT : limits;
        }

        /** A component whose members may be added and removed. */
        public ComponentView(ComponentShape shape, ReplicasLimits limits) {
            this(shape, limits, null);
        }
    }
}
