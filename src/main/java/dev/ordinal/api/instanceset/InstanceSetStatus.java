package dev.ordinal.api.instanceset;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.ordinal.api.common.Condition;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstanceSetStatus {
    /** Pods that exist. */
    public Integer replicas;
    public Integer readyReplicas;
    public Integer availableReplicas;
    public Long observedGeneration;
    public List<InstanceStatus> instanceStatus = new ArrayList<>();
    public List<String> offlineInstances = new ArrayList<>();
    public List<Condition> conditions = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class InstanceStatus {
        public String podName;
        public Boolean ready;

        public InstanceStatus() {
        }

        public InstanceStatus(String podName, boolean ready) {
            this.podName = podName;
            this.ready = ready;
        }
    }

}
