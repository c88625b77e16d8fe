package dev.ordinal.core;

import static dev.ordinal.core.KafkaPartitions.p;
import static dev.ordinal.core.KafkaPartitions.roundRobin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.ordinal.core.KafkaSnapshot.Partition;

/**
 * The rebalance planner after a scale-out (docs/kafka-rebalance.md, issue #28): the added brokers get their share
 * (every broker within one of the mean), leaders are spread, replication factor and rack spread are kept, only movable
 * partitions change, and the plan is deterministic. Worked examples first, then properties over thousands of seeded
 * random shapes.
 */
class KafkaRebalanceTest {

    private static KafkaSnapshot snapshot(Set<Integer> live, Map<Integer, String> racks, List<Partition> partitions, Set<String> reassigning) {
        return new KafkaSnapshot(partitions, live, Map.of(), 1, racks, reassigning);
    }

    private static Map<Integer, Integer> leadsAfter(KafkaSnapshot s, KafkaDrain.Plan plan) {
        Map<Integer, Integer> leads = new HashMap<>();
        s.liveBrokers().forEach(b -> leads.put(b, 0));
        for (Partition p : s.partitions()) {
            leads.computeIfPresent(plan.targets().getOrDefault(p.name(), p.replicas()).get(0), (b, n) -> n + 1);
        }
        return leads;
    }

    // ---- worked examples -------------------------------------------------------------------------------------

    @Test
    void theExampleFrom3To4BrokersGivesBroker103ItsShareOfReplicasAndLeaders() {
        List<Partition> orders = roundRobin("orders", 12, 3, List.of(100, 101, 102));
        KafkaSnapshot s = snapshot(Set.of(100, 101, 102, 103), Map.of(), orders, Set.of());
        KafkaDrain.Plan plan = KafkaRebalance.plan(Set.of(103), s);

        assertTrue(plan.planned());
        assertEquals(Map.of(100, 9, 101, 9, 102, 9, 103, 9), KafkaRebalance.replicasPerBroker(plan, s), "36 replicas on 4 brokers");
        assertEquals(Map.of(100, 3, 101, 3, 102, 3, 103, 3), leadsAfter(s, plan), "12 preferred leaderships on 4 brokers");
        assertEquals(9, KafkaRebalance.replicasMoved(plan), "only broker 103's share moves");
        plan.targets().forEach((name, target) -> {
            Set<Integer> added = new TreeSet<>(target);
            added.removeAll(plan.original().get(name));
            assertTrue(Set.of(103).containsAll(added), name + " gains a replica only on 103: " + target);
        });
    }

    @Test
    void aBalancedClusterPlansNothing() {
        List<Partition> orders = roundRobin("orders", 8, 2, List.of(0, 1, 2, 3));
        KafkaDrain.Plan plan = KafkaRebalance.plan(Set.of(3), snapshot(Set.of(0, 1, 2, 3), Map.of(), orders, Set.of()));
        assertTrue(plan.targets().isEmpty());
        assertTrue(plan.original().isEmpty());
    }

    @Test
    void aReplicaOnlyMovesWithinItsRackWhenThePartitionSpansEveryRack() {
        // 100/a, 101/b, 102/c; 103 joins rack a: it may only take the replicas of 100 without losing a rack
        List<Partition> orders = roundRobin("orders", 12, 3, List.of(100, 101, 102));
        KafkaSnapshot s = snapshot(Set.of(100, 101, 102, 103), Map.of(100, "a", 101, "b", 102, "c", 103, "a"), orders, Set.of());
        KafkaDrain.Plan plan = KafkaRebalance.plan(Set.of(103), s);
        assertEquals(Map.of(100, 6, 101, 12, 102, 12, 103, 6), KafkaRebalance.replicasPerBroker(plan, s));
        plan.targets().forEach((name, target) -> assertEquals(Set.of("a", "b", "c"), racksOf(target, s), name));
    }

