package dev.ordinal.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** Which keys of a Kafka client Secret are used, which are refused, and what the messages say (never a value). */
class ClientSecurityTest {
    private static final String SOURCE = "Secret kafka/client";
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"ordinal\" password=\"s3cr;et\";";

    private static Map<String, String> sasl() {
        Map<String, String> m = new HashMap<>();
        m.put("security.protocol", "SASL_SSL\n");
        m.put("sasl.mechanism", "SCRAM-SHA-512");
        m.put("sasl.jaas.config", JAAS);
        m.put("ssl.truststore.type", "PEM");
        m.put("ssl.truststore.certificates", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        return m;
    }

    @Test
    void securityProtocolSslAndSaslPropertiesAreKeptTrimmedAndComeAfterTheOperatorsOwn() throws Exception {
        ClientSecurity s = ClientSecurity.of(SOURCE, sasl());
        assertEquals("SASL_SSL", s.properties().get("security.protocol"), "a file's last newline is trimmed");
        assertEquals(5, s.properties().size());
        Properties p = KafkaReplicas.properties(new KafkaReplicas.Target("k:9093", s), Duration.ofSeconds(5));
        assertEquals("k:9093", p.get("bootstrap.servers"));
        assertEquals("ordinal-scale-in-guard", p.get("client.id"));
        assertEquals(JAAS, p.get("sasl.jaas.config"));
    }

    @Test
    void noValueIsShownAndTheDigestTellsSettingsApart() throws Exception {
        ClientSecurity s = ClientSecurity.of(SOURCE, sasl());
        assertEquals("Secret kafka/client [sasl.jaas.config, sasl.mechanism, security.protocol, ssl.truststore.certificates, ssl.truststore.type]",
                s.toString());
        KafkaReplicas.Target t = new KafkaReplicas.Target("k:9093", s);
        assertFalse(t.toString().contains("s3cr"), t.toString());
        assertFalse(t.key().contains("s3cr"), "the cache key holds a digest, not the values");
        Map<String, String> rotated = sasl();
        rotated.put("sasl.jaas.config", JAAS.replace("s3cr;et", "n3w"));
        assertNotEquals(s.fingerprint(), ClientSecurity.of(SOURCE, rotated).fingerprint(), "a new password: another client");
        assertEquals(s.fingerprint(), ClientSecurity.of(SOURCE, sasl()).fingerprint(), "the same settings: the same client");
        assertEquals("", ClientSecurity.NONE.fingerprint());
    }

    @Test
    void aKeyOutsideSecuritySettingsIsRefusedByName() {
        Map<String, String> m = sasl();
        m.put("bootstrap.servers", "elsewhere:9092");
        var e = assertThrows(ClientSecurity.Unusable.class, () -> ClientSecurity.of(SOURCE, m));
        assertEquals("Secret kafka/client key bootstrap.servers is not a Kafka security property: only security.protocol, ssl.* and sasl.*"
                + " are read", e.getMessage());
        var password = assertThrows(ClientSecurity.Unusable.class, () -> ClientSecurity.of(SOURCE, Map.of("password", "x")));
        assertTrue(password.getMessage().startsWith("Secret kafka/client key password is not a Kafka security property"), password.getMessage());
    }

    @Test
    void aMisspelledPropertyIsRefusedRatherThanIgnored() {
        var e = assertThrows(ClientSecurity.Unusable.class,
                () -> ClientSecurity.of(SOURCE, Map.of("ssl.truststore.certificate", "pem")));
        assertEquals("Secret kafka/client key ssl.truststore.certificate is not a property of Kafka's Admin client (spelling?)", e.getMessage());
    }

    @Test
    void filesClassesProgramsAndForeignLoginModulesAreRefused() throws Exception {
        var file = assertThrows(ClientSecurity.Unusable.class,
                () -> ClientSecurity.of(SOURCE, Map.of("ssl.truststore.location", "/etc/passwd")));
        assertEquals("Secret kafka/client key ssl.truststore.location names a file, and the operator reads no file named in a Secret:"
                + " put the PEM text in ssl.truststore.certificates with the store type PEM", file.getMessage());
        assertFalse(file.getMessage().contains("/etc/passwd"));
        var cls = assertThrows(ClientSecurity.Unusable.class,
                () -> ClientSecurity.of(SOURCE, Map.of("sasl.login.callback.handler.class", "com.example.Handler")));
        assertTrue(cls.getMessage().contains("names a class or a program"), cls.getMessage());
        var kinit = assertThrows(ClientSecurity.Unusable.class, () -> ClientSecurity.of(SOURCE, Map.of("sasl.kerberos.kinit.cmd", "/bin/sh")));
        assertTrue(kinit.getMessage().contains("names a class or a program"), kinit.getMessage());
        var jndi = assertThrows(ClientSecurity.Unusable.class, () -> ClientSecurity.of(SOURCE, Map.of("sasl.jaas.config",
                JAAS + " com.sun.security.auth.module.JndiLoginModule required user.provider.url=\"ldap://x\";")));
        assertEquals("Secret kafka/client key sasl.jaas.config uses a login module that is not one of Kafka's own"
                + " (org.apache.kafka.common.security.*: PlainLoginModule, ScramLoginModule, OAuthBearerLoginModule)", jndi.getMessage());
        // Kafka's JAAS parser takes single quotes too: a ';' inside them is part of a password, not a second module
        String single = "org.apache.kafka.common.security.scram.ScramLoginModule required username='ordinal' password='a;b c';";
        assertEquals(single, ClientSecurity.of(SOURCE, Map.of("sasl.jaas.config", single)).properties().get("sasl.jaas.config"));
        assertThrows(ClientSecurity.Unusable.class, () -> ClientSecurity.of(SOURCE, Map.of("sasl.jaas.config",
                single + " com.sun.security.auth.module.JndiLoginModule required;")), "a module after the quoted value is still seen");
    }

    @Test
    void anEmptySecretOrValueIsRefused() {
        var none = assertThrows(ClientSecurity.Unusable.class, () -> ClientSecurity.of(SOURCE, Map.of()));
        assertEquals("Secret kafka/client has no keys; expected Kafka client properties such as security.protocol", none.getMessage());
        var empty = assertThrows(ClientSecurity.Unusable.class, () -> ClientSecurity.of(SOURCE, Map.of("security.protocol", " \n")));
        assertEquals("Secret kafka/client key security.protocol is empty", empty.getMessage());
    }
}
