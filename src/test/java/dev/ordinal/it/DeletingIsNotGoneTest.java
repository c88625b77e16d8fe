package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.offline;
import static dev.ordinal.it.Fixture.online;
import static dev.ordinal.it.Fixture.scaleIn;
import static dev.ordinal.it.Fixture.scaleOut;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.common.PvcRetentionPolicy.Retention;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Spec amendment §7b "deleting is not gone" (issue #27 B), on the real API server: a pod or claim with a
 * deletionTimestamp is neither present nor ready for the InstanceSet, the Cluster or an ops; a pod is never created on a
 * claim being deleted, it waits and says so, and a claim that disappears is created again. A test finalizer keeps an
 * object Terminating as long as the test wants.
 */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class DeletingIsNotGoneTest {
    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "deleting");
    }

    @AfterEach
    void kubeletBackToNormal() {
        Fixture.kubeletBackToNormal();
    }

    private Resource<io.fabric8.kubernetes.api.model.PersistentVolumeClaim> claim(String name) {
        return client.persistentVolumeClaims().inNamespace(f.ns).withName(name);
    }

    private static ComponentSpec deleteWhenScaled(int replicas) {
        ComponentSpec b = broker(replicas);
        b.persistentVolumeClaimRetentionPolicy = Fixture.retention(Retention.Delete, Retention.Retain);
        return b;
    }

    private String detailMessage(String ops) {
        var status = f.ops(ops).getStatus();
        return status == null || status.components.get("broker") == null ? "" : status.components.get("broker").progressDetails.get(0).message;
    }

    /** The example: scale in (whenScaled: Delete) and at once out again while the claim still goes. */
    @Test
    void aPodIsNeverCreatedOnAClaimBeingDeletedAndTheClaimIsCreatedAgainOnceItIsGone() {
        f.runningCluster("sc", deleteWhenScaled(4));
        Fixture.hold(claim("data-sc-broker-3"), true);
        String oldClaim = f.claimUid("data-sc-broker-3");
        f.createOps("in", "sc", scaleIn("broker", 1));
        f.createOps("out", "sc", scaleOut("broker", 1));
        String why = "waits for claim data-sc-broker-3 to finish deleting";
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertEquals("Running", f.opsPhase("out"), f::clusterState);
            assertTrue(detailMessage("out").contains(why), detailMessage("out"));
            var ready = Conditions.find(f.instanceSet("sc-broker").getStatus().conditions, "Ready");
            assertTrue(ready.message.contains("sc-broker-3 " + why), ready.message);
        });
        assertEquals("Succeed", f.opsPhase("in"));
        assertNull(f.pod("sc-broker-3"), "no pod on a claim being deleted");
        assertEquals(3, f.instanceSet("sc-broker").getStatus().readyReplicas);

        Fixture.hold(claim("data-sc-broker-3"), false);
        f.awaitOps("out", "Succeed");
        f.awaitReadyPods("sc-broker-0", "sc-broker-1", "sc-broker-2", "sc-broker-3");
        assertNotNull(f.claimUid("data-sc-broker-3"), "the claim is created again");
        assertNotEquals(oldClaim, f.claimUid("data-sc-broker-3"));
        assertNull(f.claim("data-sc-broker-3").getMetadata().getDeletionTimestamp());
    }

    @Test
    void anInstanceBroughtBackOnlineWaitsForItsClaimDeletedMeanwhile() {
        f.runningCluster("on", broker(3));
        f.createOps("off", "on", offline("broker", "on-broker-1"));
        f.awaitOps("off", "Succeed");
        Fixture.hold(claim("data-on-broker-1"), true);
        claim("data-on-broker-1").delete();
        f.createOps("back", "on", online("broker", "on-broker-1"));
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertTrue(detailMessage("back")
                .contains("waits for claim data-on-broker-1 to finish deleting"), detailMessage("back")));
        assertNull(f.pod("on-broker-1"));
        Fixture.hold(claim("data-on-broker-1"), false);
        f.awaitOps("back", "Succeed");
        f.awaitReadyPods("on-broker-0", "on-broker-1", "on-broker-2");
        assertNull(f.claim("data-on-broker-1").getMetadata().getDeletionTimestamp(), "a new claim, not the one that went");
    }

    @Test
    void aReadyPodBeingDeletedIsNotCountedReadyByTheInstanceSetOrTheCluster() {
        f.runningCluster("rd", broker(3));
        f.holdPod("rd-broker-1", true);
        client.pods().inNamespace(f.ns).withName("rd-broker-1").delete();
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertEquals(2, f.instanceSet("rd-broker").getStatus().readyReplicas);
            var broker = f.cluster("rd").getStatus().components.get("broker");
            assertEquals(2, broker.readyReplicas);
            assertEquals("Updating", broker.phase, "to be created again once it is gone");
        });
        f.holdPod("rd-broker-1", false);
        f.awaitClusterPhase("rd", "Running");
        f.awaitReadyPods("rd-broker-0", "rd-broker-1", "rd-broker-2");
    }

    @Test
    void aClaimThatDisappearsUnderARunningPodIsCreatedAgain() {
        f.runningCluster("gone", broker(2));
        String old = f.claimUid("data-gone-broker-1");
        claim("data-gone-broker-1").edit(c -> {
            c.getMetadata().getFinalizers().clear(); // as a storage system that removes it for good
            return c;
        });
        claim("data-gone-broker-1").withGracePeriod(0).delete();
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            var c = f.claim("data-gone-broker-1");
            assertNotNull(c, "created again");
            assertNotEquals(old, c.getMetadata().getUid());
            assertNull(c.getMetadata().getDeletionTimestamp());
        });
        assertTrue(f.events("InstanceSet", "gone-broker").stream().anyMatch(e -> e.getMessage().startsWith("created claim data-gone-broker-1"
                + " again")), "an Event says so");
    }

    @Test
    void scaledInAndOutUnderParallelManagementWaitsForTheClaimToo() {
        ComponentSpec b = deleteWhenScaled(3);
        b.podManagementPolicy = dev.ordinal.api.common.PodManagementPolicy.Parallel;
        f.runningCluster("par", b);
        Fixture.hold(claim("data-par-broker-2"), true);
        f.createOps("in", "par", scaleIn("broker", 1));
        f.awaitOps("in", "Succeed");
        f.createOps("out", "par", scaleOut("broker", 2));
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertNotNull(f.pod("par-broker-3"), "the others go on");
            assertTrue(detailMessage("out").contains("waits for claim data-par-broker-2 to finish deleting"), detailMessage("out"));
        });
        await().pollDelay(Duration.ofMillis(500)).atMost(Fixture.WAIT).until(() -> true);
        assertNull(f.pod("par-broker-2"));
        Fixture.hold(claim("data-par-broker-2"), false);
        f.awaitOps("out", "Succeed");
        f.awaitReadyPods("par-broker-0", "par-broker-1", "par-broker-2", "par-broker-3");
    }
}
