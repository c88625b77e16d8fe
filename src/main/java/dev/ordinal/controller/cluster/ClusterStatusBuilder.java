package dev.ordinal.controller.cluster;

import dev.ordinal.controller.support.Conditions;
import dev.ordinal.controller.support.PodMessages;
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
            cs.message = set == null || set.getStatus() == null || set.getStatus().message == null || set.getStatus().message.isEmpty()
                    ? null : new LinkedHashMap<>(set.getStatus().message);
            ComponentStatus before = previous.components == null ? null : previous.components.get(c.name);
            cs.phase = invalid.containsKey(c.name) ? "Failed"
                    : componentPhase(before == null ? null : before.phase, desired, set);
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
                ready ? "every component is running" : "components: " + s.componentSummary + explain(components), generation);
        s.conditions = conditions;
        return s;
    }

    /**
     * A component's phase (spec §1 and amendment §7a "degraded is not changing"): {@code Creating} until its first
     * rollout is Running; {@code Updating} while the spec is rolled out (the InstanceSet has not observed it yet, or
     * reports {@code Progressing}: pods to create or delete, or new pods starting); once settled, {@code Running} when
     * every instance is Ready, {@code Failed} when none is, otherwise {@code Abnormal}. A pod that cannot be scheduled
     * or fails its readiness probe is unhealthy, not "updating". A component scaled to 0 (its only instance offline)
     * is Running, not Stopped: Stopped is reserved for a deliberately stopped cluster, and scaling is refused only then.
     */
    static String componentPhase(String previousComponentPhase, int desired, InstanceSet set) {
        boolean creating = previousComponentPhase == null || "Creating".equals(previousComponentPhase);
        if (set == null || set.getStatus() == null) {
            return creating ? "Creating" : "Updating";
        }
        var st = set.getStatus();
        boolean settled = Objects.equals(st.observedGeneration, set.getMetadata().getGeneration())
                && !Conditions.isTrue(st.conditions, "Progressing");
        int ready = st.readyReplicas == null ? 0 : st.readyReplicas;
        if (settled && ready == desired) {
            return "Running";
        }
        if (!settled) {
            return creating ? "Creating" : "Updating";
        }
        return ready == 0 ? "Failed" : "Abnormal";
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

    /** "; broker: kafka-broker-2 waits for its predecessor kafka-broker-1 to be Ready (ReadinessProbeFailed)". */
    private static String explain(Map<String, ComponentStatus> components) {
        StringBuilder b = new StringBuilder();
        components.forEach((name, c) -> {
            if (c.message != null && !c.message.isEmpty()) {
                b.append("; ").append(name).append(" ").append(c.phase).append(": ").append(PodMessages.describe(c.message, ", "));
            }
        });
        return b.toString();
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
                    || !Objects.equals(x.readyReplicas, y.readyReplicas) || !Objects.equals(x.offlineInstances, y.offlineInstances)
                    || !Objects.equals(PodMessages.orEmpty(x.message), PodMessages.orEmpty(y.message))) {
                return false;
            }
        }
        return true;
    }
}
