package dev.ordinal.core;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cluster kafka, component broker, pods kafka-broker-N: the names used throughout the spec. */
final class Fixtures {
    static final String K = "kafka";
    static final String C = "broker";

    private Fixtures() {
    }

    /** kafka-broker-N for each N. */
    static List<String> pods(int... ordinals) {
        return Arrays.stream(ordinals).mapToObj(Fixtures::pod).toList();
    }

    static String pod(int ordinal) {
        return InstanceNames.podName(K, C, "", ordinal);
    }

    static String pod(String template, int ordinal) {
        return InstanceNames.podName(K, C, template, ordinal);
    }

    static ComponentShape shape(int replicas, int... offlineOrdinals) {
        return new ComponentShape(replicas, List.of(), pods(offlineOrdinals));
    }

    static List<String> names(ComponentShape shape) {
        return InstanceNames.names(K, C, shape);
    }

    static PlanResult plan(ComponentShape before, ScalingRequest request) {
        return ScalingPlanner.plan(K, C, before, ReplicasLimits.DEFAULT, request);
    }

    static ScalingPlan valid(ComponentShape before, ScalingRequest request) {
        PlanResult result = plan(before, request);
        assertTrue(result.isValid(), () -> "expected a plan but got " + result.errors());
        return result.plan();
    }

    static List<ValidationError> invalid(ComponentShape before, ScalingRequest request) {
        PlanResult result = plan(before, request);
        assertFalse(result.isValid(), () -> "expected validation errors but got plan " + result.plan());
        return result.errors();
    }

    /** Pod name → state from alternating arguments: {@code podStates("k-b-0", READY, "k-b-1", STARTING)}, in that order. */
    static java.util.Map<String, PodRollout.PodState> podStates(Object... nameState) {
        java.util.Map<String, PodRollout.PodState> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameState.length; i += 2) {
            out.put((String) nameState[i], (PodRollout.PodState) nameState[i + 1]);
        }
        return out;
    }

    static String joined(List<ValidationError> errors) {
        return String.join("\n", errors.stream().map(ValidationError::toString).toList());
    }
}
