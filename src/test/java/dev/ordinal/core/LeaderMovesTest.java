package dev.ordinal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ordinal.core.KafkaSnapshot.Partition;
import dev.ordinal.core.LeaderMoves.Move;

/** Leadership off a broker going offline and back when it returns (docs/kafka-broker-offline.md, issue #28). */
class LeaderMovesTest {
    private static final Set<Integer> LIVE = Set.of(100, 101, 102);

    private static KafkaSnapshot s(Set<Integer> live, Partition... partitions) {
        return new KafkaSnapshot(List.of(partitions), live, Map.of(), 1);
    }

    @Test
    void aPartitionPreferringTheDepartingBrokerGetsAnInSyncBrokerThatStaysFirst() {
        KafkaSnapshot snap = s(LIVE, new Partition("orders", 0, List.of(102, 100, 101), List.of(101, 102), 102),
                new Partition("orders", 1, List.of(100, 102, 101), List.of(100, 101, 102), 100),
                new Partition("orders", 2, List.of(101, 100, 102), List.of(100, 101, 102), 102));
        assertEquals(List.of(new Move("orders-0", List.of(102, 100, 101), List.of(101, 102, 100))), LeaderMoves.away(Set.of(102), snap),
                "100 is out of sync, so 101 leads; orders-1 does not prefer 102; orders-2 prefers 101, which is in sync");
        var step = LeaderMoves.awayStep(Set.of(102), snap);
        assertEquals(Map.of("orders-0", List.of(101, 102, 100)), step.reorder());
        assertEquals(Set.of("orders-0", "orders-2"), step.elect(), "orders-2 is led by 102: a preferred election moves it to 101");
        assertEquals(List.of("orders-0", "orders-2"), LeaderMoves.ledBy(Set.of(102), snap));
    }

    @Test
    void severalDepartingBrokersAndAPartitionThatCannotHandOver() {
        KafkaSnapshot snap = s(LIVE, new Partition("a", 0, List.of(101, 102, 100), List.of(100, 101, 102), 101),
                new Partition("solo", 0, List.of(102), List.of(102), 102));
        assertEquals(List.of(new Move("a-0", List.of(101, 102, 100), List.of(100, 101, 102))),
                LeaderMoves.away(Set.of(101, 102), snap), "solo-0 has nobody to hand over to and is left alone");
        assertEquals(Set.of("a-0"), LeaderMoves.awayStep(Set.of(101, 102), snap).elect());
    }

    @Test
    void aLeaderOnTheDepartingBrokerWhosePreferredIsBehindGetsANewOrderToo() {
        KafkaSnapshot snap = s(LIVE, new Partition("x", 0, List.of(100, 102, 101), List.of(101, 102), 102));
        assertEquals(List.of(new Move("x-0", List.of(100, 102, 101), List.of(101, 100, 102))), LeaderMoves.away(Set.of(102), snap));
    }

    @Test
    void onceMovedNothingIsLeftToDo() {
        KafkaSnapshot snap = s(LIVE, new Partition("orders", 0, List.of(101, 102, 100), List.of(100, 101, 102), 101));
        assertTrue(LeaderMoves.awayStep(Set.of(102), snap).isEmpty());
        assertEquals(List.of(), LeaderMoves.ledBy(Set.of(102), snap));
    }

    @Test
    void theOriginalOrderComesBackOnlyOnceItsPreferredLeaderIsInSync() {
        Map<String, List<Integer>> recorded = Map.of("orders-0", List.of(102, 100, 101));
        KafkaSnapshot catching = s(LIVE, new Partition("orders", 0, List.of(101, 102, 100), List.of(100, 101), 101));
        var waiting = LeaderMoves.back(recorded, catching);
        assertFalse(waiting.isDone());
        assertTrue(waiting.step().isEmpty());
        assertEquals(List.of("orders-0 (ISR 100, 101 of 101, 102, 100)"), waiting.catchingUp());

        KafkaSnapshot caughtUp = s(LIVE, new Partition("orders", 0, List.of(101, 102, 100), List.of(100, 101, 102), 101));
        var restore = LeaderMoves.back(recorded, caughtUp);
        assertEquals(Map.of("orders-0", List.of(102, 100, 101)), restore.step().reorder());
        assertEquals(Set.of("orders-0"), restore.step().elect());

        KafkaSnapshot reordered = s(LIVE, new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 101));
        var elect = LeaderMoves.back(recorded, reordered);
        assertEquals(Map.of(), elect.step().reorder());
        assertEquals(Set.of("orders-0"), elect.step().elect(), "the order is back; the leader is not yet");
        assertFalse(elect.isDone());

