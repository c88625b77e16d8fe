package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.template;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Spec amendment §7a "names are unique" on the real API server: names that would collide are refused with both sides
 * named and nothing created, and no controller adopts, patches or deletes an object another owner created.
 */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class NameCollisionTest {
    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "names");
    }

    private static ComponentSpec component(String name, int replicas) {
        ComponentSpec c = broker(replicas);
        c.name = name;
        return c;
    }

    private Cluster awaitRefused(String cluster, String... messageParts) {
        return awaitRefusedFor(cluster, "NameCollision", messageParts);
    }

    private Cluster awaitRefusedFor(String cluster, String reason, String... messageParts) {
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            Cluster c = f.cluster(cluster);
            var valid = c.getStatus() == null ? null : Conditions.find(c.getStatus().conditions, "Valid");
            assertNotNull(valid, f::clusterState);
            assertEquals(reason, valid.reason, valid.message);
            for (String part : messageParts) {
                assertTrue(valid.message.contains(part), valid.message);
            }
            assertTrue(f.events("Cluster", cluster).stream().anyMatch(e -> reason.equals(e.getReason())
                    && "Warning".equals(e.getType())), "a Warning Event");
        });
        return f.cluster(cluster);
    }

    /** Waits until the InstanceSet reports Ready=False NameTaken with a message starting so, and a Warning Event says it. */
    private void awaitNameTaken(String instanceSet, String messageStart) {
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            var set = f.instanceSet(instanceSet);
            var ready = set == null || set.getStatus() == null ? null : Conditions.find(set.getStatus().conditions, "Ready");
            assertNotNull(ready, f::clusterState);
            assertEquals("NameTaken", ready.reason, ready.message);
            assertTrue(ready.message.startsWith(messageStart), ready.message);
            assertTrue(f.events("InstanceSet", instanceSet).stream().anyMatch(e -> "NameTaken".equals(e.getReason())
                    && "Warning".equals(e.getType())));
        });
    }

    @Test
    void anotherClustersInstanceSetIsNeverTakenOver() {
        // Issue example C: t17/broker-a (3 replicas) and t17-broker/a (1 replica) both join to t17-broker-a.
        f.runningCluster("t17", component("broker-a", 3));
        InstanceSet before = f.instanceSet("t17-broker-a");
        List<String> pods = f.podNames();
        f.createCluster("t17-broker", component("a", 1));
        awaitRefused("t17-broker", "instance set t17-broker-a of cluster t17-broker component a would also be the instance set of cluster t17 component broker-a",
                "cluster t17 has these names first");
        InstanceSet after = f.instanceSet("t17-broker-a");
        assertEquals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration(), "not re-applied");
        assertEquals(1, after.getMetadata().getOwnerReferences().size(), "no second owner");
        assertEquals("t17", after.getMetadata().getOwnerReferences().get(0).getName());
        assertEquals(3, after.getSpec().replicas);
        assertEquals(pods, f.podNames(), "none of t17's pods deleted");
        // the older Cluster keeps working, the refused one stays refused
        f.editComponent("t17", "broker-a", c -> c.replicas = 4);
        f.awaitReadyPods("t17-broker-a-0", "t17-broker-a-1", "t17-broker-a-2", "t17-broker-a-3");
        assertEquals("t17", f.instanceSet("t17-broker-a").getMetadata().getOwnerReferences().get(0).getName());
        // once t17 is gone, t17-broker may have the names, but not t17's data: terminationPolicy Delete kept t17's
        // claims, and a claim of another cluster is never mounted by this one
        client.resources(Cluster.class).inNamespace(f.ns).withName("t17").delete();
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            var set = f.instanceSet("t17-broker-a");
            assertNotNull(set);
            assertEquals("t17-broker", set.getMetadata().getOwnerReferences().get(0).getName());
            var ready = set.getStatus() == null ? null : Conditions.find(set.getStatus().conditions, "Ready");
            assertNotNull(ready);
            assertEquals("NameTaken", ready.reason, ready.message);
            assertTrue(ready.message.startsWith("PersistentVolumeClaim data-t17-broker-a-0 already exists and belongs to cluster t17"),
                    () -> ready.message + "; instance set uid " + set.getMetadata().getUid() + "; services "
                            + client.services().inNamespace(f.ns).list().getItems().stream().map(s -> s.getMetadata().getName() + " "
                                    + s.getMetadata().getOwnerReferences() + " deleting=" + s.getMetadata().getDeletionTimestamp()).toList());
        });
        assertEquals(List.of(), f.podNames(), "no pod of t17-broker on t17's claim");
        client.persistentVolumeClaims().inNamespace(f.ns).withLabel(Labels.CLUSTER, "t17").delete();
        f.awaitReadyPods("t17-broker-a-0");
    }

    @Test
    void templatesWhosePodsWouldBeAnotherComponentsAreRefusedAndNothingIsCreated() {
        ComponentSpec b = component("b", 2);
        b.instances = new ArrayList<>(List.of(template("x", 1)));
        f.createCluster("nc", b, component("b-x", 1));
        awaitRefused("nc", "pods nc-b-x-<ordinal> of cluster nc component b template x would have the same names as those of cluster nc component b-x");
        assertEquals(List.of(), f.podNames());
        assertTrue(client.resources(InstanceSet.class).inNamespace(f.ns).list().getItems().isEmpty(), "no instance set");
    }

    @Test
    void claimsThatWouldCollideAcrossClustersAreRefused() {
        ComponentSpec x = component("x", 1);
        x.volumeClaimTemplates.get(0).getMetadata().setName("data-kafka");
        f.runningCluster("b", x);
        f.createCluster("kafka", component("b-x", 1));
        awaitRefused("kafka", "claims data-kafka-b-x-<ordinal>", "cluster b has these names first");
        assertNull(f.pod("kafka-b-x-0"));
        assertEquals("b", f.claim("data-kafka-b-x-0").getMetadata().getLabels().get(Labels.CLUSTER), "b's claim untouched");
    }

    @Test
    void aPodMadeByHandIsNeitherAdoptedNorDeleted() {
        // labelled as if it were the set's own pod, but nobody's controller: Ordinal must not take it
        var hand = client.pods().inNamespace(f.ns).resource(new PodBuilder()
                .withMetadata(new ObjectMetaBuilder().withName("hand-broker-1")
                        .withLabels(Map.of(Labels.INSTANCE_SET, "hand-broker", Labels.CLUSTER, "hand", Labels.MANAGED_BY, "ordinal")).build())
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build()).create();
        f.createCluster("hand", broker(3));
        awaitNameTaken("hand-broker", "Pod hand-broker-1 already exists and belongs to no controller");
        var still = f.pod("hand-broker-1");
        assertEquals(hand.getMetadata().getUid(), still.getMetadata().getUid(), "not deleted and recreated");
        assertTrue(still.getMetadata().getOwnerReferences().isEmpty(), "not adopted");
        assertEquals(1, f.instanceSet("hand-broker").getStatus().replicas, "only hand-broker-0 counts as the set's own");
        assertNull(f.pod("hand-broker-2"), "hand-broker-2 waits for its predecessor");
        client.pods().inNamespace(f.ns).withName("hand-broker-1").delete();
        f.awaitReadyPods("hand-broker-0", "hand-broker-1", "hand-broker-2");
    }

    @Test
    void aClaimMadeByHandIsNotMountedByAnOrdinalPod() {
        var claim = client.persistentVolumeClaims().inNamespace(f.ns).resource(new PersistentVolumeClaimBuilder()
                .withMetadata(new ObjectMetaBuilder().withName("data-hc-broker-0").build())
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().withRequests(Map.of("storage", new Quantity("1Gi")))
                .endResources().endSpec().build()).create();
        f.createCluster("hc", broker(1));
        awaitNameTaken("hc-broker", "PersistentVolumeClaim data-hc-broker-0 already exists and belongs to cluster <none>");
        assertNull(f.pod("hc-broker-0"), "no pod on somebody else's data");
        assertEquals(claim.getMetadata().getUid(), f.claimUid("data-hc-broker-0"));
    }

    @Test
    void namesOverKubernetesLimitsAreRefused() {
        // 43 + 1 + 11 = 55 characters of instance set name: the API server refuses it.
        KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                () -> f.createCluster("c".repeat(43), component("broker-long", 1)));
        assertEquals(422, refused.getCode());
        assertTrue(refused.getMessage().contains("at most 54 characters"), refused.getMessage());
        // An instance set name that fits, with a template that makes pod names of 64 characters: refused by the controller.
        ComponentSpec b = component("broker", 1);
        b.instances = new ArrayList<>(List.of(template("t".repeat(20), 1)));
        String cluster = "l".repeat(34);
        f.createCluster(cluster, b);
        awaitRefusedFor(cluster, "NameTooLong", "pod name " + cluster + "-broker-" + "t".repeat(20) + "-0 has 64 characters; at most 63");
        assertEquals(List.of(), f.podNames());
    }
}
