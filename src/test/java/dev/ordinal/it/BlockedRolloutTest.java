package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.offline;
import static dev.ordinal.it.Fixture.scaleIn;
import static dev.ordinal.it.Fixture.scaleOut;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Spec amendment §7b "a blocked rollout is Abnormal" (issue #27 C), on the real API server: a component whose rollout
 * cannot finish because of an unhealthy pod is Abnormal, not Updating, whatever waits behind that pod, so the ops that
 * would undo the rollout (a scale-in, an offline of the blocked or a waiting pod) starts without {@code force}.
 * Each cluster has a name of its own: the simulated kubelet's per-pod behaviour is keyed by pod name.
 */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class BlockedRolloutTest {
    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "blocked");
    }

    @AfterEach
    void kubeletBackToNormal() {
        Fixture.kubeletBackToNormal();
    }

    private String brokerPhase(String cluster) {
        var status = f.cluster(cluster).getStatus();
        return status == null || status.components == null ? null : status.components.get("broker").phase;
    }

    /** Scale out by 2 with the first new pod unschedulable: ends Aborted at its deadline, the component Abnormal. */
    private void blockedScaleOut(String cluster) {
        f.runningCluster(cluster, broker(3));
        Fixture.kubelet().unschedulable(cluster + "-broker-3");
        f.createOps("out", cluster, spec -> spec.timeoutSeconds = 4, scaleOut("broker", 2));
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertEquals("Running", f.opsPhase("out"));
            assertEquals("Abnormal", brokerPhase(cluster), "Abnormal while the ops still runs: " + f.clusterState());
        });
        var progressing = Conditions.find(f.instanceSet(cluster + "-broker").getStatus().conditions, "Progressing");
        assertEquals("RolloutBlocked", progressing.reason);
        assertTrue(progressing.message.startsWith("the rollout cannot go on: " + cluster + "-broker-3 is not Ready (Unschedulable"),
                progressing.message);
        f.awaitOps("out", "Aborted");
        assertEquals("Abnormal", brokerPhase(cluster), "still, after the ops ended");
    }

    /** The example: the scale-in that undoes a blocked scale-out is not refused as "Updating". */
    @Test
    void aScaleOutBlockedByAnUnschedulablePodLeavesTheComponentAbnormalAndTheScaleInThatUndoesItRuns() {
        blockedScaleOut("bx");
        OpsRequest in = f.createOps("in", "bx", scaleIn("broker", 2));
        in = f.awaitOps("in", "Succeed");
        assertEquals("2/2", in.getStatus().progress);
        f.awaitReadyPods("bx-broker-0", "bx-broker-1", "bx-broker-2");
        f.awaitClusterPhase("bx", "Running");
    }

    @Test
    void theBlockedPodItselfIsTakenOfflineWithoutForceAndThePodBehindItGoesOn() {
        blockedScaleOut("by");
        f.createOps("off", "by", offline("broker", "by-broker-3"));
        f.awaitOps("off", "Succeed");
        f.awaitReadyPods("by-broker-0", "by-broker-1", "by-broker-2", "by-broker-4");
        f.awaitClusterPhase("by", "Running");
    }

    @Test
    void aWaitingPodThatWasNeverCreatedIsTakenOfflineWithoutForce() {
        blockedScaleOut("bz");
        f.createOps("off", "bz", offline("broker", "bz-broker-4"));
        OpsRequest ops = f.awaitOps("off", "Succeed");
        assertEquals("1/1", ops.getStatus().progress);
        assertNull(f.pod("bz-broker-4"));
        assertEquals("Abnormal", brokerPhase("bz"), "bz-broker-3 is still unschedulable, and nothing waits behind it");
    }

    @Test
    void aPodNeverReadyPastItsStartBudgetBlocksTheRolloutTooAndTheComponentIsAbnormal() {
        f.runningCluster("bn", broker(2));
        Fixture.kubelet().neverReady("bn-broker-2");
        f.createOps("out", "bn", scaleOut("broker", 2));
        // starting for the tests' 2 s start budget (Updating), then unhealthy with bn-broker-3 behind it
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertEquals("Abnormal", brokerPhase("bn"), f::clusterState));
        assertNull(f.pod("bn-broker-3"));
        assertEquals("Running", f.opsPhase("out"));
        Fixture.kubelet().healthy("bn-broker-2");
        f.awaitOps("out", "Succeed");
    }
}
