package dev.ordinal.api.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fabric8.generator.annotation.Required;

/**
 * An opt-in check an OpsRequest makes before it removes pods of this component (scale in, or
 * {@code onlineInstancesToOffline}): the pods must no longer hold data the application needs. Only Kafka is known
 * today. See docs/scaling-rules.md §8 and docs/kafka-broker-offline.md.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScaleInGuardSpec {
    /** Ask Kafka, through its Admin API, whether the departing brokers still host partition replicas. */
    @Required
    public KafkaScaleInGuard kafka;

    /** Where to reach the Kafka cluster, and which Kafka {@code node.id} each pod of the component runs as. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class KafkaScaleInGuard {
        /**
         * Kafka's {@code bootstrap.servers} as the operator reaches it: comma-separated host:port, e.g.
         * {@code kafka-broker-0.kafka-broker-headless.default.svc:9092}. PLAINTEXT listener only.
         */
        @Required
        @io.fabric8.generator.annotation.Pattern("^[^,\\s]+:[0-9]+(,[^,\\s]+:[0-9]+)*$")
        @io.fabric8.generator.annotation.Size(min = 3, max = 1024)
        public String bootstrapServers;

        /**
         * The pod with ordinal N runs as Kafka {@code node.id} nodeIdOffset + N (the example's brokers set
         * {@code KAFKA_NODE_ID=$((100 + ORDINAL_POD_ORDINAL))}, so 100). Default 0.
         */
        @io.fabric8.generator.annotation.Min(0)
        @io.fabric8.generator.annotation.Max(1000000000)
        public Integer nodeIdOffset;

        public KafkaScaleInGuard() {
        }

        public KafkaScaleInGuard(String bootstrapServers, Integer nodeIdOffset) {
            this.bootstrapServers = bootstrapServers;
            this.nodeIdOffset = nodeIdOffset;
        }
    }
}
