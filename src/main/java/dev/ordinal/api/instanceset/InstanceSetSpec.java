package dev.ordinal.api.instanceset;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.ordinal.api.common.FreeForm;
import dev.ordinal.api.common.InstanceTemplate;
import dev.ordinal.api.common.PodManagementPolicy;
import dev.ordinal.api.common.PvcRetentionPolicy;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

/** Carries one Cluster component's shape; written by the Cluster controller. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstanceSetSpec {
    @Required
    public String clusterName;
    @Required
    public String componentName;
    @Min(0)
    public Integer replicas;
    public List<String> offlineInstances = new ArrayList<>();
    public List<InstanceTemplate> instances = new ArrayList<>();
    @SchemaFrom(type = FreeForm.class)
    public PodTemplateSpec template;
    @SchemaFrom(type = FreeForm[].class)
    public List<PersistentVolumeClaim> volumeClaimTemplates = new ArrayList<>();
    public PvcRetentionPolicy persistentVolumeClaimRetentionPolicy;
    public PodManagementPolicy podManagementPolicy;
    public IntOrString parallelPodManagementConcurrency;
}
