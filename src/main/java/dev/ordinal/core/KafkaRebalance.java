package dev.ordinal.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The rebalance after a Kafka scale-out, as pure functions over a {@link KafkaSnapshot} (docs/kafka-rebalance.md,
 * docs/scaling-rules.md §8): {@link #plan} says which replicas move so that the brokers just added get their fair
 * share, {@link #progress} how far the reassignment got. The plan has the shape of a drain's ({@link KafkaDrain.Plan}),
 * so the ops controller records, throttles ({@link KafkaDrain#throttle}), moves and cancels it with the drain's steps
 * ({@link KafkaDrain.Step}).
 */
public final class KafkaRebalance {
    private KafkaRebalance() {
    }

    /**
     * The moves that give the brokers in {@code added} their share of the replicas. The brokers counted are the live
     * ones of the snapshot ({@code added} must be among them); a partition is <em>movable</em> when no reassignment of it
     * is in progress and every replica of it is on a live broker (a partition with a replica on a broker that is down or
     * offline is left alone, so that an offline broker's recorded replica order stays valid). The rules, in order:
     * <ol>
     * <li><b>Replica counts.</b> While two brokers host replica counts two or more apart, one replica moves from the more
     * loaded to the less loaded one (the least loaded receiver first, a broker of {@code added} before another of the
     * same count; the most loaded donor first). The moved replica takes the donor's place in the replica list, so the
     * replication factor is kept. It ends when every broker hosts {@code floor(T/N)} or {@code ceil(T/N)} replicas
     * (T replicas on N live brokers: within one of the mean), or when no movable replica can improve it. When the brokers
     * that were there were balanced (and no broker sets a rack), only replicas that move to the added brokers are planned.</li>
     * <li><b>Racks.</b> When any live broker sets {@code broker.rack}, a move never lowers the number of racks a
     * partition spans (a broker without a rack is a rack of its own), and a move that raises it is preferred.</li>
     * <li><b>Which partition.</b> Among the partitions that may move from a donor to a receiver: one the donor leads
     * (first replica, the preferred leader) when the donor leads two or more partitions more than the receiver, else one
     * it does not lead; then the topic the receiver hosts the fewest replicas of, and the donor the most; then topic,
     * then partition order.</li>
     * <li><b>Leaders.</b> Then, while a broker is the preferred leader of two or more partitions more than another broker
     * that is a replica of one of them, the two swap places in that partition's replica list (no data moves); partitions
     * already in the plan are reordered first.</li>
     * </ol>
     * The same snapshot always gives the same plan. The plan holds only the partitions whose replica list changes.
     *
     * @param added node ids of the brokers the scale-out added
     * @throws IllegalArgumentException when {@code added} is empty or names a broker that is not live in the snapshot
     */
    public static KafkaDrain.Plan plan(Set<Integer> added, KafkaSnapshot snapshot) {
        if (added.isEmpty()) {
            throw new IllegalArgumentException("a rebalance needs at least one added broker");
        }
        if (!snapshot.liveBrokers().containsAll(added)) {
            Set<Integer> missing = new TreeSet<>(added);
            missing.removeAll(snapshot.liveBrokers());
            throw new IllegalArgumentException("brokers " + missing + " are not registered with Kafka: a rebalance plans only onto live brokers");
        }
        return new Planner(added, snapshot).plan();
    }

    /**
     * How far the reassignment of {@code targets} got: a partition is moved when its replica list is the target's, in
     * the same order (a reorder moves no data but changes the preferred leader), and no reassignment of it is in
     * progress; a partition that no longer exists counts as moved.
     */
    public static KafkaDrain.Progress progress(Map<String, List<Integer>> targets, KafkaSnapshot snapshot) {
        return KafkaDrain.progress(targets, snapshot, List::equals);
    }

    /** Replicas that a plan adds to brokers (each counted once per partition and broker it lands on). */
    public static int replicasMoved(KafkaDrain.Plan plan) {
        int moved = 0;
        for (Map.Entry<String, List<Integer>> e : plan.targets().entrySet()) {
            List<Integer> from = plan.original().getOrDefault(e.getKey(), List.of());
            moved += (int) e.getValue().stream().filter(r -> !from.contains(r)).count();
        }
        return moved;
    }

    /**
     * Node id → replicas it hosts once {@code plan} is carried out on {@code snapshot}, for the live brokers, in node
     * id order (a dry run and the Event print it).
     */
    public static Map<Integer, Integer> replicasPerBroker(KafkaDrain.Plan plan, KafkaSnapshot snapshot) {
        Map<Integer, Integer> out = new TreeMap<>();
        snapshot.liveBrokers().forEach(b -> out.put(b, 0));
        for (KafkaSnapshot.Partition p : snapshot.partitions()) {
            for (int r : plan.targets().getOrDefault(p.name(), p.replicas())) {
                out.computeIfPresent(r, (b, n) -> n + 1);
            }
        }
        return out;
    }

    /** The mutable state of one planning. */
    private static final class Planner {
        private final Set<Integer> added;
        private final KafkaSnapshot snapshot;
        private final List<Integer> brokers;
        private final boolean rackAware;
        /** Movable partitions in topic, partition order, and their replica lists as planned so far. */
        private final List<KafkaSnapshot.Partition> movable;
        private final List<List<Integer>> lists = new ArrayList<>();
        private final Map<Integer, Integer> load = new HashMap<>();
        private final Map<Integer, Integer> leads = new HashMap<>();
        private final Map<Integer, Map<String, Integer>> topicLoad = new HashMap<>();
        /** Broker → indexes (into {@code movable}) of the movable partitions it hosts as planned. */
        private final Map<Integer, TreeSet<Integer>> hosted = new HashMap<>();

        Planner(Set<Integer> added, KafkaSnapshot snapshot) {
            this.added = Set.copyOf(added);
            this.snapshot = snapshot;
            this.brokers = new ArrayList<>(new TreeSet<>(snapshot.liveBrokers()));
            this.rackAware = !snapshot.racks().isEmpty();
            brokers.forEach(b -> {
                load.put(b, 0);
                leads.put(b, 0);
                topicLoad.put(b, new HashMap<>());
                hosted.put(b, new TreeSet<>());
            });
            Set<Integer> live = snapshot.liveBrokers();
            this.movable = snapshot.partitions().stream()
                    .filter(p -> !snapshot.reassigning().contains(p.name()))
                    .filter(p -> !p.replicas().isEmpty() && live.containsAll(p.replicas()) && Set.copyOf(p.replicas()).size() == p.replicas().size())
                    .sorted(Comparator.comparing(KafkaSnapshot.Partition::topic).thenComparingInt(KafkaSnapshot.Partition::partition))
                    .toList();
            for (KafkaSnapshot.Partition p : snapshot.partitions()) {
                for (int i = 0; i < p.replicas().size(); i++) {
                    int r = p.replicas().get(i);
                    if (load.containsKey(r)) {
                        load.merge(r, 1, Integer::sum);
                        topicLoad.get(r).merge(p.topic(), 1, Integer::sum);
                        if (i == 0) {
                            leads.merge(r, 1, Integer::sum);
                        }
                    }
                }
            }
            for (int i = 0; i < movable.size(); i++) {
                List<Integer> list = new ArrayList<>(movable.get(i).replicas());
                lists.add(list);
                for (int r : list) {
                    hosted.get(r).add(i);
                }
            }
        }

        KafkaDrain.Plan plan() {
            while (moveOne()) {
                // each move lowers the sum of squared replica counts, so this ends
            }
            while (reorderOne()) {
                // each swap lowers the sum of squared leader counts, so this ends
            }
            Map<String, List<Integer>> original = new TreeMap<>();
            Map<String, List<Integer>> targets = new TreeMap<>();
            for (int i = 0; i < movable.size(); i++) {
                KafkaSnapshot.Partition p = movable.get(i);
                if (!p.replicas().equals(lists.get(i))) {
                    original.put(p.name(), p.replicas());
                    targets.put(p.name(), List.copyOf(lists.get(i)));
                }
            }
            return new KafkaDrain.Plan(original, targets, null);
        }

        /** One replica from a more loaded broker to a less loaded one; false when no such move is left. */
        private boolean moveOne() {
            List<Integer> receivers = brokers.stream().sorted(Comparator.comparingInt((Integer b) -> load.get(b))
                    .thenComparingInt(b -> added.contains(b) ? 0 : 1).thenComparingInt(b -> b)).toList();
            List<Integer> donors = brokers.stream().sorted(Comparator.comparingInt((Integer b) -> -load.get(b))
                    .thenComparingInt(b -> b)).toList();
            for (int receiver : receivers) {
                for (int donor : donors) {
                    if (load.get(donor) - load.get(receiver) < 2) {
                        break;
                    }
                    int chosen = choose(donor, receiver);
                    if (chosen >= 0) {
                        move(chosen, donor, receiver);
                        return true;
                    }
                }
            }
            return false;
        }

        /** The movable partition whose replica on {@code donor} best moves to {@code receiver}, or -1. */
        private int choose(int donor, int receiver) {
            boolean wantLead = leads.get(donor) - leads.get(receiver) >= 2;
            int best = -1;
            int[] bestKey = null;
            for (int i : hosted.get(donor)) {
                List<Integer> list = lists.get(i);
                if (list.contains(receiver)) {
                    continue;
                }
                int rackGain = 0;
                if (rackAware) {
                    int before = racks(list);
                    List<Integer> after = new ArrayList<>(list);
                    after.set(after.indexOf(donor), receiver);
                    rackGain = racks(after) - before;
                    if (rackGain < 0) {
                        continue;
                    }
                }
                String topic = movable.get(i).topic();
                boolean led = list.get(0) == donor;
                int[] key = {-rackGain, led == wantLead ? 0 : 1, topicLoad.get(receiver).getOrDefault(topic, 0),
                        -topicLoad.get(donor).getOrDefault(topic, 0), i};
                if (bestKey == null || compare(key, bestKey) < 0) {
                    best = i;
                    bestKey = key;
                }
            }
            return best;
        }

        private void move(int i, int donor, int receiver) {
            List<Integer> list = lists.get(i);
            int place = list.indexOf(donor);
            list.set(place, receiver);
            String topic = movable.get(i).topic();
            load.merge(donor, -1, Integer::sum);
            load.merge(receiver, 1, Integer::sum);
            topicLoad.get(donor).merge(topic, -1, Integer::sum);
            topicLoad.get(receiver).merge(topic, 1, Integer::sum);
            if (place == 0) {
                leads.merge(donor, -1, Integer::sum);
                leads.merge(receiver, 1, Integer::sum);
            }
            hosted.get(donor).remove(i);
            hosted.get(receiver).add(i);
        }

        /** One preferred leadership from a broker that leads more to a replica of the same partition that leads fewer. */
        private boolean reorderOne() {
            List<Integer> from = brokers.stream().sorted(Comparator.comparingInt((Integer b) -> -leads.get(b)).thenComparingInt(b -> b)).toList();
            List<Integer> to = brokers.stream().sorted(Comparator.comparingInt((Integer b) -> leads.get(b))
                    .thenComparingInt(b -> added.contains(b) ? 0 : 1).thenComparingInt(b -> b)).toList();
            for (int leader : from) {
                for (int taker : to) {
                    if (leads.get(leader) - leads.get(taker) < 2) {
                        break;
                    }
                    int chosen = -1;
                    for (int i : hosted.get(leader)) {
                        List<Integer> list = lists.get(i);
                        if (list.get(0) != leader || !list.contains(taker)) {
                            continue;
                        }
                        boolean changed = !list.equals(movable.get(i).replicas());
                        if (chosen < 0 || (changed && lists.get(chosen).equals(movable.get(chosen).replicas()))) {
                            chosen = i;
                        }
                    }
                    if (chosen >= 0) {
                        List<Integer> list = lists.get(chosen);
                        int place = list.indexOf(taker);
                        list.set(place, leader);
                        list.set(0, taker);
                        leads.merge(leader, -1, Integer::sum);
                        leads.merge(taker, 1, Integer::sum);
                        return true;
                    }
                }
            }
            return false;
        }

        private int racks(List<Integer> list) {
            Set<String> racks = new HashSet<>();
            list.forEach(b -> racks.add(rackOf(b)));
            return racks.size();
        }

        /** A broker's rack; one without {@code broker.rack} is a rack of its own. */
        private String rackOf(int broker) {
            String rack = snapshot.racks().get(broker);
            return rack == null ? "\u0000node-" + broker : rack;
        }

        private static int compare(int[] a, int[] b) {
            for (int k = 0; k < a.length; k++) {
                if (a[k] != b[k]) {
                    return Integer.compare(a[k], b[k]);
                }
            }
            return 0;
        }
    }

    /** "0:9, 1:9, 2:9, 3:8": replicas per broker, as messages show them. */
    public static String perBroker(Map<Integer, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(", "));
    }
}
