package dev.ordinal.controller.ops;

import static dev.ordinal.controller.ops.OpsFixtures.SETTINGS;
import static dev.ordinal.controller.ops.OpsFixtures.T0;
import static dev.ordinal.controller.ops.OpsFixtures.after;
import static dev.ordinal.controller.ops.OpsFixtures.cluster;
import static dev.ordinal.controller.ops.OpsFixtures.offline;
import static dev.ordinal.controller.ops.OpsFixtures.ops;
import static dev.ordinal.controller.ops.OpsFixtures.readyPods;
import static dev.ordinal.controller.ops.OpsFixtures.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.HorizontalScaling;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.ops.OpsDecision.Advance;
import dev.ordinal.controller.ops.OpsDecision.Apply;
import dev.ordinal.controller.ops.OpsDecision.Event;
import dev.ordinal.controller.ops.OpsDecision.Finish;
import dev.ordinal.controller.ops.OpsDecision.MoveLeaders;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.core.KafkaSnapshot;
import dev.ordinal.core.KafkaSnapshot.Partition;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.vocabulary.OpsPhase;

/**
 * Leadership around a broker taken offline, decided on a fixed clock against a Kafka that is a value
 * (docs/kafka-broker-offline.md, issue #28): recorded in the ops' status before Kafka is changed (so a restarted
 * operator decides the same), moved, then restored by the ops that brings the broker back once it is in sync.
 */
class LeadershipStepsTest {
    private static final Set<Integer> LIVE = Set.of(100, 101, 102);

    /** A Kafka guarded with nodeIdOffset 100 whose answer the test sets. */
    private static final class FakeKafka implements OpsInputs.Guard {
        KafkaSnapshot snapshot;

        FakeKafka(Partition... partitions) {
            set(partitions);
        }

        void set(Partition... partitions) {
            snapshot = new KafkaSnapshot(List.of(partitions), LIVE, Map.of(), 2);
        }

        @Override
        public Map<String, ScaleInGuard.Verdict> judge(Cluster cluster, Map<String, ScalingPlan> plans, boolean force) {
            return plans.isEmpty() || plans.get("broker").podsToDelete().isEmpty() ? Map.of()
                    : Map.of("broker", ScaleInGuard.judge(ScaleInGuard.departing(plans.get("broker"), 100), snapshot));
        }

        @Override
        public Optional<OpsInputs.KafkaLook> look(Cluster cluster, String component) {
            return Optional.of(new OpsInputs.KafkaLook(snapshot, 100, null));
        }
    }

    private static OpsInputs in(OpsRequest ops, Cluster cluster, FakeKafka kafka, List<OpsRequest> peers, int... ready) {
        return new OpsInputs(ops, cluster, readyPods(ready), peers, kafka, true, SETTINGS, null);
    }

    /** The offline ops of broker 2, fed its own status back step by step until it is Running. */
    private static OpsRequest offlineUntilStarted(FakeKafka kafka) {
        OpsRequest ops = ops("offline-2", offline("kafka-broker-2"));
        Wait recorded = (Wait) OpsDecider.decide(in(ops, cluster(3, "Running"), kafka, List.of(), 0, 1, 2), after(Duration.ZERO));
        MoveLeaders move = (MoveLeaders) OpsDecider.decide(in(with(ops, recorded.status()), cluster(3, "Running"), kafka, List.of(), 0, 1, 2),
                after(Duration.ofMillis(100)));
        move.then().apply(null);
        kafka.set(new Partition("orders", 0, List.of(100, 102, 101), List.of(100, 101, 102), 100),
                new Partition("orders", 1, List.of(101, 100, 102), List.of(100, 101, 102), 101));
        Advance creating = (Advance) OpsDecider.decide(in(ops, cluster(3, "Running"), kafka, List.of(), 0, 1, 2), after(Duration.ofSeconds(1)));
        return with(ops, creating.status());
    }

