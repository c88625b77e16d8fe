package dev.ordinal.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a Kafka cluster said about its partitions at one moment, as the scale-in guard reads it
 * ({@code dev.ordinal.kafka.KafkaReplicas#snapshot}): every partition's replicas (preferred leader first), in-sync
 * replicas and leader, the brokers registered and unfenced, and each topic's effective {@code min.insync.replicas}.
 * Plain data: the rules that read it are {@link ScaleInGuard#judge(List, KafkaSnapshot)} and {@link LeaderMoves}.
 *
 * @param partitions       every partition of every topic (internal ones included)
 * @param liveBrokers      node ids of the brokers Kafka reports as part of the cluster now
 * @param minInsync        topic → its effective {@code min.insync.replicas} (the topic's own setting, else the brokers'
 *                         default), as Kafka reports it
 * @param defaultMinInsync the value for a topic absent from {@code minInsync} (the brokers' default; Kafka's is 1)
 * @param racks            node id → its {@code broker.rack}, for the live brokers that set one
 * @param reassigning      partitions ({@code topic-partition}) with a reassignment in progress
 *                         ({@code listPartitionReassignments})
 */
public record KafkaSnapshot(List<Partition> partitions, Set<Integer> liveBrokers, Map<String, Integer> minInsync,
        int defaultMinInsync, Map<Integer, String> racks, Set<String> reassigning) {
    public KafkaSnapshot {
        partitions = List.copyOf(partitions);
        liveBrokers = Set.copyOf(liveBrokers);
        minInsync = Map.copyOf(minInsync);
        racks = racks == null ? Map.of() : Map.copyOf(racks);
        reassigning = reassigning == null ? Set.of() : Set.copyOf(reassigning);
        if (defaultMinInsync < 1) {
            throw new IllegalArgumentException("min.insync.replicas default " + defaultMinInsync + " must be at least 1");
        }
    }

    /** A snapshot without racks and without reassignments in progress. */
    public KafkaSnapshot(List<Partition> partitions, Set<Integer> liveBrokers, Map<String, Integer> minInsync, int defaultMinInsync) {
        this(partitions, liveBrokers, minInsync, defaultMinInsync, Map.of(), Set.of());
    }

    /**
     * One partition.
     *
     * @param replicas the replica list, preferred leader first
     * @param isr      the in-sync replicas (any order)
     * @param leader   the leader's node id, or -1 when it has none
     */
    public record Partition(String topic, int partition, List<Integer> replicas, List<Integer> isr, int leader) {
        public Partition {
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
        }

        /** {@code topic-partition}, e.g. {@code orders-3}, as Kafka's tools write it. */
        public String name() {
            return topic + "-" + partition;
        }
    }

    /** The effective {@code min.insync.replicas} of {@code topic}. */
    public int minInsyncOf(String topic) {
        return minInsync.getOrDefault(topic, defaultMinInsync);
    }

    /** The partition named {@code topic-partition}, or null. */
    public Partition partition(String name) {
        return partitions.stream().filter(p -> p.name().equals(name)).findFirst().orElse(null);
    }

    /** Node id → the replicas it hosts, for the nodes in {@code nodeIds} that host any. */
    public Map<Integer, List<ScaleInGuard.Replica>> hostedBy(Set<Integer> nodeIds) {
        Map<Integer, List<ScaleInGuard.Replica>> hosted = new HashMap<>();
        for (Partition p : partitions) {
            for (int r : p.replicas()) {
                if (nodeIds.contains(r)) {
                    hosted.computeIfAbsent(r, k -> new java.util.ArrayList<>()).add(new ScaleInGuard.Replica(p.topic(), p.partition()));
                }
            }
        }
        return hosted;
    }
}
