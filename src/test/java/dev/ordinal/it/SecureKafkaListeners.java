package dev.ordinal.it;

import java.security.PrivateKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

import dev.ordinal.access.tls.TestCertificates;

/**
 * Two secured listeners for a test Kafka ({@link TestKafka#start(int, Properties)}) beside its PLAINTEXT one (which
 * the brokers use between themselves and the test uses to set things up): {@code SSL}, TLS with a client certificate
 * required, and {@code SASL_SSL}, SCRAM-SHA-512 over TLS. Both serve a certificate for {@code localhost} issued by a
 * test CA made here; the client settings are Kafka client properties as a Kafka client Secret holds them (PEM text).
 */
public final class SecureKafkaListeners {
    /** The SCRAM user the tests log in as. */
    public static final String USER = "ordinal-guard";

    private final TestCertificates ca = TestCertificates.authority("kafka-test-ca");
    private final TestCertificates otherCa = TestCertificates.authority("not-the-kafka-ca");
    private final TestCertificates.Issued server = ca.issue("localhost");
    private final TestCertificates.Issued client = ca.issue("ordinal-guard");

    /** Each broker's extra configuration: the two listeners, the server certificate, the CA for client certificates. */
    public Properties brokerProperties() {
        Properties p = new Properties();
        p.setProperty("listeners", "EXTERNAL://localhost:0,SSL://localhost:0,SASL_SSL://localhost:0");
        p.setProperty("listener.security.protocol.map", "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL");
        p.setProperty("ssl.keystore.type", "PEM");
        p.setProperty("ssl.keystore.certificate.chain", server.certificatePem() + ca.caPem());
        p.setProperty("ssl.keystore.key", pkcs8(server.keys().getPrivate()));
        p.setProperty("ssl.truststore.type", "PEM");
        p.setProperty("ssl.truststore.certificates", ca.caPem());
        p.setProperty("listener.name.ssl.ssl.client.auth", "required");
        p.setProperty("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.setProperty("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        return p;
    }

    /** Client properties for the {@code SSL} listener: the CA as trust store, the client certificate and key (PEM). */
    public Map<String, String> sslClient() {
        return sslClient(ca);
    }

    /** {@link #sslClient()} that trusts another CA than the one of Kafka's certificate. */
    public Map<String, String> sslClientTrustingAnotherCa() {
        return sslClient(otherCa);
    }

    private Map<String, String> sslClient(TestCertificates trusted) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("security.protocol", "SSL");
        m.put("ssl.truststore.type", "PEM");
        m.put("ssl.truststore.certificates", trusted.caPem());
        m.put("ssl.keystore.type", "PEM");
        m.put("ssl.keystore.certificate.chain", client.certificatePem());
        m.put("ssl.keystore.key", pkcs8(client.keys().getPrivate()));
        return m;
    }

    /** Client properties for the {@code SASL_SSL} listener: SCRAM-SHA-512 as {@link #USER} with {@code password}. */
    public Map<String, String> scramClient(String password) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("security.protocol", "SASL_SSL");
        m.put("sasl.mechanism", "SCRAM-SHA-512");
        m.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + USER
                + "\" password=\"" + password + "\";");
        m.put("ssl.truststore.type", "PEM");
        m.put("ssl.truststore.certificates", ca.caPem());
        return m;
    }

    /** Creates (or changes) {@link #USER}'s SCRAM-SHA-512 credential through {@code admin} (the PLAINTEXT listener). */
    public static void setScramPassword(Admin admin, String password) throws Exception {
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get(30, TimeUnit.SECONDS);
    }

    /** The same properties as a Secret's {@code data} (base64 values). */
    public static Map<String, String> secretData(Map<String, String> properties) {
        Map<String, String> data = new LinkedHashMap<>();
        properties.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        return data;
    }

    /** A private key as Kafka's PEM key store wants it: unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    static String pkcs8(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
