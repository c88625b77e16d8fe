package dev.ordinal.core;

import java.util.List;

/**
 * One {@code horizontalScaling[]} entry of an OpsRequest, free of Kubernetes types.
 * Null nested objects mean "not given"; lists are never null after construction.
 */
public record ScalingRequest(String componentName, Integer replicas, ScaleOut scaleOut, ScaleIn scaleIn) {
    public ScalingRequest {
        scaleOut = scaleOut == null ? ScaleOut.NONE : scaleOut;
        scaleIn = scaleIn == null ? ScaleIn.NONE : scaleIn;
    }

    /** A per-template change; {@code replicaChanges} may be null when the CR omitted it. */
    public record TemplateChange(String templateName, Integer replicaChanges) {
    }

    public record ScaleOut(Integer replicaChanges, List<TemplateChange> instances, List<String> offlineInstancesToOnline) {
        public static final ScaleOut NONE = new ScaleOut(null, List.of(), List.of());

        public ScaleOut {
            instances = instances == null ? List.of() : List.copyOf(instances);
            // copy without List.copyOf so that a null element can be reported instead of throwing here
            offlineInstancesToOnline = offlineInstancesToOnline == null ? List.of()
                    : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(offlineInstancesToOnline));
        }
    }

    public record ScaleIn(Integer replicaChanges, List<TemplateChange> instances, List<String> onlineInstancesToOffline) {
        public static final ScaleIn NONE = new ScaleIn(null, List.of(), List.of());

        public ScaleIn {
            instances = instances == null ? List.of() : List.copyOf(instances);
            onlineInstancesToOffline = onlineInstancesToOffline == null ? List.of()
                    : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(onlineInstancesToOffline));
        }
    }

    // Small factories that keep tests and callers readable.
    public static ScalingRequest online(String component, String... names) {
        return new ScalingRequest(component, null, new ScaleOut(null, List.of(), List.of(names)), null);
    }

    public static ScalingRequest offline(String component, String... names) {
        return new ScalingRequest(component, null, null, new ScaleIn(null, List.of(), List.of(names)));
    }

    public static ScalingRequest scaleOut(String component, int replicaChanges, String... online) {
        return new ScalingRequest(component, null, new ScaleOut(replicaChanges, List.of(), List.of(online)), null);
    }

    public static ScalingRequest scaleIn(String component, int replicaChanges, String... offline) {
        return new ScalingRequest(component, null, null, new ScaleIn(replicaChanges, List.of(), List.of(offline)));
    }
}
