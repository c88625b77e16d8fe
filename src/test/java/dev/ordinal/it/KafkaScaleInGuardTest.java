package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.offline;
import static dev.ordinal.it.Fixture.online;
import static dev.ordinal.it.Fixture.scaleIn;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.cluster.ScaleInGuardSpec;
import dev.ordinal.api.common.Condition;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Kafka scale-in guard (issue #18) against a real Kafka in KRaft mode: one controller and four brokers (node ids
 * 0..3) in a child JVM ({@link TestKafka}), one for the class. Each Cluster's broker component maps pod ordinal N to
 * node N ({@code nodeIdOffset: 0}); no real pod runs (simulated kubelet), the brokers stand for the pods. Each test
 * first places the partitions as its story needs (Admin alterPartitionReassignments), with two topics: {@code solo}
 * (replication factor 1) and {@code replicated} (replication factor 3; brokers' default {@code min.insync.replicas} 1,
 * one test sets 2 on the topic). The brokers stay up while their pods go (the kubelet is simulated), so their ISR stays
 * full. The test that stops Kafka runs last.
 */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RequiresControlPlane
class KafkaScaleInGuardTest {
    private static final Duration BLOCKED_WAIT = Duration.ofSeconds(30);
    private static TestKafka kafka;

    @KubeResource.Inject
    KubernetesClient client;
    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry meters;
    Fixture f;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = TestKafka.start(4);
        kafka.admin().createTopics(List.of(
                new NewTopic("solo", Map.of(0, List.of(2), 1, List.of(2))),
                new NewTopic("replicated", Map.of(0, List.of(0, 1, 2), 1, List.of(1, 2, 0), 2, List.of(2, 0, 1)))))
                .all().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.stop();
        }
    }

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "kguard");
    }

    // ---- the stories -----------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void anOfflineWaitsForAnRf1PartitionThenGoesWithItsLeadershipMovedAndTheOnlineOpsRestoresTheReplicaOrder() throws Exception {
        place(Map.of("solo-0", List.of(2), "solo-1", List.of(2), "replicated-0", List.of(0, 1, 2),
                "replicated-1", List.of(1, 2, 0), "replicated-2", List.of(2, 0, 1)));
        Cluster before = guardedCluster("ga", 4);
        f.createOps("off2", "ga", spec -> spec.preConditionDeadlineSeconds = 120, offline("broker", "ga-broker-2"));

        String expected = "ga-broker-2 (node 2) cannot go offline yet: solo-0 has a single replica (node 2); only force takes it"
                + " offline; solo-1 has a single replica (node 2); only force takes it offline";
        double blockedBefore = verdicts("blocked");
        Condition waiting = awaitWaiting("off2", "ScaleInBlocked");
        assertEquals(expected, waiting.message, "the replicated partitions keep enough in-sync replicas and are not named");
        assertEquals("Pending", f.opsPhase("off2"));
        // It re-checks (every 3 s) and keeps waiting; the Cluster is never written.
        Thread.sleep(4000);
        assertEquals("Pending", f.opsPhase("off2"));
        assertUntouched(before);
        assertTrue(verdicts("blocked") >= blockedBefore + 2, "each check counts: " + verdicts("blocked"));
        f.awaitReadyPods("ga-broker-0", "ga-broker-1", "ga-broker-2", "ga-broker-3");

        // Move only the single-replica partitions away: the replicated ones stay on broker 2, which may now go offline.
        place(Map.of("solo-0", List.of(3), "solo-1", List.of(3), "replicated-0", List.of(0, 1, 2),
                "replicated-1", List.of(1, 2, 0), "replicated-2", List.of(2, 0, 1)));
        OpsRequest off = f.awaitOps("off2", "Succeed", BLOCKED_WAIT);
        f.awaitReadyPods("ga-broker-0", "ga-broker-1", "ga-broker-3");
        assertEquals(List.of("ga-broker-2"), f.component("ga", "broker").offlineInstances);
        assertTrue(hasEvent("off2", "Normal", "ScaleInSafe", "ga-broker-2 (node 2) may go offline: each of the 3 partitions it hosts"
                + " keeps at least min.insync.replicas in-sync replicas on the brokers that stay"));
        // Before the pod went, broker 2 stopped leading: replicated-2 preferred it and now prefers 0.
        var record = off.getStatus().kafkaLeadership.get("broker");
        assertEquals(List.of("ga-broker-2"), record.instances);
        assertEquals(Map.of("replicated-2", List.of(2, 0, 1)), record.originalReplicas, "only the partition whose first replica was 2");
        assertEquals(List.of(0, 2, 1), replicas("replicated-2"));
        assertEquals(0, leader("replicated-2"));
        assertTrue(List.of(0, 1, 2).stream().noneMatch(p -> leader("replicated-" + p) == 2), "broker 2 leads nothing");
        assertTrue(hasEvent("off2", "Normal", "LeadershipMoved", "leadership moved off ga-broker-2 (node 2): the replica order of 1"
                + " partition changed (status.kafkaLeadership), to be restored when it is back online"));

        // The ops that brings it back restores the order once broker 2 is in sync, then succeeds.
        f.createOps("on2", "ga", online("broker", "ga-broker-2"));
        OpsRequest on = f.awaitOps("on2", "Succeed", BLOCKED_WAIT);
        assertEquals(List.of(2, 0, 1), replicas("replicated-2"));
        await().atMost(BLOCKED_WAIT).until(() -> leader("replicated-2") == 2);
        var carried = on.getStatus().kafkaLeadership.get("broker");
        assertEquals("off2", carried.movedBy);
        assertNotNull(carried.restoredAt);
        assertTrue(hasEvent("on2", "Normal", "LeadershipRestored", "restored the replica order of 1 partition of ga-broker-2"));
    }

    @Test
    @Order(6)
    void anOfflineThatWouldLeaveAPartitionUnderItsTopicsMinInsyncWaitsAndSaysWhich() throws Exception {
        place(Map.of("solo-0", List.of(3), "solo-1", List.of(3), "replicated-0", List.of(0, 1, 2),
                "replicated-1", List.of(1, 2, 0), "replicated-2", List.of(2, 0, 1)));
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "replicated");
        kafka.admin().incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("min.insync.replicas", "2"),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        try {
            Cluster before = guardedCluster("gh", 4);
            // one broker of three may go (2 in sync stay); two at once may not
            f.createOps("dry", "gh", spec -> spec.dryRun = true, offline("broker", "gh-broker-2"));
            assertEquals("Safe", f.awaitOps("dry", "Succeed", BLOCKED_WAIT).getStatus().plan.get("broker").scaleInGuard.result);
            f.createOps("off12", "gh", spec -> spec.preConditionDeadlineSeconds = 5, offline("broker", "gh-broker-1", "gh-broker-2"));
            String expected = "gh-broker-1 (node 1), gh-broker-2 (node 2) cannot go offline yet: replicated-0 would keep 1 in-sync"
                    + " replica (min.insync.replicas 2; ISR 0, 1, 2); replicated-1 would keep 1 in-sync replica (min.insync.replicas 2;"
                    + " ISR 0, 1, 2); replicated-2 would keep 1 in-sync replica (min.insync.replicas 2; ISR 0, 1, 2)";
            assertEquals(expected, awaitWaiting("off12", "ScaleInBlocked").message);
            Condition end = Conditions.find(f.awaitOps("off12", "Failed", BLOCKED_WAIT).getStatus().conditions, "Failed");
            assertEquals("ScaleInBlocked", end.reason);
            assertEquals(expected, end.message);
            assertUntouched(before);
        } finally {
            kafka.admin().incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry("min.insync.replicas", ""),
                    AlterConfigOp.OpType.DELETE)))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(2)
    void scalingInABrokerThatHostsReplicasFailsAtThePreconditionDeadlineWithTheSameMessage() throws Exception {
        place(Map.of("solo-0", List.of(3), "solo-1", List.of(1), "replicated-0", List.of(0, 1, 2),
                "replicated-1", List.of(1, 2, 0), "replicated-2", List.of(2, 0, 1)));
        Cluster before = guardedCluster("gb", 4);
        f.createOps("in1", "gb", spec -> spec.preConditionDeadlineSeconds = 4, scaleIn("broker", 1));

        String expected = "gb-broker-3 (node 3) still hosts 1 replica: solo-0";
        assertEquals(expected, awaitWaiting("in1", "ScaleInBlocked").message, "Pending first, while the deadline allows");
        OpsRequest failed = f.awaitOps("in1", "Failed", BLOCKED_WAIT);
        Condition end = Conditions.find(failed.getStatus().conditions, "Failed");
        assertEquals("ScaleInBlocked", end.reason);
        assertEquals(expected, end.message);
        assertTrue(hasEvent("in1", "Warning", "ScaleInBlocked", expected));
        assertUntouched(before);
        f.awaitReadyPods("gb-broker-0", "gb-broker-1", "gb-broker-2", "gb-broker-3");
    }

    @Test
    @Order(3)
    void aDryRunShowsTheVerdictInThePlanAndChangesNothing() throws Exception {
        place(Map.of("solo-0", List.of(2), "solo-1", List.of(3), "replicated-0", List.of(0, 2, 3),
                "replicated-1", List.of(2, 3, 0), "replicated-2", List.of(3, 0, 2)));
        Cluster before = guardedCluster("gd", 4);
        f.createOps("dry", "gd", spec -> spec.dryRun = true, offline("broker", "gd-broker-1", "gd-broker-2"));
        OpsRequest done = f.awaitOps("dry", "Succeed", BLOCKED_WAIT);
        var verdict = done.getStatus().plan.get("broker").scaleInGuard;
        assertNotNull(verdict, () -> client.getKubernetesSerialization().asJson(done.getStatus()));
        assertEquals("Blocked", verdict.result);
        assertEquals("gd-broker-1 (node 1), gd-broker-2 (node 2) cannot go offline yet: solo-0 has a single replica (node 2); only"
                + " force takes it offline", verdict.message, "the replicated partitions keep two in-sync replicas each");
        assertUntouched(before);
    }

    @Test
    @Order(4)
    void anEmptyBrokerIsTakenOfflineAtOnce() throws Exception {
        place(Map.of("solo-0", List.of(2), "solo-1", List.of(3), "replicated-0", List.of(0, 2, 3),
                "replicated-1", List.of(2, 3, 0), "replicated-2", List.of(3, 0, 2)));
        guardedCluster("gc", 4);
        f.createOps("off1", "gc", offline("broker", "gc-broker-1"));
        f.awaitOps("off1", "Succeed");
        f.awaitReadyPods("gc-broker-0", "gc-broker-2", "gc-broker-3");
        assertTrue(hasEvent("off1", "Normal", "ScaleInSafe", "gc-broker-1 (node 1) hosts no partition replicas"));
    }

    @Test
    @Order(5)
    void forceSkipsTheGuardWithAWarningEvent() throws Exception {
        place(Map.of("solo-0", List.of(2), "solo-1", List.of(2), "replicated-0", List.of(0, 1, 2),
                "replicated-1", List.of(1, 2, 0), "replicated-2", List.of(2, 0, 1)));
        guardedCluster("ge", 4);
        f.createOps("forced", "ge", spec -> spec.force = true, offline("broker", "ge-broker-2"));
        f.awaitOps("forced", "Succeed");
        f.awaitReadyPods("ge-broker-0", "ge-broker-1", "ge-broker-3");
        assertTrue(hasEvent("forced", "Warning", "ScaleInGuardSkipped",
                "force: true skips the scale-in guard; not checked with Kafka: ge-broker-2 (node 2)"));
    }

    @Test
    @Order(7)
    void aDirectEditOfOfflineInstancesIsHeldWithAWarningConditionUntilSafeAndTheAnnotationForcesIt() throws Exception {
        place(Map.of("solo-0", List.of(2), "solo-1", List.of(1), "replicated-0", List.of(0, 1, 2),
                "replicated-1", List.of(1, 2, 0), "replicated-2", List.of(2, 0, 1)));
        guardedCluster("gi", 4);
        // kubectl edit: broker 2 offline, one replica less, with solo-0's only replica on it
        f.editComponent("gi", "broker", c -> {
            c.replicas = 3;
            c.offlineInstances = new java.util.ArrayList<>(List.of("gi-broker-2"));
        });
        String rule = "component broker: gi-broker-2 (node 2) cannot go offline yet: solo-0 has a single replica (node 2); only force"
                + " takes it offline; the pods stay until the scale-in guard allows it (asked again every 3 s), or annotate the Cluster"
                + " apps.ordinal.dev/force-scale-in=true to remove them anyway";
        await().atMost(BLOCKED_WAIT).untilAsserted(() -> {
            Condition held = Conditions.find(f.cluster("gi").getStatus().conditions, "ScaleInHeld");
            assertNotNull(held, () -> client.getKubernetesSerialization().asJson(f.cluster("gi").getStatus()));
            assertEquals("True", held.status);
            assertEquals("DirectEditHeld", held.reason);
            assertEquals(rule, held.message);
        });
        Thread.sleep(4000);
        assertNotNull(f.pod("gi-broker-2"), "the pod stays");
        assertEquals(4, f.instanceSet("gi-broker").getSpec().replicas, "the InstanceSet keeps its spec");
        await().atMost(BLOCKED_WAIT).until(() -> hasClusterEvent("gi", "Warning", "DirectEditHeld", rule));

        // once safe, the held edit goes ahead by itself
        place(Map.of("solo-0", List.of(3), "solo-1", List.of(1), "replicated-0", List.of(0, 1, 2),
                "replicated-1", List.of(1, 2, 0), "replicated-2", List.of(2, 0, 1)));
        await().atMost(BLOCKED_WAIT).until(() -> f.pod("gi-broker-2") == null);
        await().atMost(BLOCKED_WAIT).untilAsserted(() -> {
            Condition held = Conditions.find(f.cluster("gi").getStatus().conditions, "ScaleInHeld");
            assertEquals("False", held.status);
            assertEquals("NothingHeld", held.reason);
        });
        // Events are recorded beside the writes, not before them: wait for them too
        await().atMost(BLOCKED_WAIT).until(() -> hasClusterEvent("gi", "Normal", "ScaleInSafe", "direct edit of component broker: gi-broker-2"
                + " (node 2) may go offline: each of the 3 partitions it hosts keeps at least min.insync.replicas in-sync replicas on the"
                + " brokers that stay"));

        // a scale-in by edit removes gi-broker-3, which hosts solo-0: held until the annotation forces it
        f.editComponent("gi", "broker", c -> c.replicas = 2);
        await().atMost(BLOCKED_WAIT).untilAsserted(() -> assertEquals("True",
                Conditions.find(f.cluster("gi").getStatus().conditions, "ScaleInHeld").status));
        assertTrue(Conditions.find(f.cluster("gi").getStatus().conditions, "ScaleInHeld").message
                .startsWith("component broker: gi-broker-3 (node 3) still hosts 1 replica: solo-0; the pods stay"));
        assertNotNull(f.pod("gi-broker-3"));
        f.editCluster("gi", c -> {
            Map<String, String> annotations = new LinkedHashMap<>(c.getMetadata().getAnnotations() == null ? Map.of()
                    : c.getMetadata().getAnnotations());
            annotations.put("apps.ordinal.dev/force-scale-in", "true");
            c.getMetadata().setAnnotations(annotations);
        });
        await().atMost(BLOCKED_WAIT).until(() -> f.pod("gi-broker-3") == null);
        await().atMost(BLOCKED_WAIT).until(() -> hasClusterEvent("gi", "Warning", "ScaleInGuardSkipped", "annotation"
                + " apps.ordinal.dev/force-scale-in=true skips the scale-in guard for a direct edit; not checked with Kafka: gi-broker-3 (node 3)"));
    }

    @Test
    @Order(96)
    void aCancelWhileDrainingCancelsTheReassignmentRemovesTheThrottleAndLeavesTheClusterAlone() throws Exception {
        place(Map.of("solo-0", List.of(1), "solo-1", List.of(1), "replicated-0", List.of(0, 1, 2),
                "replicated-1", List.of(1, 2, 0), "replicated-2", List.of(2, 0, 1)));
        kafka.admin().createTopics(List.of(new NewTopic("bulk", Map.of(0, List.of(3))))).all().get(30, TimeUnit.SECONDS);
        try {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
                byte[] value = new byte[10_000];
                for (int i = 0; i < 200; i++) {
                    producer.send(new ProducerRecord<>("bulk", 0, null, value));
                }
                producer.flush();
            }
            // 2 MB at 1 KiB/s: the move of bulk-0 is still running when the ops is cancelled
            Cluster before = drainedCluster("gc", 4, 1024L);
            f.createOps("slow", "gc", scaleIn("broker", 1));
            Condition draining = awaitWaiting("slow", "Draining");
            await().atMost(BLOCKED_WAIT).untilAsserted(() -> assertTrue(Conditions.find(f.ops("slow").getStatus().conditions,
                    "WaitForProgressing").message.endsWith("0/1 partitions moved (replication throttle 1024 B/s); in progress: bulk-0"),
                    () -> Conditions.find(f.ops("slow").getStatus().conditions, "WaitForProgressing").message));
            assertTrue(draining.message.startsWith("draining gc-broker-3 (node 3)"), draining.message);
            assertEquals("1024", brokerConfig(3, "leader.replication.throttled.rate"));
            assertEquals("0:3", topicConfig("bulk", "leader.replication.throttled.replicas"));

            f.cancel("slow");
            OpsRequest cancelled = f.awaitOps("slow", "Cancelled", BLOCKED_WAIT);
            assertEquals("cancelled while draining gc-broker-3: 0/1 partitions had moved (they stay where they are), the reassignment"
                    + " of 1 cancelled, the replication throttle removed; the Cluster was not touched",
                    Conditions.find(cancelled.getStatus().conditions, "Cancelled").message);
            assertEquals(Set.of(), kafka.admin().listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS).keySet());
            assertEquals(List.of(3), replicas("bulk-0"), "back on its original replica");
            assertEquals(null, brokerConfig(3, "leader.replication.throttled.rate"));
            assertEquals(null, topicConfig("bulk", "leader.replication.throttled.replicas"));
            assertUntouched(before);
            f.awaitReadyPods("gc-broker-0", "gc-broker-1", "gc-broker-2", "gc-broker-3");
        } finally {
            kafka.admin().deleteTopics(List.of("bulk")).all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> !kafka.admin().listTopics().names().get(10, TimeUnit.SECONDS).contains("bulk"));
        }
    }

    @Test
    @Order(97)
    void aDrainThatCannotKeepTheReplicationFactorIsRefusedUpFrontAndTouchesNothing() throws Exception {
        place(Map.of("solo-0", List.of(1), "solo-1", List.of(1), "replicated-0", List.of(0, 2, 3),
                "replicated-1", List.of(1, 2, 0), "replicated-2", List.of(2, 0, 1)));
        Cluster before = drainedCluster("gr", 4);
        f.createOps("in2", "gr", scaleIn("broker", 2));
        OpsRequest failed = f.awaitOps("in2", "Failed", BLOCKED_WAIT);
        Condition end = Conditions.find(failed.getStatus().conditions, "Failed");
        assertEquals("ValidationFailed", end.reason);
        assertEquals("cannot drain gr-broker-2 (node 2), gr-broker-3 (node 3): 2 brokers would remain (0, 1) but topic replicated"
                + " has replication factor 3 (e.g. replicated-0); remove fewer brokers, or lower the replication factor of such topics"
                + " first", end.message);
        assertEquals(Set.of(), kafka.admin().listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS).keySet());
        assertEquals(List.of(0, 2, 3), replicas("replicated-0"), "Kafka was asked nothing");
        assertUntouched(before);
    }

    @Test
    @Order(98)
    void aScaleInWithDrainMovesTheReplicasUnderAThrottleRemovesThePodAndUnregistersTheNode() throws Exception {
        place(Map.of("solo-0", List.of(3), "solo-1", List.of(1), "replicated-0", List.of(0, 1, 3),
                "replicated-1", List.of(3, 2, 0), "replicated-2", List.of(2, 0, 1)));
        drainedCluster("gd", 4);
        f.createOps("drain", "gd", scaleIn("broker", 1));
        OpsRequest done = f.awaitOps("drain", "Succeed", Duration.ofSeconds(90));

        var record = done.getStatus().kafkaDrain.get("broker");
        assertEquals(Set.of("solo-0", "replicated-0", "replicated-1"), record.targetReplicas.keySet());
        assertEquals(List.of(3, 2, 0), record.originalReplicas.get("replicated-1"));
        assertEquals("3/3", record.progress);
        assertEquals(1_048_576L, record.throttleBytesPerSecond);
        assertNotNull(record.finishedAt);
        for (String p : List.of("solo-0", "solo-1", "replicated-0", "replicated-1", "replicated-2")) {
            List<Integer> now = replicas(p);
            assertTrue(!now.contains(3), p + " left node 3: " + now);
            assertEquals(p.startsWith("solo") ? 1 : 3, now.size(), p + " keeps its replication factor");
            if (record.targetReplicas.containsKey(p)) {
                assertEquals(Set.copyOf(record.targetReplicas.get(p)), Set.copyOf(now), p + " is where the plan put it");
            }
        }
        // the throttle is gone: no broker or topic keeps a dynamic throttle entry
        var configs = kafka.admin().describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER, "0"),
                new ConfigResource(ConfigResource.Type.BROKER, "2"), new ConfigResource(ConfigResource.Type.TOPIC, "replicated"),
                new ConfigResource(ConfigResource.Type.TOPIC, "solo"))).all().get(10, TimeUnit.SECONDS);
        configs.forEach((resource, config) -> config.entries().stream().filter(e -> e.name().contains("replication.throttled"))
                .forEach(e -> assertTrue(e.isDefault() || e.value() == null || e.value().isEmpty()
                        || e.source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG || e.source() == ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG,
                        resource + " " + e)));
        assertTrue(hasEvent("drain", "Normal", "Drained", "drained gd-broker-3 (node 3): all 3 partitions moved to the brokers that"
                + " stay; replication throttle removed"));
        assertEquals(Map.of("broker", List.of(3)), done.getStatus().kafkaUnregistered);
        assertTrue(hasEvent("drain", "Normal", "BrokersUnregistered", "unregistered Kafka node id 3 of gd-broker-3 (node 3): their pods"
                + " are gone"));
        assertEquals(List.of("gd-broker-0", "gd-broker-1", "gd-broker-2"), f.podNames().stream().sorted().toList());
    }

    @Test
    @Order(99)
    void kafkaStoppedIsItsOwnCannotCheckReasonNeverSafe() throws Exception {
        Cluster before = guardedCluster("gf", 4);
        kafka.stop();
        f.createOps("off1", "gf", offline("broker", "gf-broker-1"));
        OpsRequest failed = f.awaitOps("off1", "Failed", BLOCKED_WAIT);
        Condition end = Conditions.find(failed.getStatus().conditions, "Failed");
        assertEquals("ScaleInGuardUnavailable", end.reason);
        assertTrue(end.message.startsWith("cannot check whether gf-broker-1 (node 1) still hosts partition replicas: Kafka at "
                + kafka.bootstrapServers() + " gave no answer ("), end.message);
        assertTrue(end.message.endsWith("); nothing is removed until it does"), end.message);
        assertEquals(before.getMetadata().getGeneration(), f.cluster("gf").getMetadata().getGeneration(), "the spec is untouched");
        // the Cluster says it too, on the guarded component (issue #27 E), not only the ops that waited; the Cluster's
        // controller writes it on its own reconcile, which may come a moment after the ops' end
        Condition guard = await().atMost(java.time.Duration.ofSeconds(15)).pollInterval(java.time.Duration.ofMillis(200))
                .until(() -> Conditions.find(f.cluster("gf").getStatus().conditions, "ScaleInGuard"), c -> c != null && "False".equals(c.status));
        assertEquals("False", guard.status);
        assertEquals("ScaleInGuardUnavailable", guard.reason);
        assertTrue(guard.message.startsWith("component broker: cannot check whether gf-broker-1 (node 1) still hosts"), guard.message);
        f.awaitReadyPods("gf-broker-0", "gf-broker-1", "gf-broker-2", "gf-broker-3");
        assertTrue(verdicts("unavailable") >= 1);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private double verdicts(String result) {
        var counter = meters.find("ordinal_scale_in_guard_verdicts").tag("result", result).counter();
        return counter == null ? 0 : counter.count();
    }

    /** A running cluster whose broker component is guarded by the test Kafka (pod ordinal N = node N). */
    private Cluster guardedCluster(String name, int replicas) {
        ComponentSpec brokers = broker(replicas);
        brokers.scaleInGuard = new ScaleInGuardSpec();
        brokers.scaleInGuard.kafka = new ScaleInGuardSpec.KafkaScaleInGuard(kafka.bootstrapServers(), 0);
        f.runningCluster(name, brokers);
        String[] pods = new String[replicas];
        for (int i = 0; i < replicas; i++) {
            pods[i] = name + "-broker-" + i;
        }
        f.awaitReadyPods(pods);
        return f.awaitClusterPhase(name, "Running");
    }

    /** {@link #guardedCluster} with {@code drain: true} and a 1 MiB/s throttle. */
    private Cluster drainedCluster(String name, int replicas) {
        return drainedCluster(name, replicas, 1_048_576L);
    }

    /** A dynamic config of a broker, or null when it has none set (default or static). */
    private static String brokerConfig(int broker, String name) throws Exception {
        return dynamic(new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(broker)), name);
    }

    private static String topicConfig(String topic, String name) throws Exception {
        return dynamic(new ConfigResource(ConfigResource.Type.TOPIC, topic), name);
    }

    private static String dynamic(ConfigResource resource, String name) throws Exception {
        ConfigEntry e = kafka.admin().describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource).get(name);
        return e == null || e.isDefault() || e.source() == ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG
                || e.source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG || e.value() == null || e.value().isEmpty() ? null : e.value();
    }

    private Cluster drainedCluster(String name, int replicas, long throttle) {
        ComponentSpec brokers = broker(replicas);
        brokers.scaleInGuard = new ScaleInGuardSpec();
        brokers.scaleInGuard.kafka = new ScaleInGuardSpec.KafkaScaleInGuard(kafka.bootstrapServers(), 0);
        brokers.scaleInGuard.kafka.drain = true;
        brokers.scaleInGuard.kafka.drainThrottleBytesPerSecond = throttle;
        f.runningCluster(name, brokers);
        String[] pods = new String[replicas];
        for (int i = 0; i < replicas; i++) {
            pods[i] = name + "-broker-" + i;
        }
        f.awaitReadyPods(pods);
        return f.awaitClusterPhase(name, "Running");
    }

    /** Nothing wrote the Cluster: same generation, same resourceVersion (no spec write, no status write). */
    private void assertUntouched(Cluster before) {
        Cluster now = f.cluster(before.getMetadata().getName());
        assertEquals(before.getMetadata().getGeneration(), now.getMetadata().getGeneration(), "generation");
        assertEquals(before.getMetadata().getResourceVersion(), now.getMetadata().getResourceVersion(), "resourceVersion");
    }

    private Condition awaitWaiting(String ops, String reason) {
        await().atMost(BLOCKED_WAIT).untilAsserted(() -> {
            var status = f.ops(ops).getStatus();
            Condition c = status == null ? null : Conditions.find(status.conditions, "WaitForProgressing");
            assertEquals(reason, c == null ? null : c.reason, () -> client.getKubernetesSerialization().asJson(status));
        });
        return Conditions.find(f.ops(ops).getStatus().conditions, "WaitForProgressing");
    }

    private boolean hasEvent(String ops, String type, String reason, String message) {
        return hasEvent("OpsRequest", ops, type, reason, message);
    }

    private boolean hasClusterEvent(String cluster, String type, String reason, String message) {
        return hasEvent("Cluster", cluster, type, reason, message);
    }

    private boolean hasEvent(String kind, String ops, String type, String reason, String message) {
        var events = f.events(kind, ops);
        boolean found = events.stream().anyMatch(e -> type.equals(e.getType()) && reason.equals(e.getReason())
                && message.equals(e.getMessage()));
        if (!found) {
            System.out.println("events of " + ops + ": " + events.stream().map(e -> e.getType() + " " + e.getReason() + " "
                    + e.getMessage()).collect(Collectors.joining("\n")));
        }
        return found;
    }

    /**
     * Moves partitions to the given replicas (topic-partition → node ids, preferred leader first), as
     * kafka-reassign-partitions.sh --execute does, and waits until Kafka reports exactly that placement.
     */
    private static void place(Map<String, List<Integer>> layout) throws Exception {
        Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new LinkedHashMap<>();
        layout.forEach((tp, replicas) -> moves.put(partition(tp), Optional.of(new NewPartitionReassignment(replicas))));
        kafka.admin().alterPartitionReassignments(moves).all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertEquals(Set.of(), kafka.admin().listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS).keySet());
            Map<String, TopicDescription> topics = kafka.admin().describeTopics(List.of("solo", "replicated")).allTopicNames()
                    .get(10, TimeUnit.SECONDS);
            layout.forEach((tp, replicas) -> {
                TopicPartition p = partition(tp);
                List<Integer> actual = topics.get(p.topic()).partitions().get(p.partition()).replicas().stream().map(Node::id).toList();
                assertEquals(Set.copyOf(replicas), Set.copyOf(actual), tp);
            });
        });
    }

    private static List<Integer> replicas(String topicPartition) throws Exception {
        TopicPartition p = partition(topicPartition);
        return kafka.admin().describeTopics(List.of(p.topic())).allTopicNames().get(10, TimeUnit.SECONDS).get(p.topic()).partitions()
                .get(p.partition()).replicas().stream().map(Node::id).toList();
    }

    private static int leader(String topicPartition) {
        try {
            TopicPartition p = partition(topicPartition);
            Node leader = kafka.admin().describeTopics(List.of(p.topic())).allTopicNames().get(10, TimeUnit.SECONDS).get(p.topic())
                    .partitions().get(p.partition()).leader();
            return leader == null ? -1 : leader.id();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static TopicPartition partition(String topicPartition) {
        int dash = topicPartition.lastIndexOf('-');
        return new TopicPartition(topicPartition.substring(0, dash), Integer.parseInt(topicPartition.substring(dash + 1)));
    }
}
