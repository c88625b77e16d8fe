package dev.ordinal.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Decides which pods of an instance set to create or delete next, given the pod names the naming rule wants and the
 * pods that exist, and says which missing pod waits for what (spec §6 and amendment §7a "predecessors only").
 * <p>
 * Missing pods are created lowest ordinal first, unexpected ones deleted highest first.
 * <ul>
 * <li>{@code OrderedReady}: at most one create and one delete per step. A missing pod waits only for its
 * <em>predecessors</em>, the wanted pods of the same template (same name prefix) with lower ordinals: each must exist,
 * not be terminating and be Ready. This is the StatefulSet rule (kubernetes/kubernetes#38418): a pod that is not
 * Ready never blocks the re-creation of a lower ordinal. A predecessor that has failed permanently ({@link
 * Health#FAILED}: image pull error, crash loop) does not block: it will not become Ready by waiting, its failure is
 * reported on its own (InstanceSet {@code Failure} condition, the ops' {@code PodFailed}), and holding the rest of the
 * component hostage to it would turn one broken pod into a stuck component (the StatefulSet behaviour that needs a
 * manual fix, kubernetes/kubernetes#67250). Deletes wait only for a pod already terminating.</li>
 * <li>{@code Parallel}: up to {@code concurrency} pods in flight; pods terminating and wanted pods that are neither
 * Ready nor permanently failed use up that budget.</li>
 * </ul>
 * A missing pod the caller holds back (its claim is still being deleted) waits whatever the policy. When nothing moves
 * and pods are still to be created or deleted, the unhealthy pods they wait on are the step's blockers (spec amendment
 * §7b): the rollout cannot finish by waiting.
 */
public final class PodRollout {

    /** How a pod that exists is doing, as the kubelet reports it. */
    public enum Health {
        /** Ready. */
        READY,
        /** Not yet running: not scheduled yet, or its containers are being created. */
        STARTING,
        /** Exists but is not Ready for a reason that may clear: readiness probe failing, unschedulable. */
        UNHEALTHY,
        /** Failed for good (image pull error, crash loop, phase Failed): waiting will not make it Ready. */
        FAILED
    }

    /**
     * What is known of one existing pod.
     *
     * @param reason why it is not Ready ("ReadinessProbeFailed", "Unschedulable: 0/3 nodes are available", …), or null
     */
    public record PodState(Health health, boolean terminating, String reason) {
        /** A pod Ready or starting, with no reason given. */
        public PodState(boolean ready, boolean terminating) {
            this(ready ? Health.READY : Health.STARTING, terminating, null);
        }

        public boolean ready() {
            return health == Health.READY;
        }

        /** Not Ready and not failed for good: a pod the rollout still waits on. */
        boolean unsettled() {
            return !terminating && (health == Health.STARTING || health == Health.UNHEALTHY);
        }

        String why() {
            if (terminating) {
                return "terminating";
            }
            if (reason != null && !reason.isBlank()) {
                return reason;
            }
            return health == Health.STARTING ? "starting" : "not Ready";
        }
    }

    /**
     * A missing pod that this step does not create, and why.
     *
     * @param pod       the pod that waits
     * @param blockedBy the pods it waits for, ascending
     * @param message   a sentence naming the blocking pods and their reasons, without the waiting pod's name
     */
    public record Wait(String pod, List<String> blockedBy, String message) {
        /** "kafka-broker-2 waits for kafka-broker-1 to be Ready (ReadinessProbeFailed)". */
        public String describe() {
            return pod + " " + message;
        }
    }

    /**
     * The next step: pods to create (ascending), pods to delete (descending), the missing pods that wait, and the pods
     * that block the rollout ({@link #blocked()}).
     *
     * @param blockers existing wanted pods that are unhealthy (not Ready, not starting, not failed for good) and hold back every pod still
     *                 to be created or deleted while nothing else moves (nothing terminating, starting or being
     *                 created, no pod waiting for a claim to go); empty while the rollout moves (spec amendment §7b)
     */
    public record Step(List<String> create, List<String> delete, List<Wait> waiting, List<String> blockers) {
        public Step(List<String> create, List<String> delete, List<Wait> waiting) {
            this(create, delete, waiting, List.of());
        }

        public Step(List<String> create, List<String> delete) {
            this(create, delete, List.of());
        }

        public boolean isEmpty() {
            return create.isEmpty() && delete.isEmpty();
        }

        /**
         * Whether the rollout cannot finish until a blocker changes: it is not "updating" any more, and the component
         * is reported settled but unhealthy ({@code Abnormal}) rather than {@code Updating}.
         */
        public boolean blocked() {
            return !blockers.isEmpty();
        }
    }

    public enum Policy {
        OrderedReady, Parallel
    }

    private PodRollout() {
    }

    /**
     * {@link #next(List, Map, Policy, int, Map)} with no pod held back.
     */
    public static Step next(List<String> wanted, Map<String, PodState> existing, Policy policy, int concurrency) {
        return next(wanted, existing, policy, concurrency, Map.of());
    }

    /**
     * @param wanted      pod names the naming rule wants, any order
     * @param existing    pod name → state, for every pod of the set that exists
     * @param policy      pod management policy
     * @param concurrency at least 1; only used by {@code Parallel}
     * @param heldBack    missing pods that cannot be created yet whatever their predecessors do → why, a sentence
     *                    without the pod's name (e.g. "waits for claim data-kafka-broker-3 to finish deleting": a pod
     *                    is never created on a claim being deleted); they wait, and count as moving
     */
    public static Step next(List<String> wanted, Map<String, PodState> existing, Policy policy, int concurrency,
            Map<String, String> heldBack) {
        Set<String> wantedSet = Set.copyOf(wanted);
        List<String> missing = new ArrayList<>();
        List<Wait> held = new ArrayList<>();
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

        if (policy == Policy.OrderedReady) {
            List<String> delete = terminating == 0 && !unexpected.isEmpty() ? List.of(unexpected.get(0)) : List.of();
            List<String> sortedWanted = new ArrayList<>(wanted);
            sortedWanted.sort(InstanceNames.ORDER);
            List<String> create = new ArrayList<>();
            List<Wait> waiting = new ArrayList<>();
            for (String pod : missing) {
                Wait wait = predecessorWait(pod, sortedWanted, existing);
                if (wait != null) {
                    waiting.add(wait);
                } else if (heldBack.containsKey(pod)) {
                    Wait h = new Wait(pod, List.of(), heldBack.get(pod));
                    waiting.add(h);
                    held.add(h);
                } else if (create.isEmpty()) {
                    create.add(pod);
                } else {
                    waiting.add(new Wait(pod, List.of(create.get(0)), "waits for " + create.get(0)
                            + " to be created first (OrderedReady creates one pod at a time)"));
                }
            }
            return step(create, delete, waiting, held, unexpected, existing, wantedSet);
        }
        List<String> inFlight = existing.entrySet().stream()
                .filter(e -> e.getValue().terminating() || (wantedSet.contains(e.getKey()) && e.getValue().unsettled()))
                .map(Map.Entry::getKey).sorted(InstanceNames.ORDER).toList();
        int limit = Math.max(1, concurrency);
        int budget = Math.max(0, limit - inFlight.size());
        List<String> delete = new ArrayList<>(unexpected.subList(0, Math.min(budget, unexpected.size())));
        budget -= delete.size();
        List<Wait> waiting = new ArrayList<>();
        List<String> creatable = new ArrayList<>();
        for (String pod : missing) {
            if (heldBack.containsKey(pod)) {
                Wait h = new Wait(pod, List.of(), heldBack.get(pod));
                waiting.add(h);
                held.add(h);
            } else {
                creatable.add(pod);
            }
        }
        List<String> create = new ArrayList<>(creatable.subList(0, Math.min(Math.max(budget, 0), creatable.size())));
        if (create.size() < creatable.size()) {
            List<String> busy = new ArrayList<>(inFlight);
            busy.addAll(delete);
            busy.addAll(create);
            String slots = "waits for a free slot of parallelPodManagementConcurrency " + limit + ": "
                    + busy.stream().map(p -> p + (existing.containsKey(p) ? " is " + describe(existing.get(p))
                            : delete.contains(p) ? " is being deleted" : " is being created"))
                            .collect(Collectors.joining(", "));
            for (String pod : creatable.subList(create.size(), creatable.size())) {
                waiting.add(new Wait(pod, List.copyOf(busy), slots));
            }
        }
        return step(create, delete, waiting, held, unexpected, existing, wantedSet);
    }

    /**
     * The step, with its blockers: when nothing is created, deleted, terminating, starting or held back (waiting for a
     * claim to go), yet pods are still to be created or deleted, whatever waits waits on existing pods that are not
     * Ready and not starting. They block the rollout until they become Ready or go (spec amendment §7b: such a
     * component is {@code Abnormal}, not {@code Updating}).
     */
    private static Step step(List<String> create, List<String> delete, List<Wait> waiting, List<Wait> held,
            List<String> unexpected, Map<String, PodState> existing, Set<String> wanted) {
        waiting.sort(java.util.Comparator.comparing(Wait::pod, InstanceNames.ORDER));
        boolean stuck = create.isEmpty() && delete.isEmpty() && held.isEmpty() && (!waiting.isEmpty() || !unexpected.isEmpty());
        boolean moving = existing.entrySet().stream().anyMatch(e -> e.getValue().terminating()
                || (wanted.contains(e.getKey()) && e.getValue().health() == Health.STARTING));
        // A pod failed for good blocks nobody (it is no predecessor that blocks and holds no slot): the unhealthy ones do.
        List<String> blockers = !stuck || moving ? List.of()
                : existing.entrySet().stream().filter(e -> wanted.contains(e.getKey()) && !e.getValue().terminating()
                        && e.getValue().health() == Health.UNHEALTHY).map(Map.Entry::getKey).sorted(InstanceNames.ORDER).toList();
        return new Step(List.copyOf(create), List.copyOf(delete), List.copyOf(waiting), blockers);
    }

    /** The first predecessor of {@code pod} that holds it back, or null when it may be created now. */
    private static Wait predecessorWait(String pod, List<String> sortedWanted, Map<String, PodState> existing) {
        String prefix = InstanceNames.prefixOf(pod);
        long ordinal = InstanceNames.ordinalOf(pod);
        for (String p : sortedWanted) {
            if (!prefix.equals(InstanceNames.prefixOf(p)) || InstanceNames.ordinalOf(p) >= ordinal) {
                continue;
            }
            PodState state = existing.get(p);
            if (state == null) {
                return new Wait(pod, List.of(p), "waits for its predecessor " + p + " to be created first");
            }
            if (state.terminating()) {
                return new Wait(pod, List.of(p), "waits for its predecessor " + p + " to finish terminating");
            }
            if (state.unsettled()) {
                return new Wait(pod, List.of(p), "waits for its predecessor " + p + " to be Ready (" + state.why() + ")");
            }
        }
        return null;
    }

    private static String describe(PodState state) {
        return state.terminating() ? "terminating" : "not Ready (" + state.why() + ")";
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