    @Test
    void aNewRackIsFilledFirst() {
        // RF 2 over racks a and b (100/a, 101/b, 102/a, 103/b); 104 brings rack c: every move to it adds a rack or keeps two
        List<Partition> orders = roundRobin("orders", 10, 2, List.of(100, 101, 102, 103));
        Map<Integer, String> racks = Map.of(100, "a", 101, "b", 102, "a", 103, "b", 104, "c");
        KafkaSnapshot s = snapshot(Set.of(100, 101, 102, 103, 104), racks, orders, Set.of());
        KafkaDrain.Plan plan = KafkaRebalance.plan(Set.of(104), s);
        assertEquals(4, KafkaRebalance.replicasPerBroker(plan, s).get(104), "20 replicas on 5 brokers");
        plan.targets().forEach((name, target) -> assertTrue(racksOf(target, s).size() >= racksOf(plan.original().get(name), s).size(), name));
    }

    @Test
    void partitionsBeingReassignedOrWithAReplicaOnABrokerThatIsDownAreLeftAlone() {
        List<Partition> parts = new ArrayList<>(roundRobin("orders", 6, 2, List.of(0, 1, 2)));
        parts.add(p("parked", 0, 0, 5)); // broker 5 is offline
        KafkaSnapshot s = snapshot(Set.of(0, 1, 2, 3), Map.of(), parts, Set.of("orders-0", "orders-1"));
        KafkaDrain.Plan plan = KafkaRebalance.plan(Set.of(3), s);
        assertFalse(plan.targets().containsKey("orders-0"));
        assertFalse(plan.targets().containsKey("orders-1"));
        assertFalse(plan.targets().containsKey("parked-0"));
        assertTrue(KafkaRebalance.replicasPerBroker(plan, s).get(3) >= 2, plan.toString());
    }

