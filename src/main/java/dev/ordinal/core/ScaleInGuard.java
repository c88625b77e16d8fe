package dev.ordinal.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The verdict of the Kafka scale-in guard, as pure functions: which Kafka node a departing pod is, and whether the
 * departing brokers may go given what Kafka says about its partitions. Two rules, by how a broker departs
 * (docs/scaling-rules.md §8): a broker <b>removed</b> for good may go only once it hosts no replica; a broker taken
 * <b>offline</b> (it keeps its volume and comes back with its id) may go when every partition it hosts keeps at least
 * its topic's {@code min.insync.replicas} in-sync replicas on the brokers that stay, and never when it holds a
 * partition's only replica. The controller asks Kafka ({@code dev.ordinal.kafka.KafkaReplicas}); this class only
 * decides and words the answer.
 */
public final class ScaleInGuard {
    /** Topic-partitions named per broker in a message; the rest is counted and elided with "…". */
    public static final int SHOWN = 5;

    private ScaleInGuard() {
    }

    /** What the guard concluded; {@link #label()} is the value of the {@code result} metric label. */
    public enum Result {
        /** The departing brokers may go (removed: they host no replica; offline: every partition stays available). */
        SAFE("safe"),
        /** A removed broker still hosts replicas, or an offline one would leave a partition short: the ops waits, then fails. */
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

    /** How a broker leaves: taken offline (its volume and id stay, it comes back) or removed for good. */
    public enum Departure {
        OFFLINE, REMOVAL
    }

    /** A pod the plan removes, the Kafka {@code node.id} it runs as, and whether it goes offline or for good. */
    public record Broker(String pod, int nodeId, Departure departure) {
        /** A broker removed for good. */
        public Broker(String pod, int nodeId) {
            this(pod, nodeId, Departure.REMOVAL);
        }
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

    /**
     * The departing brokers of a plan: every pod it deletes, with its node id; {@code OFFLINE} when the plan's target
     * lists the pod in {@code offlineInstances}, {@code REMOVAL} otherwise (a scale-in).
     */
    public static List<Broker> departing(ScalingPlan plan, int nodeIdOffset) {
        return plan.podsToDelete().stream().map(p -> new Broker(p, nodeId(p, nodeIdOffset),
                plan.after().offlineInstances().contains(p) ? Departure.OFFLINE : Departure.REMOVAL)).toList();
    }

    /** The node ids of {@code brokers}. */
    public static Set<Integer> nodeIds(List<Broker> brokers) {
        return brokers.stream().map(Broker::nodeId).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Decides on a snapshot of Kafka, each broker by its own rule (docs/scaling-rules.md §8):
     * <ul>
     * <li>{@code REMOVAL}: blocked while it hosts any replica, worded as {@link #judge(List, Map)}.</li>
     * <li>{@code OFFLINE}: for every partition with a replica on a broker going offline, the in-sync replicas left on
     * live brokers that do not depart (all departing brokers of the ops count as gone) must be at least the topic's
     * effective {@code min.insync.replicas}; a partition with a single replica always blocks. Blocked names the first
     * {@link #SHOWN} such partitions in topic and partition order, then a count:
     * {@code kafka-broker-2 (node 102) cannot go offline yet: orders-3 would keep 1 in-sync replica
     * (min.insync.replicas 2; ISR 101, 102); …}.</li>
     * </ul>
     * A departing node id Kafka does not know hosts nothing and holds nothing back; an ISR member that is not a live
     * broker is not counted.
     */
    public static Verdict judge(List<Broker> departing, KafkaSnapshot snapshot) {
        List<Broker> removed = departing.stream().filter(b -> b.departure() == Departure.REMOVAL).toList();
        List<Broker> offline = departing.stream().filter(b -> b.departure() == Departure.OFFLINE).toList();
        List<Verdict> parts = new ArrayList<>();
        if (!removed.isEmpty()) {
            parts.add(judge(removed, snapshot.hostedBy(nodeIds(removed))));
        }
        if (!offline.isEmpty()) {
            parts.add(judgeOffline(offline, nodeIds(departing), snapshot));
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("judge needs at least one departing broker");
        }
        boolean blocked = parts.stream().anyMatch(v -> v.result() == Result.BLOCKED);
        return new Verdict(blocked ? Result.BLOCKED : Result.SAFE, parts.stream()
                .filter(v -> v.result() == (blocked ? Result.BLOCKED : Result.SAFE)).map(Verdict::message)
                .collect(Collectors.joining("; ")));
    }

    private static Verdict judgeOffline(List<Broker> offline, Set<Integer> allDeparting, KafkaSnapshot snapshot) {
        Set<Integer> offlineIds = nodeIds(offline);
        List<KafkaSnapshot.Partition> hosted = snapshot.partitions().stream()
                .filter(p -> p.replicas().stream().anyMatch(offlineIds::contains))
                .sorted(Comparator.comparing(KafkaSnapshot.Partition::topic).thenComparingInt(KafkaSnapshot.Partition::partition))
                .toList();
        if (hosted.isEmpty()) {
            return new Verdict(Result.SAFE, names(offline) + (offline.size() == 1 ? " hosts" : " host") + " no partition replicas");
        }
        List<String> shortOnes = new ArrayList<>();
        for (KafkaSnapshot.Partition p : hosted) {
            if (p.replicas().size() == 1) {
                shortOnes.add(p.name() + " has a single replica (node " + p.replicas().get(0) + "); only force takes it offline");
                continue;
            }
            int min = snapshot.minInsyncOf(p.topic());
            long left = p.isr().stream().distinct().filter(r -> !allDeparting.contains(r) && snapshot.liveBrokers().contains(r)).count();
            if (left < min) {
                shortOnes.add(p.name() + " would keep " + left + " in-sync replica" + (left == 1 ? "" : "s") + " (min.insync.replicas "
                        + min + "; ISR " + p.isr().stream().sorted().map(String::valueOf).collect(Collectors.joining(", ")) + ")");
            }
        }
        if (shortOnes.isEmpty()) {
            return new Verdict(Result.SAFE, names(offline) + " may go offline: each of the " + hosted.size() + " partition"
                    + (hosted.size() == 1 ? "" : "s") + (offline.size() == 1 ? " it hosts" : " they host")
                    + " keeps at least min.insync.replicas in-sync replicas on the brokers that stay");
        }
        String shown = String.join("; ", shortOnes.subList(0, Math.min(SHOWN, shortOnes.size())));
        int more = shortOnes.size() - SHOWN;
        return new Verdict(Result.BLOCKED, names(offline) + " cannot go offline yet: " + shown
                + (more > 0 ? "; and " + more + " more partition" + (more == 1 ? "" : "s") : ""));
    }

    /**
     * The removal rule alone. {@code hosted} maps a node id to the replicas it hosts (nodes hosting none may be
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

    /**
     * Kafka was not asked because the guard's client settings cannot be used (a missing Secret, a refused key): the
     * verdict is {@code UNAVAILABLE}, says which brokers could not be checked and why.
     *
     * @param why names the Secret and the key, e.g. "Secret kafka/client key ssl.truststore.location names a file, …"
     */
    public static Verdict unusableSettings(List<Broker> departing, String why) {
        return new Verdict(Result.UNAVAILABLE, "cannot check whether " + names(departing)
                + (departing.size() == 1 ? " still hosts" : " still host") + " partition replicas: the Kafka client settings cannot be used: "
                + why + "; nothing is removed until they can");
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
