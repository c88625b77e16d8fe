package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.offline;
import static dev.ordinal.it.Fixture.scaleOut;
import static dev.ordinal.it.Fixture.template;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.common.PodManagementPolicy;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Spec amendment §7a on the real API server: a missing pod waits only for its predecessors, whatever waits names the
 * pod that blocks it and why, and a settled component with unhealthy instances is Abnormal (not Updating), so the ops
 * that touch it can still start and end. Each cluster has a name of its own, because the simulated kubelet's per-pod
 * behaviour is keyed by pod name.
 */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class DegradedPodsTest {
    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "degraded");
    }

    @AfterEach
    void kubeletBackToNormal() {
        Fixture.kubeletBackToNormal();
    }

    private static TestKube.Kubelet kubelet() {
        return Fixture.kubelet();
    }

    private String componentMessage(String cluster, String pod) {
        var status = f.cluster(cluster).getStatus();
        var broker = status == null ? null : status.components.get("broker");
        return broker == null || broker.message == null ? null : broker.message.get("Pod/" + pod);
    }

    // ---- A. predecessors only ------------------------------------------------------------------------------------

    @Test
    void lowestOrdinalIsRecreatedAtOnceWhileAHigherOneIsNotReady() {
        f.runningCluster("pa", broker(3));
        kubelet().neverReady("pa-broker-2");
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertEquals(2, f.instanceSet("pa-broker").getStatus().readyReplicas));
        String old = f.pod("pa-broker-0").getMetadata().getUid();
        client.pods().inNamespace(f.ns).withName("pa-broker-0").delete();
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            var pod = f.pod("pa-broker-0");
            assertNotNull(pod, "pa-broker-0 is recreated although pa-broker-2 is not Ready");
            assertFalse(old.equals(pod.getMetadata().getUid()));
            assertTrue(dev.ordinal.controller.support.PodFacts.isReady(pod));
        });
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertEquals(2, f.instanceSet("pa-broker").getStatus().readyReplicas));
        assertEquals("Abnormal", f.awaitClusterPhase("pa", "Abnormal").getStatus().phase);
    }

    @Test
    void aNotReadyPredecessorBlocksItsSuccessorAndEveryStatusNamesIt() {
        f.runningCluster("pb", broker(3));
        kubelet().neverReady("pb-broker-1");
        f.awaitClusterPhase("pb", "Abnormal");
        f.createOps("out", "pb", scaleOut("broker", 1));
        String why = "waits for its predecessor pb-broker-1 to be Ready (ReadinessProbeFailed)";
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            var progressing = Conditions.find(f.instanceSet("pb-broker").getStatus().conditions, "Progressing");
            assertTrue(progressing.message.contains("pb-broker-3 " + why), progressing.message);
            assertEquals(why, componentMessage("pb", "pb-broker-3"), f::clusterState);
            var detail = f.ops("out").getStatus().components.get("broker").progressDetails.get(0);
            assertEquals("Pending", detail.status);
            assertTrue(detail.message.contains("pb-broker-3 to be created; " + why), detail.message);
        });
        assertNull(f.pod("pb-broker-3"));
        kubelet().healthy("pb-broker-1");
        f.awaitOps("out", "Succeed");
        f.awaitReadyPods("pb-broker-0", "pb-broker-1", "pb-broker-2", "pb-broker-3");
        assertEquals(null, componentMessage("pb", "pb-broker-3"), "nothing waits any more");
    }

    @Test
    void aPermanentlyFailedPodDoesNotBlockItsSuccessors() {
        f.runningCluster("pc", broker(3));
        kubelet().failPod("pc-broker-1");
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertTrue(Conditions.isTrue(f.instanceSet("pc-broker").getStatus().conditions, "Failure")));
        f.editComponent("pc", "broker", c -> c.replicas = 4);
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertNotNull(f.pod("pc-broker-3"), f::clusterState);
            assertTrue(dev.ordinal.controller.support.PodFacts.isReady(f.pod("pc-broker-3")));
        });
        var cluster = f.awaitClusterPhase("pc", "Abnormal");
        assertTrue(cluster.getStatus().components.get("broker").message.get("Pod/pc-broker-1").startsWith("failed: ImagePullBackOff"));
    }

    @Test
    void parallelWithAConcurrencyLimitCountsUnreadyPodsAndNamesThem() {
        ComponentSpec b = broker(3);
        b.podManagementPolicy = PodManagementPolicy.Parallel;
        b.parallelPodManagementConcurrency = new IntOrString(1);
        kubelet().neverReady("pd-broker-0");
        f.createCluster("pd", b);
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertEquals("waits for a free slot of parallelPodManagementConcurrency 1: pd-broker-0 is not Ready (ReadinessProbeFailed)",
                    componentMessage("pd", "pd-broker-1"), f::clusterState);
            assertEquals(List.of("pd-broker-0"), f.podNames());
        });
        kubelet().failPod("pd-broker-0");
        // a pod that failed for good holds no slot: the others are created
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertEquals(List.of("pd-broker-0", "pd-broker-1", "pd-broker-2"), f.podNames()));
    }

    @Test
    void anotherTemplatesUnreadyPodIsNoPredecessor() {
        ComponentSpec b = broker(3);
        b.instances = new ArrayList<>(List.of(template("hot", 1)));
        f.runningCluster("pe", b);
        kubelet().neverReady("pe-broker-1");
        f.awaitClusterPhase("pe", "Abnormal");
        client.pods().inNamespace(f.ns).withName("pe-broker-hot-0").delete();
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertNotNull(f.pod("pe-broker-hot-0"));
            assertTrue(dev.ordinal.controller.support.PodFacts.isReady(f.pod("pe-broker-hot-0")));
        });
    }

    // ---- B. degraded is not changing -----------------------------------------------------------------------------

    @Test
    void anUnhealthyInstanceIsTakenOfflineWithoutForce() {
        f.runningCluster("pf", broker(3));
        String claim = f.claimUid("data-pf-broker-1");
        kubelet().neverReady("pf-broker-1");
        var cluster = f.awaitClusterPhase("pf", "Abnormal");
        assertEquals("not Ready: ReadinessProbeFailed", cluster.getStatus().components.get("broker").message.get("Pod/pf-broker-1"));
        f.createOps("off", "pf", offline("broker", "pf-broker-1"));
        f.awaitOps("off", "Succeed");
        assertNull(f.pod("pf-broker-1"), "the pod goes");
        assertEquals(claim, f.claimUid("data-pf-broker-1"), "its claim stays");
        f.awaitClusterPhase("pf", "Running");
    }

    @Test
    void settledButUnhealthyIsAbnormalOrFailedNeverUpdating() {
        f.runningCluster("pg", broker(2));
        kubelet().unschedulable("pg-broker-1");
        var abnormal = f.awaitClusterPhase("pg", "Abnormal");
        assertTrue(abnormal.getStatus().components.get("broker").message.get("Pod/pg-broker-1").startsWith("not Ready: Unschedulable"),
                f.clusterState());
        assertFalse(Conditions.isTrue(f.instanceSet("pg-broker").getStatus().conditions, "Progressing"));
        kubelet().neverReady("pg-broker-0");
        var failed = f.awaitClusterPhase("pg", "Failed");
        assertEquals("Failed", failed.getStatus().components.get("broker").phase, "no instance is Ready");
        kubelet().healthy("pg-broker-0").healthy("pg-broker-1");
        f.awaitClusterPhase("pg", "Running");
    }

    @Test
    void anotherComponentsUnreadyPodNeitherBlocksNorHoldsAnOps() {
        ComponentSpec controller = broker(1);
        controller.name = "controller";
        controller.volumeClaimTemplates = new ArrayList<>();
        f.runningCluster("ph", broker(3), controller);
        kubelet().neverReady("ph-controller-0");
        f.awaitClusterPhase("ph", "Abnormal");
        OpsRequest ops = f.createOps("out", "ph", spec -> spec.preConditionDeadlineSeconds = 0, scaleOut("broker", 1));
        ops = f.awaitOps("out", "Succeed");
        assertEquals("1/1", ops.getStatus().progress);
        assertEquals("Abnormal", f.cluster("ph").getStatus().phase, "the controller component is still unhealthy");
    }

    @Test
    void aDeadlinePassedWhileThePodsAreDoneSaysWhatItWaitedFor() {
        f.runningCluster("pi", broker(3));
        // pi-broker-0, deleted by hand, comes back and stays starting (no status from the kubelet for a minute): the
        // component is Updating while the forced ops' own pod change is done at once.
        kubelet().readyDelay(Duration.ofSeconds(60));
        client.pods().inNamespace(f.ns).withName("pi-broker-0").delete();
        f.awaitClusterPhase("pi", "Updating");
        f.createOps("off", "pi", spec -> {
            spec.force = true;
            spec.timeoutSeconds = 2;
        }, offline("broker", "pi-broker-2"));
        OpsRequest ops = f.awaitOps("off", "Aborted");
        String message = Conditions.find(ops.getStatus().conditions, "Aborted").message;
        assertTrue(message.startsWith("deadline of 2s passed; the pods are done but component broker of cluster pi is Updating"), message);
        assertTrue(message.contains("pi-broker-0 starting"), message);
        assertFalse(message.contains("pods still pending: ;") || message.endsWith("pods still pending: "), message);
    }
}
