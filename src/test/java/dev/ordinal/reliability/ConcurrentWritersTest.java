package dev.ordinal.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * A user edits the Cluster while an ops runs. Ordinal's one apply owns only replicas, offlineInstances and template
 * replicas of the components it scales, so the user's unrelated fields survive; a user apply that touches those
 * fields without force is refused with a conflict naming ordinal-ops; a stale read-modify-write is refused by
 * optimistic concurrency. Nothing is silently reverted.
 */
@RequiresControlPlane
class ConcurrentWritersTest {
    private Rig rig;

    @BeforeEach
    void start() {
        rig = Rig.start("writers");
        rig.startOrdinal();
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    private void holdOpsRunning(String ops) {
        rig.kubelet.neverReady("kafka-broker-3");
        rig.createOps(ops, "kafka", Rig.scaleOut(1));
        await().atMost(Rig.WAIT).until(() -> rig.pod("kafka-broker-3") != null && "Running".equals(rig.opsPhase(ops)));
    }

    @Test
    void aUsersUnrelatedEditsDuringAnOpsAreKept() {
        rig.runningCluster("kafka", 3);
        holdOpsRunning("out-1");

        // kubectl edit: read, modify, PUT (manager kubectl-edit), read again on 409 as kubectl edit asks its user to
        rig.editCluster("kafka", c -> {
            c.getMetadata().getAnnotations().put("team", "streaming");
            c.getSpec().componentSpecs.get(0).template.getSpec().getContainers().get(0).setImage("apache/kafka:3.9.1");
            c.getSpec().componentSpecs.get(0).replicasLimit = new dev.ordinal.api.common.ReplicasLimit(1, 8);
            return c;
        });
        rig.kubelet.healthy("kafka-broker-3");
        rig.awaitOps("out-1", "Succeed");

        Cluster after = rig.cluster("kafka");
        var broker = after.getSpec().componentSpecs.get(0);
        assertEquals("streaming", after.getMetadata().getAnnotations().get("team"));
        assertEquals("apache/kafka:3.9.1", broker.template.getSpec().getContainers().get(0).getImage());
        assertEquals(8, broker.replicasLimit.max);
        assertEquals(4, broker.replicas, "the ops' change stands too");
    }

    @Test
    void aUserApplyOfTheFieldsTheOpsOwnsIsRefusedWithAConflictNamingOrdinalOps() {
        rig.runningCluster("kafka", 3);
        holdOpsRunning("out-1");
        String userApply = """
                apiVersion: apps.ordinal.dev/v1
                kind: Cluster
                metadata: {name: kafka, namespace: %s}
                spec:
                  componentSpecs:
                    - name: broker
                      replicas: 7
                """.formatted(rig.ns);
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> rig.client.resource(userApply).fieldManager("kubectl").serverSideApply());
        assertEquals(409, e.getCode());
        assertTrue(e.getMessage().contains("ordinal-ops"), e.getMessage());

        rig.kubelet.healthy("kafka-broker-3");
        rig.awaitOps("out-1", "Succeed");
        assertEquals(4, rig.component("kafka").replicas);
        rig.awaitReadyPods(Rig.names("kafka", 0, 1, 2, 3));
    }

    @Test
    void aStaleReadModifyWriteIsRefusedNotMerged() {
        rig.runningCluster("kafka", 3);
        Cluster stale = rig.cluster("kafka");
        holdOpsRunning("out-1");
        stale.getSpec().componentSpecs.get(0).replicas = 3; // what the user saw before the ops
        stale.getMetadata().setAnnotations(new java.util.HashMap<>(java.util.Map.of("team", "streaming")));
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> rig.client.resource(stale).update());
        assertEquals(409, e.getCode());

        rig.kubelet.healthy("kafka-broker-3");
        rig.awaitOps("out-1", "Succeed");
        assertEquals(4, rig.component("kafka").replicas, "the ops' change was not reverted by the stale write");
        assertEquals(List.of(), rig.component("kafka").offlineInstances);
    }
}
