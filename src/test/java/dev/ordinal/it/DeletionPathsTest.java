package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.scaleOut;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec.TerminationPolicy;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.common.PvcRetentionPolicy.Retention;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.testkube.ProjectControlPlaneOnly;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Deletion paths (issue #27 D), on the real API server: a Cluster keeps its finalizer until its pods are gone, and
 * claims follow their pods, as {@code kubernetes.io/pvc-protection} holds them on a node.
 */
@QuarkusTest
@ProjectControlPlaneOnly("reads the API server's audit log")
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class DeletionPathsTest {
    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "deletion");
    }

    @AfterEach
    void kubeletBackToNormal() {
        Fixture.kubeletBackToNormal();
    }

    /** For a few seconds, while {@code pod} still terminates: the Cluster and every claim are still there. */
    private void clusterAndClaimsOutliveTheTerminatingPod(String cluster, String pod, String... claims) {
        await().atMost(Fixture.WAIT).until(() -> f.pod(pod) != null && f.pod(pod).getMetadata().getDeletionTimestamp() != null);
        await().pollDelay(Duration.ofSeconds(3)).atMost(Fixture.WAIT).untilAsserted(() -> {
            Cluster c = f.cluster(cluster);
            assertNotNull(c, "the Cluster keeps its finalizer while " + pod + " terminates");
            assertNotNull(c.getMetadata().getDeletionTimestamp());
            for (String claim : claims) {
                assertNotNull(f.claim(claim), claim);
                assertNull(f.claim(claim).getMetadata().getDeletionTimestamp(), claim + " follows its pod");
            }
        });
    }

    @Test
    void aWipedOutClusterGoesOnlyOnceItsLastPodIsGoneAndItsClaimsAfterIt() {
        f.runningCluster("wo", broker(2));
        f.editCluster("wo", c -> c.getSpec().terminationPolicy = TerminationPolicy.WipeOut);
        f.holdPod("wo-broker-1", true);
        client.resource(f.cluster("wo")).delete();
        clusterAndClaimsOutliveTheTerminatingPod("wo", "wo-broker-1", "data-wo-broker-0", "data-wo-broker-1");

        f.holdPod("wo-broker-1", false);
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertNull(f.cluster("wo"));
            assertEquals(0, client.persistentVolumeClaims().inNamespace(f.ns).list().getItems().stream()
                    .filter(c -> c.getMetadata().getDeletionTimestamp() == null).count(), "WipeOut deletes the claims");
        });
    }

    @Test
    void anInstanceSetThatDeletesItsClaimsWaitsForItsPodsToo() {
        ComponentSpec b = broker(2);
        b.persistentVolumeClaimRetentionPolicy = Fixture.retention(Retention.Retain, Retention.Delete);
        f.runningCluster("wd", b);
        f.holdPod("wd-broker-0", true);
        client.resource(f.cluster("wd")).delete();
        clusterAndClaimsOutliveTheTerminatingPod("wd", "wd-broker-0", "data-wd-broker-0", "data-wd-broker-1");
        assertNotNull(f.instanceSet("wd-broker"), "the InstanceSet keeps its finalizer too");

        f.holdPod("wd-broker-0", false);
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertNull(f.cluster("wd"));
            assertNull(f.instanceSet("wd-broker"));
            assertEquals(0, client.persistentVolumeClaims().inNamespace(f.ns).list().getItems().stream()
                    .filter(c -> c.getMetadata().getDeletionTimestamp() == null).count(), "whenDeleted: Delete deletes the claims");
        });
    }

    @Test
    void aClusterWhosePodsAreAlreadyGoneIsDeletedAtOnce() {
        f.runningCluster("quick", broker(1));
        client.resource(f.cluster("quick")).delete();
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertNull(f.cluster("quick")));
        assertEquals(java.util.List.of(), f.podNames());
        assertNotNull(f.claim("data-quick-broker-0"), "terminationPolicy Delete keeps the claims");
    }

    /**
     * The example: the namespace is deleted while a scale-out runs. Its pods go first (ordered namespace
     * deletion); a test finalizer on one of them keeps the namespace, and the ops, there while Ordinal would make the
     * others again.
     */
    @Test
    void deletingTheNamespaceWhileAnOpsRunsEndsTheOpsAtOnceAndStopsCreatesForGood() {
        f.runningCluster("nd", broker(3));
        f.holdPod("nd-broker-2", true);
        Fixture.kubelet().neverReady("nd-broker-3");
        f.createOps("out", "nd", scaleOut("broker", 2));
        await().atMost(Fixture.WAIT).until(() -> "Running".equals(f.opsPhase("out")) && f.pod("nd-broker-3") != null);
        long mark = KubeResource.kube().auditLog().mark();
        client.namespaces().withName(f.ns).delete();

        OpsRequest ops = f.awaitOps("out", "Failed");
        var failed = Conditions.find(ops.getStatus().conditions, "Failed");
        assertEquals("NamespaceTerminating", failed.reason);
        assertTrue(failed.message.startsWith("namespace " + f.ns + " is being deleted"), failed.message);
        await().pollDelay(Duration.ofSeconds(3)).atMost(Fixture.WAIT).until(() -> true);
        List<AuditLog.Entry> refused = KubeResource.kube().auditLog().awaitQuiet(300, 5000).since(mark).inNamespace(f.ns)
                .byUser(TestKube.OPERATOR_USER).where(e -> e.verb() == AuditLog.Verb.CREATE && e.code() == 403
                        && !e.resource().equals("events")).entries();
        assertTrue(refused.size() <= 2, "one refused create stops creates for good, no retries: " + refused);
        f.holdPod("nd-broker-2", false);
        await().atMost(Fixture.WAIT).until(() -> client.namespaces().withName(f.ns).get() == null);
    }
}