    @Test
    void addedBrokersMustBeLive() {
        KafkaSnapshot s = snapshot(Set.of(0, 1, 2), Map.of(), roundRobin("t", 3, 1, List.of(0, 1, 2)), Set.of());
        assertEquals("brokers [3] are not registered with Kafka: a rebalance plans only onto live brokers",
                assertThrows(IllegalArgumentException.class, () -> KafkaRebalance.plan(Set.of(3), s)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> KafkaRebalance.plan(Set.of(), s));
    }

    @Test
    void progressComparesTheReplicaOrderBecauseAReorderChangesThePreferredLeader() {
        KafkaSnapshot now = snapshot(Set.of(0, 1, 2), Map.of(), List.of(p("t", 0, 0, 1), p("t", 1, 2, 1), p("t", 2, 1, 2)), Set.of("t-2"));
        KafkaDrain.Progress progress = KafkaRebalance.progress(Map.of("t-0", List.of(1, 0), "t-1", List.of(2, 1), "t-2", List.of(2, 0),
                "gone-0", List.of(1)), now);
        assertEquals(2, progress.moved(), "t-1 is there, gone-0 no longer exists");
        assertEquals(List.of("t-0"), progress.toStart(), "same replicas, other order: still to ask");
        assertEquals(List.of("t-2"), progress.inFlight());
        assertEquals("2/4", progress.fraction());
    }

    @Test
    void aPlanIsAlsoADrainShapedPlanThatTheDrainsThrottleCovers() {
        List<Partition> orders = roundRobin("orders", 3, 1, List.of(0));
        KafkaSnapshot s = snapshot(Set.of(0, 1), Map.of(), orders, Set.of());
        KafkaDrain.Plan plan = KafkaRebalance.plan(Set.of(1), s);
        assertEquals(Map.of(0, 2, 1, 1), KafkaRebalance.replicasPerBroker(plan, s));
        KafkaDrain.Throttle throttle = KafkaDrain.throttle(plan.original(), plan.targets());
        assertEquals(Set.of(0, 1), throttle.brokers());
        assertEquals(Map.of("orders", List.of("0:0")), throttle.leaders());
        assertEquals(Map.of("orders", List.of("0:1")), throttle.followers());
        assertEquals("0:2, 1:1", KafkaRebalance.perBroker(KafkaRebalance.replicasPerBroker(plan, s)));
    }

    // ---- properties ------------------------------------------------------------------------------------------

    /** A random cluster after a scale-out: the old brokers hold everything (placed at random), the added ones nothing. */
    private record Shape(KafkaSnapshot snapshot, Set<Integer> added, boolean racks, boolean allMovable, boolean oldBalanced) {
    }

    private static Shape randomShape(Random rnd) {
        int old = 1 + rnd.nextInt(6);
        int addedCount = 1 + rnd.nextInt(3);
        int offset = rnd.nextBoolean() ? 0 : 100;
        List<Integer> oldIds = new ArrayList<>();
        Set<Integer> added = new TreeSet<>();
        for (int i = 0; i < old; i++) {
            oldIds.add(offset + i);
        }
        for (int i = 0; i < addedCount; i++) {
            added.add(offset + old + i);
        }
        Set<Integer> live = new TreeSet<>(oldIds);
        live.addAll(added);
        boolean racks = rnd.nextInt(3) == 0;
        Map<Integer, String> rackOf = new HashMap<>();
        if (racks) {
            int rackCount = 1 + rnd.nextInt(3);
            for (int b : live) {
                if (rnd.nextInt(8) != 0) {
                    rackOf.put(b, "r" + rnd.nextInt(rackCount));
                }
            }
        }
        boolean spread = rnd.nextBoolean(); // round-robin (old brokers balanced) or at random
        List<Partition> parts = new ArrayList<>();
        int topics = 1 + rnd.nextInt(4);
        int start = 0;
        for (int t = 0; t < topics; t++) {
            int partitions = 1 + rnd.nextInt(12);
            int rf = 1 + rnd.nextInt(Math.min(old, 4));
            for (int i = 0; i < partitions; i++) {
                List<Integer> replicas = new ArrayList<>();
                if (spread) {
                    for (int j = 0; j < rf; j++) {
                        replicas.add(oldIds.get((start + j) % old));
                    }
                    start++;
                } else {
                    List<Integer> shuffled = new ArrayList<>(oldIds);
                    Collections.shuffle(shuffled, rnd);
                    replicas.addAll(shuffled.subList(0, rf));
                }
                parts.add(p("topic" + t, i, replicas.toArray(Integer[]::new)));
            }
        }
        Set<String> reassigning = new TreeSet<>();
        boolean allMovable = rnd.nextInt(4) != 0;
        if (!allMovable) {
            parts.stream().filter(x -> rnd.nextInt(5) == 0).forEach(x -> reassigning.add(x.name()));
            if (rnd.nextBoolean()) {
                parts.add(p("parked", 0, oldIds.get(0), offset + 999));
            }
        }
        Map<Integer, Integer> oldLoad = new HashMap<>();
        oldIds.forEach(b -> oldLoad.put(b, 0));
        parts.forEach(x -> x.replicas().forEach(r -> oldLoad.computeIfPresent(r, (b, n) -> n + 1)));
        boolean oldBalanced = java.util.Collections.max(oldLoad.values()) - java.util.Collections.min(oldLoad.values()) <= 1;
        return new Shape(snapshot(live, rackOf, parts, reassigning), added, racks, allMovable, oldBalanced);
    }

    @Test
    void overManyShapesThePlanKeepsEveryRuleAndIsDeterministic() {
        int strictlyBalanced = 0;
        int onlyToAdded = 0;
        for (long seed = 1; seed <= 3000; seed++) {
            Random rnd = new Random(seed);
            Shape shape = randomShape(rnd);
            KafkaSnapshot s = shape.snapshot();
            String where = "seed " + seed + ": " + s;
            KafkaDrain.Plan plan = KafkaRebalance.plan(shape.added(), s);
            assertTrue(plan.planned(), where);

            // deterministic, whatever order Kafka listed the partitions and brokers in
            List<Partition> shuffled = new ArrayList<>(s.partitions());
            Collections.shuffle(shuffled, rnd);
            KafkaSnapshot again = new KafkaSnapshot(shuffled, s.liveBrokers(), s.minInsync(), 1, s.racks(), s.reassigning());
            assertEquals(plan, KafkaRebalance.plan(shape.added(), again), where);

            Map<String, Partition> byName = new HashMap<>();
            s.partitions().forEach(x -> byName.put(x.name(), x));
            for (Map.Entry<String, List<Integer>> e : plan.targets().entrySet()) {
                Partition before = byName.get(e.getKey());
                List<Integer> target = e.getValue();
                assertEquals(before.replicas(), plan.original().get(e.getKey()), where);
                assertTrue(!before.replicas().equals(target), "only changed partitions are in the plan; " + where);
                assertEquals(before.replicas().size(), target.size(), "replication factor kept; " + where);
                assertEquals(target.size(), new HashSet<>(target).size(), "distinct replicas; " + where);
                assertTrue(s.liveBrokers().containsAll(target), "only live brokers; " + where);
                assertFalse(s.reassigning().contains(e.getKey()), "a partition being reassigned is left alone; " + where);
                assertTrue(s.liveBrokers().containsAll(before.replicas()), "a partition with a replica off-line is left alone; " + where);
                if (shape.racks()) {
                    assertTrue(racksOf(target, s).size() >= racksOf(before.replicas(), s).size(), "rack spread kept; " + where);
                }
            }

            Map<Integer, Integer> load = KafkaRebalance.replicasPerBroker(plan, s);
            Map<Integer, Integer> leads = leadsAfter(s, plan);
            int total = load.values().stream().mapToInt(Integer::intValue).sum();
            int n = load.size();
            if (!shape.racks() && shape.allMovable()) {
                // without racks, two brokers two apart always have a replica to pass: the plan reaches the bound
                int lo = total / n;
                int hi = (total + n - 1) / n;
                load.forEach((b, c) -> assertTrue(c >= lo && c <= hi, "broker " + b + " hosts " + c + ", not within one of "
                        + total + "/" + n + "; " + load + "; " + where));
                strictlyBalanced++;
            }
            // no single move of a movable replica could improve the replica counts any more (this holds with racks too)
            assertNoImprovingMove(s, plan, load, where);
            // no swap of places in a movable partition could spread the preferred leaders more
            assertNoImprovingReorder(s, plan, leads, where);
            if (shape.oldBalanced() && !shape.racks()) {
                // old brokers were balanced among themselves: replicas only move to the added brokers
                for (Map.Entry<String, List<Integer>> e : plan.targets().entrySet()) {
                    Set<Integer> gained = new TreeSet<>(e.getValue());
                    gained.removeAll(plan.original().get(e.getKey()));
                    assertTrue(shape.added().containsAll(gained), e.getKey() + " gains " + gained + "; " + where);
                }
                onlyToAdded++;
            }
        }
        assertTrue(strictlyBalanced > 1000, "enough shapes without racks: " + strictlyBalanced);
        assertTrue(onlyToAdded > 500, "enough shapes with balanced old brokers: " + onlyToAdded);
    }

    private static boolean movable(KafkaSnapshot s, Partition x) {
        return !s.reassigning().contains(x.name()) && s.liveBrokers().containsAll(x.replicas());
    }

    private static void assertNoImprovingMove(KafkaSnapshot s, KafkaDrain.Plan plan, Map<Integer, Integer> load, String where) {
        for (Partition x : s.partitions()) {
            if (!movable(s, x)) {
                continue;
            }
            List<Integer> list = plan.targets().getOrDefault(x.name(), x.replicas());
            for (int donor : list) {
                for (int receiver : load.keySet()) {
                    if (list.contains(receiver) || load.get(donor) - load.get(receiver) < 2) {
                        continue;
                    }
                    List<Integer> after = new ArrayList<>(list);
                    after.set(after.indexOf(donor), receiver);
                    boolean rackOk = s.racks().isEmpty() || racksOf(after, s).size() >= racksOf(list, s).size();
                    assertFalse(rackOk, x.name() + " could still move from " + donor + " (" + load.get(donor) + ") to " + receiver + " ("
                            + load.get(receiver) + "); " + where);
                }
            }
        }
    }

    private static void assertNoImprovingReorder(KafkaSnapshot s, KafkaDrain.Plan plan, Map<Integer, Integer> leads, String where) {
        for (Partition x : s.partitions()) {
            if (!movable(s, x)) {
                continue;
            }
            List<Integer> list = plan.targets().getOrDefault(x.name(), x.replicas());
            int leader = list.get(0);
            for (int other : list) {
                assertTrue(leads.get(leader) - leads.get(other) < 2, x.name() + " led by " + leader + " (" + leads.get(leader) + ") could be led by "
                        + other + " (" + leads.get(other) + "); " + where);
            }
        }
    }

    private static Set<String> racksOf(List<Integer> brokers, KafkaSnapshot s) {
        Set<String> racks = new HashSet<>();
        brokers.forEach(b -> racks.add(s.racks().getOrDefault(b, "node-" + b)));
        return racks;
    }
}
