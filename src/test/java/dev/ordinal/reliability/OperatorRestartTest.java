package dev.ordinal.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.devcluster.AuditLog.Verb;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * The operator is stopped at each step of an ops and a NEW process (new reconcilers, informers and caches) is
 * started: the ops resumes from what the API server stores and ends as it would have without the crash, with one
 * effective Cluster change and no pod created twice.
 */
@RequiresControlPlane
class OperatorRestartTest {
    private Rig rig;

    @BeforeEach
    void start() {
        rig = Rig.start("restart");
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    /** Cluster applies by field manager ordinal-ops that reached the API server in this test (audit log). */
    private long opsApplies() {
        return rig.operatorRequestsSince(rig.startMark).count(Verb.APPLY, "clusters", "ordinal-ops");
    }

    /** Spec §7 scenario 29. */
    @Test
    void scenario29_operatorRestartedBetweenTheClusterWriteAndThePodsBecomingReady_opsStillSucceedsWithNoDuplicatePodsAndNoSecondClusterWrite() {
        OrdinalProcess first = rig.startOrdinal();
        rig.runningCluster("kafka", 3);
        long generationBefore = rig.generation("kafka");
        rig.kubelet.neverReady("kafka-broker-3");
        rig.createOps("scale-out", "kafka", Rig.scaleOut(1));

        // The Cluster write happened and pod -3 exists, but it is not Ready yet.
        await().atMost(Rig.WAIT).until(() -> rig.pod("kafka-broker-3") != null && "Running".equals(rig.opsPhase("scale-out")));
        assertEquals(generationBefore + 1, rig.generation("kafka"));
        assertEquals(4, rig.component("kafka").replicas);
        long appliesBeforeRestart = opsApplies();
        String uid = rig.pod("kafka-broker-3").getMetadata().getUid();

        rig.stop(first);
        rig.kubelet.healthy("kafka-broker-3");
        rig.startOrdinal();

        rig.awaitOps("scale-out", "Succeed");
        rig.awaitReadyPods(Rig.names("kafka", 0, 1, 2, 3));
        assertEquals(uid, rig.pod("kafka-broker-3").getMetadata().getUid(), "kafka-broker-3 was not recreated");
        assertEquals(appliesBeforeRestart, opsApplies(), "no second Cluster write by ordinal-ops");
        assertEquals(generationBefore + 1, rig.generation("kafka"), "one effective Cluster change");
        assertEquals("1/1", rig.ops("scale-out").getStatus().progress);
    }

    @Test
    void crashAfterTheSnapshotBeforeTheClusterWrite_resumesAndWritesOnce() {
        OrdinalProcess first = rig.startOrdinal();
        rig.runningCluster("kafka", 3);
        long generationBefore = rig.generation("kafka");
        // Every Cluster apply fails: the ops is held in Creating with its snapshot stored.
        rig.proxy.failNext(Verb.APPLY, "clusters", 1_000, 500);
        rig.createOps("offline-1", "kafka", Rig.offline("kafka-broker-1"));
        await().atMost(Rig.WAIT).until(() -> "Creating".equals(rig.opsPhase("offline-1"))
                && rig.ops("offline-1").getStatus().lastConfiguration != null);
        rig.stop(first);
        rig.proxy.clear();
        assertEquals(generationBefore, rig.generation("kafka"), "the Cluster is untouched before the write");

        rig.startOrdinal();
        rig.awaitOps("offline-1", "Succeed");
        rig.awaitReadyPods(Rig.names("kafka", 0, 2));
        assertEquals(generationBefore + 1, rig.generation("kafka"));
        assertEquals(2, rig.component("kafka").replicas);
        assertEquals(List.of("kafka-broker-1"), rig.component("kafka").offlineInstances);
    }

    @Test
    void crashAfterTheClusterWriteBeforeRunningIsRecorded_noSecondWrite() {
        OrdinalProcess first = rig.startOrdinal();
        rig.runningCluster("kafka", 3);
        long generationBefore = rig.generation("kafka");
        // The first ops status write (Creating) passes; every later one fails, so the process is held right after
        // its Cluster write with the ops still recorded as Creating.
        rig.proxy.failAfter(Verb.APPLY, "opsrequests/status", 1, 1_000, 500);
        rig.createOps("scale-out", "kafka", Rig.scaleOut(2));
        await().atMost(Rig.WAIT).until(() -> rig.component("kafka").replicas == 5);
        assertEquals("Creating", rig.opsPhase("scale-out"));
        long applies = opsApplies();
        rig.stop(first);
        rig.proxy.clear();

        rig.startOrdinal();
        rig.awaitOps("scale-out", "Succeed");
        rig.awaitReadyPods(Rig.names("kafka", 0, 1, 2, 3, 4));
        assertEquals(applies, opsApplies(), "the new process saw the plan applied and did not write again");
        assertEquals(generationBefore + 1, rig.generation("kafka"));
        assertEquals("2/2", rig.ops("scale-out").getStatus().progress);
    }

    @Test
    void crashWithPodsHalfReady_resumesWithoutRecreatingThem() {
        OrdinalProcess first = rig.startOrdinal();
        rig.runningCluster("kafka", 3);
        long generationBefore = rig.generation("kafka");
        rig.kubelet.neverReady("kafka-broker-4");
        rig.createOps("scale-out", "kafka", Rig.scaleOut(2));
        await().atMost(Rig.WAIT).until(() -> rig.ready("kafka-broker-3") && rig.pod("kafka-broker-4") != null
                && "1/2".equals(rig.ops("scale-out").getStatus().progress));
        Map<String, String> uids = rig.podUids();
        rig.stop(first);
        rig.kubelet.healthy("kafka-broker-4");
        // the pod becomes Ready while no operator runs: the new process must notice it from its first list
        await().atMost(Rig.WAIT).until(() -> rig.ready("kafka-broker-4"));

        rig.startOrdinal();
        rig.awaitOps("scale-out", "Succeed");
        assertEquals(uids, rig.podUids(), "no pod was deleted or created again");
        assertEquals(generationBefore + 1, rig.generation("kafka"));
    }

    @Test
    void crashWhileCancelling_endsCancelledWithTheSnapshotRestored() {
        OrdinalProcess first = rig.startOrdinal();
        rig.runningCluster("kafka", 3);
        rig.kubelet.neverReady("kafka-broker-3");
        rig.createOps("scale-out", "kafka", Rig.scaleOut(2));
        await().atMost(Rig.WAIT).until(() -> rig.pod("kafka-broker-3") != null && "Running".equals(rig.opsPhase("scale-out")));
        rig.cancel("scale-out");
        await().atMost(Rig.WAIT).until(() -> "Cancelling".equals(rig.opsPhase("scale-out")) || "Cancelled".equals(rig.opsPhase("scale-out")));
        rig.stop(first);

        rig.startOrdinal();
        rig.awaitOps("scale-out", "Cancelled");
        rig.awaitReadyPods(Rig.names("kafka", 0, 1, 2));
        assertEquals(3, rig.component("kafka").replicas);
        assertTrue(rig.pod("kafka-broker-4") == null, "-4 was never created");
    }

    /** Spec amendment §7b: the check that an ops' change still stands also runs after a restart. */
    @Test
    void anotherWriterUndoesARunningOpsWhileNoOperatorRuns_theNewProcessEndsItOverwrittenByAnotherWriter() {
        OrdinalProcess first = rig.startOrdinal();
        rig.runningCluster("kafka", 3);
        rig.kubelet.neverReady("kafka-broker-3");
        rig.createOps("scale-out", "kafka", Rig.scaleOut(1));
        await().atMost(Rig.WAIT).until(() -> rig.pod("kafka-broker-3") != null && "Running".equals(rig.opsPhase("scale-out")));
        rig.stop(first);
        // what a GitOps sync does while the operator is away: replicas back to the value in Git
        Cluster undone = rig.cluster("kafka");
        undone.getSpec().componentSpecs.get(0).replicas = 3;
        rig.client.resources(Cluster.class).inNamespace(rig.ns).withName("kafka").patch(new PatchContext.Builder()
                .withPatchType(PatchType.JSON_MERGE).withFieldManager("gitops-sync").build(),
                rig.client.getKubernetesSerialization().asJson(java.util.Map.of("spec", undone.getSpec())));
        rig.kubelet.healthy("kafka-broker-3");

        rig.startOrdinal();
        OpsRequest ops = rig.awaitOps("scale-out", "Failed");
        var failed = Conditions.find(ops.getStatus().conditions, "Failed");
        assertEquals("OverwrittenByAnotherWriter", failed.reason);
        assertTrue(failed.message.contains("spec.componentSpecs[broker].replicas: this ops wrote 4, the Cluster now has 3 (written by"
                + " gitops-sync)"), failed.message);
        rig.awaitReadyPods(Rig.names("kafka", 0, 1, 2));
    }
}