    @Test
    void theOriginalOrderIsRecordedBeforeKafkaIsChangedThenLeadershipMovesThenTheOpsStarts() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 102),
                new Partition("orders", 1, List.of(101, 100, 102), List.of(100, 101, 102), 102));
        OpsRequest ops = ops("offline-2", offline("kafka-broker-2"));

        Wait recorded = assertInstanceOf(Wait.class, OpsDecider.decide(in(ops, cluster(3, "Running"), kafka, List.of(), 0, 1, 2),
                after(Duration.ZERO)), "nothing is asked of Kafka before the status holds the original order");
        var condition = Conditions.find(recorded.status().conditions, "WaitForProgressing");
        assertEquals("LeadershipMoving", condition.reason);
        assertEquals("moving leadership off kafka-broker-2 (node 102) before it goes: new replica order for orders-0; preferred leader"
                + " election of orders-0, orders-1", condition.message);
        var record = recorded.status().kafkaLeadership.get("broker");
        assertEquals(Map.of("orders-0", List.of(102, 100, 101)), record.originalReplicas, "orders-1 keeps its order: 101 leads it");
        assertEquals(Map.of("orders-0", List.of(100, 102, 101)), record.movedReplicas, "the order about to be written, for the restore");
        assertEquals(List.of("kafka-broker-2"), record.instances);
        assertEquals(T0.toString(), record.movedAt);
        assertEquals(Duration.ofMillis(100), recorded.recheck());
        assertEquals("Pending", recorded.status().phase);
        assertNull(ops.getStatus(), "the observed ops is never changed");

        // Each later decision comes from the status alone: a restarted operator takes the same step.
        OpsRequest withRecord = with(ops, recorded.status());
        MoveLeaders move = assertInstanceOf(MoveLeaders.class, OpsDecider.decide(in(withRecord, cluster(3, "Running"), kafka, List.of(),
                0, 1, 2), after(Duration.ofSeconds(1))));
        assertEquals("broker", move.component());
        assertEquals(Map.of("orders-0", List.of(100, 102, 101)), move.step().reorder());
        assertEquals(Set.of("orders-0", "orders-1"), move.step().elect());
        Wait moving = assertInstanceOf(Wait.class, move.then().apply(null));
        assertEquals(Duration.ofSeconds(1), moving.recheck());
        assertEquals(record.originalReplicas, moving.status().kafkaLeadership.get("broker").originalReplicas,
                "the record is kept as it was: the moved order is never taken for the original");
        Wait refused = assertInstanceOf(Wait.class, move.then().apply("Kafka at k:9092 did not take the step (TimeoutException)"));
        assertTrue(Conditions.find(refused.status().conditions, "WaitForProgressing").message.endsWith("; Kafka at k:9092 did not take"
                + " the step (TimeoutException)"));

        // Kafka did it: the ops starts, with both Events, and keeps the record.
        kafka.set(new Partition("orders", 0, List.of(100, 102, 101), List.of(100, 101, 102), 100),
                new Partition("orders", 1, List.of(101, 100, 102), List.of(100, 101, 102), 101));
        Advance creating = assertInstanceOf(Advance.class, OpsDecider.decide(in(withRecord, cluster(3, "Running"), kafka, List.of(),
                0, 1, 2), after(Duration.ofSeconds(2))));
        assertEquals(OpsPhase.CREATING, creating.phase());
        assertEquals(List.of(new Event(false, "ScaleInSafe", "kafka-broker-2 (node 102) may go offline: each of the 2 partitions it"
                + " hosts keeps at least min.insync.replicas in-sync replicas on the brokers that stay"),
                new Event(false, "LeadershipMoved", "leadership moved off kafka-broker-2 (node 102): the replica order of 1 partition"
                        + " changed (status.kafkaLeadership), to be restored when it is back online")), creating.notes().events());
        assertEquals(record.originalReplicas, creating.status().kafkaLeadership.get("broker").originalReplicas);
    }

    @Test
    void leadershipThatDoesNotMoveWithin60sLetsThePodGoWithAWarning() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 102));
        OpsRequest ops = ops("offline-2", offline("kafka-broker-2"));
        Wait recorded = (Wait) OpsDecider.decide(in(ops, cluster(3, "Running"), kafka, List.of(), 0, 1, 2), after(Duration.ZERO));
        OpsRequest withRecord = with(ops, recorded.status());
        assertInstanceOf(MoveLeaders.class, OpsDecider.decide(in(withRecord, cluster(3, "Running"), kafka, List.of(), 0, 1, 2),
                after(Duration.ofSeconds(59))));
        Advance creating = assertInstanceOf(Advance.class, OpsDecider.decide(in(withRecord, cluster(3, "Running"), kafka, List.of(),
                0, 1, 2), after(Duration.ofSeconds(60))));
        assertEquals(new Event(true, "LeadershipNotMoved", "leadership did not leave kafka-broker-2 (node 102) within 60s (new replica"
                + " order for orders-0; preferred leader election of orders-0); it goes anyway, and Kafka's controlled shutdown hands"
                + " over the rest"), creating.notes().events().get(1));
    }

    @Test
    void forceAsksKafkaNothingAndMovesNoLeadership() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 102));
        OpsRequest ops = ops("offline-2", offline("kafka-broker-2"));
        ops.getSpec().force = true;
        OpsInputs.Guard skipping = new OpsInputs.Guard() {
            @Override
            public Map<String, ScaleInGuard.Verdict> judge(Cluster c, Map<String, ScalingPlan> plans, boolean force) {
                return Map.of("broker", ScaleInGuard.skipped(ScaleInGuard.departing(plans.get("broker"), 100)));
            }

            @Override
            public Optional<OpsInputs.KafkaLook> look(Cluster c, String component) {
                throw new AssertionError("Kafka is not asked under force");
            }
        };
        Advance creating = assertInstanceOf(Advance.class, OpsDecider.decide(new OpsInputs(ops, cluster(3, "Running"), readyPods(0, 1, 2),
                List.of(), skipping, true, SETTINGS, null), after(Duration.ZERO)));
        assertNull(creating.status().kafkaLeadership);
        assertTrue(kafka.snapshot != null);
    }

    @Test
    void theOpsThatBringsTheBrokerBackRestoresTheOrderOnceItIsInSyncThenSucceeds() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 102),
                new Partition("orders", 1, List.of(101, 100, 102), List.of(100, 101, 102), 101));
        OpsRequest offline = offlineUntilStarted(kafka);
        offline.getStatus().phase = "Succeed";
        offline.getStatus().completionTimestamp = T0.plusSeconds(30).toString();

        HorizontalScaling back = new HorizontalScaling();
        back.componentName = "broker";
        back.scaleOut = new HorizontalScaling.ScaleOut();
        back.scaleOut.offlineInstancesToOnline = new ArrayList<>(List.of("kafka-broker-2"));
        OpsRequest online = OpsFixtures.createdAt(ops("online-2", back), T0.plusSeconds(60));
        Cluster down = cluster(2, "Running", "kafka-broker-2");
        Advance creating = assertInstanceOf(Advance.class, OpsDecider.decide(in(online, down, kafka, List.of(offline), 0, 1),
                after(Duration.ofSeconds(61))));
        var carried = creating.status().kafkaLeadership.get("broker");
        assertEquals("offline-2", carried.movedBy);
        assertEquals(Map.of("orders-0", List.of(102, 100, 101)), carried.originalReplicas);
        online = with(online, creating.status());

        Apply apply = (Apply) OpsDecider.decide(in(online, down, kafka, List.of(), 0, 1), after(Duration.ofSeconds(62)));
        Cluster up = cluster(3, "Running");
        Advance running = (Advance) apply.then().apply(up);
        online = with(online, running.status());

        // broker 102 is back but behind: the ops waits for it
        kafka.set(new Partition("orders", 0, List.of(100, 102, 101), List.of(100, 101), 100),
                new Partition("orders", 1, List.of(101, 100, 102), List.of(100, 101), 101));
        Wait catching = assertInstanceOf(Wait.class, OpsDecider.decide(in(online, up, kafka, List.of(), 0, 1, 2), after(Duration.ofSeconds(70))));
        var progressing = Conditions.find(catching.status().conditions, "Progressing");
        assertEquals("RestoringLeadership", progressing.reason);
        assertEquals("waiting for kafka-broker-2 to catch up before its partitions get their replica order back: orders-0 (ISR 100,"
                + " 101 of 100, 102, 101)", progressing.message);
        assertEquals(Duration.ofSeconds(2), catching.recheck());

        // in sync: the original order goes back, and its preferred leader is elected
        kafka.set(new Partition("orders", 0, List.of(100, 102, 101), List.of(100, 101, 102), 100),
                new Partition("orders", 1, List.of(101, 100, 102), List.of(100, 101, 102), 101));
        MoveLeaders restore = assertInstanceOf(MoveLeaders.class, OpsDecider.decide(in(online, up, kafka, List.of(), 0, 1, 2),
                after(Duration.ofSeconds(80))));
        assertEquals(Map.of("orders-0", List.of(102, 100, 101)), restore.step().reorder());
        assertEquals(Set.of("orders-0"), restore.step().elect());
        assertInstanceOf(Wait.class, restore.then().apply(null));

        kafka.set(new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 102),
                new Partition("orders", 1, List.of(101, 100, 102), List.of(100, 101, 102), 101));
        Finish done = assertInstanceOf(Finish.class, OpsDecider.decide(in(online, up, kafka, List.of(), 0, 1, 2), after(Duration.ofSeconds(81))));
        assertEquals(OpsPhase.SUCCEED, done.phase());
        assertEquals(T0.plusSeconds(81).toString(), done.status().kafkaLeadership.get("broker").restoredAt);
        assertEquals(List.of(new Event(false, "LeadershipRestored", "restored the replica order of 1 partition of kafka-broker-2")),
                done.notes().events());
    }

    @Test
    void theOfflineOpsItselfSucceedsWithoutRestoringAndARestoredRecordIsNotTakenOverTwice() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 102));
        OpsRequest offline = offlineUntilStarted(kafka);
        Apply apply = (Apply) OpsDecider.decide(in(offline, cluster(3, "Running"), kafka, List.of(), 0, 1, 2), after(Duration.ofSeconds(3)));
        Cluster down = cluster(2, "Running", "kafka-broker-2");
        offline = with(offline, ((Advance) apply.then().apply(down)).status());
        Finish done = assertInstanceOf(Finish.class, OpsDecider.decide(in(offline, down, kafka, List.of(), 0, 1), after(Duration.ofSeconds(5))));
        assertEquals(OpsPhase.SUCCEED, done.phase(), "the broker is gone: nothing to restore");
        assertNull(done.status().kafkaLeadership.get("broker").restoredAt);

        offline.setStatus(done.status());
        offline.getStatus().kafkaLeadership.get("broker").restoredAt = T0.toString();
        HorizontalScaling back = new HorizontalScaling();
        back.componentName = "broker";
        back.scaleOut = new HorizontalScaling.ScaleOut();
        back.scaleOut.offlineInstancesToOnline = new ArrayList<>(List.of("kafka-broker-2"));
        Advance creating = assertInstanceOf(Advance.class, OpsDecider.decide(in(ops("online-2", back), down, kafka, List.of(offline), 0, 1),
                after(Duration.ofSeconds(10))));
        assertNull(creating.status().kafkaLeadership);
    }

    /** The offline ops of broker 2 after its leadership step was taken, still Pending, with Kafka reordered. */
    private static OpsRequest offlineMovedLeadership(FakeKafka kafka) {
        OpsRequest ops = ops("offline-2", offline("kafka-broker-2"));
        Wait recorded = (Wait) OpsDecider.decide(in(ops, cluster(3, "Running"), kafka, List.of(), 0, 1, 2), after(Duration.ZERO));
        MoveLeaders move = (MoveLeaders) OpsDecider.decide(in(with(ops, recorded.status()), cluster(3, "Running"), kafka, List.of(), 0, 1, 2),
                after(Duration.ofMillis(100)));
        OpsRequest moved = with(ops, ((Wait) move.then().apply(null)).status());
        kafka.set(new Partition("orders", 0, List.of(100, 102, 101), List.of(100, 101, 102), 100));
        return moved;
    }

    @Test
    void anOpsCancelledWhilePendingAfterMovingLeadershipPutsTheOrderBackBeforeItEnds() {
        // review of #28: the broker never went offline, so the moved order must not stay behind
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 102));
        OpsRequest ops = offlineMovedLeadership(kafka);
        ops.getSpec().cancel = true;

        MoveLeaders restore = assertInstanceOf(MoveLeaders.class, OpsDecider.decide(in(ops, cluster(3, "Running"), kafka, List.of(), 0, 1, 2),
                after(Duration.ofSeconds(2))));
        assertEquals(Map.of("orders-0", List.of(102, 100, 101)), restore.step().reorder());
        Wait waiting = assertInstanceOf(Wait.class, restore.then().apply(null));
        assertEquals("Pending", waiting.status().phase);
        assertEquals("the ops ends Cancelled, but first the replica order of kafka-broker-2's partitions comes back: new replica"
                + " order for orders-0; preferred leader election of orders-0",
                Conditions.find(waiting.status().conditions, "WaitForProgressing").message);

        kafka.set(new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 102));
        Finish cancelled = assertInstanceOf(Finish.class, OpsDecider.decide(in(with(ops, waiting.status()), cluster(3, "Running"), kafka,
                List.of(), 0, 1, 2), after(Duration.ofSeconds(3))));
        assertEquals(OpsPhase.CANCELLED, cancelled.phase());
        assertEquals("CancelledWhilePending", cancelled.reason());
        assertEquals(T0.plusSeconds(3).toString(), cancelled.status().kafkaLeadership.get("broker").restoredAt);
        assertEquals(List.of(new Event(false, "LeadershipRestored", "restored the replica order of 1 partition of kafka-broker-2: it"
                + " stays online, the ops having ended Cancelled while Pending")), cancelled.notes().events());

        // Kafka takes the step but never carries it out (e.g. the client now lacks Alter): tried for 60 s, then the ops ends
        kafka.set(new Partition("orders", 0, List.of(100, 102, 101), List.of(100, 101, 102), 100));
        OpsRequest stuck = with(ops, restore.then().apply(null) instanceof Wait w ? w.status() : null);
        assertInstanceOf(MoveLeaders.class, OpsDecider.decide(in(stuck, cluster(3, "Running"), kafka, List.of(), 0, 1, 2),
                after(Duration.ofSeconds(61))));
        Finish anyway = assertInstanceOf(Finish.class, OpsDecider.decide(in(stuck, cluster(3, "Running"), kafka, List.of(), 0, 1, 2),
                after(Duration.ofSeconds(62))));
        assertEquals(OpsPhase.CANCELLED, anyway.phase());
        assertEquals(List.of(new Event(true, "LeadershipNotRestored", "the replica order of orders-0 of kafka-broker-2 was not restored"
                + " within 60s: their replicas changed meanwhile, a reassignment is still in progress, or Kafka did not carry out the"
                + " restore; the original orders are in status.kafkaLeadership")), anyway.notes().events());
    }

    @Test
    void anOpsThatFailsWhilePendingWithKafkaGoneWaitsAMinuteThenEndsWithAWarningNamingWhatStaysMoved() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 102));
        OpsRequest ops = offlineMovedLeadership(kafka);
        ops.getSpec().cancel = true;
        OpsInputs.Guard gone = new OpsInputs.Guard() {
            @Override
            public Map<String, ScaleInGuard.Verdict> judge(Cluster c, Map<String, ScalingPlan> plans, boolean force) {
                return Map.of();
            }

            @Override
            public Optional<OpsInputs.KafkaLook> look(Cluster c, String component) {
                return Optional.of(new OpsInputs.KafkaLook(null, 100, "Kafka at k:9092 did not answer within 5s"));
            }
        };
        // the cancel comes minutes after the move: the 60 s count from the first try to restore, not from the move
        Wait waiting = assertInstanceOf(Wait.class, OpsDecider.decide(new OpsInputs(ops, cluster(3, "Running"), readyPods(0, 1, 2),
                List.of(), gone, true, SETTINGS, null), after(Duration.ofSeconds(300))));
        assertEquals("RestoringLeadership", Conditions.find(waiting.status().conditions, "WaitForProgressing").reason);
        assertEquals(T0.plusSeconds(300).toString(), waiting.status().kafkaLeadership.get("broker").restoringSince);
        OpsRequest restoring = with(ops, waiting.status());
        assertInstanceOf(Wait.class, OpsDecider.decide(new OpsInputs(restoring, cluster(3, "Running"), readyPods(0, 1, 2),
                List.of(), gone, true, SETTINGS, null), after(Duration.ofSeconds(359))));
        Finish cancelled = assertInstanceOf(Finish.class, OpsDecider.decide(new OpsInputs(restoring, cluster(3, "Running"), readyPods(0, 1, 2),
                List.of(), gone, true, SETTINGS, null), after(Duration.ofSeconds(360))));
        assertEquals(OpsPhase.CANCELLED, cancelled.phase());
        assertNull(cancelled.status().kafkaLeadership.get("broker").restoredAt);
        assertEquals(List.of(new Event(true, "LeadershipNotRestored", "the replica order of 1 partition of kafka-broker-2 was not"
                + " restored: Kafka at k:9092 did not answer within 5s; the original orders are in status.kafkaLeadership"
                + " (kafka-reassign-partitions.sh can write them back)")), cancelled.notes().events());
    }

    @Test
    void aRecordCarriedOverAndRestoredOnceIsNotCarriedOverAgainAndOneOfAFailedOfflineOpsIsCarried() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102), 102));
        OpsRequest offline = offlineUntilStarted(kafka);
        offline.getStatus().phase = "Aborted"; // e.g. its deadline passed after the pod went: the broker is offline all the same
        offline.getStatus().completionTimestamp = T0.plusSeconds(30).toString();
        Cluster down = cluster(2, "Running", "kafka-broker-2");

        Advance first = assertInstanceOf(Advance.class, OpsDecider.decide(in(online("online-2"), down, kafka, List.of(offline), 0, 1),
                after(Duration.ofSeconds(61))));
        assertEquals("offline-2", first.status().kafkaLeadership.get("broker").movedBy, "an Aborted offline ops' record is taken over");

        OpsRequest restoredBy = with(online("online-2"), first.status());
        restoredBy.getStatus().phase = "Succeed";
        restoredBy.getStatus().completionTimestamp = T0.plusSeconds(90).toString();
        restoredBy.getStatus().kafkaLeadership.get("broker").restoredAt = T0.plusSeconds(90).toString();
        Advance second = assertInstanceOf(Advance.class, OpsDecider.decide(in(online("online-again"), down, kafka,
                List.of(offline, restoredBy), 0, 1), after(Duration.ofSeconds(120))));
        assertNull(second.status().kafkaLeadership, "the record of offline-2 was restored by online-2: nothing to carry over again");

        OpsRequest going = with(online("online-2"), first.status());
        going.getStatus().phase = "Running";
        OpsRequest forced = online("online-again");
        forced.getSpec().force = true; // past the queue, which would otherwise hold it behind online-2
        Advance third = assertInstanceOf(Advance.class, OpsDecider.decide(in(forced, down, kafka, List.of(offline, going), 0, 1),
                after(Duration.ofSeconds(120))));
        assertNull(third.status().kafkaLeadership, "online-2 still holds it");
        Advance fourth = assertInstanceOf(Advance.class, OpsDecider.decide(in(forced, down, kafka, List.of(offline), 0, 1),
                after(Duration.ofSeconds(120))));
        assertEquals("offline-2", fourth.status().kafkaLeadership.get("broker").movedBy, "without online-2 it would be taken over");
    }

    private static OpsRequest online(String name) {
        HorizontalScaling back = new HorizontalScaling();
        back.componentName = "broker";
        back.scaleOut = new HorizontalScaling.ScaleOut();
        back.scaleOut.offlineInstancesToOnline = new ArrayList<>(List.of("kafka-broker-2"));
        return OpsFixtures.createdAt(ops(name, back), T0.plusSeconds(60));
    }
}
