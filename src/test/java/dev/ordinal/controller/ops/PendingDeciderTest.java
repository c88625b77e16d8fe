package dev.ordinal.controller.ops;

import static dev.ordinal.controller.ops.OpsFixtures.SETTINGS;
import static dev.ordinal.controller.ops.OpsFixtures.T0;
import static dev.ordinal.controller.ops.OpsFixtures.after;
import static dev.ordinal.controller.ops.OpsFixtures.cluster;
import static dev.ordinal.controller.ops.OpsFixtures.inputs;
import static dev.ordinal.controller.ops.OpsFixtures.offline;
import static dev.ordinal.controller.ops.OpsFixtures.ops;
import static dev.ordinal.controller.ops.OpsFixtures.readyPods;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.ops.OpsDecision.Advance;
import dev.ordinal.controller.ops.OpsDecision.Finish;
import dev.ordinal.controller.ops.OpsDecision.ReadFreshCluster;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.core.ScaleInGuard.Result;
import dev.ordinal.core.ScaleInGuard.Verdict;
import dev.ordinal.vocabulary.OpsPhase;

/**
 * The Pending step ({@link PendingDecider}) on a fixed clock: cancel, the missing Cluster, validation, dry run, the
 * precondition and the scale-in guard (docs/ops-controller.md "The runbook" and "Choices made where the spec is
 * silent"; spec §5, amendment §7a; docs/scaling-rules.md §8).
 */
class PendingDeciderTest {

    private static OpsDecision decide(OpsInputs in, Duration elapsed) {
        return OpsDecider.decide(in, after(elapsed));
    }

    private static OpsRequest withDeadline(OpsRequest ops, int seconds) {
        ops.getSpec().preConditionDeadlineSeconds = seconds;
        return ops;
    }

    private static OpsInputs guarded(OpsRequest ops, Verdict verdict, List<Boolean> forced) {
        return new OpsInputs(ops, cluster(3, "Running"), readyPods(0, 1, 2), List.of(), (cluster, plans, force) -> {
            forced.add(force);
            return Map.of("broker", verdict);
        }, true, SETTINGS, null);
    }

    @Test
    void aCancelWhilePendingEndsItWithoutTouchingTheCluster() {
        OpsRequest ops = ops("c", offline("kafka-broker-2"));
        ops.getSpec().cancel = true;
        Finish f = assertInstanceOf(Finish.class, decide(inputs(ops, cluster(3, "Running")), Duration.ZERO));
        assertEquals(OpsPhase.CANCELLED, f.phase());
        assertEquals("CancelledWhilePending", f.reason());
        assertEquals("-/-", f.status().progress);
        assertFalse(Conditions.isTrue(f.status().conditions, "WaitForProgressing"));
    }

    @Test
    void aMissingClusterIsWaitedForUntilThePreconditionDeadline() {
        OpsRequest ops = withDeadline(ops("early", offline("kafka-broker-2")), 60);
        Wait w = assertInstanceOf(Wait.class, decide(inputs(ops, null), Duration.ofSeconds(20)));
        assertEquals("ClusterNotFound", Conditions.find(w.status().conditions, "WaitForProgressing").reason);
        assertNull(Conditions.find(w.status().conditions, "Validated"), "not validated: there is nothing to validate against");
        assertEquals(Duration.ofSeconds(40).plusMillis(100), w.recheck());
        assertEquals("Pending", w.status().phase);
    }

    @Test
    void pastTheDeadlineTheClusterIsReadOnceThenTheOpsFails() {
        OpsRequest ops = ops("late", offline("kafka-broker-2"));
        assertInstanceOf(ReadFreshCluster.class, decide(inputs(ops, null), Duration.ofSeconds(1)));
        Finish f = assertInstanceOf(Finish.class, decide(inputs(ops, null).withFreshCluster(null), Duration.ofSeconds(1)));
        assertEquals("ValidationFailed", f.reason());
        assertEquals("-/-", f.status().progress);
    }

    @Test
    void anInvalidRequestFailsOnlyOnWhatTheApiServerHolds() {
        OpsRequest ops = ops("bad", offline("kafka-broker-7"));
        assertInstanceOf(ReadFreshCluster.class, decide(inputs(ops, cluster(3, "Running")), Duration.ZERO),
                "a lagging cache is read again first");
        Finish f = assertInstanceOf(Finish.class, decide(inputs(ops, cluster(3, "Running")).withFreshCluster(cluster(3, "Running")),
                Duration.ZERO));
        assertEquals(OpsPhase.FAILED, f.phase());
        assertEquals("ValidationFailed", Conditions.find(f.status().conditions, "Validated").reason);
        assertTrue(f.message().contains("kafka-broker-7"), f.message());
        assertTrue(f.notes().events().isEmpty() && !f.notes().planComputed());
    }

    @Test
    void aDryRunEndsWithItsPlanAndTheGuardsVerdict() {
        OpsRequest ops = ops("dry", offline("kafka-broker-2"));
        ops.getSpec().dryRun = true;
        List<Boolean> asked = new ArrayList<>();
        Finish f = assertInstanceOf(Finish.class, decide(guarded(ops, new Verdict(Result.BLOCKED, "hosts 3 replicas"), asked),
                Duration.ZERO));
        assertEquals(OpsPhase.SUCCEED, f.phase());
        assertEquals("DryRun", f.reason());
        assertEquals("0/0", f.status().progress);
        assertEquals("Blocked", f.status().plan.get("broker").scaleInGuard.result);
        assertEquals(List.of(false), asked);
    }

