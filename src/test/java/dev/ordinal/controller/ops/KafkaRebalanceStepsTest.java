package dev.ordinal.controller.ops;

import static dev.ordinal.controller.ops.OpsFixtures.SETTINGS;
import static dev.ordinal.controller.ops.OpsFixtures.T0;
import static dev.ordinal.controller.ops.OpsFixtures.after;
import static dev.ordinal.controller.ops.OpsFixtures.cluster;
import static dev.ordinal.controller.ops.OpsFixtures.ops;
import static dev.ordinal.controller.ops.OpsFixtures.readyPods;
import static dev.ordinal.controller.ops.OpsFixtures.scaleOut;
import static dev.ordinal.controller.ops.OpsFixtures.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ScaleInGuardSpec;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.ops.OpsDecision.Advance;
import dev.ordinal.controller.ops.OpsDecision.Apply;
import dev.ordinal.controller.ops.OpsDecision.Finish;
import dev.ordinal.controller.ops.OpsDecision.MoveLeaders;
import dev.ordinal.controller.ops.OpsDecision.RebalanceKafka;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.core.KafkaSnapshot;
import dev.ordinal.core.KafkaSnapshot.Partition;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.vocabulary.OpsPhase;

/**
 * The rebalance after a scale-out, decided on a fixed clock against a Kafka that is a value (docs/kafka-rebalance.md,
 * issue #28): it waits for the new broker to register (within the deadline), records the plan before Kafka is asked,
 * moves under the throttle, resumes from the record alone (what a restarted operator has), ends with the throttle
 * removed and the leaders elected, and only then succeeds; a cancel stops it and keeps the scale-out.
 */
class KafkaRebalanceStepsTest {

    /** A Kafka guarded with nodeIdOffset 100 whose answer the test sets: orders-0..7 (RF 1) on 100, 101, 102. */
    private static final class FakeKafka implements OpsInputs.Guard {
        List<Partition> partitions = new ArrayList<>();
        Set<Integer> live = new HashSet<>(Set.of(100, 101, 102));
        Set<String> reassigning = new HashSet<>();

        FakeKafka() {
            int[] on = {100, 101, 102, 100, 101, 102, 100, 101};
            for (int i = 0; i < on.length; i++) {
                partitions.add(p(i, on[i]));
            }
        }

        void place(int partition, int broker) {
            partitions.set(partition, p(partition, broker));
        }

        private static Partition p(int i, int broker) {
            return new Partition("orders", i, List.of(broker), List.of(broker), broker);
        }

        @Override
        public Map<String, ScaleInGuard.Verdict> judge(Cluster cluster, Map<String, ScalingPlan> plans, boolean force) {
            return Map.of();
        }

        @Override
        public Optional<OpsInputs.KafkaLook> look(Cluster cluster, String component) {
            return Optional.of(new OpsInputs.KafkaLook(new KafkaSnapshot(partitions, live, Map.of(), 1, Map.of(), reassigning), 100, null));
        }
    }

    private static Cluster rebalanced(int replicas) {
        Cluster c = cluster(replicas, "Running");
        var guard = new ScaleInGuardSpec();
        guard.kafka = new ScaleInGuardSpec.KafkaScaleInGuard("k:9092", 100);
        guard.kafka.rebalanceOnScaleOut = true;
        guard.kafka.drainThrottleBytesPerSecond = 2_000_000L;
        c.getSpec().componentSpecs.get(0).scaleInGuard = guard;
        return c;
    }

    private static OpsInputs in(OpsRequest ops, Cluster cluster, FakeKafka kafka, int... ready) {
        return new OpsInputs(ops, cluster, readyPods(ready), List.of(), kafka, true, SETTINGS, null);
    }

    private static String progressing(OpsDecision d) {
        var c = Conditions.find(((Wait) d).status().conditions, "Progressing");
        return c.reason + ": " + c.message;
    }

