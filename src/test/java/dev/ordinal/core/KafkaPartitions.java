package dev.ordinal.core;

import java.util.ArrayList;
import java.util.List;

import dev.ordinal.core.KafkaSnapshot.Partition;

/** Partitions for the tests of the Kafka planners ({@link KafkaDrain}, {@link KafkaRebalance}). */
final class KafkaPartitions {
    private KafkaPartitions() {
    }

    /** A partition whose replicas are all in sync, led by its first replica (its preferred leader). */
    static Partition p(String topic, int partition, Integer... replicas) {
        return new Partition(topic, partition, List.of(replicas), List.of(replicas), replicas[0]);
    }

    /** {@code count} partitions of RF {@code rf} laid round-robin over {@code brokers}. */
    static List<Partition> roundRobin(String topic, int count, int rf, List<Integer> brokers) {
        List<Partition> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Integer[] replicas = new Integer[rf];
            for (int j = 0; j < rf; j++) {
                replicas[j] = brokers.get((i + j) % brokers.size());
            }
            out.add(p(topic, i, replicas));
        }
        return out;
    }
}
