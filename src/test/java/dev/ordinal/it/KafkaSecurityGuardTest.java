package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.scaleIn;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.cluster.ScaleInGuardSpec;
import dev.ordinal.api.common.Condition;
import dev.ordinal.api.ops.OpsRequestStatus.GuardVerdict;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The scale-in guard through Kafka's secured listeners (issue #28, "TLS and SASL"), with the client settings of a
 * Secret named by {@code scaleInGuard.kafka.clientSecret}: a real Kafka (KRaft, brokers 0 and 1 in a child JVM,
 * {@link SecureKafkaListeners}) with a TLS listener that requires a client certificate and a SCRAM-SHA-512-over-TLS
 * listener. Topic {@code held} has its one replica on broker 1, so a guard that reads Kafka says broker 1 still hosts
 * it (and pair-0); topic {@code pair} has replicas 0 and 1, broker 0 first (its leader). A guard that cannot read Kafka says why,
 * naming the Secret, and the ops waits until the Secret is fixed.
 */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class KafkaSecurityGuardTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PASSWORD = "guard-password";
    private static final SecureKafkaListeners LISTENERS = new SecureKafkaListeners();
    private static final String HOSTED = "still hosts 2 replicas: held-0, pair-0";
    private static TestKafka kafka;

    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = TestKafka.start(2, LISTENERS.brokerProperties());
        SecureKafkaListeners.setScramPassword(kafka.admin(), PASSWORD);
        kafka.admin().createTopics(List.of(new NewTopic("held", Map.of(0, List.of(1))), new NewTopic("pair", Map.of(0, List.of(0, 1)))))
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
        f = Fixture.fresh(client, "ksec");
    }

    @Test
    void aDryRunReadsKafkaThroughTlsWithTheSecretsClientCertificate() {
        secret("kafka-client-tls", LISTENERS.sslClient());
        guardedCluster("gt", kafka.bootstrapServers("SSL"), "kafka-client-tls");
        f.createOps("dry", "gt", spec -> spec.dryRun = true, scaleIn("broker", 1));
        GuardVerdict verdict = f.awaitOps("dry", "Succeed", WAIT).getStatus().plan.get("broker").scaleInGuard;
        assertEquals("Blocked", verdict.result);
        assertEquals("gt-broker-1 (node 1) " + HOSTED, verdict.message, "Kafka answered through TLS");
    }

    @Test
    void anOfflineThroughScramMovesLeadershipAndTheOnlineRestoresItWithTheSecretsSettings() throws Exception {
        secret("kafka-client", LISTENERS.scramClient(PASSWORD));
        guardedCluster("go", kafka.bootstrapServers("SASL_SSL"), "kafka-client");
        f.createOps("off0", "go", Fixture.offline("broker", "go-broker-0"));
        f.awaitOps("off0", "Succeed", WAIT);
        // read (availability check), reordered and elected (leadership step) through the SCRAM listener
        assertEquals(List.of(1, 0), pair().replicas().stream().map(org.apache.kafka.common.Node::id).toList());
        assertEquals(1, pair().leader().id());
        f.createOps("on0", "go", Fixture.online("broker", "go-broker-0"));
        f.awaitOps("on0", "Succeed", WAIT);
        assertEquals(List.of(0, 1), pair().replicas().stream().map(org.apache.kafka.common.Node::id).toList(), "order restored");
    }

    @Test
    void aWrongPasswordWaitsWithTheReasonAndARotatedSecretIsPickedUp() {
        secret("kafka-client-scram", LISTENERS.scramClient("not-the-password"));
        String bootstrap = kafka.bootstrapServers("SASL_SSL");
        Cluster before = guardedCluster("gs", bootstrap, "kafka-client-scram");
        f.createOps("in1", "gs", spec -> spec.preConditionDeadlineSeconds = 120, scaleIn("broker", 1));

        Condition waiting = awaitWaiting("in1", "ScaleInGuardUnavailable");
        assertEquals("cannot check whether gs-broker-1 (node 1) still hosts partition replicas: Kafka at " + bootstrap
                + " (client settings from Secret " + f.ns + "/kafka-client-scram) gave no answer (SaslAuthenticationException:"
                + " Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512);"
                + " nothing is removed until it does", waiting.message);
        assertFalse(waiting.message.contains("not-the-password"));
        await().atMost(WAIT).untilAsserted(() -> {
            Condition guard = Conditions.find(f.cluster("gs").getStatus().conditions, "ScaleInGuard");
            assertEquals("ScaleInGuardUnavailable", guard == null ? null : guard.reason);
            assertTrue(guard.message.contains("(client settings from Secret " + f.ns + "/kafka-client-scram)"), guard.message);
        });
        assertEquals(before.getMetadata().getGeneration(), f.cluster("gs").getMetadata().getGeneration(), "nothing removed");

        // the Secret is fixed (a rotation): the next check logs in with the new settings and reads Kafka
        secret("kafka-client-scram", LISTENERS.scramClient(PASSWORD));
        assertEquals("gs-broker-1 (node 1) " + HOSTED, awaitWaiting("in1", "ScaleInBlocked").message);
        await().atMost(WAIT).untilAsserted(() -> {
            Condition guard = Conditions.find(f.cluster("gs").getStatus().conditions, "ScaleInGuard");
            assertFalse(guard != null && "ScaleInGuardUnavailable".equals(guard.reason), "the Cluster no longer says Kafka gave no answer");
        });
        assertEquals(before.getMetadata().getGeneration(), f.cluster("gs").getMetadata().getGeneration(), "still nothing removed");
    }

    @Test
    void aMissingSecretThenARefusedKeyAreNamedAndNothingIsHalfApplied() {
        String bootstrap = kafka.bootstrapServers("SASL_SSL");
        Cluster before = guardedCluster("gm", bootstrap, "kafka-client");
        f.createOps("in1", "gm", spec -> spec.preConditionDeadlineSeconds = 120, scaleIn("broker", 1));
        assertEquals("cannot check whether gm-broker-1 (node 1) still hosts partition replicas: the Kafka client settings cannot be"
                + " used: Secret " + f.ns + "/kafka-client (scaleInGuard.kafka.clientSecret) does not exist; nothing is removed until"
                + " they can", awaitWaiting("in1", "ScaleInGuardUnavailable").message);
        await().atMost(WAIT).untilAsserted(() -> {
            Condition guard = Conditions.find(f.cluster("gm").getStatus().conditions, "ScaleInGuard");
            assertEquals("ScaleInGuardUnavailable", guard == null ? null : guard.reason);
            assertTrue(guard.message.contains("Secret " + f.ns + "/kafka-client (scaleInGuard.kafka.clientSecret) does not exist"), guard.message);
        });

        // the right settings, plus one key that is not a security property: none of them is used
        Map<String, String> settings = new java.util.LinkedHashMap<>(LISTENERS.scramClient(PASSWORD));
        settings.put("request.timeout.ms", "1");
        secret("kafka-client", settings);
        await().atMost(WAIT).untilAsserted(() -> assertEquals("cannot check whether gm-broker-1 (node 1) still hosts partition"
                + " replicas: the Kafka client settings cannot be used: Secret " + f.ns + "/kafka-client key request.timeout.ms is not"
                + " a Kafka security property: only security.protocol, ssl.* and sasl.* are read; nothing is removed until they can",
                awaitWaiting("in1", "ScaleInGuardUnavailable").message));

        secret("kafka-client", LISTENERS.scramClient(PASSWORD));
        assertEquals("gm-broker-1 (node 1) " + HOSTED, awaitWaiting("in1", "ScaleInBlocked").message);
        assertEquals(before.getMetadata().getGeneration(), f.cluster("gm").getMetadata().getGeneration(), "nothing removed");
    }

    @Test
    void aRefusedKeyFailsTheOpsAtItsDeadlineWithAWarningEventNamingTheKey() {
        Map<String, String> settings = new java.util.LinkedHashMap<>(LISTENERS.sslClient());
        settings.put("ssl.truststore.location", "/etc/ssl/kafka-truststore.jks");
        secret("kafka-client", settings);
        Cluster before = guardedCluster("gr", kafka.bootstrapServers("SSL"), "kafka-client");
        f.createOps("in1", "gr", spec -> spec.preConditionDeadlineSeconds = 3, scaleIn("broker", 1));
        String expected = "cannot check whether gr-broker-1 (node 1) still hosts partition replicas: the Kafka client settings cannot be"
                + " used: Secret " + f.ns + "/kafka-client key ssl.truststore.location names a file, and the operator reads no file named"
                + " in a Secret: put the PEM text in ssl.truststore.certificates with the store type PEM; nothing is removed until they can";
        Condition end = Conditions.find(f.awaitOps("in1", "Failed", WAIT).getStatus().conditions, "Failed");
        assertEquals("ScaleInGuardUnavailable", end.reason);
        assertEquals(expected, end.message);
        await().atMost(WAIT).until(() -> f.events("OpsRequest", "in1").stream().anyMatch(e -> "Warning".equals(e.getType())
                && "ScaleInGuardUnavailable".equals(e.getReason()) && expected.equals(e.getMessage())));
        assertEquals(before.getMetadata().getGeneration(), f.cluster("gr").getMetadata().getGeneration(), "nothing removed");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static org.apache.kafka.common.TopicPartitionInfo pair() throws Exception {
        return kafka.admin().describeTopics(List.of("pair")).allTopicNames().get(10, TimeUnit.SECONDS).get("pair").partitions().get(0);
    }

    /** Creates or replaces a Secret holding {@code properties} as its keys, in the test's namespace. */
    private void secret(String name, Map<String, String> properties) {
        client.secrets().inNamespace(f.ns).resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(f.ns).endMetadata()
                .withData(SecureKafkaListeners.secretData(properties)).build()).createOr(s -> s.update());
    }

    /** A running cluster of two brokers (pod ordinal N = node N) guarded through {@code bootstrap} with {@code secret}. */
    private Cluster guardedCluster(String name, String bootstrap, String secret) {
        ComponentSpec brokers = broker(2);
        brokers.scaleInGuard = new ScaleInGuardSpec();
        brokers.scaleInGuard.kafka = new ScaleInGuardSpec.KafkaScaleInGuard(bootstrap, 0);
        brokers.scaleInGuard.kafka.clientSecret = secret;
        f.runningCluster(name, brokers);
        f.awaitReadyPods(name + "-broker-0", name + "-broker-1");
        return f.awaitClusterPhase(name, "Running");
    }

    private Condition awaitWaiting(String ops, String reason) {
        await().atMost(WAIT).untilAsserted(() -> {
            var status = f.ops(ops).getStatus();
            Condition c = status == null ? null : Conditions.find(status.conditions, "WaitForProgressing");
            assertEquals(reason, c == null ? null : c.reason, () -> client.getKubernetesSerialization().asJson(status));
        });
        return Conditions.find(f.ops(ops).getStatus().conditions, "WaitForProgressing");
    }
}
