package dev.ordinal.core;

import static dev.ordinal.core.KafkaPartitions.p;
import static dev.ordinal.core.KafkaPartitions.roundRobin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ordinal.core.KafkaSnapshot.Partition;
import dev.ordinal.core.ScaleInGuard.Broker;

/**
 * The drain planner of brokers removed for good (docs/kafka-drain.md, issue #28): replication factor kept, nothing
 * placed on a departing broker, a balanced and rack-aware placement, and a refusal when too few brokers stay.
 */
class KafkaDrainTest {
    private static final Broker GONE103 = new Broker("kafka-broker-3", 103);
    private static final Broker GONE104 = new Broker("kafka-broker-4", 104);

    private static KafkaSnapshot snapshot(Set<Integer> live, Map<Integer, String> racks, List<Partition> partitions) {
        return new KafkaSnapshot(partitions, live, Map.of(), 1, racks, Set.of());
    }

    /** Replicas per broker once the plan is carried out. */
    private static Map<Integer, Integer> loadAfter(KafkaSnapshot s, KafkaDrain.Plan plan) {
        Map<Integer, Integer> load = new HashMap<>();
        for (Partition p : s.partitions()) {
            plan.targets().getOrDefault(p.name(), p.replicas()).forEach(r -> load.merge(r, 1, Integer::sum));
        }
        return load;
    }

    private static void assertKeepsFactorAndDistinct(KafkaSnapshot s, KafkaDrain.Plan plan, Set<Integer> gone) {
        plan.targets().forEach((name, target) -> {
            Partition before = s.partition(name);
            assertEquals(before.replicas().size(), target.size(), name + " keeps its replication factor");
            assertEquals(target.size(), new HashSet<>(target).size(), name + " has distinct replicas: " + target);
            assertTrue(target.stream().noneMatch(gone::contains), name + " lands on no departing broker: " + target);
            for (int i = 0; i < target.size(); i++) {
                if (!gone.contains(before.replicas().get(i))) {
                    assertEquals(before.replicas().get(i), target.get(i), name + ": a replica that stays keeps its place");
                }
            }
        });
    }

    @Test
    void oneBrokerIsDrainedEvenlyOverTheRest() {
        List<Integer> brokers = List.of(100, 101, 102, 103);
        KafkaSnapshot s = snapshot(Set.copyOf(brokers), Map.of(), roundRobin("orders", 12, 2, brokers));
        KafkaDrain.Plan plan = KafkaDrain.plan(List.of(GONE103), s);
        assertTrue(plan.planned());
        assertEquals(6, plan.targets().size(), "every partition with a replica on 103 moves, and only those");
        assertKeepsFactorAndDistinct(s, plan, Set.of(103));
        Map<Integer, Integer> load = loadAfter(s, plan);
        assertEquals(Map.of(100, 8, 101, 8, 102, 8), load, "24 replicas over 3 brokers: 8 each");
        assertEquals(plan.original().keySet(), plan.targets().keySet());
        plan.original().forEach((name, replicas) -> assertEquals(s.partition(name).replicas(), replicas));
    }

    @Test
    void theMovedReplicasGoToTheLeastLoadedBrokers() {
        // 100 already carries more than the others: the drain fills 101 and 102 first (it places only what moves).
        List<Partition> partitions = List.of(p("heavy", 0, 100), p("heavy", 1, 100), p("heavy", 2, 100),
                p("orders", 0, 103), p("orders", 1, 103), p("orders", 2, 103, 101), p("orders", 3, 103), p("orders", 4, 102, 103));
        KafkaSnapshot s = snapshot(Set.of(100, 101, 102, 103), Map.of(), partitions);
        KafkaDrain.Plan plan = KafkaDrain.plan(List.of(GONE103), s);
        assertKeepsFactorAndDistinct(s, plan, Set.of(103));
        // Before: 100 has 3 replicas, 101 and 102 one each. In topic-partition order: orders-0 → 101 (tied on replicas,
        // fewer preferred leaderships than 102), orders-1 → 102, orders-2 (already on 101) → 102, orders-3 → 101,
        // orders-4 (already on 102): 100 and 101 both have 3, the lower id wins.
        assertEquals(Map.of("orders-0", List.of(101), "orders-1", List.of(102), "orders-2", List.of(102, 101),
                "orders-3", List.of(101), "orders-4", List.of(102, 100)), plan.targets());
        assertEquals(Map.of(100, 4, 101, 3, 102, 3), loadAfter(s, plan), "the busiest broker received one, last");
    }