    /** The ops through Creating and the one Cluster apply, now Running with pod kafka-broker-3 to come. */
    private static OpsRequest running(OpsRequest ops, FakeKafka kafka) {
        Advance creating = assertInstanceOf(Advance.class, OpsDecider.decide(in(ops, rebalanced(3), kafka, 0, 1, 2), after(Duration.ZERO)));
        Apply apply = assertInstanceOf(Apply.class, OpsDecider.decide(in(with(ops, creating.status()), rebalanced(3), kafka, 0, 1, 2),
                after(Duration.ofSeconds(1))));
        Advance running = assertInstanceOf(Advance.class, apply.then().apply(rebalanced(4)));
        return with(ops, running.status());
    }

    @Test
    void theNewBrokerGetsItsShareFromARecordedPlanAndTheOpsSucceedsOnlyOnceItMoved() {
        FakeKafka kafka = new FakeKafka();
        OpsRequest ops = ops("out-1", scaleOut(1));
        OpsRequest run = running(ops, kafka);
        assertInstanceOf(Wait.class, OpsDecider.decide(in(run, rebalanced(4), kafka, 0, 1, 2), after(Duration.ofSeconds(2))),
                "the new pod is not Ready yet: nothing is asked");

        // Ready, but broker 103 has not registered with Kafka yet
        Wait unregistered = assertInstanceOf(Wait.class, OpsDecider.decide(in(run, rebalanced(4), kafka, 0, 1, 2, 3),
                after(Duration.ofSeconds(3))));
        assertEquals("Rebalancing: waiting for kafka-broker-3 (node 103) to register with Kafka before rebalancing (Kafka's live"
                + " brokers: 100, 101, 102)", progressing(unregistered));
        assertNull(unregistered.status().kafkaRebalance);
        Finish aborted = assertInstanceOf(Finish.class, OpsDecider.decide(in(run, rebalanced(4), kafka, 0, 1, 2, 3),
                after(Duration.ofMinutes(31))), "the deadline bounds the wait for registration");
        assertEquals(OpsPhase.ABORTED, aborted.phase());
        assertEquals("DeadlineExceeded", aborted.reason());
        assertTrue(aborted.message().startsWith("deadline of 1800s passed; the pods are done but waiting for kafka-broker-3 (node 103)"),
                aborted.message());

        // Registered: the plan is recorded, nothing asked yet
        kafka.live.add(103);
        Wait recorded = assertInstanceOf(Wait.class, OpsDecider.decide(in(run, rebalanced(4), kafka, 0, 1, 2, 3), after(Duration.ofSeconds(4))));
        var record = recorded.status().kafkaRebalance.get("broker");
        assertEquals(Map.of("orders-0", List.of(100), "orders-1", List.of(101)), record.originalReplicas);
        assertEquals(Map.of("orders-0", List.of(103), "orders-1", List.of(103)), record.targetReplicas);
        assertEquals(List.of("kafka-broker-3"), record.instances);
        assertEquals(List.of(103), record.nodeIds);
        assertEquals(2_000_000L, record.throttleBytesPerSecond);
        assertEquals("0/2", record.progress);
        assertEquals(T0.plusSeconds(4).toString(), record.startedAt);
        String plan = "rebalancing onto kafka-broker-3 (node 103): the plan moves 2 replicas of 2 partitions (status.kafkaRebalance.broker);"
                + " replicas per broker after: 100:2, 101:2, 102:2, 103:2";
        assertEquals("Rebalancing: " + plan + "; asking Kafka next", progressing(recorded));
        assertEquals(List.of(new OpsDecision.Event(false, "Rebalancing", plan)), recorded.notes().events());
        assertEquals("Running", recorded.status().phase);

        OpsRequest withPlan = with(run, recorded.status());
        RebalanceKafka start = assertInstanceOf(RebalanceKafka.class, OpsDecider.decide(in(withPlan, rebalanced(4), kafka, 0, 1, 2, 3),
                after(Duration.ofSeconds(5))));
        assertEquals(record.targetReplicas, start.step().reassign());
        assertTrue(start.step().setThrottle());
        assertEquals(2_000_000L, start.step().rate());
        assertEquals(Set.of(100, 101, 103), start.step().throttle().brokers());
        assertEquals("Rebalancing: rebalancing onto kafka-broker-3 (node 103): 0/2 partitions moved (replication throttle 2000000 B/s);"
                + " asked Kafka to move orders-0, orders-1", progressing(start.then().apply(null)));

        // What a restarted operator has: the status and Kafka. orders-1 moved; Kafka lost orders-0: only it is asked again,
        // to the recorded target, though a plan made now would differ (a new partition on 100).
        kafka.place(1, 103);
        kafka.partitions.add(new Partition("late", 0, List.of(100), List.of(100), 100));
        RebalanceKafka again = assertInstanceOf(RebalanceKafka.class, OpsDecider.decide(in(withPlan, rebalanced(4), kafka, 0, 1, 2, 3),
                after(Duration.ofSeconds(7))));
        assertEquals(Map.of("orders-0", List.of(103)), again.step().reassign());
        Wait asked = assertInstanceOf(Wait.class, again.then().apply(null));
        assertEquals("1/2", asked.status().kafkaRebalance.get("broker").progress);
        assertEquals(record.targetReplicas, asked.status().kafkaRebalance.get("broker").targetReplicas);

        kafka.reassigning.add("orders-0");
        assertEquals("Rebalancing: rebalancing onto kafka-broker-3 (node 103): 1/2 partitions moved (replication throttle 2000000 B/s);"
                + " in progress: orders-0", progressing(OpsDecider.decide(in(withPlan, rebalanced(4), kafka, 0, 1, 2, 3),
                        after(Duration.ofSeconds(9)))));
        assertInstanceOf(Wait.class, OpsDecider.decide(in(withPlan, rebalanced(4), kafka, 0, 1, 2, 3), after(Duration.ofHours(5))),
                "no deadline once the plan is recorded");

        // Done: the throttle goes, the preferred leaders are elected, the Event, then Succeed
        kafka.reassigning.clear();
        kafka.place(0, 103);
        RebalanceKafka finish = assertInstanceOf(RebalanceKafka.class, OpsDecider.decide(in(withPlan, rebalanced(4), kafka, 0, 1, 2, 3),
                after(Duration.ofSeconds(11))));
        assertTrue(finish.step().removeThrottle());
        assertTrue(finish.step().reassign().isEmpty());
        assertInstanceOf(Wait.class, finish.then().apply("Kafka at k:9092 did not take the rebalance step (x)"), "tried again");
        MoveLeaders elect = assertInstanceOf(MoveLeaders.class, finish.then().apply(null));
        assertEquals(Set.of("orders-0", "orders-1"), elect.step().elect());
        assertTrue(elect.step().reorder().isEmpty());
        Wait done = assertInstanceOf(Wait.class, elect.then().apply(null));
        String rebalanced = "rebalanced onto kafka-broker-3 (node 103): all 2 partitions moved; replication throttle removed; replicas"
                + " per broker: 100:3, 101:2, 102:2, 103:2; preferred leaders elected";
        assertEquals(List.of(new OpsDecision.Event(false, "Rebalanced", rebalanced)), done.notes().events());
        assertEquals(T0.plusSeconds(11).toString(), done.status().kafkaRebalance.get("broker").finishedAt);

        Finish succeed = assertInstanceOf(Finish.class, OpsDecider.decide(in(with(run, done.status()), rebalanced(4), kafka, 0, 1, 2, 3),
                after(Duration.ofSeconds(12))));
        assertEquals(OpsPhase.SUCCEED, succeed.phase());
    }

