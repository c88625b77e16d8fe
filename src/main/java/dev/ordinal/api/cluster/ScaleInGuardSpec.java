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
         * {@code kafka-broker-0.kafka-broker-headless.default.svc:9092}. A PLAINTEXT listener, or a TLS/SASL one with
         * {@link #clientSecret}.
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

        /**
         * Drain before a scale-in (docs/kafka-drain.md): an ops that removes brokers for good first moves their
         * partition replicas to the brokers that stay ({@code alterPartitionReassignments}, replication factor kept,
         * rack-aware), then removes the pods and unregisters their node ids. Without it (default false) the ops waits
         * until the brokers host nothing. Brokers taken offline are never drained.
         */
        public Boolean drain;

        /**
         * Rebalance after a scale-out (docs/kafka-rebalance.md): once an ops' new brokers are Ready and registered with
         * Kafka, it moves a fair share of the replicas onto them ({@code alterPartitionReassignments}, every broker's
         * replica count within one of the mean, preferred leaders spread, replication factor and rack spread kept,
         * under the {@code drainThrottleBytesPerSecond} throttle) and succeeds once they moved. Default false: new
         * brokers get only the partitions created after them.
         */
        public Boolean rebalanceOnScaleOut;

        /**
         * Kafka's replication throttle during a drain or a rebalance ({@code rebalanceOnScaleOut}), in bytes per second
         * per broker that sends or receives a moving replica ({@code leader.replication.throttled.rate} and
         * {@code follower.replication.throttled.rate}); removed once the moves end or are cancelled. Default 10485760
         * (10 MiB/s).
         */
        @io.fabric8.generator.annotation.Min(1024)
        public Long drainThrottleBytesPerSecond;

        /**
         * The name of a Secret in the Cluster's namespace holding the Admin client's security settings, one key per
         * Kafka client property: {@code security.protocol}, {@code ssl.*} (PEM trust store and client certificate),
         * {@code sasl.*} (mechanism, JAAS config). Any other key is refused. Read at every check, so a changed Secret
         * is used at the next one. Unset: PLAINTEXT. See docs/kafka-broker-offline.md "TLS and SASL".
         */
        @io.fabric8.generator.annotation.Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @io.fabric8.generator.annotation.Size(max = 253)
        public String clientSecret;

        public KafkaScaleInGuard() {
        }

        public KafkaScaleInGuard(String bootstrapServers, Integer nodeIdOffset) {
            this.bootstrapServers = bootstrapServers;
            this.nodeIdOffset = nodeIdOffset;
        }
    }
}
