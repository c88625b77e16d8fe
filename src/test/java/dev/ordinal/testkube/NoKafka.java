package dev.ordinal.testkube;

import java.util.List;
import java.util.Map;

import dev.ordinal.api.cluster.Cluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * The example Kafka Cluster enables the Kafka scale-in guard. Stories that run the example without any Kafka (the
 * simulated kubelet starts no broker) take the guard out: it could never get an answer, so every offline would wait
 * and fail with ScaleInGuardUnavailable. The guard itself is proven against a real Kafka in KafkaScaleInGuardTest.
 */
public final class NoKafka {
    private NoKafka() {
    }

    /** Removes {@code scaleInGuard} from every component of a Cluster (typed or generic); other objects pass as they are. */
    @SuppressWarnings("unchecked")
    public static <T extends HasMetadata> T withoutScaleInGuard(T item) {
        if (item instanceof Cluster c && c.getSpec() != null) {
            c.getSpec().componentSpecs.forEach(s -> s.scaleInGuard = null);
        } else if (item instanceof GenericKubernetesResource g && "Cluster".equals(g.getKind())
                && g.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
                && spec.get("componentSpecs") instanceof List<?> components) {
            components.forEach(s -> ((Map<String, Object>) s).remove("scaleInGuard"));
        }
        return item;
    }
}
