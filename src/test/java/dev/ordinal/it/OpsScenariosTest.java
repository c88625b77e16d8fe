package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.limit;
import static dev.ordinal.it.Fixture.offline;
import static dev.ordinal.it.Fixture.online;
import static dev.ordinal.it.Fixture.scale;
import static dev.ordinal.it.Fixture.scaleIn;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.testkube.ProjectControlPlaneOnly;
import dev.ordinal.testkube.FaultProxy;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Spec §7, end to end: OpsRequests through the real controllers on the real kube-apiserver and the simulated
 * kubelet; writes are counted from the API server's audit log.
 */
@QuarkusTest
@ProjectControlPlaneOnly("reads the API server's audit log and steers the fault proxy")
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class OpsScenariosTest {
    /** The test's own client (an administrator), not the operator's. */
    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    FaultProxy proxy() {
        return KubeResource.proxy();
    }

    TestKube.Kubelet kubelet() {
        return KubeResource.kube().kubelet();
    }

    /** A position in the API server's audit log. */
    long auditMark() {
        return KubeResource.kube().auditLog().mark();
    }

    /** The operator's requests in this test's namespace since {@code mark}, from the API server's audit log. */
    AuditLog.Snapshot operatorRequestsSince(long mark) {
        return KubeResource.kube().auditLog().awaitQuiet(300, 5000).since(mark).inNamespace(f.ns)
                .byUser(TestKube.OPERATOR_USER);
    }

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "ops");
    }

    @AfterEach
    void resetKubelet() {
        kubelet().reset();
        proxy().clear();
    }

    /** Scenario 2 as the starting point of several others: replicas 3, then kafka-broker-2 offline. */
    private void afterScenario2() {
        f.runningCluster("kafka", broker(3));
        f.createOps("offline-2", "kafka", offline("broker", "kafka-broker-2"));
        f.awaitOps("offline-2", "Succeed");
    }

    private ComponentSpec brokerSpec() {
        return f.component("kafka", "broker");
    }

    @Test
    void scenario02_offlineTheLastPod() {
        f.runningCluster("kafka", broker(3));
        String uid = f.claimUid("data-kafka-broker-2");
        f.createOps("offline-2", "kafka", offline("broker", "kafka-broker-2"));
        OpsRequest ops = f.awaitOps("offline-2", "Succeed");
        assertEquals("1/1", ops.getStatus().progress);
        assertEquals(2, brokerSpec().replicas);
        assertEquals(List.of("kafka-broker-2"), brokerSpec().offlineInstances);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1");
        assertEquals(uid, f.claimUid("data-kafka-broker-2"), "offline keeps the claim");
    }

    @Test
    void scenario03_seedBringingTheLastPodBackRaisesReplicasInOneWrite() throws Exception {
        afterScenario2();
        String uid = f.claimUid("data-kafka-broker-2");
        assertNotNull(uid);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Watch watch = client.resources(OpsRequest.class).inNamespace(f.ns).withName("online-2").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, OpsRequest o) {
                if (o.getStatus() != null && o.getStatus().components.get("broker") != null) {
                    o.getStatus().components.get("broker").progressDetails.forEach(d -> seen.add(d.objectKey + "=" + d.status));
                }
            }

            @Override
            public void onClose(WatcherException e) {
            }
        });
        kubelet().readyDelay(Duration.ofMillis(400));
        try {
            long before = auditMark();
            f.createOps("online-2", "kafka", online("broker", "kafka-broker-2"));
            OpsRequest ops = f.awaitOps("online-2", "Succeed");
            AuditLog.Snapshot delta = operatorRequestsSince(before);
            assertEquals(1, delta.count(AuditLog.Verb.APPLY, "clusters", "ordinal-ops"),
                    "exactly one Cluster apply by ordinal-ops: " + delta);
            assertEquals(0, delta.writes("clusters") - delta.count(AuditLog.Verb.APPLY, "clusters", "ordinal-ops"),
                    "no other Cluster spec write: " + delta);
            assertEquals("1/1", ops.getStatus().progress);
            assertEquals(3, brokerSpec().replicas, "THE FIX: replicas raised with the instance brought back");
            assertEquals(List.of(), brokerSpec().offlineInstances);
            f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2");
            assertEquals(uid, f.claimUid("data-kafka-broker-2"), "the pod re-uses its old claim");
            assertEquals(2, ops.getStatus().lastConfiguration.components.get("broker").replicas, "snapshot taken before the change");
            await().atMost(Fixture.WAIT).untilAsserted(() -> assertTrue(seen.containsAll(
                    List.of("Pod/kafka-broker-2=Pending", "Pod/kafka-broker-2=Processing", "Pod/kafka-broker-2=Succeed"))
                    || seen.containsAll(List.of("Pod/kafka-broker-2=Processing", "Pod/kafka-broker-2=Succeed")), seen::toString));
            assertTrue(seen.contains("Pod/kafka-broker-2=Processing"), seen::toString);
            // What `kubectl describe ops online-2` lists: one Event per phase change, found by involvedObject
            await().atMost(Fixture.WAIT).untilAsserted(() -> assertEquals(List.of("Creating", "Running", "Succeed"),
                    f.events("OpsRequest", "online-2").stream().map(e -> e.getReason()).distinct().sorted().toList()));
        } finally {
            watch.close();
        }
    }

    @Test
    void scenario04_scaleOutOneWithTheOfflinePodUsesIt() {
        afterScenario2();
        f.createOps("out", "kafka", scaleOut("broker", 1, "kafka-broker-2"));
        f.awaitOps("out", "Succeed");
        assertEquals(3, brokerSpec().replicas);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2");
    }

    @Test
    void scenario05_scaleOutTwoWithTheOfflinePod() {
        afterScenario2();
        f.createOps("out", "kafka", scaleOut("broker", 2, "kafka-broker-2"));
        OpsRequest ops = f.awaitOps("out", "Succeed");
        assertEquals("2/2", ops.getStatus().progress);
        assertEquals(4, brokerSpec().replicas);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2", "kafka-broker-3");
    }

    @Test
    void scenario06_replicaChangesZeroWithAnOnlineNameFailsAndLeavesTheClusterAlone() {
        afterScenario2();
        Cluster before = f.cluster("kafka");
        f.createOps("bad", "kafka", scaleOut("broker", 0, "kafka-broker-2"));
        OpsRequest ops = f.awaitOps("bad", "Failed");
        var validated = Conditions.find(ops.getStatus().conditions, "Validated");
        assertEquals("False", validated.status);
        assertTrue(validated.message.contains("scaleOut.replicaChanges"), validated.message);
        Cluster after = f.cluster("kafka");
        assertEquals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration());
        assertEquals(before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion());
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertTrue(f.events("OpsRequest", "bad").stream()
                .anyMatch(e -> "Warning".equals(e.getType()) && "ValidationFailed".equals(e.getReason()))));
    }

    @Test
    void scenario07_offlineAMiddlePodNeverTouchesTheNextOne() {
        f.runningCluster("kafka", broker(3));
        String uid2 = f.pod("kafka-broker-2").getMetadata().getUid();
        f.createOps("off-1", "kafka", offline("broker", "kafka-broker-1"));
        f.awaitOps("off-1", "Succeed");
        assertEquals(2, brokerSpec().replicas);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-2");
        assertEquals(uid2, f.pod("kafka-broker-2").getMetadata().getUid(), "-2 is never recreated");
    }

    @Test
    void scenario08_onlineTheMiddlePodAgain() {
        f.runningCluster("kafka", broker(3));
        String claim = f.claimUid("data-kafka-broker-1");
        String uid2 = f.pod("kafka-broker-2").getMetadata().getUid();
        f.createOps("off-1", "kafka", offline("broker", "kafka-broker-1"));
        f.awaitOps("off-1", "Succeed");
        f.createOps("on-1", "kafka", online("broker", "kafka-broker-1"));
        f.awaitOps("on-1", "Succeed");
        assertEquals(3, brokerSpec().replicas);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2");
        assertEquals(claim, f.claimUid("data-kafka-broker-1"));
        assertEquals(uid2, f.pod("kafka-broker-2").getMetadata().getUid(), "-2 was never deleted");
    }

    @Test
    void scenario09_scaleOutAfterAMiddleOfflineSkipsItsOrdinal() {
        f.runningCluster("kafka", broker(3));
        f.createOps("off-1", "kafka", offline("broker", "kafka-broker-1"));
        f.awaitOps("off-1", "Succeed");
        f.createOps("out", "kafka", scaleOut("broker", 1));
        f.awaitOps("out", "Succeed");
        assertEquals(List.of("kafka-broker-1"), brokerSpec().offlineInstances);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-2", "kafka-broker-3");
    }

    @Test
    void scenario10_scaleInByOne() {
        f.runningCluster("kafka", broker(3));
        f.createOps("in", "kafka", scaleIn("broker", 1));
        f.awaitOps("in", "Succeed");
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1");
        assertNotNull(f.claim("data-kafka-broker-2"), "whenScaled Retain by default");
    }

    @Test
    void scenario11_scaleOutByTwoReportsEachStep() {
        f.runningCluster("kafka", broker(3));
        Set<String> progress = ConcurrentHashMap.newKeySet();
        kubelet().readyDelay(Duration.ofMillis(300));
        Watch watch = client.resources(OpsRequest.class).inNamespace(f.ns).withName("out").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, OpsRequest o) {
                if (o.getStatus() != null && o.getStatus().progress != null) {
                    progress.add(o.getStatus().progress);
                }
            }

            @Override
            public void onClose(WatcherException e) {
            }
        });
        try {
            f.createOps("out", "kafka", scaleOut("broker", 2));
            f.awaitOps("out", "Succeed");
            f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2", "kafka-broker-3", "kafka-broker-4");
            await().atMost(Fixture.WAIT).untilAsserted(() -> assertTrue(progress.containsAll(List.of("0/2", "1/2", "2/2")), progress::toString));
        } finally {
            watch.close();
        }
    }

    @Test
    void scenario12_offlineTwoThenOnlineBothOrOnlyTheHigher() {
        f.runningCluster("kafka", broker(5));
        f.createOps("off", "kafka", offline("broker", "kafka-broker-3", "kafka-broker-4"));
        f.awaitOps("off", "Succeed");
        assertEquals(3, brokerSpec().replicas);
        f.createOps("on-4", "kafka", online("broker", "kafka-broker-4"));
        f.awaitOps("on-4", "Succeed");
        assertEquals(4, brokerSpec().replicas);
        assertEquals(List.of("kafka-broker-3"), brokerSpec().offlineInstances);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2", "kafka-broker-4");
        f.createOps("on-3", "kafka", online("broker", "kafka-broker-3"));
        f.awaitOps("on-3", "Succeed");
        assertEquals(5, brokerSpec().replicas);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2", "kafka-broker-3", "kafka-broker-4");
    }

    @Test
    void scenario12_onlineBothInOneOps() {
        f.runningCluster("kafka", broker(5));
        f.createOps("off", "kafka", offline("broker", "kafka-broker-3", "kafka-broker-4"));
        f.awaitOps("off", "Succeed");
        f.createOps("on", "kafka", online("broker", "kafka-broker-3", "kafka-broker-4"));
        OpsRequest ops = f.awaitOps("on", "Succeed");
        assertEquals("2/2", ops.getStatus().progress);
        assertEquals(5, brokerSpec().replicas);
        assertEquals(List.of(), brokerSpec().offlineInstances);
    }

    @Test
    void scenario13_ordinalGapIsRefusedThenFilledWithScaleOutTwo() {
        f.runningCluster("kafka", broker(5));
        f.createOps("off-4", "kafka", offline("broker", "kafka-broker-4"));
        f.awaitOps("off-4", "Succeed");
        f.createOps("in", "kafka", scaleIn("broker", 1));
        f.awaitOps("in", "Succeed");
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2");
        assertEquals(List.of("kafka-broker-4"), brokerSpec().offlineInstances);
        Cluster before = f.cluster("kafka");
        f.createOps("on-4", "kafka", online("broker", "kafka-broker-4"));
        OpsRequest bad = f.awaitOps("on-4", "Failed");
        String message = Conditions.find(bad.getStatus().conditions, "Validated").message;
        assertTrue(message.contains("kafka-broker-4") && message.contains("3"), message);
        assertEquals(before.getMetadata().getResourceVersion(), f.cluster("kafka").getMetadata().getResourceVersion());
        f.createOps("fill", "kafka", scaleOut("broker", 2, "kafka-broker-4"));
        f.awaitOps("fill", "Succeed");
        assertEquals(5, brokerSpec().replicas);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2", "kafka-broker-3", "kafka-broker-4");
    }

    @Test
    void scenario14_templateInstanceOfflineAndBack() {
        ComponentSpec b = broker(3);
        b.instances = new ArrayList<>(List.of(template("hot", 1)));
        f.runningCluster("kafka", b);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-hot-0");
        f.createOps("off", "kafka", offline("broker", "kafka-broker-hot-0"));
        f.awaitOps("off", "Succeed");
        assertEquals(2, brokerSpec().replicas);
        assertEquals(0, brokerSpec().instances.get(0).replicas);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1");
        f.createOps("on", "kafka", online("broker", "kafka-broker-hot-0"));
        f.awaitOps("on", "Succeed");
        assertEquals(3, brokerSpec().replicas);
        assertEquals(1, brokerSpec().instances.get(0).replicas);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-hot-0");
    }

    @Test
    void scenario15_bringTwoTemplatesBackInOneOps() {
        ComponentSpec b = broker(3);
        b.instances = new ArrayList<>(List.of(template("foo", 1)));
        b.offlineInstances = new ArrayList<>(List.of("kafka-broker-foo-1", "kafka-broker-2"));
        f.runningCluster("kafka", b);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-foo-0");
        f.createOps("on", "kafka", online("broker", "kafka-broker-foo-1", "kafka-broker-2"));
        OpsRequest ops = f.awaitOps("on", "Succeed");
        assertEquals("2/2", ops.getStatus().progress);
        assertEquals(5, brokerSpec().replicas);
        assertEquals(2, brokerSpec().instances.get(0).replicas);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2", "kafka-broker-foo-0", "kafka-broker-foo-1");
    }

    @Test
    void scenario16_offlineAndOnlineInOneOps() {
        ComponentSpec b = broker(2);
        b.instances = new ArrayList<>(List.of(template("hot", 1)));
        b.offlineInstances = new ArrayList<>(List.of("kafka-broker-1"));
        f.runningCluster("kafka", b);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-hot-0");
        HorizontalScalingBoth both = new HorizontalScalingBoth();
        f.createOps("swap", "kafka", both.entry());
        OpsRequest ops = f.awaitOps("swap", "Succeed");
        assertEquals("2/2", ops.getStatus().progress);
        assertEquals(2, brokerSpec().replicas);
        assertEquals(List.of("kafka-broker-hot-0"), brokerSpec().offlineInstances);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1");
    }

    /** offline [hot-0] + online [-1] in one entry. */
    private static final class HorizontalScalingBoth {
        dev.ordinal.api.ops.HorizontalScaling entry() {
            var h = offline("broker", "kafka-broker-hot-0");
            h.scaleOut = online("broker", "kafka-broker-1").scaleOut;
            return h;
        }
    }

    @Test
    void scenario17_theOnlyReplicaNeedsMinZero() {
        f.runningCluster("kafka", broker(1));
        f.createOps("off", "kafka", offline("broker", "kafka-broker-0"));
        OpsRequest bad = f.awaitOps("off", "Failed");
        assertTrue(Conditions.find(bad.getStatus().conditions, "Validated").message.contains("replicasLimit"));
        f.editComponent("kafka", "broker", c -> c.replicasLimit = limit(0, 16));
        f.createOps("off-0", "kafka", offline("broker", "kafka-broker-0"));
        f.awaitOps("off-0", "Succeed");
        assertEquals(0, brokerSpec().replicas);
        f.awaitReadyPods();
        f.createOps("on-0", "kafka", online("broker", "kafka-broker-0"));
        f.awaitOps("on-0", "Succeed");
        assertEquals(1, brokerSpec().replicas);
        f.awaitReadyPods("kafka-broker-0");
    }

    @Test
    void scenario18_explicitReplicasWithOnlineName() {
        afterScenario2();
        var h = online("broker", "kafka-broker-2");
        h.replicas = 5;
        f.createOps("to-5", "kafka", h);
        OpsRequest ops = f.awaitOps("to-5", "Succeed");
        assertEquals("3/3", ops.getStatus().progress);
        assertEquals(5, brokerSpec().replicas);
        assertEquals(List.of(), brokerSpec().offlineInstances);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2", "kafka-broker-3", "kafka-broker-4");
    }

    @Test
    void scenario19_invalidInputsFailWithTheFieldAndValue() {
        f.runningCluster("kafka", broker(3));
        String rv = f.cluster("kafka").getMetadata().getResourceVersion();
        long generation = f.cluster("kafka").getMetadata().getGeneration();
        record Case(String name, String cluster, dev.ordinal.api.ops.HorizontalScaling entry, String expect) {
        }
        var sameTwice = offline("broker", "kafka-broker-1", "kafka-broker-1");
        var both = offline("broker", "kafka-broker-1");
        both.scaleOut = online("broker", "kafka-broker-1").scaleOut;
        var unknownTemplate = scale("broker");
        unknownTemplate.scaleOut = new dev.ordinal.api.ops.HorizontalScaling.ScaleOut();
        unknownTemplate.scaleOut.instances = new ArrayList<>(List.of(
                new dev.ordinal.api.ops.HorizontalScaling.InstanceReplicaChange("nope", 1)));
        List<Case> cases = List.of(
                new Case("no-such-pod", "kafka", offline("broker", "kafka-broker-7"), "kafka-broker-7"),
                new Case("on-not-offline", "kafka", online("broker", "kafka-broker-1"), "kafka-broker-1"),
                new Case("same-twice", "kafka", sameTwice, "kafka-broker-1"),
                new Case("both-lists", "kafka", both, "kafka-broker-1"),
                new Case("in-4-on-3", "kafka", scaleIn("broker", 4), "4"),
                new Case("unknown-template", "kafka", unknownTemplate, "nope"),
                new Case("unknown-component", "kafka", scaleOut("zookeeper", 1), "zookeeper"),
                new Case("unknown-cluster", "redpanda", scaleOut("broker", 1), "redpanda"));
        for (Case c : cases) {
            f.createOps(c.name(), c.cluster(), c.entry());
        }
        for (Case c : cases) {
            OpsRequest ops = f.awaitOps(c.name(), "Failed");
            String message = Conditions.find(ops.getStatus().conditions, "Validated").message;
            assertTrue(message.contains(c.expect()), c.name() + ": " + message);
        }
        assertEquals(generation, f.cluster("kafka").getMetadata().getGeneration(), "the Cluster spec is untouched");
        assertEquals(rv, f.cluster("kafka").getMetadata().getResourceVersion(), "the Cluster is untouched");
        f.createOps("already-offline-setup", "kafka", offline("broker", "kafka-broker-2"));
        f.awaitOps("already-offline-setup", "Succeed");
        rv = f.cluster("kafka").getMetadata().getResourceVersion();
        generation = f.cluster("kafka").getMetadata().getGeneration();
        f.createOps("already-offline", "kafka", offline("broker", "kafka-broker-2"));
        OpsRequest again = f.awaitOps("already-offline", "Failed");
        assertTrue(Conditions.find(again.getStatus().conditions, "Validated").message.contains("kafka-broker-2"));
        assertEquals(generation, f.cluster("kafka").getMetadata().getGeneration(), "the Cluster spec is untouched");
        assertEquals(rv, f.cluster("kafka").getMetadata().getResourceVersion(), "the Cluster is untouched");
    }

    @Test
    void scenario20_secondOpsWaitsAndStartsFromTheFirstOnesResult() {
        f.runningCluster("kafka", broker(3));
        kubelet().readyDelay(Duration.ofMillis(800));
        f.createOps("a", "kafka", scaleOut("broker", 1));
        f.createOps("b", "kafka", scaleOut("broker", 1));
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            OpsRequest b = f.ops("b");
            assertNotNull(b.getStatus());
            assertTrue(Conditions.isTrue(b.getStatus().conditions, "WaitForProgressing"), () -> String.valueOf(b.getStatus().phase));
        });
        f.awaitOps("a", "Succeed");
        OpsRequest b = f.awaitOps("b", "Succeed");
        assertEquals(4, b.getStatus().lastConfiguration.components.get("broker").replicas, "B planned on A's result");
        assertEquals(5, brokerSpec().replicas);
    }

    @Test
    void scenario21_aFailedHeadCancelsTheQueueBehindIt() {
        f.runningCluster("kafka", broker(3));
        kubelet().failPod("kafka-broker-3");
        f.createOps("a", "kafka", scaleOut("broker", 1));
        f.createOps("b", "kafka", scaleOut("broker", 1));
        OpsRequest a = f.awaitOps("a", "Failed");
        assertTrue(Conditions.find(a.getStatus().conditions, "Failed").message.contains("kafka-broker-3"));
        OpsRequest b = f.awaitOps("b", "Cancelled");
        assertEquals("CancelByController", Conditions.find(b.getStatus().conditions, "Cancelled").reason);
    }

    @Test
    void scenario22_forceConflictsAndForceRunsAlongside() {
        f.runningCluster("kafka", broker(3));
        kubelet().neverReady("kafka-broker-3");
        f.createOps("a", "kafka", scaleOut("broker", 1));
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertEquals("Running", f.opsPhase("a")));
        f.createOps("b", "kafka", spec -> spec.force = true, offline("broker", "kafka-broker-3"));
        OpsRequest b = f.awaitOps("b", "Failed");
        assertTrue(Conditions.find(b.getStatus().conditions, "Failed").message.contains("a"), "names ops a");
        assertTrue(Conditions.find(b.getStatus().conditions, "Failed").message.contains("kafka-broker-3"));
        f.createOps("c", "kafka", spec -> spec.force = true, scaleOut("broker", 1));
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertEquals(5, brokerSpec().replicas));
        kubelet().healthy("kafka-broker-3");
        f.awaitOps("a", "Succeed");
        f.awaitOps("c", "Succeed");
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2", "kafka-broker-3", "kafka-broker-4");
    }

    @Test
    void scenario23_cancelWhileRunningRestoresTheSnapshotInOneWrite() {
        ComponentSpec b = broker(3);
        f.runningCluster("kafka", b);
        kubelet().neverReady("kafka-broker-3");
        f.createOps("out", "kafka", scaleOut("broker", 2));
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertNotNull(f.pod("kafka-broker-3")));
        long before = auditMark();
        f.cancel("out");
        OpsRequest ops = f.awaitOps("out", "Cancelled");
        AuditLog.Snapshot delta = operatorRequestsSince(before);
        assertEquals(1, delta.count(AuditLog.Verb.APPLY, "clusters", "ordinal-ops"), delta::toString);
        assertNotNull(ops.getStatus().cancelTimestamp);
        assertEquals(3, brokerSpec().replicas);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2");
        assertNull(f.pod("kafka-broker-4"), "-4 never created");
    }

    @Test
    void scenario24_cancelAfterOfflineRecreatesThePod() {
        f.runningCluster("kafka", broker(3));
        String claim = f.claimUid("data-kafka-broker-1");
        kubelet().neverReady("kafka-broker-3");
        // offline -1 together with a scale-out whose new pod never gets Ready: the ops stays Running after -1 is gone
        var entry = offline("broker", "kafka-broker-1");
        entry.scaleOut = scaleOut("broker", 1).scaleOut;
        f.createOps("off", "kafka", entry);
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertNull(f.pod("kafka-broker-1"));
            assertEquals("Running", f.opsPhase("off"));
        });
        f.cancel("off");
        f.awaitOps("off", "Cancelled");
        assertEquals(3, brokerSpec().replicas);
        assertEquals(List.of(), brokerSpec().offlineInstances);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2");
        assertEquals(claim, f.claimUid("data-kafka-broker-1"), "-1 is back on its own claim");
    }

    @Test
    void scenario24_cancelWhilePendingTouchesNothing() {
        f.runningCluster("kafka", broker(3));
        kubelet().neverReady("kafka-broker-3");
        f.createOps("a", "kafka", scaleOut("broker", 1));
        f.createOps("b", "kafka", scaleOut("broker", 1));
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertTrue(f.ops("b").getStatus() != null
                && Conditions.isTrue(f.ops("b").getStatus().conditions, "WaitForProgressing")));
        // "touches nothing": no Cluster apply by ordinal-ops and no spec change (the Cluster's status may still move
        // with ops a, which is Running; a real API server bumps resourceVersion for every status write)
        f.awaitOps("a", "Running"); // a's one Cluster apply is done: from here on only b could touch the Cluster
        Long generation = f.cluster("kafka").getMetadata().getGeneration();
        long before = auditMark();
        f.cancel("b");
        f.awaitOps("b", "Cancelled");
        assertEquals(generation, f.cluster("kafka").getMetadata().getGeneration());
        AuditLog.Snapshot delta = operatorRequestsSince(before);
        assertEquals(0, delta.count(AuditLog.Verb.APPLY, "clusters", "ordinal-ops"), delta::toString);
        kubelet().healthy("kafka-broker-3");
        f.awaitOps("a", "Succeed");
    }

    @Test
    void scenario25_podsNeverReadyAbortAtTheDeadline() {
        f.runningCluster("kafka", broker(3));
        kubelet().neverReady("kafka-broker-3");
        f.createOps("out", "kafka", spec -> spec.timeoutSeconds = 2, scaleOut("broker", 1));
        OpsRequest ops = f.awaitOps("out", "Aborted");
        assertTrue(Conditions.find(ops.getStatus().conditions, "Aborted").message.contains("kafka-broker-3"));
        assertEquals(4, brokerSpec().replicas, "abort does not roll back");
    }

    @Test
    void aClusterDeletedUnderARunningOpsFailsItNamingTheCluster() {
        f.runningCluster("kafka", broker(3));
        kubelet().neverReady("kafka-broker-3");
        f.createOps("out", "kafka", scaleOut("broker", 1));
        f.awaitOps("out", "Running");
        client.resources(Cluster.class).inNamespace(f.ns).withName("kafka").delete();
        OpsRequest ops = f.awaitOps("out", "Failed");
        var failed = Conditions.find(ops.getStatus().conditions, "Failed");
        assertEquals("PlanFailed", failed.reason);
        assertTrue(failed.message.contains("cluster kafka no longer exists"), failed.message);
    }

    @Test
    void scenario26_dryRunShowsThePlanAndChangesNothing() {
        afterScenario2();
        String rv = f.cluster("kafka").getMetadata().getResourceVersion();
        f.createOps("dry", "kafka", spec -> spec.dryRun = true, online("broker", "kafka-broker-2"));
        OpsRequest ops = f.awaitOps("dry", "Succeed");
        var plan = ops.getStatus().plan.get("broker");
        assertEquals(3, plan.replicas);
        assertEquals(List.of(), plan.offlineInstances);
        assertEquals(List.of("kafka-broker-2"), plan.podsToCreate);
        assertEquals(rv, f.cluster("kafka").getMetadata().getResourceVersion());
    }

    @Test
    void scenario27_noOpSucceedsAtOnce() {
        f.runningCluster("kafka", broker(3));
        f.createOps("noop", "kafka", scaleOut("broker", 0));
        OpsRequest ops = f.awaitOps("noop", "Succeed");
        assertEquals("0/0", ops.getStatus().progress);
    }

    @Test
    void scenario28_ttlDeletesFinishedOps() {
        f.runningCluster("kafka", broker(3));
        // The ops lives about a second after it ends, too short to poll for reliably on a busy machine: its Events
        // outlive it and say how it ended.
        f.createOps("ttl", "kafka", spec -> spec.ttlSecondsAfterSucceed = 1, scaleOut("broker", 0));
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertNull(f.ops("ttl")));
        assertTrue(f.events("OpsRequest", "ttl").stream().anyMatch(e -> "Succeed".equals(e.getReason())),
                "it ended Succeed before its TTL removed it");
        f.createOps("failed-kept", "kafka", spec -> spec.ttlSecondsAfterSucceed = 1, offline("broker", "kafka-broker-9"));
        f.awaitOps("failed-kept", "Failed");
        f.createOps("failed-ttl", "kafka", spec -> spec.ttlSecondsAfterUnsuccessfulCompletion = 1, offline("broker", "kafka-broker-9"));
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertNull(f.ops("failed-ttl")));
        assertTrue(f.events("OpsRequest", "failed-ttl").stream().anyMatch(e -> "ValidationFailed".equals(e.getReason())),
                "it ended Failed before its TTL removed it");
        assertNotNull(f.ops("failed-kept"), "a Failed ops stays unless ttlSecondsAfterUnsuccessfulCompletion is set");
    }

    @Test
    void scenario30_aConflictOnTheClusterWriteIsRetriedOnce() {
        afterScenario2();
        proxy().conflictNext(AuditLog.Verb.APPLY, "clusters", 1);
        long injectedBefore = proxy().injected();
        long before = auditMark();
        f.createOps("online-2", "kafka", online("broker", "kafka-broker-2"));
        f.awaitOps("online-2", "Succeed");
        assertEquals(3, brokerSpec().replicas);
        assertEquals(List.of(), brokerSpec().offlineInstances);
        AuditLog.Snapshot delta = operatorRequestsSince(before);
        assertEquals(1, proxy().injected() - injectedBefore, "the first Cluster apply was refused with a 409");
        assertEquals(1, delta.count(AuditLog.Verb.APPLY, "clusters", "ordinal-ops"),
                "the retry is the one apply that reached the API server: " + delta);
        f.awaitReadyPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2");
    }

}
