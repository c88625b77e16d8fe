package dev.ordinal.api.ops;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Scale one component: to an absolute {@code replicas}, by replica changes, or by named instances. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HorizontalScaling {
    @Required
    public String componentName;

    /** Optional explicit target (Ordinal's extension for users who think in end states). */
    @Min(0)
    @Max(16384)
    public Integer replicas;

    public ScaleOut scaleOut;
    public ScaleIn scaleIn;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ScaleOut {
        @Min(0)
        @Max(16384)
        public Integer replicaChanges;
        @Size(max = 64)
        public List<InstanceReplicaChange> instances = new ArrayList<>();
        @Size(max = 256)
        public List<String> offlineInstancesToOnline = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ScaleIn {
        @Min(0)
        @Max(16384)
        public Integer replicaChanges;
        @Size(max = 64)
        public List<InstanceReplicaChange> instances = new ArrayList<>();
        @Size(max = 256)
        public List<String> onlineInstancesToOffline = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class InstanceReplicaChange {
        @Required
        public String name;
        @Min(0)
        @Max(16384)
        public Integer replicaChanges;

        public InstanceReplicaChange() {
        }

        public InstanceReplicaChange(String name, Integer replicaChanges) {
            this.name = name;
            this.replicaChanges = replicaChanges;
        }
    }
}