    @Test
    void theSameSnapshotGivesTheSamePlan() {
        List<Integer> brokers = List.of(100, 101, 102, 103, 104);
        KafkaSnapshot s = snapshot(Set.copyOf(brokers), Map.of(), roundRobin("orders", 20, 3, brokers));
        assertEquals(KafkaDrain.plan(List.of(GONE103, GONE104), s), KafkaDrain.plan(List.of(GONE104, GONE103), s));
    }

    @Test
    void severalBrokersArePlannedTogetherSoNothingLandsOnABrokerAboutToLeave() {
        List<Integer> brokers = List.of(100, 101, 102, 103, 104);
        KafkaSnapshot s = snapshot(Set.copyOf(brokers), Map.of(), roundRobin("orders", 10, 3, brokers));
        KafkaDrain.Plan plan = KafkaDrain.plan(List.of(GONE103, GONE104), s);
        assertTrue(plan.planned());
        assertKeepsFactorAndDistinct(s, plan, Set.of(103, 104));
        assertEquals(Map.of(100, 10, 101, 10, 102, 10), loadAfter(s, plan));
        // a partition on both 103 and 104 gets two new replicas
        assertEquals(Set.of(100, 101, 102), Set.copyOf(plan.targets().get("orders-2")), "orders-2 was 102, 103, 104");
        assertEquals(102, plan.targets().get("orders-2").get(0), "the replica that stays keeps first place");
    }

    @Test
    void racksAreSpreadWhenBrokersSetBrokerRack() {
        Map<Integer, String> racks = Map.of(100, "a", 101, "a", 102, "b", 103, "b", 104, "c", 105, "c");
        // 101 (rack a) is the least loaded broker, but the partition already has a replica in rack a: 104 (rack c) wins.
        List<Partition> partitions = List.of(p("orders", 0, 100, 102, 105), p("x", 0, 104), p("x", 1, 104), p("x", 2, 104),
                p("y", 0, 103));
        KafkaSnapshot s = snapshot(racks.keySet(), racks, partitions);
        KafkaDrain.Plan plan = KafkaDrain.plan(List.of(new Broker("kafka-broker-5", 105)), s);
        assertEquals(List.of(100, 102, 104), plan.targets().get("orders-0"), "the only rack the partition lacks is c");

        KafkaSnapshot noRacks = snapshot(racks.keySet(), Map.of(), partitions);
        assertEquals(List.of(100, 102, 101), KafkaDrain.plan(List.of(new Broker("kafka-broker-5", 105)), noRacks).targets().get("orders-0"),
                "without broker.rack the least loaded broker that is not a replica yet");
    }

    @Test
    void withEveryRackTakenTheDepartingBrokersRackIsKept() {
        Map<Integer, String> racks = Map.of(100, "a", 101, "a", 102, "b", 103, "b");
        KafkaSnapshot s = snapshot(racks.keySet(), racks, List.of(p("orders", 0, 100, 103), p("x", 0, 102), p("x", 1, 102)));
        // 101 is less loaded than 102, but 102 is in the rack of 103 (b) and the partition's other replica is in a.
        assertEquals(List.of(100, 102), KafkaDrain.plan(List.of(GONE103), s).targets().get("orders-0"));
    }

