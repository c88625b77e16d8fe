package dev.ordinal.controller;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterStatus;
import dev.ordinal.api.cluster.ClusterStatus.ComponentStatus;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.instanceset.InstanceSet;

/** The one place a Cluster's status is computed, from its InstanceSets. */
final class ClusterStatusBuilder {
    private ClusterStatusBuilder() {
    }

    static ClusterStatus build(Cluster cluster, Map<String, InstanceSet> sets, Map<String, String> invalid) {
        ClusterStatus previous = cluster.getStatus() == null ? new ClusterStatus() : cluster.getStatus();
        ClusterStatus s = new ClusterStatus();
        Long generation = cluster.getMetadata().getGeneration();
        s.observedGeneration = generation;
        Map<String, ComponentStatus> components = new LinkedHashMap<>();
        for (ComponentSpec c : cluster.getSpec().componentSpecs) {
            InstanceSet set = sets.get(c.name);
            ComponentStatus cs = new ComponentStatus();
            int desired = c.replicas == null ? 1 : c.replicas;
            cs.replicas = desired;
            cs.readyReplicas = set == null || set.getStatus() == null || set.getStatus().readyReplicas == null ? 0
                    : set.getStatus().readyReplicas;
            cs.offlineInstances = c.offlineInstances == null ? List.of() : List.copyOf(c.offlineInstances);
            cs.phase = invalid.containsKey(c.name) ? "Failed" : componentPhase(previous.phase, desired, set);
            components.put(c.name, cs);
        }
        s.components = components;
        s.componentSummary = components.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().readyReplicas + "/" + e.getValue().replicas)
                .collect(Collectors.joining(", "));
        s.phase = cluster.getMetadata().getDeletionTimestamp() != null ? "Deleting" : clusterPhase(previous.phase, components);
        var conditions = Conditions.set(previous.conditions, "Valid", invalid.isEmpty(),
                invalid.isEmpty() ? "ValidSpec" : "InvalidComponent",
                invalid.isEmpty() ? "every component has a consistent shape"
                        : invalid.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; ")),
                generation);
        boolean ready = "Running".equals(s.phase);
        conditions = Conditions.set(conditions, "Ready", ready, ready ? "AllComponentsReady" : "ComponentsNotReady",
                ready ? "every component is running" : "components: " + s.componentSummary, generation);
        s.conditions = conditions;
        return s;
    }

    private static String componentPhase(String previousClusterPhase, int desired, InstanceSet set) {
        if (set == null || set.getStatus() == null) {
            return "Creating";
        }
        var st = set.getStatus();
        boolean settled = Objects.equals(st.observedGeneration, set.getMetadata().getGeneration())
                && !Conditions.isTrue(st.conditions, "Progressing");
        int ready = st.readyReplicas == null ? 0 : st.readyReplicas;
        if (Conditions.isTrue(st.conditions, "Failure")) {
            return ready == 0 ? "Failed" : "Abnormal";
        }
        // A component scaled to 0 (e.g. its only instance offline) is settled, not Stopped: Stopped is reserved for
        // a cluster that was deliberately stopped, and scaling is refused only then.
        if (settled && ready == desired) {
            return "Running";
        }
        return previousClusterPhase == null || "Creating".equals(previousClusterPhase) ? "Creating" : "Updating";
    }

    private static String clusterPhase(String previous, Map<String, ComponentStatus> components) {
        if (components.isEmpty()) {
            return "Running";
        }
        var phases = components.values().stream().map(c -> c.phase).collect(Collectors.toSet());
        if (phases.equals(java.util.Set.of("Running")) || phases.equals(java.util.Set.of("Running", "Stopped"))) {
            return "Running";
        }
        if (phases.equals(java.util.Set.of("Stopped"))) {
            return "Stopped";
        }
        if (phases.contains("Failed")) {
            return phases.size() == 1 ? "Failed" : "Abnormal";
        }
        if (phases.contains("Abnormal")) {
            return "Abnormal";
        }
        if (phases.contains("Creating") && (previous == null || "Creating".equals(previous))) {
            return "Creating";
        }
        return "Updating";
    }

    static boolean same(ClusterStatus a, ClusterStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (!Objects.equals(a.phase, b.phase) || !Objects.equals(a.observedGeneration, b.observedGeneration)
                || !Objects.equals(a.componentSummary, b.componentSummary) || !Conditions.sameState(a.conditions, b.conditions)
                || a.components.size() != b.components.size()) {
            return false;
        }
        for (var e : a.components.entrySet()) {
            ComponentStatus x = e.getValue();
            ComponentStatus y = b.components.get(e.getKey());
            if (y == null || !Objects.equals(x.phase, y.phase) || !Objects.equals(x.replicas, y.replicas)
                    || !Objects.equals(x.readyReplicas, y.readyReplicas) || !Objects.equals(x.offlineInstances, y.offlineInstances)) {
                return false;
            }
        }
        return true;
    }
}
