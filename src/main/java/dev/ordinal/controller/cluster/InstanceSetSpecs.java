package dev.ordinal.controller.cluster;

import java.util.ArrayList;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.instanceset.InstanceSetSpec;

/** The InstanceSet a Cluster component becomes: the one translation the reconciler applies and the name check reads. */
final class InstanceSetSpecs {
    private InstanceSetSpecs() {
    }

    /** The spec of component {@code c}'s InstanceSet; unset replicas mean 1, unset lists are empty. */
    static InstanceSetSpec of(Cluster cluster, ComponentSpec c) {
        InstanceSetSpec s = new InstanceSetSpec();
        s.clusterName = cluster.getMetadata().getName();
        s.componentName = c.name;
        s.replicas = c.replicas == null ? 1 : c.replicas;
        s.offlineInstances = c.offlineInstances == null ? new ArrayList<>() : new ArrayList<>(c.offlineInstances);
        s.instances = c.instances == null ? new ArrayList<>() : new ArrayList<>(c.instances);
        s.template = c.template;
        s.volumeClaimTemplates = c.volumeClaimTemplates == null ? new ArrayList<>() : c.volumeClaimTemplates;
        s.persistentVolumeClaimRetentionPolicy = c.persistentVolumeClaimRetentionPolicy;
        s.podManagementPolicy = c.podManagementPolicy;
        s.parallelPodManagementConcurrency = c.parallelPodManagementConcurrency;
        return s;
    }
}
