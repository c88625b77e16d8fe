package dev.ordinal.controller.support;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * The per-pod messages an InstanceSet status carries ({@code status.message}: {@code Pod/<name>} → why it waits or is
 * unhealthy), which the Cluster status copies per component and an ops appends to its progress details.
 */
public final class PodMessages {
    /** The key prefix of a pod in {@code status.message}, as in an ops' progress detail objectKey. */
    public static final String POD = "Pod/";

    private PodMessages() {
    }

    /**
     * A status message map as one line: "kafka-broker-3 waits for …, kafka-broker-1 not Ready: …" ({@code Pod/} keys
     * shown as the pod name), entries joined by {@code separator}; "" for null or empty.
     */
    public static String describe(Map<String, String> message, String separator) {
        return orEmpty(message).entrySet().stream().map(e -> e.getKey().replaceFirst("^" + POD, "") + " " + e.getValue())
                .collect(Collectors.joining(separator));
    }

    /** {@code map}, or an empty map for null. */
    public static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