    @Test
    void aCancelAfterThePlanCancelsTheMovesRemovesTheThrottleAndKeepsTheScaleOut() {
        FakeKafka kafka = new FakeKafka();
        kafka.live.add(103);
        OpsRequest ops = ops("out-2", scaleOut(1));
        OpsRequest run = running(ops, kafka);
        Wait recorded = assertInstanceOf(Wait.class, OpsDecider.decide(in(run, rebalanced(4), kafka, 0, 1, 2, 3), after(Duration.ofSeconds(2))));
        kafka.place(1, 103);
        kafka.reassigning.add("orders-0");
        // as Kafka reports a partition in flight: the target's replicas and the ones being removed together
        List<Integer> target = recorded.status().kafkaRebalance.get("broker").targetReplicas.get("orders-0");
        List<Integer> inFlight = new ArrayList<>(target);
        inFlight.add(100);
        kafka.partitions.set(0, new Partition("orders", 0, inFlight, List.of(100), 100));
        OpsRequest cancelled = with(run, recorded.status());
        cancelled.getSpec().cancel = true;

        RebalanceKafka cancel = assertInstanceOf(RebalanceKafka.class, OpsDecider.decide(in(cancelled, rebalanced(4), kafka, 0, 1, 2, 3),
                after(Duration.ofSeconds(3))), "not the re-apply of the snapshot");
        assertEquals(Set.of("orders-0"), cancel.step().cancel());
        assertTrue(cancel.step().removeThrottle());
        assertTrue(cancel.step().reassign().isEmpty());
        Finish end = assertInstanceOf(Finish.class, cancel.then().apply(null));
        assertEquals(OpsPhase.CANCELLED, end.phase());
        assertEquals("CancelledWhileRebalancing", end.reason());
        assertEquals("cancelled while rebalancing onto kafka-broker-3: 1/2 partitions had moved (they stay where they are), the"
                + " reassignment of 1 cancelled, the replication throttle removed; the scale-out stays (kafka-broker-3 kept: it may host"
                + " moved replicas)", end.message());
        assertInstanceOf(Wait.class, cancel.then().apply("Kafka at k:9092 did not take the rebalance step (x)"), "tried again");
    }

