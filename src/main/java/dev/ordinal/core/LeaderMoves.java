package dev.ordinal.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Leadership around a Kafka broker taken offline, as pure functions over a {@link KafkaSnapshot}
 * (docs/kafka-broker-offline.md, docs/scaling-rules.md §8). Before the pod goes, every partition whose preferred leader
 * (first replica) departs, or whose leader departs, gets a replica list with the same members in which an in-sync
 * replica that stays comes first, and a preferred-leader election follows: producers then talk to a leader that stays,
 * so none of their requests meets a leader that is shutting down. Once the broker is back and in sync again, the
 * original order is restored and a preferred-leader election gives it its partitions back.
 * <p>
 * Only the order changes, never the replica set, so Kafka moves no data; the original orders are what the ops
 * controller keeps in the ops' status ({@code status.kafkaLeadership}) before it changes anything.
 */
public final class LeaderMoves {
    private LeaderMoves() {
    }

    /** A partition whose replica list is reordered: from {@code original} to {@code reordered}. */
    public record Move(String partition, List<Integer> original, List<Integer> reordered) {
        public Move {
            original = List.copyOf(original);
            reordered = List.copyOf(reordered);
        }
    }

    /**
     * What to ask Kafka: the replica lists to write ({@code topic-partition} → order, preferred leader first) and the
     * partitions whose preferred leader to elect afterwards.
     */
    public record Step(Map<String, List<Integer>> reorder, Set<String> elect) {
        public Step {
            reorder = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(reorder));
            elect = Set.copyOf(elect);
        }

