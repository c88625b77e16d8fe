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
        return build(cluster, sets, invalid, null);
    }

    /**
     * The whole status of {@code cluster}, with the scale-in guard's last answers.
     *
     * @param unanswered guarded component → why Kafka gave its scale-in guard no answer the last time (empty: it
     *                   answered; null: not asked since the operator started, the condition stays as it is); the
     *                   condition {@code ScaleInGuard} appears the first time Kafka gives no answer
     */
    static ClusterStatus build(Cluster cluster, Map<String, InstanceSet> sets, Map<String, String> invalid,
            Map<String, String> unanswered) {
        return build(cluster, sets, invalid, unanswered, Map.of());
    }

    /**
     * The whole status of {@code cluster}, with the scale-in guard's last answers and the direct edits it holds.
     *
     * @param held guarded component → why a direct edit of its size is held (its InstanceSet keeps its spec, so the
     *             component is judged on that spec's {@code replicas}); the condition {@code ScaleInHeld} is True while
     *             any is, and turns False once none is
     */
    static ClusterStatus build(Cluster cluster, Map<String, InstanceSet> sets, Map<String, String> invalid,
            Map<String, String> unanswered, Map<String, String> held) {
        ClusterStatus previous = cluster.getStatus() == null ? new ClusterStatus() : cluster.getStatus();
        ClusterStatus s = new ClusterStatus();
        Long generation = cluster.getMetadata().getGeneration();
        s.observedGeneration = generation;
        Map<String, ComponentStatus> components = new LinkedHashMap<>();
        for (ComponentSpec c : cluster.getSpec().componentSpecs) {
            InstanceSet set = sets.get(c.name);
            ComponentStatus cs = new ComponentStatus();
            int desired = held.containsKey(c.name) && set != null && set.getSpec() != null && set.getSpec().replicas != null
                    ? set.getSpec().replicas : c.replicas == null ? 1 : c.replicas;
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
        // Set once Kafka gave no answer, cleared (True) when it answers again; a Cluster whose guard always answered is
        // not written for it.
        if (unanswered != null && (!unanswered.isEmpty() || Conditions.find(conditions, ConditionType.SCALE_IN_GUARD) != null)) {
            conditions = Conditions.set(conditions, ConditionType.SCALE_IN_GUARD, unanswered.isEmpty(),
                    unanswered.isEmpty() ? Reasons.SCALE_IN_GUARD_ANSWERED : Reasons.SCALE_IN_GUARD_UNAVAILABLE,
                    unanswered.isEmpty() ? "Kafka answered the scale-in guard of every guarded component the last time it was asked"
                            : unanswered.entrySet().stream().map(e -> "component " + e.getKey() + ": " + e.getValue())
                                    .collect(Collectors.joining("; ")),
                    generation);
        }
        if (!held.isEmpty() || Conditions.find(conditions, ConditionType.SCALE_IN_HELD) != null) {
            conditions = Conditions.set(conditions, ConditionType.SCALE_IN_HELD, !held.isEmpty(),
                    held.isEmpty() ? Reasons.NOTHING_HELD : Reasons.DIRECT_EDIT_HELD,
                    held.isEmpty() ? "no direct edit is held by the scale-in guard" : heldMessage(held), generation);
        }
        s.conditions = conditions;
        return s;
    }

    /** The condition's message for {@code held} (null when nothing is): the rule, the brokers, and what to do. */
    static String heldMessage(Map<String, String> held) {
        if (held.isEmpty()) {
            return null;
        }
        return held.entrySet().stream().map(e -> "component " + e.getKey() + ": " + e.getValue()).collect(Collectors.joining("; "))
                + "; the pods stay until the scale-in guard allows it (asked again every 3 s), or annotate the Cluster "
                + dev.ordinal.controller.support.Labels.FORCE_SCALE_IN + "=true to remove them anyway";
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
