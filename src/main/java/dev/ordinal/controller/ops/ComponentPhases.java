package dev.ordinal.controller.ops;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterStatus.ComponentStatus;
import dev.ordinal.controller.support.PodMessages;
import dev.ordinal.vocabulary.ComponentPhase;

/**
 * How the OpsRequest controller reads a Cluster's status: per component, never the Cluster as a whole (spec amendment
 * §7a: an ops is gated on, and waits for, the components it touches; another component's unready pod neither keeps it
 * from starting nor from ending).
 */
final class ComponentPhases {
    private ComponentPhases() {
    }

    /**
     * Why the named components are not settled, or empty when each reports Running, Abnormal or Failed.
     *
     * @param cluster           the Cluster from the cache (null: it does not exist)
     * @param components        component names the ops touches
     * @param currentGeneration also require the Cluster status to have observed the Cluster's generation (an ops that
     *                          wrote the Cluster must not end on a status from before its write)
     * @return e.g. "component broker of cluster kafka is Updating (kafka-broker-3 waits for its predecessor
     *         kafka-broker-2 to be Ready (starting))"
     */
    static Optional<String> notSettled(Cluster cluster, Collection<String> components, boolean currentGeneration) {
        if (cluster == null) {
            return Optional.of("cluster does not exist");
        }
        String name = cluster.getMetadata().getName();
        var status = cluster.getStatus();
        if (status == null) {
            return Optional.of("cluster " + name + " is not yet reporting a status");
        }
        if (currentGeneration && !Objects.equals(status.observedGeneration, cluster.getMetadata().getGeneration())) {
            return Optional.of("cluster " + name + " has not yet observed generation " + cluster.getMetadata().getGeneration()
                    + " (status is at " + status.observedGeneration + ")");
        }
        for (String component : components) {
            ComponentStatus cs = status.components == null ? null : status.components.get(component);
            if (cs == null || cs.phase == null) {
                return Optional.of("component " + component + " of cluster " + name + " is not yet reporting a phase");
            }
            if (!ComponentPhase.isSettled(cs.phase)) {
                return Optional.of("component " + component + " of cluster " + name + " is " + cs.phase + explain(cs));
            }
        }
        return Optional.empty();
    }

    /** Component → (objectKey {@code Pod/<name>} → why it waits or is unhealthy), from the Cluster status. */
    static Map<String, Map<String, String>> messages(Cluster cluster) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        if (cluster != null && cluster.getStatus() != null && cluster.getStatus().components != null) {
            cluster.getStatus().components.forEach((c, cs) -> out.put(c, cs.message == null ? Map.of() : cs.message));
        }
        return out;
    }

    private static String explain(ComponentStatus cs) {
        if (cs.message == null || cs.message.isEmpty()) {
            return "";
        }
        return " (" + PodMessages.describe(cs.message, "; ") + ")";
    }
}
