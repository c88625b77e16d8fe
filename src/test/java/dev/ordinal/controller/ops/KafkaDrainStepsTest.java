package dev.ordinal.controller.ops;

import static dev.ordinal.controller.ops.OpsFixtures.SETTINGS;
import static dev.ordinal.controller.ops.OpsFixtures.T0;
import static dev.ordinal.controller.ops.OpsFixtures.after;
import static dev.ordinal.controller.ops.OpsFixtures.cluster;
import static dev.ordinal.controller.ops.OpsFixtures.ops;
import static dev.ordinal.controller.ops.OpsFixtures.readyPods;
import static dev.ordinal.controller.ops.OpsFixtures.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ScaleInGuardSpec;
import dev.ordinal.api.ops.HorizontalScaling;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.ops.OpsDecision.Advance;
import dev.ordinal.controller.ops.OpsDecision.Apply;
import dev.ordinal.controller.ops.OpsDecision.DrainKafka;
import dev.ordinal.controller.ops.OpsDecision.Event;
import dev.ordinal.controller.ops.OpsDecision.Finish;
import dev.ordinal.controller.ops.OpsDecision.UnregisterBrokers;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.core.KafkaSnapshot;
import dev.ordinal.core.KafkaSnapshot.Partition;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.vocabulary.OpsPhase;

/**
 * The drain of a broker removed for good and its unregistration, decided on a fixed clock against a Kafka that is a
 * value (docs/kafka-drain.md, issue #28): the plan is recorded before Kafka is asked, the progress is written, a
 * restarted operator resumes the recorded plan, a cancel stops it without touching the Cluster, a plan that cannot fit
 * is refused, and the node id is unregistered once the pod is gone.
 */
class KafkaDrainStepsTest {
    private static final Set<Integer> LIVE = Set.of(100, 101, 102, 103);

    /** A Kafka guarded with nodeIdOffset 100 whose answer the test sets. */
    private static final class FakeKafka implements OpsInputs.Guard {
        List<Partition> partitions;
        Set<String> reassigning = new HashSet<>();
        Set<Integer> live = LIVE;

        FakeKafka(Partition... partitions) {
            this.partitions = List.of(partitions);
        }

        KafkaSnapshot snapshot() {
            return new KafkaSnapshot(partitions, live, Map.of(), 1, Map.of(), reassigning);
        }

        @Override
        public Map<String, ScaleInGuard.Verdict> judge(Cluster cluster, Map<String, ScalingPlan> plans, boolean force) {
            return plans.isEmpty() || plans.get("broker").podsToDelete().isEmpty() ? Map.of()
                    : Map.of("broker", ScaleInGuard.judge(ScaleInGuard.departing(plans.get("broker"), 100), snapshot()));
        }

        @Override
        public Optional<OpsInputs.KafkaLook> look(Cluster cluster, String component) {
            return Optional.of(new OpsInputs.KafkaLook(snapshot(), 100, null));
        }
    }

    private static Cluster drained(int replicas) {
        Cluster c = cluster(replicas, "Running");
        var guard = new ScaleInGuardSpec();
        guard.kafka = new ScaleInGuardSpec.KafkaScaleInGuard("k:9092", 100);
        guard.kafka.drain = true;
        guard.kafka.drainThrottleBytesPerSecond = 1_000_000L;
        c.getSpec().componentSpecs.get(0).scaleInGuard = guard;
        return c;
    }