    @Test
    void aCancelBeforeThePlanUndoesTheScaleOutAsUsual() {
        FakeKafka kafka = new FakeKafka();
        OpsRequest run = running(ops("out-3", scaleOut(1)), kafka);
        run.getSpec().cancel = true;
        assertInstanceOf(Apply.class, OpsDecider.decide(in(run, rebalanced(4), kafka, 0, 1, 2), after(Duration.ofSeconds(2))));
    }

    @Test
    void withoutTheOptInTheOpsSucceedsAsSoonAsThePodsAreDone() {
        FakeKafka kafka = new FakeKafka();
        kafka.live.add(103);
        Cluster plain = rebalanced(4);
        plain.getSpec().componentSpecs.get(0).scaleInGuard.kafka.rebalanceOnScaleOut = null;
        OpsRequest run = running(ops("out-4", scaleOut(1)), kafka);
        Finish succeed = assertInstanceOf(Finish.class, OpsDecider.decide(in(run, plain, kafka, 0, 1, 2, 3), after(Duration.ofSeconds(2))));
        assertEquals(OpsPhase.SUCCEED, succeed.phase());
        assertNull(succeed.status().kafkaRebalance);
    }

    @Test
    void aBalancedClusterFinishesAtOnceWithNothingToMove() {
        FakeKafka kafka = new FakeKafka();
        kafka.live.add(103);
        kafka.place(0, 103);
        kafka.place(1, 103);
        OpsRequest run = running(ops("out-5", scaleOut(1)), kafka);
        Wait nothing = assertInstanceOf(Wait.class, OpsDecider.decide(in(run, rebalanced(4), kafka, 0, 1, 2, 3), after(Duration.ofSeconds(2))));
        assertEquals(List.of(new OpsDecision.Event(false, "Rebalanced", "rebalanced onto kafka-broker-3 (node 103): nothing to move"
                + " (replicas per broker after: 100:2, 101:2, 102:2, 103:2)")), nothing.notes().events());
        assertEquals(OpsPhase.SUCCEED, assertInstanceOf(Finish.class, OpsDecider.decide(in(with(run, nothing.status()), rebalanced(4), kafka,
                0, 1, 2, 3), after(Duration.ofSeconds(3)))).phase());
    }

    @Test
    void aDryRunSaysWhatWouldMoveAsIfTheNewBrokerWereThere() {
        FakeKafka kafka = new FakeKafka();
        OpsRequest dry = ops("dry", scaleOut(1));
        dry.getSpec().dryRun = true;
        Finish done = assertInstanceOf(Finish.class, OpsDecider.decide(in(dry, rebalanced(3), kafka, 0, 1, 2), after(Duration.ZERO)));
        assertEquals("with rebalanceOnScaleOut: 2 replicas of 2 partitions would move once kafka-broker-3 (node 103) is Ready; replicas"
                + " per broker after: 100:2, 101:2, 102:2, 103:2", done.status().plan.get("broker").kafkaRebalance);
        assertNull(done.status().kafkaRebalance, "nothing recorded");
    }

