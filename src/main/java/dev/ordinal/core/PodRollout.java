package dev.ordinal.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which pods of an instance set to create or delete next, given the pod names the naming rule wants
 * and the pods that exist. Missing pods are created lowest ordinal first, unexpected ones deleted highest first.
 * {@code OrderedReady} moves one pod at a time and creates only when every existing wanted pod is Ready;
 * {@code Parallel} moves up to {@code concurrency} pods that are not yet settled.
 */
public final class PodRollout {

    /** What is known of one existing pod. */
    public record PodState(boolean ready, boolean terminating) {
    }

    /** The next step: pods to create (ascending) and pods to delete (descending). */
    public record Step(List<String> create, List<String> delete) {
        public boolean isEmpty() {
            return create.isEmpty() && delete.isEmpty();
        }
    }

    public enum Policy {
        OrderedReady, Parallel
    }

    private PodRollout() {
    }

    public static Step next(List<String> wanted, Map<String, PodState> existing, Policy policy, int concurrency) {
        Set<String> wantedSet = Set.copyOf(wanted);
        List<String> missing = new ArrayList<>();
        for (String name : wanted) {
            if (!existing.containsKey(name)) {
                missing.add(name);
            }
        }
        missing.sort(InstanceNames.ORDER);
        List<String> unexpected = new ArrayList<>();
        existing.forEach((name, state) -> {
            if (!wantedSet.contains(name) && !state.terminating()) {
                unexpected.add(name);
            }
        });
        unexpected.sort(InstanceNames.ORDER.reversed());

        long terminating = existing.values().stream().filter(PodState::terminating).count();
        long notReadyWanted = existing.entrySet().stream()
                .filter(e -> wantedSet.contains(e.getKey()) && !e.getValue().ready() && !e.getValue().terminating()).count();

        if (policy == Policy.OrderedReady) {
            List<String> delete = terminating == 0 && !unexpected.isEmpty() ? List.of(unexpected.get(0)) : List.of();
            List<String> create = notReadyWanted == 0 && !missing.isEmpty() ? List.of(missing.get(0)) : List.of();
            return new Step(create, delete);
        }
        int budget = (int) Math.max(0, Math.max(1, concurrency) - terminating - notReadyWanted);
        List<String> delete = new ArrayList<>(unexpected.subList(0, Math.min(budget, unexpected.size())));
        budget -= delete.size();
        List<String> create = new ArrayList<>(missing.subList(0, Math.min(Math.max(budget, 0), missing.size())));
        return new Step(List.copyOf(create), List.copyOf(delete));
    }

    /** Concurrency from an int or a percentage of replicas (rounded up, at least 1); null means 100%. */
    public static int concurrency(String intOrPercent, int replicas) {
        if (intOrPercent == null || intOrPercent.isBlank()) {
            return Math.max(1, replicas);
        }
        String v = intOrPercent.trim();
        if (v.endsWith("%")) {
            int percent = Integer.parseInt(v.substring(0, v.length() - 1).trim());
            return Math.max(1, (int) Math.ceil(replicas * percent / 100.0));
        }
        return Math.max(1, Integer.parseInt(v));
    }
}
