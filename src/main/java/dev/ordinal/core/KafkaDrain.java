package dev.ordinal.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The drain of Kafka brokers removed for good, as pure functions over a {@link KafkaSnapshot} (docs/kafka-drain.md,
 * docs/scaling-rules.md §8): {@link #plan} says where every replica of the departing brokers goes, {@link #progress}
 * how far the reassignment got, and {@link #throttle} which replicas Kafka's replication throttle covers while it
 * runs. The ops controller records the plan in the ops' status before Kafka is asked to move anything
 * ({@code alterPartitionReassignments}), so a restarted operator resumes the same plan.
 */
public final class KafkaDrain {
    /** Partitions named in a message; the rest is counted. */
    private static final int SHOWN = 5;

    private KafkaDrain() {
    }

    /**
     * A drain plan, or why there is none.
     *
     * @param original partition ({@code topic-partition}) → its replicas when planned (preferred leader first), for
     *                 every partition that moves
     * @param targets  partition → its replicas once moved (same length, no departing broker), same keys as {@code original}
     * @param refusal  why the brokers cannot be drained (null when planned); then both maps are empty
     */
    public record Plan(Map<String, List<Integer>> original, Map<String, List<Integer>> targets, String refusal) {
        public Plan {
            original = copy(original);
            targets = copy(targets);
        }

        /** Whether a plan was made. */
        public boolean planned() {
            return refusal == null;
        }
    }

    /**
     * How far a drain got.
     *
     * @param moved    partitions whose replicas are the target's, with no reassignment in progress (a partition that no
     *                 longer exists counts as moved: nothing of it is left to move)
     * @param total    partitions in the plan
     * @param toStart  partitions neither moved nor being reassigned: Kafka has to be asked (again) to move them
     * @param inFlight partitions being reassigned now
     */
    public record Progress(int moved, int total, List<String> toStart, List<String> inFlight) {
        public Progress {
            toStart = List.copyOf(toStart);
            inFlight = List.copyOf(inFlight);
        }

        /** Every partition of the plan moved. */
        public boolean done() {
            return moved == total;
        }

        /** {@code moved/total}, as {@code status.kafkaDrain.<component>.progress} shows it. */
        public String fraction() {
            return moved + "/" + total;
        }
    }

    /**
     * What Kafka's replication throttle covers during a drain (the entries kafka-reassign-partitions.sh writes):
     *
     * @param brokers   the brokers that send or receive a moving replica; each gets
     *                  {@code leader.replication.throttled.rate} and {@code follower.replication.throttled.rate}
     * @param leaders   topic → {@code partition:broker} entries of the replicas that send (the current ones), the
     *                  value of the topic's {@code leader.replication.throttled.replicas}
     * @param followers topic → {@code partition:broker} entries of the replicas that receive (the new ones), the value of
     *                  the topic's {@code follower.replication.throttled.replicas}
     */
    public record Throttle(Set<Integer> brokers, Map<String, List<String>> leaders, Map<String, List<String>> followers) {
        public Throttle {
            brokers = Set.copyOf(brokers);
            leaders = Map.copyOf(leaders);
            followers = Map.copyOf(followers);
        }

        /**
         * The same throttle with the broker rates kept for {@code live} brokers only. Kafka's Admin client sends a
         * broker's own config change to that broker, so a call that names a broker that is down times out (KAFKA-13392)
         * and would hold the drain, and its cancel, for good; the topic entries, which name replicas, still cover it. A
         * rate left on a broker that was down does nothing once the topic entries are gone.
         */
        public Throttle on(Set<Integer> live) {
            return new Throttle(brokers.stream().filter(live::contains).collect(Collectors.toSet()), leaders, followers);
        }

        /**
         * The throttle as Kafka can take it now: broker rates on live brokers only ({@link #on}), topic entries for
         * topics that still exist only. Kafka refuses a config change of a deleted topic, set or delete, so a topic
         * deleted mid-drain would fail every step, and the cancel, for good (review of #28).
         */
        public Throttle within(KafkaSnapshot snapshot) {
            Set<String> topics = snapshot.partitions().stream().map(KafkaSnapshot.Partition::topic).collect(Collectors.toSet());
            Map<String, List<String>> l = new TreeMap<>(leaders);
            Map<String, List<String>> f = new TreeMap<>(followers);
            l.keySet().retainAll(topics);
            f.keySet().retainAll(topics);
            return new Throttle(brokers, l, f).on(snapshot.liveBrokers());
        }
    }

    /**
     * One change to Kafka during a drain, carried out in this order: the throttle set (when {@code setThrottle}), the
     * reassignments of {@code reassign} asked for, those of {@code cancel} cancelled, the throttle removed (when
     * {@code removeThrottle}).
     *
     * @param reassign       partition → its target replicas, to ask Kafka for
     * @param cancel         partitions whose reassignment in progress is cancelled
     * @param throttle       what the throttle covers (the whole plan's)
     * @param rate           the throttle, bytes/s
     */
    public record Step(Map<String, List<Integer>> reassign, Set<String> cancel, Throttle throttle, long rate, boolean setThrottle,
            boolean removeThrottle) {
        public Step {
            reassign = copy(reassign);
            cancel = Set.copyOf(cancel);
        }

        /** Throttle, then ask Kafka to move {@code reassign}. */
        public static Step start(Map<String, List<Integer>> reassign, Throttle throttle, long rate) {
            return new Step(reassign, Set.of(), throttle, rate, true, false);
        }

        /** Every partition moved: remove the throttle. */
        public static Step finish(Throttle throttle) {
            return new Step(Map.of(), Set.of(), throttle, 0, false, true);
        }

        /** Cancelled: the reassignments in progress cancelled, the throttle removed. */
        public static Step cancel(Set<String> inFlight, Throttle throttle) {
            return new Step(Map.of(), inFlight, throttle, 0, false, true);
        }
    }

    /**
     * Where the replicas of {@code departing} go. Every partition with a replica on a departing broker keeps its
     * replication factor; each departing replica is replaced in its place in the list (so the preferred-leader spread
     * is kept) by a live broker that does not depart and is not already a replica of the partition. All departing
     * brokers are planned together: nothing lands on one of them. Among the candidates the choice is, in this order:
     * <ol>
     * <li>when any live broker sets {@code broker.rack}: the fewest replicas of the partition already in the
     * candidate's rack (a broker without a rack is a rack of its own), then the departing broker's own rack;</li>
     * <li>the fewest replicas on the candidate (counting those planned so far), and for the first place of the list
     * the fewest preferred leaderships;</li>
     * <li>the lowest node id.</li>
     * </ol>
     * Partitions are planned in topic, then partition order, so the same snapshot always gives the same plan.
     * <p>
     * Refused when the brokers that stay are fewer than the replication factor of a partition to move (the highest such
     * factor is named), and when no live broker stays at all.
     *
     * @param departing the brokers removed for good (their pod names are used in the refusal)
     */
    public static Plan plan(List<ScaleInGuard.Broker> departing, KafkaSnapshot snapshot) {
        return plan(departing, Set.of(), snapshot);
    }

    /**
     * {@link #plan(List, KafkaSnapshot)}, with {@code alsoLeaving}: brokers that are no target either, though their
     * replicas stay (taken offline by the same ops).
     */
    public static Plan plan(List<ScaleInGuard.Broker> departing, Set<Integer> alsoLeaving, KafkaSnapshot snapshot) {
        if (departing.isEmpty()) {
            throw new IllegalArgumentException("a drain needs at least one departing broker");
        }
        Set<Integer> gone = ScaleInGuard.nodeIds(departing);
        TreeSet<Integer> remaining = new TreeSet<>(snapshot.liveBrokers());
        remaining.removeAll(gone);
        remaining.removeAll(alsoLeaving);
        List<KafkaSnapshot.Partition> moving = snapshot.partitions().stream()
                .filter(p -> p.replicas().stream().anyMatch(gone::contains))
                .sorted(Comparator.comparing(KafkaSnapshot.Partition::topic).thenComparingInt(KafkaSnapshot.Partition::partition))
                .toList();
        String who = departing.stream().map(b -> b.pod() + " (node " + b.nodeId() + ")").collect(Collectors.joining(", "));
        if (moving.isEmpty()) {
            return new Plan(Map.of(), Map.of(), null);
        }
        KafkaSnapshot.Partition widest = moving.stream().max(Comparator.comparingInt((KafkaSnapshot.Partition p) -> p.replicas().size())
                .thenComparing(KafkaSnapshot.Partition::name, Comparator.reverseOrder())).orElseThrow();
        int highest = widest.replicas().size();
        if (remaining.size() < highest) {
            return new Plan(Map.of(), Map.of(), "cannot drain " + who + ": " + remaining.size() + " broker" + (remaining.size() == 1 ? "" : "s")
                    + " would remain" + (remaining.isEmpty() ? "" : " (" + join(remaining) + ")") + " but topic " + widest.topic()
                    + " has replication factor " + highest + " (e.g. " + widest.name()
                    + "); remove fewer brokers, or lower the replication factor of such topics first");
        }
        boolean rackAware = !snapshot.racks().isEmpty();
        Map<Integer, Integer> load = new HashMap<>();
        Map<Integer, Integer> leads = new HashMap<>();
        remaining.forEach(b -> {
            load.put(b, 0);
            leads.put(b, 0);
        });
        for (KafkaSnapshot.Partition p : snapshot.partitions()) {
            for (int i = 0; i < p.replicas().size(); i++) {
                int r = p.replicas().get(i);
                if (load.containsKey(r)) {
                    load.merge(r, 1, Integer::sum);
                    if (i == 0) {
                        leads.merge(r, 1, Integer::sum);
                    }
                }
            }
        }
        Map<String, List<Integer>> original = new TreeMap<>();
        Map<String, List<Integer>> targets = new TreeMap<>();
        for (KafkaSnapshot.Partition p : moving) {
            List<Integer> next = new ArrayList<>(p.replicas());
            for (int i = 0; i < next.size(); i++) {
                int leaving = next.get(i);
                if (!gone.contains(leaving)) {
                    continue;
                }
                Set<Integer> members = next.stream().filter(r -> !gone.contains(r)).collect(Collectors.toSet());
                final int place = i;
                String leavingRack = rackOf(snapshot, leaving);
                int chosen = remaining.stream().filter(c -> !members.contains(c))
                        .min(Comparator.comparingInt((Integer c) -> rackAware ? sameRack(snapshot, c, members) : 0)
                                .thenComparingInt(c -> rackAware && !rackOf(snapshot, c).equals(leavingRack) ? 1 : 0)
                                .thenComparingInt(c -> load.get(c))
                                .thenComparingInt(c -> place == 0 ? leads.get(c) : 0)
                                .thenComparingInt(c -> c))
                        .orElseThrow(() -> new IllegalStateException("no broker left for " + p.name()));
                next.set(i, chosen);
                load.merge(chosen, 1, Integer::sum);
                if (i == 0) {
                    leads.merge(chosen, 1, Integer::sum);
                }
            }
            original.put(p.name(), p.replicas());
            targets.put(p.name(), next);
        }
        return new Plan(original, targets, null);
    }

    /**
     * The partitions of {@code departing} with a reassignment in progress that is not a drain's (someone else's move,
     * in topic and partition order): a drain is planned only once they are done, since Kafka reports such a
     * partition's replicas as the old and new ones together, and a plan made from that list would raise its
     * replication factor (KAFKA-10125).
     */
    public static List<String> othersMoving(Set<Integer> departing, KafkaSnapshot snapshot) {
        return snapshot.partitions().stream()
                .filter(p -> snapshot.reassigning().contains(p.name()) && p.replicas().stream().anyMatch(departing::contains))
                .sorted(Comparator.comparing(KafkaSnapshot.Partition::topic).thenComparingInt(KafkaSnapshot.Partition::partition))
                .map(KafkaSnapshot.Partition::name).toList();
    }

    /**
     * The partitions of a plan in flight whose reassignment is the plan's own: during it Kafka reports the original
     * replicas and the target's together, so the replica set is their union. Another reassignment of the same
     * partition (someone else's) is not cancelled by a drain's cancel.
     */
    public static Set<String> ownInFlight(Map<String, List<Integer>> original, Map<String, List<Integer>> targets, KafkaSnapshot snapshot) {
        Set<String> own = new TreeSet<>();
        for (String name : progress(targets, snapshot).inFlight()) {
            KafkaSnapshot.Partition now = snapshot.partition(name);
            Set<Integer> union = new java.util.HashSet<>(original.getOrDefault(name, List.of()));
            union.addAll(targets.get(name));
            if (now != null && Set.copyOf(now.replicas()).equals(union)) {
                own.add(name);
            }
        }
        return own;
    }

    /**
     * How far the reassignment of {@code targets} got on {@code snapshot}: a partition is moved when its replicas are
     * the target's (as a set) and no reassignment of it is in progress.
     */
    public static Progress progress(Map<String, List<Integer>> targets, KafkaSnapshot snapshot) {
        return progress(targets, snapshot, (now, target) -> Set.copyOf(now).equals(Set.copyOf(target)));
    }

    /**
     * {@link #progress(Map, KafkaSnapshot)} with {@code arrived} saying when a partition's replicas now are its target
     * (as a set for a drain; in order for a rebalance, whose leader swaps move no data).
     */
    static Progress progress(Map<String, List<Integer>> targets, KafkaSnapshot snapshot,
            java.util.function.BiPredicate<List<Integer>, List<Integer>> arrived) {
        int moved = 0;
        List<String> toStart = new ArrayList<>();
        List<String> inFlight = new ArrayList<>();
        Map<String, KafkaSnapshot.Partition> byName = new HashMap<>();
        snapshot.partitions().forEach(p -> byName.put(p.name(), p));
        for (Map.Entry<String, List<Integer>> e : new TreeMap<>(targets).entrySet()) {
            KafkaSnapshot.Partition now = byName.get(e.getKey());
            if (snapshot.reassigning().contains(e.getKey())) {
                inFlight.add(e.getKey());
            } else if (now == null || arrived.test(now.replicas(), e.getValue())) {
                moved++;
            } else {
                toStart.add(e.getKey());
            }
        }
        return new Progress(moved, targets.size(), toStart, inFlight);
    }

    /**
     * The replication throttle of a plan: the original replicas of each moving partition send, its new ones receive,
     * and every broker involved gets the rate.
     */
    public static Throttle throttle(Map<String, List<Integer>> original, Map<String, List<Integer>> targets) {
        Set<Integer> brokers = new TreeSet<>();
        Map<String, List<String>> leaders = new TreeMap<>();
        Map<String, List<String>> followers = new TreeMap<>();
        new TreeMap<>(targets).forEach((name, target) -> {
            List<Integer> from = original.getOrDefault(name, List.of());
            int dash = name.lastIndexOf('-');
            String topic = name.substring(0, dash);
            String partition = name.substring(dash + 1);
            for (int r : from) {
                leaders.computeIfAbsent(topic, t -> new ArrayList<>()).add(partition + ":" + r);
                brokers.add(r);
            }
            for (int r : target) {
                if (!from.contains(r)) {
                    followers.computeIfAbsent(topic, t -> new ArrayList<>()).add(partition + ":" + r);
                    brokers.add(r);
                }
            }
        });
        return new Throttle(brokers, leaders, followers);
    }

    /** "orders-0, orders-3 and 4 more". */
    public static String shown(List<String> names) {
        String first = names.stream().limit(SHOWN).collect(Collectors.joining(", "));
        return names.size() > SHOWN ? first + " and " + (names.size() - SHOWN) + " more" : first;
    }

    private static int sameRack(KafkaSnapshot snapshot, int candidate, Set<Integer> members) {
        String rack = rackOf(snapshot, candidate);
        return (int) members.stream().filter(m -> rackOf(snapshot, m).equals(rack)).count();
    }

    /** A broker's rack; one without {@code broker.rack} is a rack of its own. */
    private static String rackOf(KafkaSnapshot snapshot, int broker) {
        String rack = snapshot.racks().get(broker);
        return rack == null ? "\u0000node-" + broker : rack;
    }

    private static String join(Set<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private static Map<String, List<Integer>> copy(Map<String, List<Integer>> from) {
        Map<String, List<Integer>> out = new TreeMap<>();
        from.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(out);
    }
}
