package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.limit;
import static dev.ordinal.it.Fixture.offline;
import static dev.ordinal.it.Fixture.scaleIn;
import static dev.ordinal.it.Fixture.scaleOut;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.testkube.ProjectControlPlaneOnly;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Spec amendment §7a "late requests": a request that arrives too late is refused or waits within its deadline, never
 * swallowed, and an ended ops' status agrees with its phase.
 */
@QuarkusTest
@ProjectControlPlaneOnly("steers the fault proxy in front of the API server")
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class LateRequestsTest {
    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "late");
    }

    @AfterEach
    void kubeletBackToNormal() {
        Fixture.kubeletBackToNormal();
        KubeResource.proxy().clear();
    }

    private static TestKube.Kubelet kubelet() {
        return Fixture.kubelet();
    }

    /** As {@code kubectl patch ops <name> --type=merge -p '{"spec":{"cancel":true}}'}. */
    private void patchCancel(String name) {
        client.resources(OpsRequest.class).inNamespace(f.ns).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"cancel\":true}}");
    }

    @Test
    void cancelOfAnOpsThatAlreadyEndedIsRefusedByTheApi() {
        f.runningCluster("la", broker(3));
        f.createOps("out", "la", scaleOut("broker", 1));
        OpsRequest ended = f.awaitOps("out", "Succeed");
        KubernetesClientException refused = assertThrows(KubernetesClientException.class, () -> patchCancel("out"));
        assertEquals(422, refused.getCode());
        assertTrue(refused.getMessage().contains("spec.cancel cannot change: this ops already ended Succeed; there is nothing left to cancel"),
                refused.getMessage());
        OpsRequest after = f.ops("out");
        assertEquals(ended.getMetadata().getGeneration(), after.getMetadata().getGeneration(), "nothing changed");
        assertEquals(after.getMetadata().getGeneration(), after.getStatus().observedGeneration, "observedGeneration is not behind");
        assertEquals("Succeed", after.getStatus().phase);
    }

    @Test
    void cancelOfAFailedOrAbortedOpsIsRefusedToo() {
        f.runningCluster("lb", broker(3));
        f.createOps("bad", "lb", offline("broker", "lb-broker-7"));
        f.awaitOps("bad", "Failed");
        KubernetesClientException refused = assertThrows(KubernetesClientException.class, () -> patchCancel("bad"));
        assertTrue(refused.getMessage().contains("this ops already ended Failed"), refused.getMessage());
        // while it runs, the same patch is accepted: only an ended ops refuses it
        kubelet().neverReady("lb-broker-3");
        f.createOps("out", "lb", scaleOut("broker", 1));
        f.awaitOps("out", "Running");
        patchCancel("out");
        f.awaitOps("out", "Cancelled");
    }

    @Test
    void anOpsCreatedBeforeItsClusterWaitsForItWithinThePreconditionDeadline() {
        f.createOps("early", "lc", spec -> spec.preConditionDeadlineSeconds = 60, scaleOut("broker", 1));
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            OpsRequest ops = f.ops("early");
            assertEquals("Pending", ops.getStatus() == null ? null : ops.getStatus().phase);
            var waiting = Conditions.find(ops.getStatus().conditions, "WaitForProgressing");
            assertEquals("ClusterNotFound", waiting.reason);
            assertTrue(waiting.message.startsWith("cluster lc does not exist yet"), waiting.message);
        });
        f.createCluster("lc", broker(3));
        OpsRequest ops = f.awaitOps("early", "Succeed", Duration.ofSeconds(40));
        assertEquals(3, ops.getStatus().lastConfiguration.components.get("broker").replicas, "planned on the Cluster as created");
        f.awaitReadyPods("lc-broker-0", "lc-broker-1", "lc-broker-2", "lc-broker-3");
    }

    @Test
    void anOpsCreatedRightAfterItsClusterIsJudgedOnThatCluster() {
        // The user creates the Cluster, then at once the ops (no deadline): the operator's Cluster cache may not have
        // the Cluster yet, but the ops must be judged on what the API server holds when it decides, never fail for
        // want of a Cluster that was created before it. Here the Cluster is still Creating, so: PreConditionFailed.
        for (int i = 0; i < 5; i++) {
            String name = "lk" + i;
            f.createCluster(name, broker(3));
            f.createOps("right-after-" + i, name, scaleOut("broker", 1));
            OpsRequest ops = f.awaitOps("right-after-" + i, "Failed");
            var failed = Conditions.find(ops.getStatus().conditions, "Failed");
            assertEquals("PreConditionFailed", failed.reason, failed.message);
            assertTrue(failed.message.contains("cluster " + name) && failed.message.contains("scaling starts from Running, Abnormal or Failed")
                    && failed.message.contains("force: true"), failed.message);
        }
    }

    @Test
    void anOpsForAMissingClusterWithoutDeadlineFailsAtOnceWithoutAProgressCount() {
        f.createOps("nowhere", "ld", scaleOut("broker", 1));
        OpsRequest ops = f.awaitOps("nowhere", "Failed");
        assertEquals("-/-", ops.getStatus().progress, "no plan was made, so there is nothing to count");
        assertTrue(Conditions.find(ops.getStatus().conditions, "Failed").message.contains("ld"));
    }

    @Test
    void afterAbortedNoComponentOrDetailSaysRunning() {
        f.runningCluster("le", broker(3));
        kubelet().neverReady("le-broker-3");
        f.createOps("out", "le", spec -> spec.timeoutSeconds = 2, scaleOut("broker", 1));
        OpsRequest ops = f.awaitOps("out", "Aborted");
        var component = ops.getStatus().components.get("broker");
        assertEquals("Aborted", component.phase);
        var detail = component.progressDetails.get(0);
        assertEquals("Aborted", detail.status);
        // "to be Ready" usually; "to be created" when a loaded machine did not create the pod within the 2 s deadline
        assertTrue(detail.message.matches("not done: the ops ended Aborted \\(DeadlineExceeded\\) while waiting for pod le-broker-3 to be"
                + " (Ready|created).*"), detail.message);
        assertTrue(detail.endTime != null);
    }

    @Test
    void afterCancelledTheComponentSaysCancelled() {
        f.runningCluster("lf", broker(3));
        kubelet().neverReady("lf-broker-3");
        f.createOps("out", "lf", scaleOut("broker", 1));
        f.awaitOps("out", "Running");
        f.cancel("out");
        OpsRequest ops = f.awaitOps("out", "Cancelled");
        assertEquals("Cancelled", ops.getStatus().components.get("broker").phase);
    }

    @Test
    void aCancelThatArrivesWhileTheOpsWritesItsStatusIsActedOn() {
        // The operator decides on its copy of the ops and writes a status; the user's cancel lands on the API server
        // while that write is on its way. The write must not land over the newer ops as if nothing had happened: it
        // carries the resourceVersion it was decided on, is refused with 409, and the ops is reconciled again.
        f.runningCluster("lj", broker(3));
        kubelet().neverReady("lj-broker-3");
        f.createOps("out", "lj", scaleOut("broker", 1));
        f.awaitOps("out", "Running");
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertTrue(f.ops("out").getStatus().components.get("broker")
                .progressDetails.get(0).message.contains("ReadinessProbeFailed")));
        KubeResource.proxy().delayNext(dev.ordinal.devcluster.AuditLog.Verb.APPLY, "opsrequests/status", Duration.ofSeconds(2));
        kubelet().unschedulable("lj-broker-3"); // the detail's message changes: the ops writes its status
        await().atMost(Fixture.WAIT).until(() -> KubeResource.proxy().held() == 1);
        f.cancel("out");
        OpsRequest ops = f.awaitOps("out", "Cancelled");
        assertEquals(ops.getMetadata().getGeneration(), ops.getStatus().observedGeneration);
        assertEquals(3, f.cluster("lj").getSpec().componentSpecs.get(0).replicas, "the snapshot is back");
    }

    @Test
    void aRefusedForcedOpsCountsThePodsItPlannedNotZeroOfZero() {
        f.runningCluster("lg", broker(3));
        kubelet().neverReady("lg-broker-3");
        f.createOps("a", "lg", scaleOut("broker", 1));
        f.awaitOps("a", "Running");
        f.createOps("b", "lg", spec -> spec.force = true, offline("broker", "lg-broker-3"));
        OpsRequest b = f.awaitOps("b", "Failed");
        assertEquals("ConflictWithRunningOps", Conditions.find(b.getStatus().conditions, "Failed").reason);
        assertEquals("0/1", b.getStatus().progress);
    }

    @Test
    void aValidationMessageNamesEachEntryPathOnce() {
        ComponentSpec controller = broker(1);
        controller.name = "controller";
        controller.volumeClaimTemplates = new ArrayList<>();
        controller.replicasLimit = limit(1, 3);
        f.runningCluster("lh", broker(3), controller);
        f.createOps("bad", "lh", scaleOut("broker", 1), scaleIn("controller", 1));
        OpsRequest ops = f.awaitOps("bad", "Failed");
        String message = Conditions.find(ops.getStatus().conditions, "Failed").message;
        assertTrue(message.contains("horizontalScaling[1]: the result would be 0 replicas, outside replicasLimit [1, 3]"), message);
        assertFalse(message.contains("horizontalScaling[1].horizontalScaling"), message);
    }

    /** Issue #27 E: one message per root cause, naming only fields the request has. */
    @Test
    void aValidationMessageNamesOnlyWhatTheRequestContainsOncePerRootCause() {
        ComponentSpec b = broker(1);
        b.instances = new ArrayList<>(java.util.List.of(Fixture.template("test", 1)));
        b.offlineInstances = new ArrayList<>(java.util.List.of("lv-broker-1"));
        f.runningCluster("lv", b);
        var h = scaleOut("broker", 2);
        h.scaleOut.instances = new ArrayList<>(java.util.List.of(new dev.ordinal.api.ops.HorizontalScaling.InstanceReplicaChange()));
        h.scaleOut.instances.get(0).name = "test";
        h.scaleOut.instances.get(0).replicaChanges = 3;
        OpsRequest ops = f.awaitOps(f.createOps("bad", "lv", h).getMetadata().getName(), "Failed");
        assertEquals("horizontalScaling[0].scaleOut.replicaChanges: 2 is smaller than the 3 replicas claimed by scaleOut.instances",
                Conditions.find(ops.getStatus().conditions, "Validated").message);
    }
}
