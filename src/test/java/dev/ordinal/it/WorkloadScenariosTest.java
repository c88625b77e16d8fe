package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.retention;
import static dev.ordinal.it.Fixture.template;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec.TerminationPolicy;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.common.PodManagementPolicy;
import dev.ordinal.api.common.PvcRetentionPolicy.Retention;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The Cluster and InstanceSet controllers on their own: clusters edited directly, as users also do. */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class WorkloadScenariosTest {
    /** The test's own client (an administrator), not the operator's. */
    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "wl");
    }

    @Test
    void scenario01_createClusterRunsReadyPodsWithClaims() {
        f.runningCluster("kafka", broker(3));
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2");
        for (int i = 0; i < 3; i++) {
            assertNotNull(f.claim("data-kafka-broker-" + i), "claim of pod " + i);
            var volume = f.pod("kafka-broker-" + i).getSpec().getVolumes().get(0);
            assertEquals("data-kafka-broker-" + i, volume.getPersistentVolumeClaim().getClaimName());
        }
        assertEquals("kafka-broker-headless", f.pod("kafka-broker-1").getSpec().getSubdomain());
        assertNotNull(client.services().inNamespace(f.ns).withName("kafka-broker-headless").get());
        InstanceSet set = f.instanceSet("kafka-broker");
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertEquals(3, f.instanceSet("kafka-broker").getStatus().readyReplicas));
        assertEquals("kafka", set.getMetadata().getOwnerReferences().get(0).getName());
        Cluster cluster = f.cluster("kafka");
        assertEquals("broker 3/3", cluster.getStatus().componentSummary);
        assertTrue(f.events("InstanceSet", "kafka-broker").stream().anyMatch(e -> "SuccessfulCreate".equals(e.getReason())));
    }

    @Test
    void scenario10_scaleInByCountKeepsClaimByDefault() {
        f.runningCluster("kafka", broker(3));
        String uid = f.claimUid("data-kafka-broker-2");
        f.editComponent("kafka", "broker", c -> c.replicas = 2);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1");
        assertEquals(uid, f.claimUid("data-kafka-broker-2"), "whenScaled Retain keeps the claim");
    }

    @Test
    void scenario10_scaleInByCountDeletesClaimWhenScaledDelete() {
        ComponentSpec b = broker(3);
        b.persistentVolumeClaimRetentionPolicy = retention(Retention.Delete, Retention.Retain);
        f.runningCluster("kafka", b);
        f.editComponent("kafka", "broker", c -> c.replicas = 2);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1");
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertNull(f.claim("data-kafka-broker-2")));
        assertNotNull(f.claim("data-kafka-broker-1"));
    }

    @Test
    void scenario11_scaleOutCreatesHigherOrdinals() {
        f.runningCluster("kafka", broker(3));
        f.editComponent("kafka", "broker", c -> c.replicas = 5);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2", "kafka-broker-3", "kafka-broker-4");
        f.awaitClusterPhase("kafka", "Running");
    }

    @Test
    void scenario14_templatePodsCarryTheTemplateName() {
        ComponentSpec b = broker(3);
        b.instances = new ArrayList<>(List.of(template("hot", 1)));
        f.runningCluster("kafka", b);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-hot-0");
        assertEquals("hot", f.pod("kafka-broker-hot-0").getMetadata().getLabels().get("workloads.ordinal.dev/template"));
    }

    @Test
    void offlineAndOnlineByEditingTheClusterKeepsAndReusesTheClaim() {
        f.runningCluster("kafka", broker(3));
        String uid = f.claimUid("data-kafka-broker-1");
        f.editComponent("kafka", "broker", c -> {
            c.replicas = 2;
            c.offlineInstances = new ArrayList<>(List.of("kafka-broker-1"));
        });
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-2");
        assertEquals(uid, f.claimUid("data-kafka-broker-1"), "an offline instance keeps its claim");
        f.editComponent("kafka", "broker", c -> {
            c.replicas = 3;
            c.offlineInstances = new ArrayList<>();
        });
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2");
        assertEquals(uid, f.claimUid("data-kafka-broker-1"), "the pod brought back re-attaches its old claim");
    }

    @Test
    void offlineClaimIsKeptEvenWhenScaledDelete() {
        ComponentSpec b = broker(3);
        b.persistentVolumeClaimRetentionPolicy = retention(Retention.Delete, Retention.Delete);
        f.runningCluster("kafka", b);
        f.editComponent("kafka", "broker", c -> {
            c.replicas = 2;
            c.offlineInstances = new ArrayList<>(List.of("kafka-broker-2"));
        });
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1");
        assertNotNull(f.claim("data-kafka-broker-2"), "offline means the data stays, whatever whenScaled says");
    }

    @Test
    void aPodDeletedByHandIsRecreated() {
        f.runningCluster("kafka", broker(3));
        String uid = f.pod("kafka-broker-1").getMetadata().getUid();
        client.pods().inNamespace(f.ns).withName("kafka-broker-1").delete();
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            var p = f.pod("kafka-broker-1");
            assertNotNull(p);
            assertFalse(uid.equals(p.getMetadata().getUid()));
        });
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2");
    }

    @Test
    void parallelPolicyCreatesEveryPodWithoutWaiting() {
        ComponentSpec b = broker(4);
        b.podManagementPolicy = PodManagementPolicy.Parallel;
        b.parallelPodManagementConcurrency = new IntOrString("100%");
        f.runningCluster("kafka", b);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2", "kafka-broker-3");
    }

    @Test
    void deleteTerminationPolicyRemovesPodsButKeepsClaims() {
        f.runningCluster("kafka", broker(2));
        client.resources(Cluster.class).inNamespace(f.ns).withName("kafka").delete();
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertNull(f.cluster("kafka"));
            assertEquals(List.of(), f.podNames());
        });
        assertNotNull(f.claim("data-kafka-broker-0"), "Delete keeps data (whenDeleted Retain)");
    }

    @Test
    void wipeOutTerminationPolicyAlsoDeletesClaims() {
        f.createCluster("kafka", TerminationPolicy.WipeOut, broker(2));
        f.awaitClusterPhase("kafka", "Running");
        client.resources(Cluster.class).inNamespace(f.ns).withName("kafka").delete();
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertNull(f.cluster("kafka"));
            assertEquals(List.of(), f.podNames());
            assertNull(f.claim("data-kafka-broker-0"));
            assertNull(f.claim("data-kafka-broker-1"));
        });
    }

    @Test
    void doNotTerminateRefusesDeletionWithACondition() {
        f.createCluster("kafka", TerminationPolicy.DoNotTerminate, broker(1));
        f.awaitClusterPhase("kafka", "Running");
        client.resources(Cluster.class).inNamespace(f.ns).withName("kafka").delete();
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            Cluster c = f.cluster("kafka");
            assertNotNull(c, "the cluster stays");
            var cond = Conditions.find(c.getStatus().conditions, "Terminating");
            assertNotNull(cond);
            assertEquals("DoNotTerminate", cond.reason);
        });
        assertEquals(List.of("kafka-broker-0"), f.podNames());
        // let the namespace go: switch the policy so the finalizer can complete
        f.editCluster("kafka", c -> c.getSpec().terminationPolicy = TerminationPolicy.Delete);
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertNull(f.cluster("kafka")));
    }

    @Test
    void aPodTheApiServerRefusesIsReportedWithItsReason() {
        // The template mounts a volume that no claim template provides: the API server refuses every such pod (422).
        ComponentSpec b = broker(1);
        b.volumeClaimTemplates = new ArrayList<>();
        b.template.getSpec().getContainers().get(0).getVolumeMounts()
                .add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName("data").withMountPath("/var/lib/kafka").build());
        f.createCluster("rejected", b);
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            InstanceSet set = f.instanceSet("rejected-broker");
            var ready = set == null || set.getStatus() == null ? null : Conditions.find(set.getStatus().conditions, "Ready");
            assertNotNull(ready, f::clusterState);
            assertEquals("CreateRejected", ready.reason, ready.message);
            assertTrue(ready.message.startsWith("the API server refused to create Pod rejected-broker-0: "), ready.message);
            assertTrue(ready.message.contains("volumeMounts[0].name: Not found: \"data\""), ready.message);
            assertTrue(f.events("InstanceSet", "rejected-broker").stream().anyMatch(e -> "CreateRejected".equals(e.getReason())));
            // A Cluster still Creating reports after the status settle window (1 s) unless it settles first.
            assertNotNull(f.cluster("rejected").getStatus(), f::clusterState);
            var component = f.cluster("rejected").getStatus().components.get("broker");
            assertTrue(component.message.get("Pod/rejected-broker-0").contains("Not found: \"data\""), f.clusterState());
        });
        assertEquals(List.of(), f.podNames());
        // fixed in the Cluster: the pod is created within the recheck
        f.editComponent("rejected", "broker", c -> c.template.getSpec().getContainers().get(0).setVolumeMounts(new ArrayList<>()));
        f.awaitReadyPods("rejected-broker-0");
    }

    @Test
    void inconsistentComponentIsReportedNotHalfApplied() {
        ComponentSpec b = broker(1);
        b.instances = new ArrayList<>(List.of(template("hot", 2)));
        f.createCluster("kafka", b);
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            Cluster c = f.cluster("kafka");
            assertNotNull(c.getStatus());
            var valid = Conditions.find(c.getStatus().conditions, "Valid");
            assertNotNull(valid);
            assertEquals("False", valid.status);
            assertTrue(valid.message.contains("broker"), valid.message);
        });
        assertNull(f.instanceSet("kafka-broker"), "nothing is created for an inconsistent component");
        assertTrue(f.events("Cluster", "kafka").stream().anyMatch(e -> "InvalidComponent".equals(e.getReason())));
    }
}