    @Test
    void refusedWhenFewerBrokersStayThanTheHighestReplicationFactor() {
        KafkaSnapshot s = snapshot(Set.of(100, 101, 102, 103), Map.of(),
                List.of(p("orders", 0, 100, 101, 103), p("orders", 1, 101, 102, 103), p("audit", 0, 100, 101, 102, 103)));
        KafkaDrain.Plan plan = KafkaDrain.plan(List.of(GONE103), s);
        assertFalse(plan.planned());
        assertTrue(plan.targets().isEmpty());
        assertEquals("cannot drain kafka-broker-3 (node 103): 3 brokers would remain (100, 101, 102) but topic audit has"
                + " replication factor 4 (e.g. audit-0); remove fewer brokers, or lower the replication factor of such topics first",
                plan.refusal());
        KafkaDrain.Plan three = KafkaDrain.plan(List.of(GONE103), snapshot(Set.of(100, 101, 102, 103), Map.of(),
                List.of(p("orders", 0, 100, 101, 103))));
        assertTrue(three.planned(), "RF 3 on the 3 brokers that stay fits");
    }

    @Test
    void aBrokerThatIsNotLiveIsNoTarget() {
        // 102 is registered nowhere live (down): it is no candidate, so RF 3 cannot be kept on 100 and 101.
        KafkaSnapshot s = snapshot(Set.of(100, 101, 103), Map.of(), List.of(p("orders", 0, 100, 101, 103)));
        KafkaDrain.Plan plan = KafkaDrain.plan(List.of(GONE103), s);
        assertEquals("cannot drain kafka-broker-3 (node 103): 2 brokers would remain (100, 101) but topic orders has replication"
                + " factor 3 (e.g. orders-0); remove fewer brokers, or lower the replication factor of such topics first", plan.refusal());
    }

    @Test
    void aBrokerThatHostsNothingHasAnEmptyPlan() {
        KafkaDrain.Plan plan = KafkaDrain.plan(List.of(GONE103), snapshot(Set.of(100, 101, 103), Map.of(), List.of(p("orders", 0, 100, 101))));
        assertTrue(plan.planned());
        assertTrue(plan.targets().isEmpty());
        assertNull(plan.refusal());
        assertThrows(IllegalArgumentException.class, () -> KafkaDrain.plan(List.of(), snapshot(Set.of(100), Map.of(), List.of())));
    }

    @Test
    void progressCountsMovedPartitionsAndNamesTheOnesToAskFor() {
        Map<String, List<Integer>> targets = Map.of("orders-0", List.of(100, 101), "orders-1", List.of(101, 102),
                "orders-2", List.of(102, 100), "gone-0", List.of(100, 101));
        KafkaSnapshot s = new KafkaSnapshot(List.of(p("orders", 0, 101, 100), p("orders", 1, 101, 103), p("orders", 2, 102, 103, 100)),
                Set.of(100, 101, 102, 103), Map.of(), 1, Map.of(), Set.of("orders-2"));
        KafkaDrain.Progress progress = KafkaDrain.progress(targets, s);
        assertEquals(2, progress.moved(), "orders-0 (same replicas in another order) and gone-0 (topic deleted)");
        assertEquals(4, progress.total());
        assertEquals(List.of("orders-1"), progress.toStart());
        assertEquals(List.of("orders-2"), progress.inFlight());
        assertEquals("2/4", progress.fraction());
        assertFalse(progress.done());
        assertTrue(KafkaDrain.progress(Map.of("orders-0", List.of(100, 101)), s).done());
    }

    @Test
    void theThrottleCoversTheSendersAndTheReceivers() {
        KafkaDrain.Throttle t = KafkaDrain.throttle(Map.of("orders-0", List.of(100, 103), "my-topic-2", List.of(103, 101)),
                Map.of("orders-0", List.of(100, 102), "my-topic-2", List.of(100, 101)));
        assertEquals(Set.of(100, 101, 102, 103), t.brokers());
        assertEquals(Map.of("orders", List.of("0:100", "0:103"), "my-topic", List.of("2:103", "2:101")), t.leaders());
        assertEquals(Map.of("orders", List.of("0:102"), "my-topic", List.of("2:100")), t.followers());
    }

