package dev.ordinal.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.ordinal.access.tls.TestCertificates;
import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterStatus;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.testkube.HttpCallers;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The user story of issue #25 on a real node, each step checked the way a user checks it (kubectl, the pods'
 * statuses, Kafka's Admin API), in order:
 * <ol>
 * <li>Ordinal installed with {@code kubectl apply --server-side -k kubernetes/} (docs/install.md) from its locally built image becomes Ready through
 * its real probes under its real securityContext, elects a leader, logs, and serves /q/metrics through its Service
 * to a caller with the scraper role only.</li>
 * <li>The example Kafka cluster (3 KRaft controllers, 3 brokers; the local image standing in for apache/kafka:3.9.0)
 * comes up and takes records with {@code acks=all} on a topic of replication factor 3, {@code min.insync.replicas}
 * 2.</li>
 * <li>The Kafka guard holds an offline of two brokers at once (each partition would keep one in-sync replica, under
 * {@code min.insync.replicas} 2): by an OpsRequest with the Cluster untouched, and by a direct edit of the Cluster with
 * the pods left in place and the condition {@code ScaleInHeld}.</li>
 * <li>The seed: broker 2 taken offline without {@code force} (leadership moved off it first) and brought back online
 * by the shipped OpsRequests, four times, while records are produced with {@code acks=all} and no send fails: the pod
 * comes back on the same claim and files, broker 102 rejoins, every ISR is full again, the replica order is restored,
 * and every acknowledged record is read back exactly once.</li>
 * <li>Brokers whose containers really fail (a bad setting: crash loop; a memory limit: OOMKilled) make the component
 * Abnormal with that reason, and an OpsRequest takes each offline.</li>
 * <li>The operator pod deleted in the middle of a scale-out: the new pod finishes the ops.</li>
 * <li>A scale-in from 4 brokers to 3 with {@code scaleInGuard.kafka.drain: true} while records are produced with
 * {@code acks=all}: the operator pod is deleted while Kafka moves broker 103's replicas under the throttle, and the new
 * pod finishes the drain from the plan recorded in the ops' status (same plan, same start); then broker 103's pod goes,
 * node 103 is unregistered (status, Event, and Kafka's own answer), no replica and no throttle is left, no send failed,
 * and every acknowledged record is read back once.</li>
 * <li>A scale-out from 3 brokers to 4 with {@code scaleInGuard.kafka.rebalanceOnScaleOut: true} while records are
 * produced with {@code acks=all}: broker 103 comes back on a fresh claim, the ops Succeeds only once its plan is carried
 * out, and Kafka then says every broker hosts within one of the mean of the replicas, 103 leads its preferred
 * partitions, no reassignment and no throttle is left, no send failed, and every acknowledged record of both topics is
 * read back once.</li>
 * </ol>
 */
@RequiresRealNode
@Order(3)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaUserStoryIT {
    private static final String NS = "default";
    private static final String OPERATOR_NS = "ordinal-system";
    private static final String KAFKA_IMAGE = "ordinal.local/kafka:3.9.0";
    private static final String TOPIC = "orders";
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final String BOOTSTRAP = Stream.of(0, 1, 2)
            .map(i -> "kafka-broker-" + i + ".kafka-broker-headless." + NS + ".svc:9092").collect(Collectors.joining(","));

    private static KubernetesClient client;
    private static KafkaProbe kafka;
    /** Every phase the Cluster's status showed from its creation to the end of the seed (step 3). */
    private static final List<String> PHASES = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private static io.fabric8.kubernetes.client.Watch phaseWatch;
    private static volatile io.fabric8.kubernetes.client.WatcherException phaseWatchLost;
    /** Every value the cluster acknowledged, over the whole story. */
    private static final List<String> ACKED = new java.util.ArrayList<>();

    @BeforeAll
    static void connect() {
        client = TestNode.admin();
    }

    @AfterAll
    static void disconnect() {
        if (phaseWatch != null) {
            phaseWatch.close();
        }
        if (drainProducer != null) {
            drainProducer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (client != null) {
            client.close();
        }
    }

    // --- 1. install ------------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void installedWithKubectlApplyServerSideKTheOperatorPodBecomesReadyElectsALeaderAndServesMetricsToScrapersOnly()
            throws Exception {
        NodeKubectl.ok("apply", "--server-side", "-k", "kubernetes/");
        NodeKubectl.ok("-n", OPERATOR_NS, "rollout", "status", "deployment/ordinal", "--timeout=240s");
        Pod pod = operatorPod();
        assertTrue(isReady(pod), "the operator pod passed its readiness probe");
        var security = pod.getSpec().getContainers().get(0).getSecurityContext();
        assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem());
        assertEquals(Boolean.TRUE, pod.getSpec().getSecurityContext().getRunAsNonRoot());
        String identity = NodeKubectl.run("-n", OPERATOR_NS, "exec", pod.getMetadata().getName(), "--", "sh", "-c",
                "id -u; touch /probe").output();
        assertTrue(identity.lines().anyMatch("185"::equals), "the image runs as uid 185: " + identity);
        assertTrue(identity.contains("Read-only file system"), "the root file system is read-only: " + identity);

        await().atMost(WAIT).untilAsserted(() -> {
            Lease lease = client.leases().inNamespace(OPERATOR_NS).withName("ordinal-leader").get();
            assertNotNull(lease, "the operator took its Lease");
            assertEquals(pod.getMetadata().getName(), lease.getSpec().getHolderIdentity());
        });
        String logs = NodeKubectl.ok("-n", OPERATOR_NS, "logs", pod.getMetadata().getName());
        assertTrue(logs.contains("started in"), "kubectl logs shows the operator starting:\n" + logs);

        // HTTPS only, with the self-signed certificate the operator made for its Service's names (docs/install.md
        // "TLS"): taken once without verification, as the kubelet's probes do, then trusted and verified by name.
        String metrics = "https://ordinal." + OPERATOR_NS + ".svc:8443/q/metrics";
        X509Certificate served = (X509Certificate) HttpClient.newBuilder().sslContext(TestCertificates.trustingAny()).build()
                .send(HttpRequest.newBuilder(URI.create(metrics)).build(), HttpResponse.BodyHandlers.ofString())
                .sslSession().orElseThrow().getPeerCertificates()[0];
        served.verify(served.getPublicKey());
        assertTrue(served.getSubjectAlternativeNames().contains(List.of(2, "ordinal." + OPERATOR_NS + ".svc")), served.toString());
        HttpClient http = HttpClient.newBuilder().sslContext(TestCertificates.trusting(served)).connectTimeout(Duration.ofSeconds(5)).build();
        assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(metrics)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "no token, no metrics");
        HttpCallers.Account scraper = HttpCallers.reader(client);
        HttpResponse<String> scraped = http.send(HttpRequest.newBuilder(URI.create(metrics))
                .header("Authorization", scraper.authorization()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scraped.statusCode(), scraped.body());
        assertTrue(scraped.body().contains("ordinal_"), "Ordinal's meters are there");
        try {
            HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics.replace("https:", "http:")))
                    .header("Authorization", scraper.authorization()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertFalse(plain.body().contains("ordinal_"), "plain HTTP got metrics: " + plain.statusCode());
        } catch (IOException expected) {
            // the TLS port closed the connection
        }
    }

    // --- 2. Kafka up ----------------------------------------------------------------------------------------------

    @Test
    @Order(2)
    void theExampleKafkaClusterComesUpAndTakesRecordsWithAcksAll() throws Exception {
        String example = Files.readString(Path.of("kubernetes", "examples", "kafka-cluster.yaml"));
        assertTrue(example.contains("image: apache/kafka:3.9.0"));
        phaseWatch = client.resources(Cluster.class).inNamespace(NS).withName("kafka").watch(new io.fabric8.kubernetes.client.Watcher<>() {
            @Override
            public void eventReceived(Action action, Cluster c) {
                String phase = c.getStatus() == null ? null : c.getStatus().phase + " " + c.getStatus().componentSummary;
                if (phase != null && (PHASES.isEmpty() || !PHASES.get(PHASES.size() - 1).equals(phase))) {
                    PHASES.add(phase);
                }
            }

            @Override
            public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                phaseWatchLost = cause;
            }
        });
        NodeKubectl.apply("kafka-cluster", example.replace("image: apache/kafka:3.9.0", "image: " + KAFKA_IMAGE));
        // the moment each controller turns Ready, its quorum has a leader (the example's startup probe, issue #32)
        Map<String, java.util.Optional<Integer>> leaderWhenReady = new java.util.concurrent.ConcurrentHashMap<>();
        await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                String name = "kafka-controller-" + i;
                if (!leaderWhenReady.containsKey(name) && isReady(client.pods().inNamespace(NS).withName(name).get())) {
                    leaderWhenReady.put(name, KafkaProbe.quorumLeader(name + ".kafka-controller-headless." + NS + ".svc:9093"));
                }
            }
            ClusterStatus s = cluster().getStatus();
            assertNotNull(s);
            assertEquals("Running", s.phase, () -> "Cluster kafka: " + s.phase + " " + s.componentSummary);
            assertEquals("controller 3/3, broker 3/3", s.componentSummary);
        });
        assertEquals(3, leaderWhenReady.size(), leaderWhenReady::toString);
        leaderWhenReady.forEach((controller, leader) -> assertTrue(leader.isPresent(),
                controller + " was Ready before its quorum had a leader: " + leaderWhenReady));
        for (String name : List.of("kafka-controller-0", "kafka-controller-1", "kafka-controller-2", "kafka-broker-0",
                "kafka-broker-1", "kafka-broker-2")) {
            Pod p = client.pods().inNamespace(NS).withName(name).get();
            assertTrue(isReady(p), name + " is Ready");
            assertEquals(0, p.getStatus().getContainerStatuses().get(0).getRestartCount(), name + " never restarted");
        }
        kafka = new KafkaProbe(BOOTSTRAP);
        await().atMost(WAIT).ignoreExceptions().until(() -> kafka.brokers().equals(Set.of(100, 101, 102)));
        kafka.createTopic(TOPIC, 6);
        await().atMost(WAIT).ignoreExceptions().until(() -> kafka.isr(TOPIC).values().stream()
                .allMatch(isr -> isr.size() == 3));
        KafkaProbe.Producer before = kafka.produce(TOPIC, "before", Duration.ZERO);
        await().atMost(WAIT).until(() -> before.acked().size() >= 1000);
        ACKED.addAll(before.stop());
        before.close();
        assertEquals(List.of(), before.failed());
    }

    // --- 3. the seed, with data -------------------------------------------------------------------------------------

    @Test
    @Order(3)
    void anOfflineOfTwoBrokersAtOnceWaitsAsAnOpsAndIsHeldAsADirectEditBecauseEachPartitionWouldKeepOneInSyncReplica() throws Exception {
        String name = "kafka-offline-brokers-1-2";
        NodeKubectl.apply(name, exampleOps("ops-offline-broker-2.yaml", name).replace("[kafka-broker-2]",
                "[kafka-broker-1, kafka-broker-2]"));
        await().atMost(WAIT).untilAsserted(() -> {
            OpsRequest o = client.resources(OpsRequest.class).inNamespace(NS).withName(name).get();
            assertNotNull(o.getStatus());
            assertEquals("Pending", o.getStatus().phase);
            var waiting = o.getStatus().conditions.stream().filter(c -> "WaitForProgressing".equals(c.type)).findFirst()
                    .orElseThrow();
            assertEquals("ScaleInBlocked", waiting.reason);
            assertTrue(waiting.message.startsWith("kafka-broker-1 (node 101), kafka-broker-2 (node 102) cannot go offline yet: "),
                    waiting.message);
            // orders-N would keep 1 in-sync replica of 2 needed; which partitions come first depends on the internal topics
            assertTrue(waiting.message.matches(".* would keep [01] in-sync replicas? \\(min\\.insync\\.replicas [12]; ISR .*"),
                    waiting.message);
        });
        Thread.sleep(5000);
        assertEquals("Pending", phase(name), "it keeps waiting (preConditionDeadlineSeconds)");
        assertEquals(3, cluster().getSpec().componentSpecs.get(1).replicas, "the Cluster is not written");
        assertEquals(List.of(), cluster().getSpec().componentSpecs.get(1).offlineInstances);
        assertNotNull(client.pods().inNamespace(NS).withName("kafka-broker-2").get());
        NodeKubectl.ok("-n", NS, "patch", "ops", name, "--type=merge", "-p", "{\"spec\":{\"cancel\":true}}");
        awaitOps(name, "Cancelled");

        // The same two brokers by a direct edit (GitOps, kubectl): held, the pods stay, the Cluster says why.
        NodeKubectl.ok("-n", NS, "patch", "cluster", "kafka", "--type=json", "-p", """
                [{"op": "replace", "path": "/spec/componentSpecs/1/replicas", "value": 1},
                 {"op": "replace", "path": "/spec/componentSpecs/1/offlineInstances", "value": ["kafka-broker-1", "kafka-broker-2"]}]""");
        await().atMost(WAIT).untilAsserted(() -> {
            var held = cluster().getStatus().conditions.stream().filter(c -> "ScaleInHeld".equals(c.type)).findFirst().orElseThrow();
            assertEquals("True", held.status);
            assertEquals("DirectEditHeld", held.reason);
            assertTrue(held.message.startsWith("component broker: kafka-broker-1 (node 101), kafka-broker-2 (node 102) cannot go offline"
                    + " yet: "), held.message);
        });
        Thread.sleep(5000);
        assertNotNull(client.pods().inNamespace(NS).withName("kafka-broker-1").get(), "held: the pod stays");
        assertNotNull(client.pods().inNamespace(NS).withName("kafka-broker-2").get(), "held: the pod stays");
        NodeKubectl.ok("-n", NS, "patch", "cluster", "kafka", "--type=json", "-p", """
                [{"op": "replace", "path": "/spec/componentSpecs/1/replicas", "value": 3},
                 {"op": "replace", "path": "/spec/componentSpecs/1/offlineInstances", "value": []}]""");
        await().atMost(WAIT).untilAsserted(() -> assertEquals("NothingHeld", cluster().getStatus().conditions.stream()
                .filter(c -> "ScaleInHeld".equals(c.type)).findFirst().orElseThrow().reason));
        assertEquals("controller 3/3, broker 3/3", cluster().getStatus().componentSummary);
    }

    @Test
    @Order(4)
    void theLastBrokerGoesOfflineAndComesBackOnItsOwnVolumeFourTimesWithoutLosingARecord() throws Exception {
        PersistentVolumeClaim claim = claim("data-kafka-broker-2");
        Path volume = Path.of(client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get().getSpec()
                .getHostPath().getPath());
        Path logDir = volume.resolve("logs");
        String meta = Files.readString(logDir.resolve("meta.properties"));
        assertTrue(meta.contains("node.id=102"), meta);

        try (KafkaProbe.Producer during = kafka.produce(TOPIC, "during", Duration.ofMillis(20))) {
            for (int cycle = 1; cycle <= 4; cycle++) {
                Map<String, Object> segments = inodes(logDir);
                assertTrue(segments.keySet().stream().anyMatch(f -> f.startsWith(TOPIC + "-")), segments.toString());
                String podUid = client.pods().inNamespace(NS).withName("kafka-broker-2").get().getMetadata().getUid();

                Map<Integer, List<Integer>> placement = kafka.replicasAndLeader(TOPIC);
                String offline = "kafka-offline-broker-2-" + cycle;
                NodeKubectl.apply(offline, exampleOps("ops-offline-broker-2.yaml", offline));
                awaitOps(offline, "Succeed");
                OpsRequest off = client.resources(OpsRequest.class).inNamespace(NS).withName(offline).get();
                assertEquals(null, off.getSpec().force, "no force: the guard let broker 102 go");
                var moved = off.getStatus().kafkaLeadership.get("broker");
                placement.forEach((partition, replicas) -> assertEquals(replicas.get(0) == 102,
                        moved.originalReplicas.containsKey(TOPIC + "-" + partition), () -> TOPIC + "-" + partition + " " + replicas
                                + ": recorded exactly when 102 was its preferred leader: " + moved.originalReplicas));
                kafka.replicasAndLeader(TOPIC).forEach((partition, now) -> assertNotEquals(102, (int) now.get(0),
                        TOPIC + "-" + partition + " no longer prefers 102: " + now));
                assertEquals(List.of("kafka-broker-2"), cluster().getSpec().componentSpecs.get(1).offlineInstances);
                assertEquals(2, cluster().getSpec().componentSpecs.get(1).replicas);
                await().atMost(WAIT).until(() -> client.pods().inNamespace(NS).withName("kafka-broker-2").get() == null);
                assertEquals(claim.getMetadata().getUid(), claim("data-kafka-broker-2").getMetadata().getUid(),
                        "the offline instance keeps its claim");
                int ackedWhileOffline = during.acked().size();
                await().atMost(WAIT).until(() -> during.acked().size() > ackedWhileOffline + 50); // acks=all on 2 brokers

                String online = "kafka-online-broker-2-" + cycle;
                NodeKubectl.apply(online, exampleOps("ops-online-broker-2.yaml", online));
                awaitOps(online, "Succeed");
                var restored = client.resources(OpsRequest.class).inNamespace(NS).withName(online).get().getStatus()
                        .kafkaLeadership.get("broker");
                assertEquals(offline, restored.movedBy);
                assertNotNull(restored.restoredAt, "the replica order is restored before the online ops succeeds");
                Map<Integer, List<Integer>> restoredPlacement = kafka.replicasAndLeader(TOPIC);
                placement.forEach((partition, before) -> assertEquals(before.subList(0, 3), restoredPlacement.get(partition).subList(0, 3),
                        TOPIC + "-" + partition + " has its original replica order again"));
                assertEquals(List.of(), cluster().getSpec().componentSpecs.get(1).offlineInstances);
                assertEquals(3, cluster().getSpec().componentSpecs.get(1).replicas);
                Pod back = client.pods().inNamespace(NS).withName("kafka-broker-2").get();
                assertNotEquals(podUid, back.getMetadata().getUid(), "a new pod");
                assertTrue(isReady(back));
                assertEquals("data-kafka-broker-2", back.getSpec().getVolumes().stream()
                        .filter(v -> v.getPersistentVolumeClaim() != null).findFirst().orElseThrow()
                        .getPersistentVolumeClaim().getClaimName());
                assertEquals(claim.getMetadata().getUid(), claim("data-kafka-broker-2").getMetadata().getUid(),
                        "the same claim, so the same volume");
                assertEquals(meta, Files.readString(logDir.resolve("meta.properties")),
                        "broker 102 kept its log directory (node.id, directory.id)");
                Map<String, Object> after = inodes(logDir);
                segments.forEach((file, inode) -> assertEquals(inode, after.get(file),
                        file + " is the same file, not a copy"));
                await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                    assertTrue(kafka.brokers().contains(102), "broker 102 rejoined");
                    kafka.isr(TOPIC).forEach((partition, isr) -> assertEquals(Set.of(100, 101, 102), isr,
                            TOPIC + "-" + partition + " ISR"));
                });
            }
            int acked = during.acked().size();
            await().atMost(WAIT).until(() -> during.acked().size() > acked + 50);
            ACKED.addAll(during.stop());
            assertEquals(List.of(), during.failed(), "no send failed while brokers went and came back");
        }
        List<String> read = kafka.readAll(TOPIC);
        Map<String, Long> counts = read.stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new,
                Collectors.counting()));
        phaseWatch.close();
        assertEquals(null, phaseWatchLost, "the watch of the Cluster's phases broke, so they were not all seen");
        assertTrue(PHASES.stream().filter(p -> p.startsWith("Updating")).count() >= 4,
                () -> "every online ops showed its starting broker as an update: " + PHASES);
        assertTrue(PHASES.stream().noneMatch(p -> p.startsWith("Abnormal")),
                () -> "brokers starting at creation and in every online ops are starting, not unhealthy (issue #32): " + PHASES);
        assertEquals(Set.copyOf(ACKED), counts.keySet(), "every acknowledged record, and nothing else, is read back");
        assertEquals(List.of(), counts.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey)
                .toList(), "each record once");
        assertTrue(ACKED.size() > 1200, "records before and during: " + ACKED.size());
    }

    // --- 4. real failures -----------------------------------------------------------------------------------------

    @Test
    @Order(5)
    void aBrokerThatCrashesOnABadSettingIsAbnormalWithTheRealReasonAndAnOpsTakesItOffline() {
        // a user adds a broker of its own instance template with a setting Kafka refuses
        NodeKubectl.ok("-n", NS, "patch", "cluster", "kafka", "--type=json", "-p", """
                [{"op": "add", "path": "/spec/componentSpecs/1/instances", "value": [
                   {"name": "bad", "replicas": 1, "ordinals": {"discrete": [10]},
                    "env": [{"name": "KAFKA_NUM_IO_THREADS", "value": "zero"}]}]},
                 {"op": "replace", "path": "/spec/componentSpecs/1/replicas", "value": 4}]""");
        awaitAbnormal("kafka-broker-bad-10", "CrashLoopBackOff");
        takeOffline("kafka-broker-bad-10", "kafka-offline-bad-10");
    }

    @Test
    @Order(6)
    void aBrokerKilledByItsMemoryLimitIsAbnormalWithOomKilledAndAnOpsTakesItOffline() {
        NodeKubectl.ok("-n", NS, "patch", "cluster", "kafka", "--type=json", "-p", """
                [{"op": "add", "path": "/spec/componentSpecs/1/instances/-", "value":
                   {"name": "oom", "replicas": 1, "ordinals": {"discrete": [11]},
                    "resources": {"requests": {"cpu": "100m", "memory": "96Mi"}, "limits": {"memory": "96Mi"}},
                    "env": [{"name": "KAFKA_HEAP_OPTS", "value": "-Xms256m -Xmx256m -XX:+AlwaysPreTouch"}]}},
                 {"op": "replace", "path": "/spec/componentSpecs/1/replicas", "value": 4}]""");
        awaitAbnormal("kafka-broker-oom-11", "OOMKilled");
        takeOffline("kafka-broker-oom-11", "kafka-offline-oom-11");
    }

    private void awaitAbnormal(String pod, String reason) {
        await().atMost(WAIT).untilAsserted(() -> {
            ClusterStatus s = cluster().getStatus();
            ClusterStatus.ComponentStatus broker = s.components.get("broker");
            assertEquals("Abnormal", broker.phase, () -> "broker: " + broker.phase + " " + broker.message);
            assertNotNull(broker.message, "the component says which pod is unhealthy");
            String message = String.valueOf(broker.message.get("Pod/" + pod));
            assertTrue(message.contains(reason), () -> pod + ": " + broker.message);
        });
        assertEquals("Abnormal", cluster().getStatus().phase);
    }

    /** Applies an OpsRequest that scales the broker component, e.g. {@code scaleOut: {replicaChanges: 1}}. */
    private static void applyBrokerOps(String name, int timeoutSeconds, String change) {
        NodeKubectl.apply(name, """
                apiVersion: operations.ordinal.dev/v1alpha1
                kind: OpsRequest
                metadata: {name: %s, namespace: %s}
                spec:
                  clusterName: kafka
                  type: HorizontalScaling
                  timeoutSeconds: %d
                  horizontalScaling:
                    - componentName: broker
                      %s
                """.formatted(name, NS, timeoutSeconds, change));
    }

    private void takeOffline(String pod, String opsName) {
        applyBrokerOps(opsName, 300, "scaleIn: {onlineInstancesToOffline: [" + pod + "]}");
        awaitOps(opsName, "Succeed");
        await().atMost(WAIT).until(() -> client.pods().inNamespace(NS).withName(pod).get() == null);
        await().atMost(WAIT).untilAsserted(() -> {
            ClusterStatus s = cluster().getStatus();
            assertEquals("Running", s.phase, s.componentSummary);
            assertEquals("controller 3/3, broker 3/3", s.componentSummary);
        });
        assertTrue(cluster().getSpec().componentSpecs.get(1).offlineInstances.contains(pod));
    }

    // --- 5. operator restart --------------------------------------------------------------------------------------

    @Test
    @Order(7)
    void theOperatorPodDeletedInTheMiddleOfAScaleOutIsReplacedAndTheNewPodFinishesTheOps() throws Exception {
        String ops = "kafka-scale-out-1";
        applyBrokerOps(ops, 600, "scaleOut: {replicaChanges: 1}");
        await().atMost(WAIT).until(() -> "Running".equals(phase(ops))
                && client.pods().inNamespace(NS).withName("kafka-broker-3").get() != null);
        Pod old = operatorPod();
        assertEquals("Running", phase(ops), "the ops is in the middle when its operator goes");
        NodeKubectl.ok("-n", OPERATOR_NS, "delete", "pod", old.getMetadata().getName(), "--wait=false");
        awaitOps(ops, "Succeed");
        Pod now = operatorPod();
        assertNotEquals(old.getMetadata().getUid(), now.getMetadata().getUid(), "a new operator pod");
        OpsRequest done = client.resources(OpsRequest.class).inNamespace(NS).withName(ops).get();
        Lease lease = client.leases().inNamespace(OPERATOR_NS).withName("ordinal-leader").get();
        assertEquals(now.getMetadata().getName(), lease.getSpec().getHolderIdentity(), "the new pod leads");
        assertTrue(!java.time.Instant.parse(done.getStatus().completionTimestamp)
                .isBefore(lease.getSpec().getAcquireTime().toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)),
                () -> "the ops ended at " + done.getStatus().completionTimestamp + ", after the new pod took the Lease at "
                        + lease.getSpec().getAcquireTime() + ": the new pod finished it");
        assertEquals("1/1", done.getStatus().progress);
        assertEquals(List.of("kafka-broker-3"), done.getStatus().plan.get("broker").podsToCreate);
        assertEquals(4, cluster().getSpec().componentSpecs.get(1).replicas);
        await().atMost(WAIT).untilAsserted(() -> assertEquals("controller 3/3, broker 4/4",
                cluster().getStatus().componentSummary));
        await().atMost(WAIT).ignoreExceptions().until(() -> kafka.brokers().contains(103));
        String table = NodeKubectl.ok("-n", NS, "get", "ops");
        assertTrue(table.lines().filter(l -> l.startsWith(ops)).allMatch(l -> l.contains("Succeed")), table);
    }

    // --- 6. scale-in with drain, the operator restarted mid-drain ----------------------------------------------------

    /**
     * Broker 103 joined empty (a scale-out does not rebalance), so it gets a replica of each partition of a topic of its
     * own, with enough data that the drain, at the throttle below, lasts well beyond an operator restart: Kafka lets one
     * fetch of up to {@code replica.fetch.max.bytes} (1 MiB) through per quota window (11 s) whatever the rate, so each
     * partition's 6 MiB take over a minute to copy (the new operator pod took the Lease 15–18 s after the old one was
     * deleted, here).
     */
    private static final String DRAINED = "payments";
    private static final Map<Integer, List<Integer>> DRAINED_REPLICAS = Map.of(0, List.of(103, 100, 101),
            1, List.of(101, 103, 102), 2, List.of(102, 100, 103));
    private static final int FILL_RECORDS = 600;
    private static final int FILL_BYTES = 10 * 1024;
    private static final long THROTTLE = 16 * 1024;
    private static final String DRAIN_OPS = "kafka-scale-in-broker-3";
    /** Every value the cluster acknowledged on the drained topic. */
    private static final List<String> DRAIN_ACKED = new java.util.ArrayList<>();
    private static KafkaProbe.Producer drainProducer;
    private static OpsRequestStatus.KafkaDrainRecord drainPlanned;

    @Test
    @Order(8)
    void theOperatorPodDeletedInTheMiddleOfADrainIsReplacedAndTheNewPodFinishesTheRecordedPlanWithoutPlanningAgain() throws Exception {
        await().atMost(WAIT).ignoreExceptions().until(() -> kafka.brokers().equals(Set.of(100, 101, 102, 103)));
        kafka.createTopic(DRAINED, DRAINED_REPLICAS);
        await().atMost(WAIT).ignoreExceptions().until(() -> kafka.isr(DRAINED).values().stream().allMatch(isr -> isr.size() == 3));
        DRAIN_ACKED.addAll(kafka.fill(DRAINED, "bulk", DRAINED_REPLICAS.size(), FILL_RECORDS, FILL_BYTES));
        NodeKubectl.ok("-n", NS, "patch", "cluster", "kafka", "--type=json", "-p", """
                [{"op": "add", "path": "/spec/componentSpecs/1/scaleInGuard/kafka/drain", "value": true},
                 {"op": "add", "path": "/spec/componentSpecs/1/scaleInGuard/kafka/drainThrottleBytesPerSecond", "value": %d}]"""
                .formatted(THROTTLE));
        drainProducer = kafka.produce(DRAINED, "draining", Duration.ofMillis(20));
        await().atMost(WAIT).until(() -> drainProducer.acked().size() >= 50);

        applyBrokerOps(DRAIN_OPS, 600, "scaleIn: {replicaChanges: 1}");
        // Pending, Draining, progress short of total, while Kafka reassigns: the moment to take the operator away.
        await().atMost(WAIT).untilAsserted(() -> {
            OpsRequest o = client.resources(OpsRequest.class).inNamespace(NS).withName(DRAIN_OPS).get();
            assertNotNull(o.getStatus());
            assertEquals("Pending", o.getStatus().phase);
            var waiting = o.getStatus().conditions.stream().filter(c -> "WaitForProgressing".equals(c.type)).findFirst().orElseThrow();
            assertEquals("Draining", waiting.reason, waiting.message);
            assertTrue(waiting.message.startsWith("draining kafka-broker-3 (node 103): "), waiting.message);
            assertTrue(waiting.message.contains(" partitions moved (replication throttle " + THROTTLE + " B/s)"), waiting.message);
            var record = o.getStatus().kafkaDrain.get("broker");
            assertNotNull(record.progress);
            assertFalse(kafka.reassigning().isEmpty(), "Kafka is moving replicas");
            drainPlanned = record;
        });
        assertNotEquals("3/3", drainPlanned.progress);
        assertEquals(null, drainPlanned.finishedAt);
        assertEquals(List.of("kafka-broker-3"), drainPlanned.instances);
        assertEquals(List.of(103), drainPlanned.nodeIds);
        assertEquals(THROTTLE, drainPlanned.throttleBytesPerSecond);
        Map<String, List<Integer>> original = new TreeMap<>();
        DRAINED_REPLICAS.forEach((partition, replicas) -> original.put(DRAINED + "-" + partition, replicas));
        assertEquals(original, new TreeMap<>(drainPlanned.originalReplicas), "the plan moves exactly broker 103's replicas");
        drainPlanned.targetReplicas.forEach((partition, target) -> assertEquals(Set.of(100, 101, 102), Set.copyOf(target),
                partition + " goes to the three brokers that stay: " + target));
        assertEquals(original.keySet(), drainPlanned.targetReplicas.keySet());
        String startedAt = drainPlanned.startedAt;
        assertNotNull(startedAt);
        Set<String> reassigningWhenDeleted = kafka.reassigning();
        assertFalse(reassigningWhenDeleted.isEmpty(), "Kafka is still moving replicas when the operator pod goes");

        Pod old = operatorPod();
        NodeKubectl.ok("-n", OPERATOR_NS, "delete", "pod", old.getMetadata().getName(), "--wait=false");
        Lease[] taken = new Lease[1];
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Pod now = operatorPod();
            assertNotEquals(old.getMetadata().getUid(), now.getMetadata().getUid(), "a new operator pod");
            Lease lease = client.leases().inNamespace(OPERATOR_NS).withName("ordinal-leader").get();
            assertEquals(now.getMetadata().getName(), lease.getSpec().getHolderIdentity(), "the new pod leads");
            taken[0] = lease;
        });
        java.time.Instant takeover = taken[0].getSpec().getAcquireTime().toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        awaitOps(DRAIN_OPS, "Succeed");

        OpsRequest done = client.resources(OpsRequest.class).inNamespace(NS).withName(DRAIN_OPS).get();
        var finished = done.getStatus().kafkaDrain.get("broker");
        assertEquals(startedAt, finished.startedAt, "the new pod resumed the drain: the same plan, started when it was");
        assertEquals(drainPlanned.originalReplicas, finished.originalReplicas);
        assertEquals(drainPlanned.targetReplicas, finished.targetReplicas, "not planned again from the half-moved state");
        assertEquals("3/3", finished.progress);
        assertNotNull(finished.finishedAt);
        assertTrue(!java.time.Instant.parse(finished.finishedAt).isBefore(takeover), () -> "the drain finished at "
                + finished.finishedAt + ", after the new pod took the Lease at " + taken[0].getSpec().getAcquireTime()
                + ": the new pod finished it (if it ended before, the drain was too short for this test: more data)");
        assertEquals(List.of("kafka-broker-3"), done.getStatus().plan.get("broker").podsToDelete);
        assertEquals(3, cluster().getSpec().componentSpecs.get(1).replicas);
    }

    @Test
    @Order(9)
    void theScaleInWithDrainLeftNoReplicaOnBroker103RemovedItsPodUnregisteredNode103AndLostNoRecord() throws Exception {
        OpsRequest done = client.resources(OpsRequest.class).inNamespace(NS).withName(DRAIN_OPS).get();
        assertEquals("Succeed", done.getStatus().phase);
        await().atMost(WAIT).until(() -> client.pods().inNamespace(NS).withName("kafka-broker-3").get() == null);
        claim("data-kafka-broker-3"); // whenScaled: Retain
        await().atMost(WAIT).untilAsserted(() -> assertEquals("controller 3/3, broker 3/3", cluster().getStatus().componentSummary));

        // Unregistered: in the ops' status and Events, and in Kafka's own answer.
        assertEquals(Map.of("broker", List.of(103)), done.getStatus().kafkaUnregistered);
        var events = client.v1().events().inNamespace(NS).withField("involvedObject.kind", "OpsRequest")
                .withField("involvedObject.name", DRAIN_OPS).list().getItems();
        Map<String, String> byReason = events.stream().collect(Collectors.toMap(e -> e.getReason(), e -> e.getMessage(), (a, b) -> a));
        assertTrue(byReason.containsKey("Drained"), byReason::toString);
        assertEquals("unregistered Kafka node id 103 of kafka-broker-3 (node 103): their pods are gone",
                byReason.get("BrokersUnregistered"), byReason::toString);
        await().atMost(WAIT).ignoreExceptions().until(() -> kafka.brokers().equals(Set.of(100, 101, 102)));
        assertTrue(kafka.notRegistered(103), "Kafka answers BROKER_ID_NOT_REGISTERED for node 103");

        // Every replica off 103, as planned; every ISR full; the throttle gone.
        Map<Integer, List<Integer>> placement = kafka.replicasAndLeader(DRAINED);
        var plan = done.getStatus().kafkaDrain.get("broker").targetReplicas;
        placement.forEach((partition, replicas) -> {
            assertEquals(Set.copyOf(plan.get(DRAINED + "-" + partition)), Set.copyOf(replicas.subList(0, 3)),
                    DRAINED + "-" + partition + " sits where the plan put it: " + replicas);
            assertNotEquals(-1, (int) replicas.get(3), DRAINED + "-" + partition + " has a leader");
        });
        for (String topic : List.of(DRAINED, TOPIC)) {
            kafka.replicasAndLeader(topic).forEach((partition, replicas) -> assertFalse(replicas.subList(0, 3).contains(103),
                    topic + "-" + partition + " " + replicas));
        }
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> kafka.isr(DRAINED).forEach((partition, isr) ->
                assertEquals(Set.of(100, 101, 102), isr, DRAINED + "-" + partition + " ISR")));
        assertEquals(Map.of("100", Map.of(), "101", Map.of(), "102", Map.of()), kafka.dynamicConfigs(
                org.apache.kafka.common.config.ConfigResource.Type.BROKER, Set.of("100", "101", "102"),
                Set.of("leader.replication.throttled.rate", "follower.replication.throttled.rate")), "no broker throttle left");
        assertEquals(Map.of(DRAINED, Map.of()), kafka.dynamicConfigs(org.apache.kafka.common.config.ConfigResource.Type.TOPIC,
                Set.of(DRAINED), Set.of("leader.replication.throttled.replicas", "follower.replication.throttled.replicas")),
                "no topic throttle left");

        // Zero failed sends with acks=all over the whole scale-in, and every acknowledged record read back once.
        int acked = drainProducer.acked().size();
        await().atMost(WAIT).until(() -> drainProducer.acked().size() > acked + 50);
        DRAIN_ACKED.addAll(drainProducer.stop());
        drainProducer.close();
        assertEquals(List.of(), drainProducer.failed(), "no send failed during the drain, the pod's removal and the unregistration");
        Map<String, Long> counts = kafka.readAll(DRAINED).stream().map(KafkaProbe::name)
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        assertEquals(Set.copyOf(DRAIN_ACKED), counts.keySet(), "every acknowledged record, and nothing else, is read back");
        assertEquals(List.of(), counts.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList(),
                "each record once");
        assertTrue(DRAIN_ACKED.size() > DRAINED_REPLICAS.size() * FILL_RECORDS + 100, "records before and during: " + DRAIN_ACKED.size());
    }

    // --- 7. scale-out with rebalance -----------------------------------------------------------------------------------

    private static final String REBALANCE_OPS = "kafka-scale-out-rebalance";
    /** High enough that the throttle never holds the moves back here (the topics hold about 20 MiB per partition at most). */
    private static final long REBALANCE_THROTTLE = 100L * 1024 * 1024;

    @Test
    @Order(10)
    void aScaleOutWithRebalanceGivesBroker103ItsShareOfReplicasAndLeadersWhileRecordsAreProducedAndLosesNone() throws Exception {
        // Node 103 was unregistered in step 9, but its kept claim still holds its old log directory (meta.properties,
        // the folders of the partitions drained off it). A fresh log directory is the clean way back: the broker formats
        // it and registers anew as node 103, so every replica it hosts afterwards is one the rebalance put there.
        NodeKubectl.ok("-n", NS, "delete", "pvc", "data-kafka-broker-3", "--wait=true", "--timeout=60s");
        assertEquals(null, client.persistentVolumeClaims().inNamespace(NS).withName("data-kafka-broker-3").get());
        NodeKubectl.ok("-n", NS, "patch", "cluster", "kafka", "--type=json", "-p", """
                [{"op": "add", "path": "/spec/componentSpecs/1/scaleInGuard/kafka/rebalanceOnScaleOut", "value": true},
                 {"op": "add", "path": "/spec/componentSpecs/1/scaleInGuard/kafka/drainThrottleBytesPerSecond", "value": %d}]"""
                .formatted(REBALANCE_THROTTLE));
        Set<String> before = kafka.allReplicasAndLeaders().keySet();

        try (KafkaProbe.Producer during = kafka.produce(TOPIC, "rebalancing", Duration.ofMillis(20))) {
            await().atMost(WAIT).until(() -> during.acked().size() >= 50);
            applyBrokerOps(REBALANCE_OPS, 300, "scaleOut: {replicaChanges: 1}");
            awaitOps(REBALANCE_OPS, "Succeed");
            int acked = during.acked().size();
            await().atMost(WAIT).until(() -> during.acked().size() > acked + 50);
            ACKED.addAll(during.stop());
            assertEquals(List.of(), during.failed(), "no send failed while broker 103 came and replicas moved onto it");
        }

        // The plan and its end, in the ops' status.
        OpsRequest done = client.resources(OpsRequest.class).inNamespace(NS).withName(REBALANCE_OPS).get();
        assertEquals(List.of("kafka-broker-3"), done.getStatus().plan.get("broker").podsToCreate);
        var record = done.getStatus().kafkaRebalance.get("broker");
        assertNotNull(record, "status.kafkaRebalance.broker: " + done.getStatus().kafkaRebalance);
        assertEquals(List.of("kafka-broker-3"), record.instances);
        assertEquals(List.of(103), record.nodeIds);
        assertEquals(REBALANCE_THROTTLE, record.throttleBytesPerSecond);
        assertFalse(record.targetReplicas.isEmpty(), "a plan: broker 103 started empty");
        assertEquals(record.targetReplicas.keySet(), record.originalReplicas.keySet());
        assertTrue(record.targetReplicas.values().stream().anyMatch(t -> t.contains(103)), record.targetReplicas::toString);
        record.originalReplicas.values().forEach(o -> assertFalse(o.contains(103), "103 hosted nothing when planned: " + o));
        assertEquals(record.targetReplicas.size() + "/" + record.targetReplicas.size(), record.progress);
        assertNotNull(record.startedAt);
        assertNotNull(record.finishedAt);
        var events = client.v1().events().inNamespace(NS).withField("involvedObject.kind", "OpsRequest")
                .withField("involvedObject.name", REBALANCE_OPS).list().getItems();
        Map<String, String> byReason = events.stream().collect(Collectors.toMap(e -> e.getReason(), e -> e.getMessage(), (a, b) -> a));
        assertTrue(byReason.getOrDefault("Rebalanced", "").startsWith("rebalanced onto kafka-broker-3 (node 103): all "
                + record.targetReplicas.size() + " partitions moved; replication throttle removed; "), byReason::toString);
        assertTrue(byReason.get("Rebalanced").endsWith("; preferred leaders elected"), byReason::toString);
        System.out.println("Step 10: ops created " + done.getMetadata().getCreationTimestamp() + ", plan recorded " + record.startedAt
                + ", rebalance finished " + record.finishedAt + ", ops ended " + done.getStatus().completionTimestamp + "; "
                + byReason.get("Rebalancing") + "; " + byReason.get("Rebalanced"));

        // Kafka's own answer: 103 holds its share, where the plan put it, and leads its preferred partitions.
        await().atMost(WAIT).ignoreExceptions().until(() -> kafka.brokers().equals(Set.of(100, 101, 102, 103)));
        assertEquals(Set.of(), kafka.reassigning(), "no reassignment left");
        Map<String, List<Integer>> placement = kafka.allReplicasAndLeaders();
        assertEquals(before, placement.keySet(), "no partition came or went");
        record.targetReplicas.forEach((partition, target) -> assertEquals(target, placement.get(partition).subList(0, target.size()),
                partition + " sits where the plan put it"));
        // The partitions the plan could move: every replica on a live broker (none was being reassigned).
        Set<Integer> live = Set.of(100, 101, 102, 103);
        Map<Integer, Long> perBroker = placement.values().stream().map(r -> r.subList(0, r.size() - 1))
                .filter(live::containsAll).flatMap(List::stream)
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
        assertEquals(Set.of(100, 101, 102, 103), perBroker.keySet(), perBroker::toString);
        long total = perBroker.values().stream().mapToLong(Long::longValue).sum();
        perBroker.forEach((broker, n) -> assertTrue(n >= total / 4 && n <= (total + 3) / 4,
                "broker " + broker + " hosts " + n + " of " + total + " replicas, not within one of the mean: " + perBroker));
        List<String> preferredOn103 = placement.entrySet().stream().filter(e -> e.getValue().get(0) == 103).map(Map.Entry::getKey).toList();
        assertFalse(preferredOn103.isEmpty(), () -> "103 is the preferred leader of some partitions: " + placement);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Map<String, List<Integer>> now = kafka.allReplicasAndLeaders();
            preferredOn103.forEach(p -> assertEquals(103, (int) now.get(p).get(now.get(p).size() - 1), p + " is led by 103: " + now.get(p)));
        });
        Set<String> topics = placement.keySet().stream().map(p -> p.substring(0, p.lastIndexOf('-'))).collect(Collectors.toCollection(TreeSet::new));
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            for (String topic : topics) {
                Map<Integer, List<Integer>> replicas = kafka.replicasAndLeader(topic);
                kafka.isr(topic).forEach((partition, isr) -> assertEquals(Set.copyOf(replicas.get(partition).subList(0, replicas.get(partition).size() - 1)), isr,
                        topic + "-" + partition + " ISR is full"));
            }
        });

        // No throttle left on any broker or topic.
        assertEquals(Map.of("100", Map.of(), "101", Map.of(), "102", Map.of(), "103", Map.of()), kafka.dynamicConfigs(
                org.apache.kafka.common.config.ConfigResource.Type.BROKER, Set.of("100", "101", "102", "103"),
                Set.of("leader.replication.throttled.rate", "follower.replication.throttled.rate")), "no broker throttle left");
        assertEquals(topics.stream().collect(Collectors.toMap(t -> t, t -> Map.of())), kafka.dynamicConfigs(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topics,
                Set.of("leader.replication.throttled.replicas", "follower.replication.throttled.replicas")), "no topic throttle left");

        // Every acknowledged record of the story, on both topics, read back once after the moves.
        Map<String, List<String>> expected = Map.of(TOPIC, ACKED, DRAINED, DRAIN_ACKED);
        for (var e : expected.entrySet()) {
            Map<String, Long> counts = kafka.readAll(e.getKey()).stream().map(KafkaProbe::name)
                    .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
            assertEquals(Set.copyOf(e.getValue()), counts.keySet(), e.getKey() + ": every acknowledged record, and nothing else");
            assertEquals(List.of(), counts.entrySet().stream().filter(c -> c.getValue() != 1).map(Map.Entry::getKey).toList(),
                    e.getKey() + ": each record once");
        }
        assertTrue(ACKED.stream().filter(v -> v.startsWith("rebalancing-")).count() > 100, "records during the rebalance");
        assertEquals(4, cluster().getSpec().componentSpecs.get(1).replicas);
        await().atMost(WAIT).untilAsserted(() -> assertEquals("controller 3/3, broker 4/4", cluster().getStatus().componentSummary));
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private static Cluster cluster() {
        return client.resources(Cluster.class).inNamespace(NS).withName("kafka").get();
    }

    private static PersistentVolumeClaim claim(String name) {
        PersistentVolumeClaim c = client.persistentVolumeClaims().inNamespace(NS).withName(name).get();
        assertNotNull(c, name);
        assertEquals("Bound", c.getStatus().getPhase(), name);
        return c;
    }

    private static String phase(String ops) {
        OpsRequest o = client.resources(OpsRequest.class).inNamespace(NS).withName(ops).get();
        return o == null || o.getStatus() == null ? null : o.getStatus().phase;
    }

    private static void awaitOps(String name, String expected) {
        await().atMost(WAIT).untilAsserted(() -> {
            OpsRequest o = client.resources(OpsRequest.class).inNamespace(NS).withName(name).get();
            String phase = o == null || o.getStatus() == null ? null : o.getStatus().phase;
            assertTrue(phase == null || !Set.of("Failed", "Aborted", "Cancelled").contains(phase) || phase.equals(expected),
                    () -> name + " ended " + phase + ": " + conditions(o));
            assertEquals(expected, phase, () -> name + ", still " + phase + ": " + conditions(o));
        });
    }

    /** An ops' conditions as {@code type=status reason: message}, for failure messages. */
    private static List<String> conditions(OpsRequest o) {
        return o == null || o.getStatus() == null || o.getStatus().conditions == null ? List.of() : o.getStatus().conditions.stream()
                .map(c -> c.type + "=" + c.status + " " + c.reason + ": " + c.message).toList();
    }

    /** An example OpsRequest from kubernetes/examples/ops, renamed, as shipped otherwise (no force). */
    private static String exampleOps(String file, String name) throws IOException {
        String yaml = Files.readString(Path.of("kubernetes", "examples", "ops", file));
        String original = yaml.lines().filter(l -> l.startsWith("  name: ")).findFirst().orElseThrow();
        return yaml.replace(original, "  name: " + name);
    }

    private static Pod operatorPod() {
        List<Pod> pods = client.pods().inNamespace(OPERATOR_NS).withLabel("app.kubernetes.io/name", "ordinal").list()
                .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
        assertEquals(1, pods.size(), () -> "one operator pod: " + pods.stream().map(p -> p.getMetadata().getName()).toList());
        return pods.get(0);
    }

    private static boolean isReady(Pod pod) {
        return pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Relative path → inode of every log segment under a broker's log directory. */
    private static Map<String, Object> inodes(Path logDir) throws IOException {
        Map<String, Object> out = new HashMap<>();
        try (Stream<Path> files = Files.walk(logDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                out.put(logDir.relativize(f).toString(), Files.getAttribute(f, "unix:ino"));
            }
        }
        return out;
    }
}
