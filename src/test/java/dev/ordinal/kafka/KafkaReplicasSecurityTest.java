package dev.ordinal.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.it.SecureKafkaListeners;
import dev.ordinal.it.TestKafka;

/**
 * {@link KafkaReplicas} through secured listeners of a real Kafka (KRaft, one broker, node id 0, in a child JVM):
 * TLS with a client certificate ({@code SSL}) and SCRAM-SHA-512 over TLS ({@code SASL_SSL}), with the client
 * settings a Kafka client Secret holds (PEM trust store and key store). Wrong settings give a clear "no answer"
 * without any secret value in it; changed settings give a new client and close the old one.
 */
class KafkaReplicasSecurityTest {
    private static final String PASSWORD = "first-pass;word";
    private static final SecureKafkaListeners LISTENERS = new SecureKafkaListeners();
    private static TestKafka kafka;
    private KafkaReplicas replicas;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = TestKafka.start(1, LISTENERS.brokerProperties());
        SecureKafkaListeners.setScramPassword(kafka.admin(), PASSWORD);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.stop();
        }
    }

    @BeforeEach
    void client() {
        replicas = new KafkaReplicas(Duration.ofSeconds(5));
    }

    @AfterEach
    void close() {
        replicas.closeAll();
    }

    private static KafkaReplicas.Target target(String listener, Map<String, String> settings) throws ClientSecurity.Unusable {
        return new KafkaReplicas.Target(kafka.bootstrapServers(listener), ClientSecurity.of("Secret test/kafka-client", settings));
    }

    @Test
    void theGuardReadsKafkaThroughTlsWithAClientCertificate() throws Exception {
        var snapshot = replicas.snapshot(target("SSL", LISTENERS.sslClient()));
        assertEquals(Set.of(0), snapshot.liveBrokers(), "broker 0 answered over TLS");
    }

    @Test
    void withoutClientSettingsTheTlsListenerGivesNoAnswer() {
        var e = assertThrows(KafkaReplicas.KafkaUnavailable.class,
                () -> replicas.snapshot(KafkaReplicas.Target.plaintext(kafka.bootstrapServers("SSL"))));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void theGuardReadsKafkaThroughScramOverTls() throws Exception {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> replicas.snapshot(target("SASL_SSL", LISTENERS.scramClient(PASSWORD))).liveBrokers().equals(Set.of(0)));
    }

    @Test
    void aWrongPasswordSaysAuthenticationFailedAndShowsNoSecret() {
        var e = assertThrows(KafkaReplicas.KafkaUnavailable.class,
                () -> replicas.snapshot(target("SASL_SSL", LISTENERS.scramClient("not-the-password"))));
        assertTrue(e.getMessage().startsWith("SaslAuthenticationException: "), e.getMessage());
        assertTrue(e.getMessage().contains("SCRAM-SHA-512"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-password"), e.getMessage());
        assertEquals(List.of(), replicas.openClients(), "a failed check keeps no client");
    }

    @Test
    void aTrustStoreWithAnotherCaSaysTheHandshakeFailed() {
        var e = assertThrows(KafkaReplicas.KafkaUnavailable.class,
                () -> replicas.snapshot(target("SSL", LISTENERS.sslClientTrustingAnotherCa())));
        assertTrue(e.getMessage().startsWith("SslAuthenticationException: SSL handshake failed ("), e.getMessage());
        assertTrue(e.getMessage().contains("unable to find valid certification path"), "the JDK's reason: " + e.getMessage());
        assertFalse(e.getMessage().contains("BEGIN"), e.getMessage());
    }

    @Test
    void changedSettingsGiveANewClientAndTheOldOneIsClosed() throws Exception {
        KafkaReplicas.Target first = target("SASL_SSL", LISTENERS.scramClient(PASSWORD));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> replicas.snapshot(first).liveBrokers().equals(Set.of(0)));
        assertEquals(List.of(kafka.bootstrapServers("SASL_SSL")), replicas.openClients());

        String rotated = "second-password";
        SecureKafkaListeners.setScramPassword(kafka.admin(), rotated);
        KafkaReplicas.Target second = target("SASL_SSL", LISTENERS.scramClient(rotated));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> replicas.snapshot(second).liveBrokers().equals(Set.of(0)));
        assertEquals(List.of(kafka.bootstrapServers("SASL_SSL")), replicas.openClients(), "one client: the first one was closed");
        // the old password no longer logs in (a new connection of a new client)
        var e = assertThrows(KafkaReplicas.KafkaUnavailable.class, () -> replicas.snapshot(first));
        assertTrue(e.getMessage().startsWith("SaslAuthenticationException: "), e.getMessage());
        SecureKafkaListeners.setScramPassword(kafka.admin(), PASSWORD);
    }

    @Test
    void twoSecretsForTheSameKafkaKeepTheirOwnClients() throws Exception {
        // two Clusters guarded through the same bootstrap string with Secrets of their own: neither closes the other's client
        KafkaReplicas.Target one = target("SASL_SSL", LISTENERS.scramClient(PASSWORD));
        KafkaReplicas.Target other = new KafkaReplicas.Target(kafka.bootstrapServers("SASL_SSL"),
                ClientSecurity.of("Secret other/kafka-client", LISTENERS.scramClient(PASSWORD)));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> replicas.snapshot(one).liveBrokers().equals(Set.of(0)) && replicas.snapshot(other).liveBrokers().equals(Set.of(0)));
        replicas.snapshot(one);
        assertEquals(List.of(kafka.bootstrapServers("SASL_SSL"), kafka.bootstrapServers("SASL_SSL")), replicas.openClients());
    }

    @Test
    void aClientUnusedForLongerThanTheIdleTimeIsClosedAndOpenedAgainWhenNeeded() throws Exception {
        // review of #28: a deleted Cluster, or a guard pointed elsewhere, left its client open and reconnecting for good
        KafkaReplicas idle = new KafkaReplicas(Duration.ofSeconds(5), Duration.ofSeconds(2));
        try {
            KafkaReplicas.Target t = target("SASL_SSL", LISTENERS.scramClient(PASSWORD));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> idle.snapshot(t).liveBrokers().equals(Set.of(0)));
            assertEquals(List.of(kafka.bootstrapServers("SASL_SSL")), idle.openClients());
            await().atMost(Duration.ofSeconds(15)).until(() -> idle.openClients().isEmpty());
            assertEquals(Set.of(0), idle.snapshot(t).liveBrokers(), "a new client is opened at the next check");
        } finally {
            idle.closeAll();
        }
    }
}
