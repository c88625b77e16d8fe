package dev.ordinal.controller.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterStatus;
import dev.ordinal.api.cluster.ClusterStatus.ComponentStatus;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.controller.support.PodMessages;
import dev.ordinal.vocabulary.ClusterPhase;
import dev.ordinal.vocabulary.ComponentPhase;
import dev.ordinal.vocabulary.ConditionType;
import dev.ordinal.vocabulary.Reasons;

/** The one place a Cluster's status is computed, from its InstanceSets (phase rules in {@link Phases}). */
final class ClusterStatusBuilder {
    private ClusterStatusBuilder() {
    }

    /**
     * The whole status of {@code cluster}.
     *
     * @param sets    the InstanceSets it controls, by component name
     * @param invalid component name → why it cannot be applied (those components are {@code Failed}, {@code Valid=False})
     */
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
            ComponentPhase phase = invalid.containsKey(c.name) ? ComponentPhase.FAILED
                    : Phases.component(before == null ? null : before.phase, desired, set);
            cs.phase = phase.value();
            components.put(c.name, cs);
        }
        s.components = components;
        s.componentSummary = components.entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue().readyReplicas + "/" + e.getValue().replicas)
                .collect(Collectors.joining(", "));
        s.phase = (cluster.getMetadata().getDeletionTimestamp() != null ? ClusterPhase.DELETING
                : Phases.cluster(previous.phase, components.values().stream()
                        .map(c -> ComponentPhase.of(c.phase).orElseThrow()).toList())).value();
        var conditions = Conditions.set(previous.conditions, ConditionType.VALID, invalid.isEmpty(),
                invalid.isEmpty() ? Reasons.VALID_SPEC : Reasons.INVALID_COMPONENT,
                invalid.isEmpty() ? "every component has a consistent shape"
                        : invalid.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; ")),
                generation);
        boolean ready = ClusterPhase.RUNNING.value().equals(s.phase);
        conditions = Conditions.set(conditions, ConditionType.READY, ready, ready ? Reasons.ALL_COMPONENTS_READY : Reasons.COMPONENTS_NOT_READY,
                ready ? "every component is running" : "components: " + s.componentSummary + explain(components), generation);
        s.conditions = conditions;
        return s;
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
}
