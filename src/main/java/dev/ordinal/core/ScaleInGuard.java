package dev.ordinal.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The verdict of the Kafka scale-in guard, as pure functions: which Kafka node a departing pod is, and whether the
 * departing brokers may go given the partition replicas Kafka says they still host. The controller asks Kafka
 * ({@code dev.ordinal.kafka.KafkaReplicas}); this class only decides and words the answer (docs/scaling-rules.md §8).
 */
public final class ScaleInGuard {
    /** Topic-partitions named per broker in a message; the rest is counted and elided with "…". */
    public static final int SHOWN = 5;

    private ScaleInGuard() {
    }

    /** What the guard concluded; {@link #label()} is the value of the {@code result} metric label. */
    public enum Result {
        /** No departing broker hosts a replica: the ops may write the Cluster. */
        SAFE("safe"),
        /** At least one departing broker still hosts replicas: the ops waits, then fails. */
        BLOCKED("blocked"),
        /** Kafka did not answer (unreachable, timeout, error): nothing is known, so nothing is removed. */
        UNAVAILABLE("unavailable"),
        /** {@code force: true}: Kafka was not asked. */
        SKIPPED("skipped");

        private final String label;

        Result(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** Whether an ops with this verdict may go on to write the Cluster. */
        public boolean allowsScaleIn() {
            return this == SAFE || this == SKIPPED;
        }
    }

    /** A pod the plan removes and the Kafka {@code node.id} it runs as. */
    public record Broker(String pod, int nodeId) {
    }

    /** One partition replica, e.g. topic {@code orders} partition {@code 3}, written {@code orders-3}. */
    public record Replica(String topic, int partition) {
        public static final Comparator<Replica> ORDER = Comparator.comparing(Replica::topic).thenComparingInt(Replica::partition);

        @Override
        public String toString() {
            return topic + "-" + partition;
        }
    }

    /** The guard's answer: its result and one sentence for conditions, Events and {@code status.plan}. */
    public record Verdict(Result result, String message) {
        /**
         * The worst of several components' verdicts (unavailable before blocked before skipped before safe), with
         * every non-empty message joined by "; ".
         */
        public static Verdict combine(List<Verdict> verdicts) {
            if (verdicts.isEmpty()) {
                throw new IllegalArgumentException("combine needs at least one verdict");
            }
            Result worst = verdicts.stream().map(Verdict::result).max(Comparator.comparingInt(ScaleInGuard::severity)).orElseThrow();
            String message = verdicts.stream().filter(v -> v.result() == worst).map(Verdict::message)
                    .collect(Collectors.joining("; "));
            return new Verdict(worst, message);
        }
    }

    private static int severity(Result r) {
        return switch (r) {
            case SAFE -> 0;
            case SKIPPED -> 1;
            case BLOCKED -> 2;
            case UNAVAILABLE -> 3;
        };
    }

    /**
     * The Kafka {@code node.id} of a pod: {@code nodeIdOffset} plus the pod's ordinal (the number after its last
     * "-"), the rule the Kafka example uses ({@code KAFKA_NODE_ID=$((100 + ORDINAL_POD_ORDINAL))}).
     *
     * @throws IllegalArgumentException when the name has no ordinal, or the offset is negative
     */
    public static int nodeId(String pod, int nodeIdOffset) {
        if (nodeIdOffset < 0) {
            throw new IllegalArgumentException("scaleInGuard.kafka.nodeIdOffset: " + nodeIdOffset + " must not be negative");
        }
        long ordinal = InstanceNames.ordinalOf(pod);
        if (ordinal < 0 || ordinal + nodeIdOffset > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pod " + pod + " has no ordinal that maps to a Kafka node id");
        }
        return (int) (ordinal + nodeIdOffset);
    }

    /** The departing brokers of a plan: every pod it deletes, with its node id. */
    public static List<Broker> departing(ScalingPlan plan, int nodeIdOffset) {
        return plan.podsToDelete().stream().map(p -> new Broker(p, nodeId(p, nodeIdOffset))).toList();
    }

    /**
     * Decides on Kafka's answer. {@code hosted} maps a node id to the replicas it hosts (nodes hosting none may be
     * absent). Blocked names each broker that hosts replicas, their count and the first {@link #SHOWN} in topic then
     * partition order: {@code kafka-broker-2 (node 102) still hosts 37 replicas: orders-0, orders-3, payments-1, …}.
     */
    public static Verdict judge(List<Broker> departing, Map<Integer, List<Replica>> hosted) {
        List<String> blocking = new ArrayList<>();
        for (Broker b : departing) {
            List<Replica> replicas = new ArrayList<>(hosted.getOrDefault(b.nodeId(), List.of()));
            if (replicas.isEmpty()) {
                continue;
            }
            replicas.sort(Replica.ORDER);
            String shown = replicas.stream().limit(SHOWN).map(Replica::toString).collect(Collectors.joining(", "));
            blocking.add(name(b) + " still hosts " + replicas.size() + (replicas.size() == 1 ? " replica: " : " replicas: ")
                    + shown + (replicas.size() > SHOWN ? ", …" : ""));
        }
        if (blocking.isEmpty()) {
            return new Verdict(Result.SAFE, names(departing) + (departing.size() == 1 ? " hosts" : " host")
                    + " no partition replicas");
        }
        return new Verdict(Result.BLOCKED, String.join("; ", blocking));
    }

    /**
     * Kafka gave no answer: the verdict says which brokers could not be checked, where Kafka was asked and why.
     *
     * @param cause a short reason, e.g. "no answer within 5s (TimeoutException)"
     */
    public static Verdict unavailable(List<Broker> departing, String bootstrapServers, String cause) {
        return new Verdict(Result.UNAVAILABLE, "cannot check whether " + names(departing)
                + (departing.size() == 1 ? " still hosts" : " still host") + " partition replicas: Kafka at " + bootstrapServers + " gave no answer (" + cause
                + "); nothing is removed until it does");
    }

    /** {@code force: true}: the guard was skipped for these brokers. */
    public static Verdict skipped(List<Broker> departing) {
        return new Verdict(Result.SKIPPED, "force: true skips the scale-in guard; not checked with Kafka: " + names(departing));
    }

    private static String names(List<Broker> brokers) {
        return brokers.stream().map(ScaleInGuard::name).collect(Collectors.joining(", "));
    }

    private static String name(Broker b) {
        return b.pod() + " (node " + b.nodeId() + ")";
    }
}