    @Test
    void anUnsettledComponentIsWaitedForThenFailsThePrecondition() {
        OpsRequest ops = withDeadline(ops("pre", offline("kafka-broker-2")), 30);
        Wait w = assertInstanceOf(Wait.class, decide(inputs(ops, cluster(3, "Updating")), Duration.ofSeconds(10)));
        assertEquals("ClusterPhase", Conditions.find(w.status().conditions, "WaitForProgressing").reason);
        assertTrue(Conditions.isTrue(w.status().conditions, "Validated"));
        assertEquals("component broker of cluster kafka is Updating; scaling starts from Running, Abnormal or Failed",
                Conditions.find(w.status().conditions, "WaitForProgressing").message);
        assertEquals(Duration.ofSeconds(20).plusMillis(100), w.recheck());

        assertInstanceOf(ReadFreshCluster.class, decide(inputs(ops, cluster(3, "Updating")), Duration.ofSeconds(31)));
        Finish f = assertInstanceOf(Finish.class, decide(inputs(ops, cluster(3, "Updating")).withFreshCluster(cluster(3, "Updating")),
                Duration.ofSeconds(31)));
        assertEquals("PreConditionFailed", f.reason());
        assertEquals("component broker of cluster kafka is Updating; scaling starts from Running, Abnormal or Failed; to go on: create"
                + " the ops again once the component is Running, Abnormal or Failed, or with preConditionDeadlineSeconds long enough"
                + " to wait for it (e.g. 300), or with force: true to start it while the component changes", f.message(),
                "says what the user can do");
        assertEquals("0/1", f.status().progress, "it had a plan of one pod change");
    }

    @Test
    void anAbnormalComponentAcceptsAnOpsSoAnUnhealthyInstanceCanBeTakenOffline() {
        assertInstanceOf(Advance.class, decide(inputs(ops("a", offline("kafka-broker-2")), cluster(3, "Abnormal")), Duration.ZERO));
    }

    @Test
    void aClusterStatusBehindItsGenerationIsWaitedForNotJudged() {
        Cluster lagging = cluster(3, "Running");
        lagging.getMetadata().setGeneration(5L);
        OpsRequest ops = ops("lag", offline("kafka-broker-2"));
        Wait w = assertInstanceOf(Wait.class, decide(inputs(ops, lagging), Duration.ofSeconds(2)));
        assertEquals(Duration.ofMillis(1100), w.recheck(), "the settle window plus 100 ms");
        assertTrue(Conditions.find(w.status().conditions, "WaitForProgressing").message.contains("has not yet observed generation 5"));
        assertInstanceOf(Advance.class, decide(inputs(ops, lagging), Duration.ofSeconds(12)),
                "past the settle window and 10 s it decides on the status as it is");
    }

    @Test
    void theScaleInGuardHoldsTheOpsUntilTheDeadlineThenFailsIt() {
        OpsRequest ops = withDeadline(ops("g", offline("kafka-broker-2")), 60);
        List<Boolean> asked = new ArrayList<>();
        Verdict blocked = new Verdict(Result.BLOCKED, "kafka-broker-2 (node 102) still hosts 3 replicas");
        Wait w = assertInstanceOf(Wait.class, decide(guarded(ops, blocked, asked), Duration.ofSeconds(10)));
        assertEquals("ScaleInBlocked", Conditions.find(w.status().conditions, "WaitForProgressing").reason);
        assertEquals(Duration.ofSeconds(3), w.recheck(), "Kafka is asked again every 3 s");
        assertEquals(Duration.ofMillis(1100), ((Wait) decide(guarded(ops, blocked, asked), Duration.ofSeconds(59))).recheck(),
                "but not past the deadline");
        Finish f = assertInstanceOf(Finish.class, decide(guarded(ops, blocked, asked), Duration.ofSeconds(60)));
        assertEquals("ScaleInBlocked", f.reason());
        assertEquals(blocked.message(), f.message());

        Verdict unavailable = new Verdict(Result.UNAVAILABLE, "Kafka gave no answer");
        assertEquals("ScaleInGuardUnavailable", Conditions.find(((Wait) decide(guarded(ops, unavailable, asked), Duration.ZERO))
                .status().conditions, "WaitForProgressing").reason, "no answer is never taken as safe");
    }

    @Test
    void aSafeOrSkippedVerdictStartsTheOpsWithAnEvent() {
        Advance safe = assertInstanceOf(Advance.class, decide(guarded(ops("s", offline("kafka-broker-2")),
                new Verdict(Result.SAFE, "no replicas"), new ArrayList<>()), Duration.ZERO));
        assertEquals(List.of(new OpsDecision.Event(false, "ScaleInSafe", "no replicas")), safe.notes().events());

        OpsRequest forced = ops("f", offline("kafka-broker-2"));
        forced.getSpec().force = true;
        List<Boolean> asked = new ArrayList<>();
        Advance skipped = assertInstanceOf(Advance.class, decide(guarded(forced, new Verdict(Result.SKIPPED, "not checked"), asked),
                Duration.ZERO));
        assertEquals(List.of(new OpsDecision.Event(true, "ScaleInGuardSkipped", "not checked")), skipped.notes().events());
        assertEquals(List.of(true), asked, "the guard is told the ops is forced");
        assertEquals(T0.toString(), skipped.status().startTimestamp);
    }
}
