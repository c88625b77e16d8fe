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
    /**
     * Why instances are not as wanted, keyed {@code Pod/<name>}: a missing pod that waits ("waits for its predecessor
     * kafka-broker-1 to be Ready (ReadinessProbeFailed)"), a pod that is not Ready, or one that failed. Empty when
     * every instance is Ready. Absent (null) when empty: the API server refuses an empty map sent as null.
     */
    public java.util.Map<String, String> message;

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
