package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.scaleOut;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

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
 * The rebalance after a scale-out ({@code rebalanceOnScaleOut}, issue #28) against a real Kafka in KRaft mode: one
 * controller and four brokers (node ids 0..3) in a child JVM ({@link TestKafka}). Each Cluster starts with three broker
 * pods (ordinal N = node N, {@code nodeIdOffset: 0}); the scale-out adds pod 3, whose broker, node 3, is already
 * registered but hosts nothing until the rebalance moves its share there. The kubelet is simulated: the brokers stand
 * for the pods. Topic {@code orders}: 12 partitions of replication factor 3, placed by each test.
 */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RequiresControlPlane
class KafkaScaleOutRebalanceTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static TestKafka kafka;

    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = TestKafka.start(4);
        Map<Integer, List<Integer>> orders = new HashMap<>();
        for (int i = 0; i < 12; i++) {
            orders.put(i, List.of(i % 3, (i + 1) % 3, (i + 2) % 3));
        }
        kafka.admin().createTopics(List.of(new NewTopic("orders", orders))).all().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.stop();
        }
    }

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "krebal");
    }

    /** orders-i on brokers i%3, i+1%3, i+2%3: 12 replicas and 4 preferred leaderships each on 0, 1, 2; none on 3. */
    private static Map<String, List<Integer>> onThreeBrokers() {
        Map<String, List<Integer>> layout = new TreeMap<>();
        for (int i = 0; i < 12; i++) {
            layout.put("orders-" + i, List.of(i % 3, (i + 1) % 3, (i + 2) % 3));
        }
        return layout;
    }

    @Test
    @Order(1)
    void aScaleOutWithRebalanceGivesTheNewBrokerItsShareAndSucceedsOnlyOnceTheReplicasMoved() throws Exception {
        place(onThreeBrokers());
        rebalancedCluster("ra", 3, 1_048_576L);

        // a dry run says what would move, and moves nothing
        f.createOps("dry", "ra", spec -> spec.dryRun = true, scaleOut("broker", 1));
        OpsRequest dry = f.awaitOps("dry", "Succeed", WAIT);
        assertEquals("with rebalanceOnScaleOut: 9 replicas of 9 partitions would move once ra-broker-3 (node 3) is Ready; replicas per"
                + " broker after: 0:9, 1:9, 2:9, 3:9", dry.getStatus().plan.get("broker").kafkaRebalance);
        assertEquals(Map.of(0, 12, 1, 12, 2, 12), replicasPerBroker());

        f.createOps("out", "ra", scaleOut("broker", 1));
        OpsRequest done = f.awaitOps("out", "Succeed", WAIT);
        f.awaitReadyPods("ra-broker-0", "ra-broker-1", "ra-broker-2", "ra-broker-3");

        var record = done.getStatus().kafkaRebalance.get("broker");
        assertEquals(List.of("ra-broker-3"), record.instances);
        assertEquals(List.of(3), record.nodeIds);
        assertEquals(1_048_576L, record.throttleBytesPerSecond);
        assertEquals(record.targetReplicas.size() + "/" + record.targetReplicas.size(), record.progress);
        assertNotNull(record.finishedAt);
        assertEquals(Map.of(0, 9, 1, 9, 2, 9, 3, 9), replicasPerBroker(), "36 replicas, 9 on each of 4 brokers");
        assertEquals(Map.of(0, 3, 1, 3, 2, 3, 3, 3), preferredLeaders(), "12 preferred leaderships, 3 each");
        for (var e : record.targetReplicas.entrySet()) {
            assertEquals(e.getValue(), replicas(e.getKey()), e.getKey() + " is where the plan put it");
            assertEquals(3, e.getValue().size(), "replication factor kept");
        }
        await().atMost(WAIT).untilAsserted(() -> assertEquals(3L, leaders().values().stream().filter(l -> l == 3).count(),
                "the preferred leaders were elected: " + leaders()));
        assertThrottleGone();
        assertTrue(hasEvent("out", "Normal", "Rebalancing", "rebalancing onto ra-broker-3 (node 3): the plan moves 9 replicas of "
                + record.targetReplicas.size() + " partitions (status.kafkaRebalance.broker); replicas per broker after: 0:9, 1:9, 2:9, 3:9"));
        assertTrue(hasEvent("out", "Normal", "Rebalanced", "rebalanced onto ra-broker-3 (node 3): all " + record.targetReplicas.size()
                + " partitions moved; replication throttle removed; replicas per broker: 0:9, 1:9, 2:9, 3:9; preferred leaders elected"));
        assertEquals(4, f.component("ra", "broker").replicas);
    }

    @Test
    @Order(2)
    void theRecordedPlanIsResumedFromTheStatusNotPlannedAgain() throws Exception {
        place(onThreeBrokers());
        createBulk(Map.of(0, List.of(0)), 2_000_000);
        try {
            // 2 MB at 100 KiB/s: bulk-0 moves for about 10 s (Kafka measures the rate over its 11 s quota window, so the
            // first megabyte goes at once), the empty partitions at once
            rebalancedCluster("rb", 3, 102_400L);
            f.createOps("out", "rb", scaleOut("broker", 1));
            await().atMost(WAIT).untilAsserted(() -> assertTrue(progressing("out").message.endsWith("in progress: bulk-0"),
                    () -> progressing("out").message));
            var recorded = f.ops("out").getStatus().kafkaRebalance.get("broker");
            assertTrue(recorded.targetReplicas.containsKey("bulk-0"), recorded.targetReplicas.toString());
            assertEquals(List.of(0), recorded.originalReplicas.get("bulk-0"));

            // What a restarted operator finds: only the status and Kafka. Kafka meanwhile lost the move of bulk-0 (cancelled
            // behind the operator's back), and a new topic changed the load, so that a plan made now would differ.
            kafka.admin().alterPartitionReassignments(Map.of(new TopicPartition("bulk", 0), Optional.empty())).all().get(30, TimeUnit.SECONDS);
            kafka.admin().createTopics(List.of(new NewTopic("late", Map.of(0, List.of(0, 1, 2), 1, List.of(1, 2, 0))))).all()
                    .get(30, TimeUnit.SECONDS);

            OpsRequest done = f.awaitOps("out", "Succeed", WAIT);
            var record = done.getStatus().kafkaRebalance.get("broker");
            assertEquals(recorded.targetReplicas, record.targetReplicas, "the recorded plan, not a new one");
            assertEquals(recorded.startedAt, record.startedAt);
            assertEquals(record.targetReplicas.get("bulk-0"), replicas("bulk-0"), "asked again and moved");
            assertEquals(List.of(0, 1, 2), replicas("late-0"), "a topic created after the plan is not part of it");
            assertTrue(hasEventStartingWith("out", "Normal", "Rebalanced", "rebalanced onto rb-broker-3 (node 3): all "
                    + record.targetReplicas.size() + " partitions moved"));
            assertThrottleGone();
        } finally {
            deleteTopics("bulk", "late");
        }
    }

    @Test
    @Order(3)
    void aCancelWhileRebalancingCancelsTheReassignmentRemovesTheThrottleAndKeepsTheScaleOut() throws Exception {
        place(onThreeBrokers());
        createBulk(Map.of(0, List.of(0)), 2_000_000);
        try {
            // 2 MB at 1 KiB/s: the move of bulk-0 is still running when the ops is cancelled
            rebalancedCluster("rc", 3, 1024L);
            f.createOps("slow", "rc", scaleOut("broker", 1));
            await().atMost(WAIT).untilAsserted(() -> assertTrue(progressing("slow").message.endsWith("in progress: bulk-0"),
                    () -> progressing("slow").message));
            assertTrue(progressing("slow").message.startsWith("rebalancing onto rc-broker-3 (node 3): "), progressing("slow").message);
            assertEquals("Rebalancing", progressing("slow").reason);
            assertEquals("Running", f.opsPhase("slow"), "the ops does not succeed before the moves are done");
            assertEquals("1024", brokerConfig(3, "follower.replication.throttled.rate"));
            assertEquals("0:0", topicConfig("bulk", "leader.replication.throttled.replicas"));

            f.cancel("slow");
            OpsRequest cancelled = f.awaitOps("slow", "Cancelled", WAIT);
            Condition end = Conditions.find(cancelled.getStatus().conditions, "Cancelled");
            assertEquals("CancelledWhileRebalancing", end.reason);
            int total = cancelled.getStatus().kafkaRebalance.get("broker").targetReplicas.size();
            assertEquals("cancelled while rebalancing onto rc-broker-3: " + (total - 1) + "/" + total + " partitions had moved (they stay"
                    + " where they are), the reassignment of 1 cancelled, the replication throttle removed; the scale-out stays"
                    + " (rc-broker-3 kept: it may host moved replicas)", end.message);
            assertEquals(Set.of(), kafka.admin().listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS).keySet());
            assertEquals(List.of(0), replicas("bulk-0"), "back on its original replica");
            assertNull(brokerConfig(3, "follower.replication.throttled.rate"));
            assertNull(topicConfig("bulk", "leader.replication.throttled.replicas"));
            Thread.sleep(2000);
            assertEquals(4, f.component("rc", "broker").replicas, "the scale-out stays");
            f.awaitReadyPods("rc-broker-0", "rc-broker-1", "rc-broker-2", "rc-broker-3");
        } finally {
            deleteTopics("bulk");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** A running cluster whose broker component has {@code rebalanceOnScaleOut: true} with the given throttle. */
    private void rebalancedCluster(String name, int replicas, long throttle) {
        ComponentSpec brokers = broker(replicas);
        brokers.scaleInGuard = new ScaleInGuardSpec();
        brokers.scaleInGuard.kafka = new ScaleInGuardSpec.KafkaScaleInGuard(kafka.bootstrapServers(), 0);
        brokers.scaleInGuard.kafka.rebalanceOnScaleOut = true;
        brokers.scaleInGuard.kafka.drainThrottleBytesPerSecond = throttle;
        f.runningCluster(name, brokers);
        List<String> pods = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            pods.add(name + "-broker-" + i);
        }
        f.awaitReadyPods(pods.toArray(String[]::new));
        f.awaitClusterPhase(name, "Running");
    }

    /** Topic {@code bulk} with the given replicas per partition and {@code bytes} of records in each partition. */
    private static void createBulk(Map<Integer, List<Integer>> layout, int bytes) throws Exception {
        kafka.admin().createTopics(List.of(new NewTopic("bulk", layout))).all().get(30, TimeUnit.SECONDS);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] value = new byte[10_000];
            for (int partition : layout.keySet()) {
                for (int i = 0; i < bytes / value.length; i++) {
                    producer.send(new ProducerRecord<>("bulk", partition, null, value));
                }
            }
            producer.flush();
        }
    }

    private static void deleteTopics(String... topics) throws Exception {
        Set<String> existing = kafka.admin().listTopics().names().get(10, TimeUnit.SECONDS);
        List<String> gone = List.of(topics).stream().filter(existing::contains).toList();
        kafka.admin().deleteTopics(gone).all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> kafka.admin().listTopics().names().get(10, TimeUnit.SECONDS).stream()
                .noneMatch(gone::contains));
    }

    private Condition progressing(String ops) {
        var status = f.ops(ops).getStatus();
        Condition c = status == null ? null : Conditions.find(status.conditions, "Progressing");
        if (c == null) {
            c = new Condition();
            c.message = "";
        }
        return c;
    }

    /** Node id → replicas it hosts, over every topic. */
    private static Map<Integer, Integer> replicasPerBroker() throws Exception {
        Map<Integer, Integer> out = new TreeMap<>();
        describeAll().values().forEach(t -> t.partitions().forEach(p -> p.replicas().forEach(n -> out.merge(n.id(), 1, Integer::sum))));
        return out;
    }

    /** Node id → partitions whose first replica (the preferred leader) it is. */
    private static Map<Integer, Integer> preferredLeaders() throws Exception {
        Map<Integer, Integer> out = new TreeMap<>();
        describeAll().values().forEach(t -> t.partitions().forEach(p -> out.merge(p.replicas().get(0).id(), 1, Integer::sum)));
        return out;
    }

    /** Partition → its leader now. */
    private static Map<String, Integer> leaders() throws Exception {
        Map<String, Integer> out = new TreeMap<>();
        describeAll().values().forEach(t -> t.partitions().forEach(p -> out.put(t.name() + "-" + p.partition(),
                p.leader() == null ? -1 : p.leader().id())));
        return out;
    }

    private static Map<String, TopicDescription> describeAll() throws Exception {
        Set<String> names = kafka.admin().listTopics().names().get(10, TimeUnit.SECONDS);
        return kafka.admin().describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
    }

    private static void assertThrottleGone() throws Exception {
        for (int b = 0; b < 4; b++) {
            assertNull(brokerConfig(b, "leader.replication.throttled.rate"), "broker " + b);
            assertNull(brokerConfig(b, "follower.replication.throttled.rate"), "broker " + b);
        }
        for (String topic : describeAll().keySet()) {
            assertNull(topicConfig(topic, "leader.replication.throttled.replicas"), topic);
            assertNull(topicConfig(topic, "follower.replication.throttled.replicas"), topic);
        }
    }

    private static String brokerConfig(int broker, String name) throws Exception {
        return dynamic(new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(broker)), name);
    }

    private static String topicConfig(String topic, String name) throws Exception {
        return dynamic(new ConfigResource(ConfigResource.Type.TOPIC, topic), name);
    }

    /** A dynamic config, or null when none is set (default or static). */
    private static String dynamic(ConfigResource resource, String name) throws Exception {
        ConfigEntry e = kafka.admin().describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource).get(name);
        return e == null || e.isDefault() || e.source() == ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG
                || e.source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG || e.value() == null || e.value().isEmpty() ? null : e.value();
    }

    private boolean hasEvent(String ops, String type, String reason, String message) {
        return hasEventMatching(ops, type, reason, message::equals);
    }

    private boolean hasEventStartingWith(String ops, String type, String reason, String prefix) {
        return hasEventMatching(ops, type, reason, m -> m.startsWith(prefix));
    }

    private boolean hasEventMatching(String ops, String type, String reason, java.util.function.Predicate<String> message) {
        var events = f.events("OpsRequest", ops);
        boolean found = events.stream().anyMatch(e -> type.equals(e.getType()) && reason.equals(e.getReason())
                && e.getMessage() != null && message.test(e.getMessage()));
        if (!found) {
            System.out.println("events of " + ops + ": " + events.stream().map(e -> e.getType() + " " + e.getReason() + " "
                    + e.getMessage()).collect(Collectors.joining("\n")));
        }
        return found;
    }

    /** Moves partitions to the given replicas (preferred leader first) and waits until Kafka reports exactly that. */
    private static void place(Map<String, List<Integer>> layout) throws Exception {
        Map<TopicPartition, Optional<NewPartitionReassignment>> moves = new LinkedHashMap<>();
        layout.forEach((tp, replicas) -> moves.put(partition(tp), Optional.of(new NewPartitionReassignment(replicas))));
        kafka.admin().alterPartitionReassignments(moves).all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertEquals(Set.of(), kafka.admin().listPartitionReassignments().reassignments().get(10, TimeUnit.SECONDS).keySet());
            for (var e : layout.entrySet()) {
                assertEquals(e.getValue(), replicas(e.getKey()), e.getKey());
            }
        });
    }

    private static List<Integer> replicas(String topicPartition) throws Exception {
        TopicPartition p = partition(topicPartition);
        return kafka.admin().describeTopics(List.of(p.topic())).allTopicNames().get(10, TimeUnit.SECONDS).get(p.topic()).partitions()
                .get(p.partition()).replicas().stream().map(Node::id).toList();
    }

    private static TopicPartition partition(String topicPartition) {
        int dash = topicPartition.lastIndexOf('-');
        return new TopicPartition(topicPartition.substring(0, dash), Integer.parseInt(topicPartition.substring(dash + 1)));
    }
}