    private static HorizontalScaling scaleIn(int by) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = "broker";
        h.scaleIn = new HorizontalScaling.ScaleIn();
        h.scaleIn.replicaChanges = by;
        return h;
    }

    private static OpsInputs in(OpsRequest ops, Cluster cluster, FakeKafka kafka, int... ready) {
        return new OpsInputs(ops, cluster, readyPods(ready), List.of(), kafka, true, SETTINGS, null);
    }

    private static String waiting(OpsDecision d) {
        var c = Conditions.find(((Wait) d).status().conditions, "WaitForProgressing");
        return c.reason + ": " + c.message;
    }

    @Test
    void thePlanIsRecordedThenMovedUnderAThrottleThenTheThrottleGoesAndTheOpsStarts() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(103, 100), List.of(103, 100), 103),
                new Partition("orders", 1, List.of(101, 103), List.of(101, 103), 101),
                new Partition("orders", 2, List.of(101, 102), List.of(101, 102), 101));
        OpsRequest ops = ops("in-1", scaleIn(1));

        Wait recorded = assertInstanceOf(Wait.class, OpsDecider.decide(in(ops, drained(4), kafka, 0, 1, 2, 3), after(Duration.ZERO)),
                "nothing is asked of Kafka before the plan is in the status");
        assertEquals("Draining: draining kafka-broker-3 (node 103): the plan moves 2 partitions (status.kafkaDrain.broker); asking"
                + " Kafka next", waiting(recorded));
        var record = recorded.status().kafkaDrain.get("broker");
        assertEquals(Map.of("orders-0", List.of(103, 100), "orders-1", List.of(101, 103)), record.originalReplicas);
        assertEquals(Map.of("orders-0", List.of(102, 100), "orders-1", List.of(101, 100)), record.targetReplicas);
        assertEquals(List.of("kafka-broker-3"), record.instances);
        assertEquals(List.of(103), record.nodeIds);
        assertEquals(1_000_000L, record.throttleBytesPerSecond);
        assertEquals("0/2", record.progress);
        assertEquals(T0.toString(), record.startedAt);
        assertEquals("Pending", recorded.status().phase);
        assertNull(ops.getStatus(), "the observed ops is never changed");

        OpsRequest withPlan = with(ops, recorded.status());
        DrainKafka start = assertInstanceOf(DrainKafka.class, OpsDecider.decide(in(withPlan, drained(4), kafka, 0, 1, 2, 3),
                after(Duration.ofMillis(100))));
        assertEquals(record.targetReplicas, start.step().reassign());
        assertTrue(start.step().setThrottle());
        assertEquals(1_000_000L, start.step().rate());
        assertEquals(Set.of(100, 101, 102, 103), start.step().throttle().brokers());
        assertEquals(Map.of("orders", List.of("0:103", "0:100", "1:101", "1:103")), start.step().throttle().leaders());
        assertEquals("Draining: draining kafka-broker-3 (node 103): 0/2 partitions moved (replication throttle 1000000 B/s); asked"
                + " Kafka to move orders-0, orders-1", waiting(start.then().apply(null)));
        assertTrue(waiting(start.then().apply("Kafka at k:9092 did not take the drain step (TimeoutException)"))
                .endsWith("B/s); Kafka at k:9092 did not take the drain step (TimeoutException)"));

        // Kafka moved orders-1 and is moving orders-0: the progress is written, nothing asked.
        kafka.partitions = List.of(new Partition("orders", 0, List.of(103, 100, 102), List.of(103, 100), 103),
                new Partition("orders", 1, List.of(101, 100), List.of(101, 100), 101),
                new Partition("orders", 2, List.of(101, 102), List.of(101, 102), 101));
        kafka.reassigning = Set.of("orders-0");
        Wait moving = assertInstanceOf(Wait.class, OpsDecider.decide(in(withPlan, drained(4), kafka, 0, 1, 2, 3), after(Duration.ofSeconds(2))));
        assertEquals("1/2", moving.status().kafkaDrain.get("broker").progress);
        assertEquals(Duration.ofSeconds(2), moving.recheck());
        assertTrue(waiting(moving).endsWith("1/2 partitions moved (replication throttle 1000000 B/s); in progress: orders-0"));

        // An operator restarted after Kafka lost the reassignment of orders-0: the recorded plan is asked for again,
        // only for what has not moved, even though orders-0 would be planned elsewhere now.
        kafka.partitions = List.of(new Partition("orders", 0, List.of(103, 100), List.of(103, 100), 103),
                new Partition("orders", 1, List.of(101, 100), List.of(101, 100), 101),
                new Partition("orders", 2, List.of(101, 102), List.of(101, 102), 101),
                new Partition("more", 0, List.of(102), List.of(102), 102), new Partition("more", 1, List.of(102), List.of(102), 102));
        kafka.reassigning = Set.of();
        DrainKafka resumed = assertInstanceOf(DrainKafka.class, OpsDecider.decide(in(with(ops, moving.status()), drained(4), kafka, 0, 1, 2, 3),
                after(Duration.ofSeconds(4))));
        assertEquals(Map.of("orders-0", List.of(102, 100)), resumed.step().reassign());

        // Everything moved: the throttle is removed, then the guard finds the broker empty and the ops starts.
        kafka.partitions = List.of(new Partition("orders", 0, List.of(102, 100), List.of(102, 100), 102),
                new Partition("orders", 1, List.of(101, 100), List.of(101, 100), 101),
                new Partition("orders", 2, List.of(101, 102), List.of(101, 102), 101));
        DrainKafka finish = assertInstanceOf(DrainKafka.class, OpsDecider.decide(in(with(ops, moving.status()), drained(4), kafka, 0, 1, 2, 3),
                after(Duration.ofSeconds(6))));
        assertTrue(finish.step().removeThrottle());
        assertFalse(finish.step().setThrottle());
        assertTrue(finish.step().reassign().isEmpty());
        Wait drainedWait = assertInstanceOf(Wait.class, finish.then().apply(null));
        assertEquals("Draining: drained kafka-broker-3 (node 103): all 2 partitions moved to the brokers that stay; replication"
                + " throttle removed", waiting(drainedWait));
        assertEquals(List.of(new OpsDecision.Event(false, "Drained", "drained kafka-broker-3 (node 103): all 2 partitions moved to the"
                + " brokers that stay; replication throttle removed")), drainedWait.notes().events());
        assertEquals("2/2", drainedWait.status().kafkaDrain.get("broker").progress);
        assertEquals(T0.plusSeconds(6).toString(), drainedWait.status().kafkaDrain.get("broker").finishedAt);

        Advance creating = assertInstanceOf(Advance.class, OpsDecider.decide(in(with(ops, drainedWait.status()), drained(4), kafka,
                0, 1, 2, 3), after(Duration.ofSeconds(7))));
        assertEquals(OpsPhase.CREATING, creating.phase());
        assertEquals("2/2", creating.status().kafkaDrain.get("broker").progress, "the record stays on the ops");
    }

    @Test
    void aDrainThatCannotKeepTheReplicationFactorIsRefusedUpFront() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(100, 102, 103), List.of(100, 102, 103), 100));
        Finish refused = assertInstanceOf(Finish.class, OpsDecider.decide(in(ops("in-2", scaleIn(2)), drained(4), kafka, 0, 1, 2, 3),
                after(Duration.ZERO)));
        assertEquals(OpsPhase.FAILED, refused.phase());
        assertEquals("ValidationFailed", refused.reason());
        assertEquals("cannot drain kafka-broker-2 (node 102), kafka-broker-3 (node 103): 2 brokers would remain (100, 101) but topic"
                + " orders has replication factor 3 (e.g. orders-0); remove fewer brokers, or lower the replication factor of such"
                + " topics first", refused.message());
        assertEquals("False", Conditions.find(refused.status().conditions, "Validated").status);
    }

    @Test
    void aDryRunSaysWhatTheDrainWouldDoAndRecordsNothing() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(103, 100), List.of(103, 100), 103),
                new Partition("wide", 0, List.of(100, 102, 103), List.of(100, 102, 103), 100));
        OpsRequest one = ops("dry-1", scaleIn(1));
        one.getSpec().dryRun = true;
        Finish dry = assertInstanceOf(Finish.class, OpsDecider.decide(in(one, drained(4), kafka, 0, 1, 2, 3), after(Duration.ZERO)));
        assertEquals("kafka-broker-3 (node 103) still hosts 2 replicas: orders-0, wide-0; with drain: 2 partitions would move off"
                + " kafka-broker-3 (node 103) first", dry.status().plan.get("broker").scaleInGuard.message);
        assertNull(dry.status().kafkaDrain);
        OpsRequest two = ops("dry-2", scaleIn(2));
        two.getSpec().dryRun = true;
        Finish refused = assertInstanceOf(Finish.class, OpsDecider.decide(in(two, drained(4), kafka, 0, 1, 2, 3), after(Duration.ZERO)));
        assertTrue(refused.status().plan.get("broker").scaleInGuard.message.endsWith("; with drain: refused: cannot drain kafka-broker-2"
                + " (node 102), kafka-broker-3 (node 103): 2 brokers would remain (100, 101) but topic wide has replication factor 3"
                + " (e.g. wide-0); remove fewer brokers, or lower the replication factor of such topics first"),
                refused.status().plan.get("broker").scaleInGuard.message);
    }

    @Test
    void withoutDrainTheOpsWaitsAsBefore() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(103, 100), List.of(103, 100), 103));
        Cluster plain = drained(4);
        plain.getSpec().componentSpecs.get(0).scaleInGuard.kafka.drain = null;
        OpsRequest ops = ops("in-3", scaleIn(1));
        ops.getSpec().preConditionDeadlineSeconds = 60;
        Wait blocked = assertInstanceOf(Wait.class, OpsDecider.decide(in(ops, plain, kafka, 0, 1, 2, 3), after(Duration.ZERO)));
        assertEquals("ScaleInBlocked: kafka-broker-3 (node 103) still hosts 1 replica: orders-0", waiting(blocked));
        assertNull(blocked.status().kafkaDrain);
    }

    @Test
    void aCancelWhileDrainingCancelsTheReassignmentsRemovesTheThrottleAndLeavesTheClusterAlone() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(103, 100), List.of(103, 100), 103),
                new Partition("orders", 1, List.of(101, 103), List.of(101, 103), 101));
        OpsRequest ops = ops("in-4", scaleIn(1));
        Wait recorded = (Wait) OpsDecider.decide(in(ops, drained(4), kafka, 0, 1, 2, 3), after(Duration.ZERO));
        kafka.partitions = List.of(new Partition("orders", 0, List.of(103, 100, 102), List.of(103, 100), 103),
                new Partition("orders", 1, List.of(101, 100), List.of(101, 100), 101));
        kafka.reassigning = Set.of("orders-0");
        OpsRequest cancelled = with(ops, recorded.status());
        cancelled.getSpec().cancel = true;

        OpsDecision d = OpsDecider.decide(in(cancelled, drained(4), kafka, 0, 1, 2, 3), after(Duration.ofSeconds(3)));
        assertFalse(d instanceof Apply, "the Cluster is not written");
        DrainKafka cancel = assertInstanceOf(DrainKafka.class, d);
        assertEquals(Set.of("orders-0"), cancel.step().cancel());
        assertTrue(cancel.step().removeThrottle());
        assertTrue(cancel.step().reassign().isEmpty());
        Finish end = assertInstanceOf(Finish.class, cancel.then().apply(null));
        assertEquals(OpsPhase.CANCELLED, end.phase());
        assertEquals("cancelled while draining kafka-broker-3: 1/2 partitions had moved (they stay where they are), the reassignment"
                + " of 1 cancelled, the replication throttle removed; the Cluster was not touched", end.message());
        assertEquals(T0.plusSeconds(3).toString(), end.status().kafkaDrain.get("broker").finishedAt);
        assertInstanceOf(Wait.class, cancel.then().apply("Kafka at k:9092 did not take the drain step (x)"), "tried again");
    }

    @Test
    void theNodeIdOfARemovedBrokerIsUnregisteredOnceItsPodIsGoneAndOnlyOnce() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(100, 101), List.of(100, 101), 100));
        OpsRequest ops = ops("in-5", scaleIn(1));
        Advance creating = (Advance) OpsDecider.decide(in(ops, drained(4), kafka, 0, 1, 2, 3), after(Duration.ZERO));
        OpsRequest started = with(ops, creating.status());
        Apply apply = (Apply) OpsDecider.decide(in(started, drained(4), kafka, 0, 1, 2, 3), after(Duration.ofSeconds(1)));
        Advance running = (Advance) apply.then().apply(drained(3));
        OpsRequest run = with(ops, running.status());

        assertInstanceOf(Wait.class, OpsDecider.decide(in(run, drained(3), kafka, 0, 1, 2, 3), after(Duration.ofSeconds(2))),
                "the pod is still there: nothing is unregistered");
        UnregisterBrokers unregister = assertInstanceOf(UnregisterBrokers.class, OpsDecider.decide(in(run, drained(3), kafka, 0, 1, 2),
                after(Duration.ofSeconds(3))));
        assertEquals(Set.of(103), unregister.nodeIds());
        Wait failed = assertInstanceOf(Wait.class, unregister.then().apply("Kafka at k:9092 did not unregister [103] (x)"));
        assertEquals("UnregisteringBrokers", Conditions.find(failed.status().conditions, "Progressing").reason);
        Wait done = assertInstanceOf(Wait.class, unregister.then().apply(null));
        assertEquals(Map.of("broker", List.of(103)), done.status().kafkaUnregistered);
        assertEquals(List.of(new OpsDecision.Event(false, "BrokersUnregistered", "unregistered Kafka node id 103 of kafka-broker-3"
                + " (node 103): their pods are gone")), done.notes().events());

        Finish succeed = assertInstanceOf(Finish.class, OpsDecider.decide(in(with(ops, done.status()), drained(3), kafka, 0, 1, 2),
                after(Duration.ofSeconds(4))));
        assertEquals(OpsPhase.SUCCEED, succeed.phase());

        // a topic created on broker 103 after the guard looked: said when the node id goes (strimzi#12665 is that kind)
        kafka.partitions = List.of(new Partition("orders", 0, List.of(100, 101), List.of(100, 101), 100),
                new Partition("audit", 0, List.of(103, 100), List.of(100), 100));
        OpsDecision lateDecision = OpsDecider.decide(in(with(ops, running.status()), drained(3), kafka, 0, 1, 2), after(Duration.ofSeconds(3)));
        UnregisterBrokers late = assertInstanceOf(UnregisterBrokers.class, lateDecision, () -> lateDecision instanceof Finish f
                ? f.reason() + ": " + f.message() : lateDecision.toString());
        assertEquals(List.of(new OpsDecision.Event(true, "RemovedBrokerHostsReplicas", "kafka-broker-3 (node 103) still hosts replicas"
                + " of audit-0 now that its pod is gone (placed there after the drain or the guard looked); those partitions are"
                + " under-replicated until reassigned to brokers that stay (kafka-reassign-partitions.sh)"), new OpsDecision.Event(false,
                        "BrokersUnregistered", "unregistered Kafka node id 103 of kafka-broker-3 (node 103): their pods are gone")),
                ((Wait) late.then().apply(null)).notes().events());
    }

    @Test
    void anOpsThatFailsWhileDrainingStopsItsDrainFirstAndSomeoneElsesMoveIsWaitedForBeforePlanning() {
        FakeKafka kafka = new FakeKafka(new Partition("orders", 0, List.of(103, 100), List.of(103, 100), 103),
                new Partition("orders", 1, List.of(101, 103), List.of(101, 103), 101));
        kafka.reassigning = Set.of("orders-1"); // a user's move that involves broker 103
        OpsRequest ops = ops("in-4", scaleIn(1));
        assertEquals("Draining: waiting for the reassignment in progress of orders-1 (not this drain's) to end before planning the drain"
                + " of kafka-broker-3 (node 103)", waiting(OpsDecider.decide(in(ops, drained(4), kafka, 0, 1, 2, 3), after(Duration.ZERO))));
        kafka.reassigning = Set.of();
        Wait recorded = (Wait) OpsDecider.decide(in(ops, drained(4), kafka, 0, 1, 2, 3), after(Duration.ofSeconds(1)));
        assertEquals(2, recorded.status().kafkaDrain.get("broker").targetReplicas.size());

        // Kafka moves orders-0; broker 101 is down; then drain is turned off: the guard holds the removal, and the
        // precondition deadline has passed, so the ops ends Failed. Its drain stops first.
        kafka.partitions = List.of(new Partition("orders", 0, List.of(103, 100, 102), List.of(103, 100), 103),
                new Partition("orders", 1, List.of(101, 103), List.of(103), 103));
        kafka.reassigning = Set.of("orders-0");
        kafka.live = Set.of(100, 102, 103);
        Cluster off = drained(4);
        off.getSpec().componentSpecs.get(0).scaleInGuard.kafka.drain = false;
        OpsRequest draining = with(ops, recorded.status());
        DrainKafka stop = assertInstanceOf(DrainKafka.class, OpsDecider.decide(in(draining, off, kafka, 0, 1, 2, 3),
                after(Duration.ofSeconds(5))));
        assertEquals(Set.of("orders-0"), stop.step().cancel());
        assertTrue(stop.step().removeThrottle());
        assertFalse(stop.step().throttle().brokers().contains(101), "broker 101 is down: its rate is not asked for");
        // the ops ends right after the step, as decided: not decided again once the cause may have cleared
        Finish failed = assertInstanceOf(Finish.class, stop.then().apply(null));
        assertEquals(List.of(new Event(false, "ReassignmentsStopped", "stopped the drain of kafka-broker-3 as the ops ends Failed (ScaleInBlocked):"
                + " 0/2 partitions had moved (they stay where they are), the reassignment of 1 cancelled, the replication throttle removed")),
                failed.notes().events());
        assertEquals(OpsPhase.FAILED, failed.phase());
        assertEquals("ScaleInBlocked", failed.reason());
        assertEquals(T0.plusSeconds(5).toString(), failed.status().kafkaDrain.get("broker").finishedAt);
    }
}
