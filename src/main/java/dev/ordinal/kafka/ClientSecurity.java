package dev.ordinal.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The security settings of the scale-in guard's Admin client (docs/kafka-broker-offline.md "TLS and SASL"), read from
 * a Secret whose keys are Kafka client property names and whose values are their values: {@code security.protocol},
 * {@code ssl.*} and {@code sasl.*} only, as Kafka's Admin client knows them ({@link AdminClientConfig}). Refused, so
 * that a Secret's writer cannot make the operator read its own files, load a class or run a program: the file
 * locations {@code ssl.keystore.location}/{@code ssl.truststore.location} (give the PEM text in
 * {@code ssl.truststore.certificates}, {@code ssl.keystore.certificate.chain}, {@code ssl.keystore.key}), every
 * property whose value is a Java class, {@code sasl.kerberos.kinit.cmd}, and a {@code sasl.jaas.config} whose login
 * module is not one of Kafka's own ({@code org.apache.kafka.common.security.*}: PLAIN, SCRAM, OAUTHBEARER).
 * <p>
 * Values are trimmed (a Secret made with {@code --from-file} keeps the file's last newline). {@link #toString()}
 * names the source and the keys, never a value.
 */
public final class ClientSecurity {
    /** No settings: the Admin client's defaults (PLAINTEXT). */
    public static final ClientSecurity NONE = new ClientSecurity(null, Map.of());

    private static final Set<String> REFUSED_FILES = Set.of("ssl.keystore.location", "ssl.truststore.location");
    private static final Set<String> REFUSED_PROGRAMS = Set.of("sasl.kerberos.kinit.cmd");
    /** A JAAS entry's login module: the first word of the value, or the first after each ';'. */
    private static final Pattern LOGIN_MODULE = Pattern.compile("(?:^|;)\\s*([^\\s;]+)");
    /** A quoted option value, in double or single quotes, as Kafka's JAAS parser reads both. */
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final String KAFKA_LOGIN_MODULES = "org.apache.kafka.common.security.";

    private final String source;
    private final Map<String, String> properties;
    private final String fingerprint;

    private ClientSecurity(String source, Map<String, String> properties) {
        this.source = source;
        this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
        this.fingerprint = properties.isEmpty() ? "" : sha256(this.properties);
    }

    /** Settings that cannot be used; the message names the source and the key, never a value. */
    public static final class Unusable extends Exception {
        public Unusable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Checks {@code values} (key → value, decoded) and keeps them.
     *
     * @param source what the settings come from, for messages, e.g. {@code Secret kafka/ordinal-kafka-client}
     * @throws Unusable for no key at all, a key that is not a Kafka Admin security property or is refused (see the
     *         class), or an empty value; the message names {@code source} and the key
     */
    public static ClientSecurity of(String source, Map<String, String> values) throws Unusable {
        if (values == null || values.isEmpty()) {
            throw new Unusable(source + " has no keys; expected Kafka client properties such as security.protocol");
        }
        Map<String, ConfigDef.ConfigKey> known = AdminClientConfig.configDef().configKeys();
        Map<String, String> kept = new TreeMap<>();
        for (var e : new TreeMap<>(values).entrySet()) {
            String key = e.getKey();
            String where = source + " key " + key;
            if (!key.equals(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG) && !key.startsWith("ssl.") && !key.startsWith("sasl.")) {
                throw new Unusable(where + " is not a Kafka security property: only security.protocol, ssl.* and sasl.* are read");
            }
            ConfigDef.ConfigKey def = known.get(key);
            if (def == null) {
                throw new Unusable(where + " is not a property of Kafka's Admin client (spelling?)");
            }
            if (REFUSED_FILES.contains(key)) {
                throw new Unusable(where + " names a file, and the operator reads no file named in a Secret: put the PEM text in "
                        + (key.startsWith("ssl.truststore") ? "ssl.truststore.certificates" : "ssl.keystore.certificate.chain and ssl.keystore.key")
                        + " with the store type PEM");
            }
            if (def.type == ConfigDef.Type.CLASS || REFUSED_PROGRAMS.contains(key)) {
                throw new Unusable(where + " names a class or a program, and the operator loads or runs none named in a Secret");
            }
            String value = e.getValue() == null ? "" : e.getValue().trim();
            if (value.isEmpty()) {
                throw new Unusable(where + " is empty");
            }
            if (key.equals("sasl.jaas.config")) {
                // quoted option values (a password may hold ';') are no module names
                Matcher m = LOGIN_MODULE.matcher(QUOTED.matcher(value).replaceAll("\"\""));
                while (m.find()) {
                    if (!m.group(1).startsWith(KAFKA_LOGIN_MODULES)) {
                        throw new Unusable(where + " uses a login module that is not one of Kafka's own (" + KAFKA_LOGIN_MODULES
                                + "*: PlainLoginModule, ScramLoginModule, OAuthBearerLoginModule)");
                    }
                }
            }
            kept.put(key, value);
        }
        return new ClientSecurity(source, kept);
    }

    /** The properties to add to the Admin client's, by name (sorted); empty for {@link #NONE}. */
    public Map<String, String> properties() {
        return properties;
    }

    /** What the settings come from ({@code Secret ns/name}), or null for {@link #NONE}. */
    public String source() {
        return source;
    }

    /**
     * A digest of the properties (SHA-256, hex), so that clients made with other settings are told apart without
     * keeping or showing the values; empty for {@link #NONE}. Not logged.
     */
    String fingerprint() {
        return fingerprint;
    }

    @Override
    public String toString() {
        return source == null ? "no client settings" : source + " " + properties.keySet();
    }

    private static String sha256(Map<String, String> properties) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            properties.forEach((k, v) -> {
                digest.update(k.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(v.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            });
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