    @Test
    void aBrokerTakenOfflineByTheSameOpsIsNoTarget() {
        // review of #28: replicas drained onto a broker that goes offline in the same ops would be under-replicated at once
        KafkaSnapshot s = snapshot(Set.of(100, 101, 102, 103, 104), Map.of(), roundRobin("orders", 10, 2, List.of(100, 101, 102, 103)));
        KafkaDrain.Plan plan = KafkaDrain.plan(List.of(GONE103), Set.of(104), s);
        assertTrue(plan.planned());
        plan.targets().values().forEach(t -> assertFalse(t.contains(104) || t.contains(103), t.toString()));
        assertTrue(KafkaDrain.plan(List.of(GONE103), s).targets().values().stream().anyMatch(t -> t.contains(104)),
                "without it, 104 (empty) would take replicas");
    }

    @Test
    void someoneElsesReassignmentOnADepartingBrokerIsNamedAndOnlyTheDrainsOwnMovesAreCancelled() {
        // KAFKA-10125: during a reassignment Kafka reports old and new replicas together; a plan made from that list
        // would raise the replication factor, and a cancel of "every partition in flight" would cancel the user's move
        Partition users = new Partition("orders", 0, List.of(101, 102, 104, 103), List.of(101, 102, 103), 101);
        Partition plain = p("orders", 1, 103, 100, 101);
        KafkaSnapshot s = new KafkaSnapshot(List.of(users, plain), Set.of(100, 101, 102, 103, 104), Map.of(), 1, Map.of(),
                Set.of("orders-0"));
        assertEquals(List.of("orders-0"), KafkaDrain.othersMoving(Set.of(103), s));
        assertEquals(List.of(), KafkaDrain.othersMoving(Set.of(100), s), "a move that does not touch the departing broker does not matter");

        Map<String, List<Integer>> original = Map.of("orders-0", List.of(101, 102, 103), "orders-1", List.of(103, 100, 101));
        Map<String, List<Integer>> targets = Map.of("orders-0", List.of(101, 102, 100), "orders-1", List.of(102, 100, 101));
        Partition ours = new Partition("orders", 1, List.of(102, 100, 101, 103), List.of(100, 101, 103), 100);
        KafkaSnapshot both = new KafkaSnapshot(List.of(users, ours), s.liveBrokers(), Map.of(), 1, Map.of(), Set.of("orders-0", "orders-1"));
        assertEquals(List.of("orders-0", "orders-1"), KafkaDrain.progress(targets, both).inFlight());
        assertEquals(Set.of("orders-1"), KafkaDrain.ownInFlight(original, targets, both),
                "orders-0 moves to 104, not to the plan's 100: not the drain's to cancel");
    }

    @Test
    void theBrokerRatesOfTheThrottleGoOnlyToLiveBrokers() {
        KafkaDrain.Throttle t = KafkaDrain.throttle(Map.of("orders-0", List.of(103, 100, 101)), Map.of("orders-0", List.of(102, 100, 101)));
        assertEquals(Set.of(100, 101, 102, 103), t.brokers());
        KafkaDrain.Throttle live = t.on(Set.of(100, 101, 102));
        assertEquals(Set.of(100, 101, 102), live.brokers(), "103 is down: naming it would time the whole call out");
        assertEquals(t.leaders(), live.leaders());
        assertEquals(t.followers(), live.followers());
    }

    @Test
    void theThrottleNamesOnlyTopicsThatStillExist() {
        // review of #28: Kafka refuses a config change of a deleted topic, so one topic deleted mid-drain failed every
        // step and the cancel for good
        KafkaDrain.Throttle t = KafkaDrain.throttle(Map.of("orders-0", List.of(103, 100), "gone-0", List.of(103, 101)),
                Map.of("orders-0", List.of(102, 100), "gone-0", List.of(102, 101)));
        KafkaSnapshot now = snapshot(Set.of(100, 101, 102), Map.of(), List.of(p("orders", 0, 102, 100)));
        KafkaDrain.Throttle within = t.within(now);
        assertEquals(Set.of("orders"), within.leaders().keySet());
        assertEquals(Set.of("orders"), within.followers().keySet());
        assertEquals(Set.of(100, 101, 102), within.brokers(), "103 is not live");
    }
}