        public boolean isEmpty() {
            return reorder.isEmpty() && elect.isEmpty();
        }
    }

    /**
     * The reorders that take leadership off {@code departing}: every partition whose first replica departs, or
     * whose leader departs while its first replica is not an in-sync live broker, gets as first replica the first
     * in-sync live replica that stays (the others keep their order). A partition without such a replica is left
     * alone (the availability rule keeps it from going offline without {@code force}), and so is a partition with a
     * reassignment in progress ({@link KafkaSnapshot#reassigning()}): writing an order would replace the target of
     * that reassignment (someone else's move, or Kafka still finishing ours). In topic and partition order.
     */
    public static List<Move> away(Set<Integer> departing, KafkaSnapshot s) {
        return away(departing, Set.of(), s);
    }

    /**
     * {@link #away(Set, KafkaSnapshot)}, where {@code alsoLeaving} are brokers that leave too (another component of the
     * same Kafka in the same ops) but whose partitions are not this call's: no leadership is handed to them.
     */
    public static List<Move> away(Set<Integer> departing, Set<Integer> alsoLeaving, KafkaSnapshot s) {
        List<Move> moves = new ArrayList<>();
        for (KafkaSnapshot.Partition p : sorted(s)) {
            if (p.replicas().isEmpty() || s.reassigning().contains(p.name())) {
                continue;
            }
            int first = p.replicas().get(0);
            boolean firstDeparts = departing.contains(first);
            boolean leaderDeparts = departing.contains(p.leader()) && !inSyncAndLive(first, p, s);
            if (!firstDeparts && !leaderDeparts) {
                continue;
            }
            p.replicas().stream().filter(r -> !departing.contains(r) && !alsoLeaving.contains(r) && inSyncAndLive(r, p, s)).findFirst()
                    .ifPresent(next -> {
                List<Integer> reordered = new ArrayList<>();
                reordered.add(next);
                p.replicas().stream().filter(r -> r != next).forEach(reordered::add);
                moves.add(new Move(p.name(), p.replicas(), reordered));
            });
        }
        return moves;
    }

    /**
     * The next step to take leadership off {@code departing}: the reorders of {@link #away}, and a preferred-leader
     * election for each reordered partition and each partition a departing broker leads whose first replica is an
     * in-sync live broker that stays. Empty once no departing broker leads or is preferred leader of any partition it
     * can hand over.
     */
    public static Step awayStep(Set<Integer> departing, KafkaSnapshot s) {
        return awayStep(departing, Set.of(), s);
    }

    /** {@link #awayStep(Set, KafkaSnapshot)}, handing no leadership to {@code alsoLeaving} either. */
    public static Step awayStep(Set<Integer> departing, Set<Integer> alsoLeaving, KafkaSnapshot s) {
        Map<String, List<Integer>> reorder = new LinkedHashMap<>();
        away(departing, alsoLeaving, s).forEach(m -> reorder.put(m.partition(), m.reordered()));
        Set<String> elect = new HashSet<>(reorder.keySet());
        for (KafkaSnapshot.Partition p : s.partitions()) {
            if (!p.replicas().isEmpty() && departing.contains(p.leader()) && !departing.contains(p.replicas().get(0))
                    && !alsoLeaving.contains(p.replicas().get(0)) && inSyncAndLive(p.replicas().get(0), p, s)) {
                elect.add(p.name());
            }
        }
        return new Step(reorder, elect);
    }

    /** The partitions a departing broker still leads, in topic and partition order. */
    public static List<String> ledBy(Set<Integer> departing, KafkaSnapshot s) {
        return sorted(s).stream().filter(p -> departing.contains(p.leader())).map(KafkaSnapshot.Partition::name).toList();
    }

    /**
     * Where the restore of {@code recorded} orders stands.
     *
     * @param step       what to ask Kafka now: original orders to write back, preferred leaders to elect
     * @param catchingUp partitions whose preferred leader is not in sync yet, worded {@code orders-3 (ISR 100, 101 of 102, 100, 101)},
     *                   or whose replicas are being reordered right now, worded {@code orders-3 (reassignment in progress)}
     * @param changed    partitions that are gone or whose replica set someone else changed meanwhile: left as they are
     */
    public record Restore(Step step, List<String> catchingUp, List<String> changed) {
        /** Every recorded order is back and led by its preferred leader (or was changed by someone else). */
        public boolean isDone() {
            return step.isEmpty() && catchingUp.isEmpty();
        }
    }

    /**
     * How to put back {@code recorded} ({@code topic-partition} → original replica order): a partition whose original
     * preferred leader (the first of the recorded order) is in sync on a live broker gets its original order back,
     * then a preferred-leader election; one whose preferred leader is still catching up is waited for; one that is gone
     * or whose replica set differs from the recorded one (a user's reassignment) is left alone; one with the same
     * replica set but a reassignment in progress (a reorder not finished yet) is waited for, never overwritten. The order is written
     * back only once the broker it hands leadership to is in sync, so the restore never makes a broker that is behind
     * the leader; the other replicas need not be (another broker of the partition may be offline meanwhile: review
     * of #28, an online ops would otherwise wait for it until its deadline).
     */
    public static Restore back(Map<String, List<Integer>> recorded, KafkaSnapshot s) {
        return back(recorded, Map.of(), s);
    }

    /**
     * {@link #back(Map, KafkaSnapshot)}, written only over the order the move left ({@code moved}: partition → the
     * reordered list written then, when known): a partition whose order is neither the recorded original nor the moved
     * one was reordered by someone else since (a user's choice, or another ops' move of another broker) and is left
     * alone, like a changed replica set (review of #28: restoring two overlapping records in the wrong order otherwise
     * wrote an order back over the other ops' move).
     */
    public static Restore back(Map<String, List<Integer>> recorded, Map<String, List<Integer>> moved, KafkaSnapshot s) {
        Map<String, List<Integer>> reorder = new LinkedHashMap<>();
        Set<String> elect = new HashSet<>();
        List<String> catchingUp = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : new java.util.TreeMap<>(recorded).entrySet()) {
            KafkaSnapshot.Partition p = s.partition(e.getKey());
            List<Integer> original = e.getValue();
            if (p == null || original.isEmpty() || !Set.copyOf(p.replicas()).equals(Set.copyOf(original))
                    || p.replicas().size() != original.size()) {
                changed.add(e.getKey());
                continue;
            }
            if (s.reassigning().contains(p.name())) {
                catchingUp.add(p.name() + " (reassignment in progress)");
                continue;
            }
            List<Integer> movedTo = moved.get(e.getKey());
            if (movedTo != null && !p.replicas().equals(original) && !p.replicas().equals(movedTo)) {
                changed.add(e.getKey());
                continue;
            }
            if (!inSyncAndLive(original.get(0), p, s)) {
                catchingUp.add(p.name() + " (ISR " + join(p.isr().stream().sorted().toList()) + " of " + join(p.replicas()) + ")");
                continue;
            }
            if (!p.replicas().equals(original)) {
                reorder.put(p.name(), original);
                elect.add(p.name());
            } else if (p.leader() != original.get(0)) {
                elect.add(p.name());
            }
        }
        return new Restore(new Step(reorder, elect), catchingUp, changed);
    }

    private static boolean inSyncAndLive(int node, KafkaSnapshot.Partition p, KafkaSnapshot s) {
        return p.isr().contains(node) && s.liveBrokers().contains(node);
    }

    private static List<KafkaSnapshot.Partition> sorted(KafkaSnapshot s) {
        return s.partitions().stream()
                .sorted(Comparator.comparing(KafkaSnapshot.Partition::topic).thenComparingInt(KafkaSnapshot.Partition::partition))
                .toList();
    }

    private static String join(List<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
