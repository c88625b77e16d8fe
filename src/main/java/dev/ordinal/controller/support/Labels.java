package dev.ordinal.controller.support;

import java.util.LinkedHashMap;
import java.util.Map;

/** Labels and field managers Ordinal puts on what it creates, in one place. */
public final class Labels {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String CLUSTER = "app.kubernetes.io/instance";
    public static final String COMPONENT = "apps.ordinal.dev/component";
    public static final String INSTANCE_SET = "workloads.ordinal.dev/instance-set";
    public static final String TEMPLATE = "workloads.ordinal.dev/template";
    public static final String ORDINAL = "workloads.ordinal.dev/ordinal";

    /** Field manager of the Cluster and InstanceSet controllers. */
    public static final String MANAGER = "ordinal";
    /** Field manager of the OpsRequest controller's Cluster writes. */
    public static final String OPS_MANAGER = "ordinal-ops";
    /**
     * Cluster annotation: {@code "true"} lets a direct edit of {@code replicas}/{@code offlineInstances} remove guarded
     * brokers without asking Kafka (the direct edit's {@code force}; docs/scaling-rules.md §8).
     */
    public static final String FORCE_SCALE_IN = "apps.ordinal.dev/force-scale-in";

    private Labels() {
    }

    public static Map<String, String> forInstanceSet(String cluster, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, "ordinal");
        labels.put(CLUSTER, cluster);
        labels.put(COMPONENT, component);
        labels.put(INSTANCE_SET, instanceSetName(cluster, component));
        return labels;
    }

    public static String instanceSetName(String cluster, String component) {
        return cluster + "-" + component;
    }

    public static String headlessServiceName(String instanceSet) {
        return instanceSet + "-headless";
    }

    public static String claimName(String volumeClaimTemplate, String pod) {
        return volumeClaimTemplate + "-" + pod;
    }
}
