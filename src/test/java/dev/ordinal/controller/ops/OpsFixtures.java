package dev.ordinal.controller.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec;
import dev.ordinal.api.cluster.ClusterStatus;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.ops.HorizontalScaling;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestSpec;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.core.ObservedPod;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Ops, Clusters and pods as the ops controller observes them, at a fixed time, for the decider's plain tests. */
final class OpsFixtures {
    /** When every fixture ops was created. */
    static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");
    static final OpsInputs.Settings SETTINGS = new OpsInputs.Settings(Duration.ofMinutes(30), 20, Duration.ofSeconds(1));
    static final OpsInputs.Guard NO_GUARD = (cluster, plans, force) -> Map.of();

    private OpsFixtures() {
    }

    static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    static Clock after(Duration elapsed) {
        return at(T0.plus(elapsed));
    }

    /** Cluster {@code kafka} with component {@code broker} of {@code replicas}, whose status reports that component {@code phase} at its generation. */
    static Cluster cluster(int replicas, String phase, String... offline) {
        Cluster c = new Cluster();
        c.setMetadata(new ObjectMetaBuilder().withName("kafka").withNamespace("ns").withGeneration(4L).withResourceVersion("100")
                .withUid("cluster-uid").build());
        c.setSpec(new ClusterSpec());
        ComponentSpec broker = new ComponentSpec();
        broker.name = "broker";
        broker.replicas = replicas;
        broker.offlineInstances = List.of(offline);
        c.getSpec().componentSpecs = List.of(broker);
        ClusterStatus status = new ClusterStatus();
        status.observedGeneration = 4L;
        status.phase = phase;
        ClusterStatus.ComponentStatus cs = new ClusterStatus.ComponentStatus();
        cs.phase = phase;
        cs.replicas = replicas;
        cs.readyReplicas = replicas;
        status.components = new LinkedHashMap<>(Map.of("broker", cs));
        c.setStatus(status);
        return c;
    }

    /**
     * {@code cluster} with one more {@code metadata.managedFields} entry, as the API server records a write.
     *
     * @param operation {@code Apply} or {@code Update}
     * @param fieldsV1  the fields it set, as the API server writes them, e.g. {@code {"f:spec":{…}}}
     */
    static Cluster managedBy(Cluster cluster, String manager, String operation, Instant time, String fieldsV1) {
        var fields = new io.fabric8.kubernetes.client.utils.KubernetesSerialization().unmarshal(fieldsV1,
                io.fabric8.kubernetes.api.model.FieldsV1.class);
        var managed = new java.util.ArrayList<>(cluster.getMetadata().getManagedFields() == null ? List.of()
                : cluster.getMetadata().getManagedFields());
        managed.add(new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder().withManager(manager).withOperation(operation)
                .withApiVersion("apps.ordinal.dev/v1").withFieldsType("FieldsV1").withFieldsV1(fields).withTime(time.toString()).build());
        cluster.getMetadata().setManagedFields(managed);
        return cluster;
    }

    /** The fieldsV1 of {@code fields} (e.g. {@code "f:replicas":{}}) in component {@code broker}'s entry. */
    static String brokerFields(String fields) {
        return "{\"f:spec\":{\"f:componentSpecs\":{\"k:{\\\"name\\\":\\\"broker\\\"}\":{\".\":{},\"f:name\":{}," + fields + "}}}}";
    }

    /** A new ops on cluster {@code kafka}, created at {@link #T0}. */
    static OpsRequest ops(String name, HorizontalScaling change) {
        OpsRequest ops = new OpsRequest();
        ops.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withGeneration(1L).withResourceVersion("7")
                .withUid(name + "-uid").withCreationTimestamp(T0.toString()).build());
        ops.setSpec(new OpsRequestSpec());
        ops.getSpec().clusterName = "kafka";
        ops.getSpec().type = OpsRequestSpec.OpsType.HorizontalScaling;
        ops.getSpec().horizontalScaling = List.of(change);
        return ops;
    }

    /** The same ops, created {@code later} than T0. */
    static OpsRequest createdAt(OpsRequest ops, Instant created) {
        ops.getMetadata().setCreationTimestamp(created.toString());
        return ops;
    }

    /** {@code ops} with the status {@code decision} wrote. */
    static OpsRequest with(OpsRequest ops, OpsRequestStatus status) {
        ops.setStatus(status);
        return ops;
    }

    static OpsRequest inPhase(OpsRequest ops, String phase) {
        OpsRequestStatus status = ops.getStatus() == null ? new OpsRequestStatus() : ops.getStatus();
        status.phase = phase;
        ops.setStatus(status);
        return ops;
    }

    static HorizontalScaling offline(String... pods) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = "broker";
        h.scaleIn = new HorizontalScaling.ScaleIn();
        h.scaleIn.onlineInstancesToOffline = List.of(pods);
        return h;
    }

    static HorizontalScaling scaleOut(int by) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = "broker";
        h.scaleOut = new HorizontalScaling.ScaleOut();
        h.scaleOut.replicaChanges = by;
        return h;
    }

    /** Ready pods kafka-broker-{ordinals}. */
    static Map<String, ObservedPod> readyPods(int... ordinals) {
        Map<String, ObservedPod> pods = new LinkedHashMap<>();
        for (int i : ordinals) {
            pods.put("kafka-broker-" + i, ObservedPod.readyPod());
        }
        return pods;
    }

    static OpsInputs inputs(OpsRequest ops, Cluster cluster, Map<String, ObservedPod> pods, List<OpsRequest> peers) {
        return new OpsInputs(ops, cluster, pods, peers, NO_GUARD, true, SETTINGS, null);
    }

    static OpsInputs inputs(OpsRequest ops, Cluster cluster) {
        return inputs(ops, cluster, readyPods(0, 1, 2), List.of());
    }
}
