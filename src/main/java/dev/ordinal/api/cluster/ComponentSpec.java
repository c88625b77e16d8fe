package dev.ordinal.api.cluster;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.ordinal.api.common.FreeForm;
import dev.ordinal.api.common.InstanceTemplate;
import dev.ordinal.api.common.PodManagementPolicy;
import dev.ordinal.api.common.PvcRetentionPolicy;
import dev.ordinal.api.common.ReplicasLimit;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

/** One component of a Cluster (e.g. Kafka brokers): a set of numbered, named instances. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.replicasLimit) || !has(self.replicasLimit.min) || !has(self.replicasLimit.max) || self.replicasLimit.min <= self.replicasLimit.max",
        message = "replicasLimit.min must not exceed replicasLimit.max")
public class ComponentSpec {
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 63)
    public String name;

    /** Number of online instances. */
    @Min(0)
    @Max(16384)
    public Integer replicas;

    /** Pod names that are deliberately down; their ordinals and PVCs are kept. */
    @Size(max = 16384)
    public List<String> offlineInstances = new ArrayList<>();

    /** Unique by name: the CRD marks this list a map keyed by name. */
    @Size(max = 64)
    public List<InstanceTemplate> instances = new ArrayList<>();

    /** Pod template shared by every instance of the component (schema left open to keep the CRD small). */
    @SchemaFrom(type = FreeForm.class)
    public PodTemplateSpec template;

    @SchemaFrom(type = FreeForm[].class)
    public List<PersistentVolumeClaim> volumeClaimTemplates = new ArrayList<>();

    public PvcRetentionPolicy persistentVolumeClaimRetentionPolicy;

    @Default("OrderedReady")
    public PodManagementPolicy podManagementPolicy;

    /** Pods created or deleted at once under Parallel: a number or a percentage of replicas (default 100%). */
    public IntOrString parallelPodManagementConcurrency;

    public ReplicasLimit replicasLimit;

    /**
     * Opt-in: before an OpsRequest removes pods of this component it asks the application whether they may go
     * (today Kafka: no departing broker may still host partition replicas). Absent = no check.
     */
    public ScaleInGuardSpec scaleInGuard;
}