    @Test
    void aDirectEditOfReplicasMidRebalanceFailsTheOpsButStopsTheRebalanceFirst() {
        // review of #28: any other end of a running rebalance left its reassignments and throttle in Kafka
        FakeKafka kafka = new FakeKafka();
        kafka.live.add(103);
        OpsRequest run = running(ops("out-3", scaleOut(1)), kafka);
        Wait recorded = assertInstanceOf(Wait.class, OpsDecider.decide(in(run, rebalanced(4), kafka, 0, 1, 2, 3), after(Duration.ofSeconds(2))));
        List<Integer> target = recorded.status().kafkaRebalance.get("broker").targetReplicas.get("orders-0");
        List<Integer> inFlight = new ArrayList<>(target);
        inFlight.add(100);
        kafka.partitions.set(0, new Partition("orders", 0, inFlight, List.of(100), 100));
        kafka.reassigning.add("orders-0");
        OpsRequest moving = with(run, recorded.status());

        OpsDecision d = OpsDecider.decide(in(moving, rebalanced(5), kafka, 0, 1, 2, 3), after(Duration.ofSeconds(3)));
        OpsDecision.DrainKafka stop = assertInstanceOf(OpsDecision.DrainKafka.class, d, "the rebalance stops before the ops ends");
        assertEquals(Set.of("orders-0"), stop.step().cancel());
        assertTrue(stop.step().removeThrottle());
        // the ops ends right after the step, as decided (the Cluster may report its generation by the next reconcile,
        // and a stopped rebalance must not pass for a finished one then)
        Finish failed = assertInstanceOf(Finish.class, stop.then().apply(null));
        assertEquals("ReassignmentsStopped", failed.notes().events().get(0).reason());
        assertTrue(failed.notes().events().get(0).message().startsWith("stopped the rebalance onto kafka-broker-3 as the ops ends Failed"
                + " (OverwrittenByAnotherWriter): "), failed.notes().events().get(0).message());
        assertEquals(OpsPhase.FAILED, failed.phase());
        assertEquals("OverwrittenByAnotherWriter", failed.reason());
        assertEquals(T0.plusSeconds(3).toString(), failed.status().kafkaRebalance.get("broker").finishedAt);
    }

    @Test
    void aRecordedRebalanceOutlivesTheDeadlineAndTurningTheFlagOffDoesNotAbandonIt() {
        // review of #28: past timeoutSeconds, a new broker briefly not Ready aborted the ops mid-rebalance; and turning
        // rebalanceOnScaleOut off let the ops Succeed with the reassignments and the throttle left in Kafka
        FakeKafka kafka = new FakeKafka();
        kafka.live.add(103);
        OpsRequest run = running(ops("out-4", scaleOut(1)), kafka);
        Wait recorded = assertInstanceOf(Wait.class, OpsDecider.decide(in(run, rebalanced(4), kafka, 0, 1, 2, 3), after(Duration.ofSeconds(2))));
        OpsRequest moving = with(run, recorded.status());

        OpsDecision late = OpsDecider.decide(in(moving, rebalanced(4), kafka, 0, 1, 2), after(Duration.ofMinutes(45)));
        assertInstanceOf(Wait.class, late, "kafka-broker-3 not Ready 45 min in: the ops waits, it is not aborted");

        Cluster off = rebalanced(4);
        off.getSpec().componentSpecs.get(0).scaleInGuard.kafka.rebalanceOnScaleOut = false;
        assertInstanceOf(RebalanceKafka.class, OpsDecider.decide(in(moving, off, kafka, 0, 1, 2, 3), after(Duration.ofMinutes(46))),
                "the recorded plan goes on");

        Cluster unguarded = rebalanced(4);
        unguarded.getSpec().componentSpecs.get(0).scaleInGuard = null;
        Wait told = assertInstanceOf(Wait.class, OpsDecider.decide(in(moving, unguarded, kafka, 0, 1, 2, 3), after(Duration.ofMinutes(47))));
        assertEquals(true, told.notes().events().get(0).warning());
        assertEquals("ReassignmentsNotStopped", told.notes().events().get(0).reason());
        assertTrue(told.status().kafkaRebalance.get("broker").finishedAt != null);
    }
}