        KafkaSnapshot done = s(LIVE, new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 102));
        assertTrue(LeaderMoves.back(recorded, done).isDone());
    }

    @Test
    void anotherReplicaStillOfflineDoesNotHoldTheRestoreOfThePreferredLeader() {
        // 102 is back and in sync; 101 went offline through another ops meanwhile (min.insync.replicas 1 allowed it)
        Map<String, List<Integer>> recorded = Map.of("orders-0", List.of(102, 100, 101));
        KafkaSnapshot back = s(Set.of(100, 102), new Partition("orders", 0, List.of(100, 102, 101), List.of(100, 102), 100));
        var restore = LeaderMoves.back(recorded, back);
        assertEquals(List.of(), restore.catchingUp());
        assertEquals(Map.of("orders-0", List.of(102, 100, 101)), restore.step().reorder());
        assertEquals(Set.of("orders-0"), restore.step().elect());
    }

    @Test
    void aPartitionSomeoneElseReassignedOrDeletedIsLeftAlone() {
        Map<String, List<Integer>> recorded = Map.of("orders-0", List.of(102, 100, 101), "gone-0", List.of(102, 100));
        KafkaSnapshot snap = s(Set.of(100, 101, 102, 103), new Partition("orders", 0, List.of(101, 103, 100), List.of(100, 101, 103), 101));
        var restore = LeaderMoves.back(recorded, snap);
        assertTrue(restore.isDone());
        assertEquals(List.of("gone-0", "orders-0"), restore.changed());
    }

    @Test
    void aPartitionWithAReassignmentInProgressIsNeverGivenANewOrderOnlyAnElection() {
        // review of #28: writing a reorder over a running reassignment would replace its target (a user's move of
        // orders-0 from 102 to 103 would be cancelled and turned into a reorder of the old replicas)
        Partition moving = new Partition("orders", 0, List.of(102, 100, 101, 103), List.of(100, 101, 102), 102);
        Partition ledBy102 = new Partition("orders", 1, List.of(100, 102, 101), List.of(100, 101, 102), 102);
        Partition prefers102 = new Partition("orders", 2, List.of(102, 101, 100), List.of(100, 101, 102), 102);
        KafkaSnapshot snap = new KafkaSnapshot(List.of(moving, ledBy102, prefers102), Set.of(100, 101, 102, 103), Map.of(), 1, Map.of(),
                Set.of("orders-0", "orders-1"));
        assertEquals(List.of(new Move("orders-2", List.of(102, 101, 100), List.of(101, 102, 100))), LeaderMoves.away(Set.of(102), snap),
                "only the partition without a reassignment gets a new order");
        var step = LeaderMoves.awayStep(Set.of(102), snap);
        assertEquals(Set.of("orders-2"), step.reorder().keySet());
        assertEquals(Set.of("orders-1", "orders-2"), step.elect(),
                "orders-1 prefers 100, in sync and staying: an election moves its leadership without touching its replicas");
    }

    @Test
    void aRestoreWaitsForAReorderInProgressAndLeavesAMoveOfOtherReplicasAlone() {
        Map<String, List<Integer>> recorded = Map.of("orders-0", List.of(102, 100, 101), "orders-1", List.of(102, 101, 100));
        KafkaSnapshot snap = new KafkaSnapshot(List.of(new Partition("orders", 0, List.of(100, 102, 101), List.of(100, 101, 102), 100),
                new Partition("orders", 1, List.of(101, 102, 100, 103), List.of(100, 101, 102), 101)), Set.of(100, 101, 102, 103), Map.of(), 1,
                Map.of(), Set.of("orders-0", "orders-1"));
        var restore = LeaderMoves.back(recorded, snap);
        assertFalse(restore.isDone());
        assertTrue(restore.step().isEmpty(), "nothing is written over a reassignment in progress");
        assertEquals(List.of("orders-0 (reassignment in progress)"), restore.catchingUp());
        assertEquals(List.of("orders-1"), restore.changed(), "a move to other brokers is someone else's: left as it is");
    }

    @Test
    void theRestoreWritesOnlyOverTheOrderItsMoveLeftNeverOverOneSetSince() {
        // review of #28: [102, 101, 100, 103]; broker 102 offline → [101, 102, 100, 103] (record A); broker 101 offline
        // → [100, 101, 102, 103] (record B, whose "original" is A's moved order). Back in the order 102, then 101: A
        // must not write its original over B's move, or B's restore would then leave 101 leading instead of 102.
        Set<Integer> all = Set.of(100, 101, 102, 103);
        Map<String, List<Integer>> originalA = Map.of("t-0", List.of(102, 101, 100, 103));
        Map<String, List<Integer>> movedA = Map.of("t-0", List.of(101, 102, 100, 103));
        KafkaSnapshot afterB = s(all, new Partition("t", 0, List.of(100, 101, 102, 103), List.of(100, 101, 102, 103), 100));
        var a = LeaderMoves.back(originalA, movedA, afterB);
        assertTrue(a.step().isEmpty());
        assertEquals(List.of("t-0"), a.changed(), "someone else's order since: left alone and named");
        assertEquals(Map.of("t-0", List.of(102, 101, 100, 103)), LeaderMoves.back(originalA, afterB).step().reorder(),
                "without the moved order, the original would be written over B's move");
        KafkaSnapshot afterA = s(all, new Partition("t", 0, List.of(101, 102, 100, 103), List.of(100, 101, 102, 103), 101));
        assertEquals(Map.of("t-0", List.of(102, 101, 100, 103)), LeaderMoves.back(originalA, movedA, afterA).step().reorder(),
                "over its own move it writes");
    }
}
