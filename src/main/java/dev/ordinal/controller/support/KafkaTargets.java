package dev.ordinal.controller.support;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import dev.ordinal.api.cluster.ScaleInGuardSpec.KafkaScaleInGuard;
import dev.ordinal.kafka.ClientSecurity;
import dev.ordinal.kafka.KafkaReplicas.Target;

/**
 * The Kafka a component's scale-in guard talks to (docs/kafka-broker-offline.md "TLS and SASL"): its
 * {@code bootstrapServers}, with the security settings of the Secret named by {@code clientSecret} in the Cluster's
 * namespace. The Secret is read with one GET each time (no cache, no watch of Secrets: the operator is granted
 * {@code get} on Secrets and nothing more for this), so a rotated Secret counts from the next check on. Nothing of a
 * Secret that cannot be used is applied, and no value is logged or put in a message.
 */
@ApplicationScoped
public class KafkaTargets {
    /** Reads a Secret's data, decoded; null when the Secret does not exist. */
    @FunctionalInterface
    public interface SecretReader {
        Map<String, String> read(String namespace, String name) throws ClientSecurity.Unusable;
    }

    private final SecretReader secrets;

    /** The operator's: reads Secrets from the API server with {@code client}. */
    @Inject
    public KafkaTargets(KubernetesClient client) {
        this((namespace, name) -> read(client, namespace, name));
    }

    /** @param secrets where Secrets are read (tests) */
    public KafkaTargets(SecretReader secrets) {
        this.secrets = secrets;
    }

    /** No Secret can be read: a guard that names one gets an error saying so (tests of guards without Secrets). */
    public static KafkaTargets withoutSecrets() {
        return new KafkaTargets((namespace, name) -> {
            throw new ClientSecurity.Unusable("Secret " + namespace + "/" + name + " cannot be read here");
        });
    }

    /**
     * The guard's Kafka: PLAINTEXT without {@code clientSecret}, else with the Secret's settings.
     *
     * @param namespace the Cluster's namespace, where the Secret is
     * @throws ClientSecurity.Unusable when the Secret does not exist, cannot be read, or holds a key that is refused;
     *         the message names the Secret ({@code scaleInGuard.kafka.clientSecret}) and the key
     */
    public Target target(String namespace, KafkaScaleInGuard guard) throws ClientSecurity.Unusable {
        if (guard.clientSecret == null || guard.clientSecret.isBlank()) {
            return Target.plaintext(guard.bootstrapServers);
        }
        String source = "Secret " + namespace + "/" + guard.clientSecret;
        Map<String, String> data = secrets.read(namespace, guard.clientSecret);
        if (data == null) {
            throw new ClientSecurity.Unusable(source + " (scaleInGuard.kafka.clientSecret) does not exist");
        }
        return new Target(guard.bootstrapServers, ClientSecurity.of(source, data));
    }

    private static Map<String, String> read(KubernetesClient client, String namespace, String name) throws ClientSecurity.Unusable {
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new ClientSecurity.Unusable("Secret " + namespace + "/" + name + " (scaleInGuard.kafka.clientSecret) cannot be read: "
                    + (e.getCode() == 403 ? "the operator may not get it (RBAC: docs/install.md \"Kafka client Secrets\")"
                            : "the API server answered " + e.getCode() + " "
                            + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage())));
        }
        if (secret == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (secret.getData() != null) {
            for (var e : secret.getData().entrySet()) {
                try {
                    out.put(e.getKey(), e.getValue() == null ? "" : new String(Base64.getDecoder().decode(e.getValue()), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException bad) {
                    throw new ClientSecurity.Unusable("Secret " + namespace + "/" + name + " key " + e.getKey() + " is not base64");
                }
            }
        }
        if (secret.getStringData() != null) {
            out.putAll(secret.getStringData());
        }
        return out;
    }
}
