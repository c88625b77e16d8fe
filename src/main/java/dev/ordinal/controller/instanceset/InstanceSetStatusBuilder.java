package dev.ordinal.controller.instanceset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetStatus;
import dev.ordinal.api.instanceset.InstanceSetStatus.InstanceStatus;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.controller.support.PodFacts;
import dev.ordinal.controller.support.PodMessages;
import dev.ordinal.core.InstanceNames;
import dev.ordinal.core.PodRollout;
import dev.ordinal.core.PodRollout.Health;
import dev.ordinal.core.PodRollout.PodState;
import dev.ordinal.vocabulary.ConditionType;
import dev.ordinal.vocabulary.Reasons;
import io.fabric8.kubernetes.api.model.Pod;

/** The one place an InstanceSet's status is computed, from the pods that exist. */
final class InstanceSetStatusBuilder {
    private InstanceSetStatusBuilder() {
    }

    /**
     * The status of {@code set} from the pods that exist now, the names the naming rule wants and the rollout's next
     * step ({@link PodRollout.Step}: the missing pods it holds back, and what blocks it). A pod being deleted is neither
     * present nor ready (spec amendment §7b): a wanted pod that is terminating counts as missing, and is not counted
     * ready. {@code Progressing} is True while the spec is being rolled out: pods to create or delete, or wanted pods
     * still starting; it is False with reason {@code RolloutBlocked} when the rollout cannot go on until an unhealthy
     * pod recovers or goes ({@link PodRollout.Step#blocked()}); {@code message} names, per pod, what it waits for or why
     * it is not Ready.
     */
    static InstanceSetStatus build(InstanceSet set, Map<String, Pod> pods, Map<String, PodState> states, List<String> wanted,
            PodRollout.Step step) {
        InstanceSetStatus previous = set.getStatus() == null ? new InstanceSetStatus() : set.getStatus();
        InstanceSetStatus s = new InstanceSetStatus();
        Long generation = set.getMetadata().getGeneration();
        s.observedGeneration = generation;
        List<String> names = new ArrayList<>(pods.keySet());
        names.sort(InstanceNames.ORDER);
        int ready = 0;
        List<String> failed = new ArrayList<>();
        List<String> starting = new ArrayList<>();
        Map<String, String> message = new LinkedHashMap<>();
        for (String name : names) {
            PodState state = states.get(name);
            boolean counted = state.ready() && !state.terminating();
            ready += counted && wanted.contains(name) ? 1 : 0;
            s.instanceStatus.add(new InstanceStatus(name, counted));
            if (state.health() == Health.FAILED) {
                failed.add(name + " (" + state.reason() + ")");
            }
            if (!wanted.contains(name) || counted) {
                continue;
            }
            if (state.terminating()) {
                message.put(PodMessages.POD + name, "the pod of this name is still terminating; it is created again once it is gone");
                continue;
            }
            if (state.health() == Health.STARTING) {
                starting.add(name);
            }
            message.put(PodMessages.POD + name, switch (state.health()) {
                case FAILED -> "failed: " + state.reason();
                case STARTING -> "starting";
                default -> "not Ready: " + state.reason();
            });
        }
        List<PodRollout.Wait> waiting = step.waiting();
        waiting.forEach(w -> message.put(PodMessages.POD + w.pod(), w.message()));
        s.replicas = (int) pods.values().stream().filter(p -> !PodFacts.isTerminating(p)).count();
        s.readyReplicas = ready;
        s.availableReplicas = ready;
        s.offlineInstances = set.getSpec().offlineInstances == null ? new ArrayList<>() : new ArrayList<>(set.getSpec().offlineInstances);
        s.message = message.isEmpty() ? null : message;

        Set<String> present = pods.keySet().stream().filter(n -> !states.get(n).terminating()).collect(Collectors.toSet());
        List<String> missing = wanted.stream().filter(n -> !present.contains(n)).sorted(InstanceNames.ORDER).toList();
        List<String> extra = pods.keySet().stream().filter(n -> !wanted.contains(n)).sorted(InstanceNames.ORDER).toList();
        String waits = waiting.isEmpty() ? "" : "; " + waiting.stream().map(PodRollout.Wait::describe).collect(Collectors.joining("; "));
        boolean allReady = missing.isEmpty() && extra.isEmpty() && ready == wanted.size();
        var conditions = previous.conditions;
        Map<String, String> ofExisting = new LinkedHashMap<>(message);
        ofExisting.keySet().removeIf(key -> !present.contains(key.substring(PodMessages.POD.length())));
        String unready = PodMessages.describe(ofExisting, "; ");
        conditions = Conditions.set(conditions, ConditionType.READY, allReady, allReady ? Reasons.ALL_INSTANCES_READY : Reasons.INSTANCES_NOT_READY,
                ready + " of " + wanted.size() + " instances ready" + (unready.isEmpty() ? "" : "; " + unready)
                        + describe(missing, extra) + waits,
                generation);
        boolean changing = !missing.isEmpty() || !extra.isEmpty() || !starting.isEmpty();
        String rollout = (describe(missing, extra) + (starting.isEmpty() ? "" : "; starting: " + String.join(", ", starting))
                + waits).replaceFirst("^; ", "");
        if (changing && step.blocked()) {
            conditions = Conditions.set(conditions, ConditionType.PROGRESSING, false, Reasons.ROLLOUT_BLOCKED,
                    "the rollout cannot go on: " + step.blockers().stream().map(b -> b + " " + blockerState(states.get(b)))
                            .collect(Collectors.joining(", ")) + "; " + rollout + "; it goes on once "
                            + (step.blockers().size() == 1 ? "that pod is" : "those pods are")
                            + " Ready, or when an OpsRequest takes the pods it holds back offline or scales them in",
                    generation);
        } else {
            conditions = Conditions.set(conditions, ConditionType.PROGRESSING, changing, changing ? Reasons.SCALING_INSTANCES : Reasons.STABLE,
                    changing ? rollout : "all instances match the spec", generation);
        }
        conditions = Conditions.set(conditions, ConditionType.FAILURE, !failed.isEmpty(), failed.isEmpty() ? Reasons.NO_FAILURE : Reasons.INSTANCE_FAILURE,
                failed.isEmpty() ? "no instance failed" : "failed instances: " + String.join(", ", failed), generation);
        s.conditions = conditions;
        return s;
    }

    private static String blockerState(PodState state) {
        return "is not Ready (" + (state.reason() == null ? "not Ready" : state.reason()) + ")";
    }

    static InstanceSetStatus invalid(InstanceSet set, Map<String, Pod> pods, Map<String, PodState> states, String error) {
        InstanceSetStatus s = build(set, pods, states, List.copyOf(pods.keySet()), new PodRollout.Step(List.of(), List.of()));
        s.conditions = Conditions.set(s.conditions, ConditionType.READY, false, Reasons.INVALID_SPEC, error, set.getMetadata().getGeneration());
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
}
