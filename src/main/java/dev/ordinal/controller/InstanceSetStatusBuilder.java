package dev.ordinal.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetStatus;
import dev.ordinal.api.instanceset.InstanceSetStatus.InstanceStatus;
import dev.ordinal.core.InstanceNames;
import io.fabric8.kubernetes.api.model.Pod;

/** The one place an InstanceSet's status is computed, from the pods that exist. */
final class InstanceSetStatusBuilder {
    private InstanceSetStatusBuilder() {
    }

    static InstanceSetStatus build(InstanceSet set, Map<String, Pod> pods, List<String> wanted) {
        InstanceSetStatus previous = set.getStatus() == null ? new InstanceSetStatus() : set.getStatus();
        InstanceSetStatus s = new InstanceSetStatus();
        Long generation = set.getMetadata().getGeneration();
        s.observedGeneration = generation;
        List<String> names = new ArrayList<>(pods.keySet());
        names.sort(InstanceNames.ORDER);
        int ready = 0;
        List<String> failed = new ArrayList<>();
        for (String name : names) {
            Pod pod = pods.get(name);
            boolean isReady = PodFacts.isReady(pod);
            ready += isReady && wanted.contains(name) ? 1 : 0;
            s.instanceStatus.add(new InstanceStatus(name, isReady));
            String failure = PodFacts.failure(pod);
            if (failure != null) {
                failed.add(name + " (" + failure + ")");
            }
        }
        s.replicas = (int) pods.values().stream().filter(p -> !PodFacts.isTerminating(p)).count();
        s.readyReplicas = ready;
        s.availableReplicas = ready;
        s.offlineInstances = set.getSpec().offlineInstances == null ? new ArrayList<>() : new ArrayList<>(set.getSpec().offlineInstances);

        Set<String> existing = pods.keySet();
        List<String> missing = wanted.stream().filter(n -> !existing.contains(n)).toList();
        List<String> extra = existing.stream().filter(n -> !wanted.contains(n)).sorted(InstanceNames.ORDER).toList();
        boolean allReady = missing.isEmpty() && extra.isEmpty() && ready == wanted.size();
        var conditions = previous.conditions;
        conditions = Conditions.set(conditions, "Ready", allReady, allReady ? "AllInstancesReady" : "InstancesNotReady",
                allReady ? ready + " of " + wanted.size() + " instances ready"
                        : ready + " of " + wanted.size() + " instances ready" + describe(missing, extra),
                generation);
        boolean progressing = !missing.isEmpty() || !extra.isEmpty();
        conditions = Conditions.set(conditions, "Progressing", progressing, progressing ? "ScalingInstances" : "Stable",
                progressing ? describe(missing, extra).replaceFirst("^; ", "") : "all instances match the spec", generation);
        conditions = Conditions.set(conditions, "Failure", !failed.isEmpty(), failed.isEmpty() ? "NoFailure" : "InstanceFailure",
                failed.isEmpty() ? "no instance failed" : "failed instances: " + String.join(", ", failed), generation);
        s.conditions = conditions;
        return s;
    }

    static InstanceSetStatus invalid(InstanceSet set, Map<String, Pod> pods, String error) {
        InstanceSetStatus s = build(set, pods, List.copyOf(pods.keySet()));
        s.conditions = Conditions.set(s.conditions, "Ready", false, "InvalidSpec", error, set.getMetadata().getGeneration());
        return s;
    }

    private static String describe(List<String> missing, List<String> extra) {
        StringBuilder b = new StringBuilder();
        if (!missing.isEmpty()) {
            b.append("; to create: ").append(String.join(", ", missing));
        }
        if (!extra.isEmpty()) {
            b.append("; to delete: ").append(String.join(", ", extra));
        }
        return b.toString();
    }

    static boolean same(InstanceSetStatus a, InstanceSetStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(a.replicas, b.replicas) && Objects.equals(a.readyReplicas, b.readyReplicas)
                && Objects.equals(a.availableReplicas, b.availableReplicas)
                && Objects.equals(a.observedGeneration, b.observedGeneration)
                && sameInstances(a.instanceStatus, b.instanceStatus)
                && Objects.equals(a.offlineInstances, b.offlineInstances)
                && Conditions.sameState(a.conditions, b.conditions);
    }

    private static boolean sameInstances(List<InstanceStatus> a, List<InstanceStatus> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Objects.equals(a.get(i).podName, b.get(i).podName) || !Objects.equals(a.get(i).ready, b.get(i).ready)) {
                return false;
            }
        }
        return true;
    }
}
