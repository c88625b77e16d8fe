package dev.ordinal.api.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.ordinal.api.common.Condition;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterStatus {
    /**
     * Creating, Running, Updating, Stopped, Abnormal, Failed, Deleting. Updating = the spec is being rolled out
     * (pods to create or delete, or new pods starting); Abnormal = settled, but some instance is not Ready; Failed =
     * settled and no instance is Ready (docs/troubleshooting.md).
     */
    public String phase;
    public Long observedGeneration;
    /** e.g. "broker 3/3" — what `kubectl get cl` shows under COMPONENTS. */
    public String componentSummary;
    public Map<String, ComponentStatus> components = new LinkedHashMap<>();
    public List<Condition> conditions = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ComponentStatus {
        public String phase;
        public Integer replicas;
        public Integer readyReplicas;
        public List<String> offlineInstances = new ArrayList<>();
        /**
         * The InstanceSet's {@code message}: why instances are missing or unhealthy, keyed {@code Pod/<name>}; null
         * when nothing is.
         */
        public Map<String, String> message;
    }
}
