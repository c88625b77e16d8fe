package dev.ordinal.controller.ops;

import static dev.ordinal.controller.ops.OpsFixtures.SETTINGS;
import static dev.ordinal.controller.ops.OpsFixtures.T0;
import static dev.ordinal.controller.ops.OpsFixtures.after;
import static dev.ordinal.controller.ops.OpsFixtures.cluster;
import static dev.ordinal.controller.ops.OpsFixtures.inputs;
import static dev.ordinal.controller.ops.OpsFixtures.offline;
import static dev.ordinal.controller.ops.OpsFixtures.ops;
import static dev.ordinal.controller.ops.OpsFixtures.readyPods;
import static dev.ordinal.controller.ops.OpsFixtures.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.controller.ops.OpsDecision.Advance;
import dev.ordinal.controller.ops.OpsDecision.Apply;
import dev.ordinal.controller.ops.OpsDecision.Finish;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.core.ObservedPod;
import dev.ordinal.vocabulary.OpsPhase;

/**
 * {@link OpsDecider} on a fixed clock: an ops' whole run, Pending → Creating → Running → Succeed, and the other ends
 * of a started ops (docs/ops-controller.md "The runbook"; spec §5, §6 and amendment §7a).
 */
class OpsDeciderTest {

    /** Each step's status fed back as the next step's observation, as the API server would hand it back. */
    private static OpsRequest started() {
        OpsRequest ops = ops("offline-2", offline("kafka-broker-2"));
        Advance creating = (Advance) OpsDecider.decide(inputs(ops, cluster(3, "Running")), after(Duration.ofSeconds(1)));
        return with(ops, creating.status());
    }

    /** The Cluster as the ops' apply left it: replicas 2, broker 2 offline, at a generation its status has not observed. */
    private static Cluster applied() {
        Cluster c = cluster(2, "Running", "kafka-broker-2");
        c.getMetadata().setGeneration(5L);
        return c;
    }

    private static OpsRequest running() {
        Apply apply = (Apply) OpsDecider.decide(inputs(started(), cluster(3, "Running")), after(Duration.ofSeconds(2)));
        Advance running = (Advance) apply.then().apply(applied());
        return with(started(), running.status());
    }

    @Test
    void aValidOpsOnASettledClusterTakesItsSnapshotAndEntersCreating() {
        OpsDecision d = OpsDecider.decide(inputs(ops("offline-2", offline("kafka-broker-2")), cluster(3, "Running")),
                after(Duration.ofSeconds(1)));
        Advance creating = assertInstanceOf(Advance.class, d);
        assertEquals(OpsPhase.CREATING, creating.phase());
        assertEquals("snapshot of broker taken", creating.message());
        assertTrue(creating.notes().planComputed());
        OpsRequestStatus status = creating.status();
        assertEquals("Creating", status.phase);
        assertEquals(3, status.lastConfiguration.components.get("broker").replicas, "the snapshot is the Cluster before the change");
        assertEquals(T0.plusSeconds(1).toString(), status.startTimestamp, "the deadline counts from the start, not the creation");
        assertTrue(Conditions.isTrue(status.conditions, "Validated"));
        assertEquals("Started", Conditions.find(status.conditions, "WaitForProgressing").reason);
        assertEquals(1L, status.observedGeneration);
    }

    @Test
    void creatingAppliesThePlanOnceAndThenRuns() {
        OpsDecision d = OpsDecider.decide(inputs(started(), cluster(3, "Running")), after(Duration.ofSeconds(2)));
        Apply apply = assertInstanceOf(Apply.class, d);
        assertEquals(2, apply.targets().get("broker").replicas());
        assertEquals(List.of("kafka-broker-2"), apply.targets().get("broker").offlineInstances());
        Advance running = assertInstanceOf(Advance.class, apply.then().apply(applied()));
        assertEquals(OpsPhase.RUNNING, running.phase());
        assertEquals("broker: replicas 3 → 2, delete kafka-broker-2", running.message());
        assertEquals("0/1", running.status().progress);
        assertEquals(List.of("kafka-broker-2"), running.status().plan.get("broker").podsToDelete);
    }

    @Test
    void aRestartAfterTheApplyDoesNotWriteTheClusterAgain() {
        // the operator stopped after the apply, before it wrote Running: the Cluster already carries the plan
        OpsDecision d = OpsDecider.decide(inputs(started(), applied()), after(Duration.ofSeconds(30)));
        assertEquals(OpsPhase.RUNNING, assertInstanceOf(Advance.class, d).phase());
    }

    @Test
    void podsDoneWaitForTheClusterToReportThenTheOpsSucceeds() {
        OpsDecision waiting = OpsDecider.decide(inputs(running(), applied(), readyPods(0, 1), List.of()), after(Duration.ofSeconds(5)));
        Wait wait = assertInstanceOf(Wait.class, waiting);
        assertTrue(wait.transitional(), "held back for the settle window: Succeed usually comes first");
        assertEquals(Duration.ofSeconds(2), wait.recheck());
        assertEquals("WaitingForCluster", Conditions.find(wait.status().conditions, "Progressing").reason);
        assertEquals("1/1", wait.status().progress);

        Cluster reported = applied();
        reported.getStatus().observedGeneration = 5L;
        Finish done = assertInstanceOf(Finish.class,
                OpsDecider.decide(inputs(running(), reported, readyPods(0, 1), List.of()), after(Duration.ofSeconds(6))));
        assertEquals(OpsPhase.SUCCEED, done.phase());
        assertEquals("all 1 pod changes done", done.message());
        assertEquals(T0.plusSeconds(6).toString(), done.status().completionTimestamp);
        assertTrue(Conditions.isTrue(done.status().conditions, "Succeed"));
    }

    @Test
    void aRunningOpsLooksAgainAtItsDeadlineAndIsAbortedPastIt() {
        Map<String, ObservedPod> stuck = readyPods(0, 1, 2);
        Wait wait = assertInstanceOf(Wait.class, OpsDecider.decide(inputs(running(), applied(), stuck, List.of()),
                after(Duration.ofMinutes(10))));
        assertFalse(wait.transitional());
        assertEquals(Duration.ofMinutes(20).plusSeconds(1).plusMillis(50), wait.recheck(), "30 min from the start at T0+1s");

        Finish aborted = assertInstanceOf(Finish.class, OpsDecider.decide(inputs(running(), applied(), stuck, List.of()),
                after(Duration.ofMinutes(31))));
        assertEquals(OpsPhase.ABORTED, aborted.phase());
        assertEquals("DeadlineExceeded", aborted.reason());
        assertTrue(aborted.message().startsWith("deadline of 1800s passed; pods still pending: kafka-broker-2"), aborted.message());
        var detail = aborted.status().components.get("broker").progressDetails.get(0);
        assertEquals("Aborted", detail.status, "an unfinished detail agrees with the end (spec amendment §7a)");
        assertEquals("Aborted", aborted.status().components.get("broker").phase);
    }

    @Test
    void aFailedPodFailsTheOps() {
        var pods = readyPods(0, 1);
        pods.put("kafka-broker-3", ObservedPod.failedPod("ImagePullBackOff: nope"));
        OpsRequest ops = with(ops("out-1", OpsFixtures.scaleOut(1)), null);
        Advance creating = (Advance) OpsDecider.decide(inputs(ops, cluster(3, "Running")), after(Duration.ofSeconds(1)));
        Cluster four = cluster(4, "Running");
        Advance running = (Advance) ((Apply) OpsDecider.decide(inputs(with(ops, creating.status()), cluster(3, "Running")),
                after(Duration.ofSeconds(2)))).then().apply(four);
        Finish failed = assertInstanceOf(Finish.class, OpsDecider.decide(inputs(with(ops, running.status()), four, pods, List.of()),
                after(Duration.ofSeconds(3))));
        assertEquals(OpsPhase.FAILED, failed.phase());
        assertEquals("PodFailed", failed.reason());
        assertTrue(failed.message().startsWith("failed pods: kafka-broker-3"), failed.message());
    }

    @Test
    void aCancelReappliesTheSnapshotThenEndsCancelledWhenThePodsMatchIt() {
        OpsRequest ops = running();
        ops.getSpec().cancel = true;
        Apply revert = assertInstanceOf(Apply.class, OpsDecider.decide(inputs(ops, applied()), after(Duration.ofSeconds(5))));
        assertEquals(3, revert.targets().get("broker").replicas());
        assertEquals(List.of(), revert.targets().get("broker").offlineInstances());
        Advance cancelling = assertInstanceOf(Advance.class, revert.then().apply(cluster(3, "Running")));
        assertEquals(OpsPhase.CANCELLING, cancelling.phase());
        assertEquals(T0.plusSeconds(5).toString(), cancelling.status().cancelTimestamp);

        Cluster back = cluster(3, "Running");
        Finish cancelled = assertInstanceOf(Finish.class, OpsDecider.decide(inputs(with(ops, cancelling.status()), back),
                after(Duration.ofSeconds(8))));
        assertEquals(OpsPhase.CANCELLED, cancelled.phase());
        assertEquals("pods match lastConfiguration again", cancelled.message());
        assertEquals("Cancelled", cancelled.status().components.get("broker").phase, "a cancelled component ends Cancelled");
    }

    /** The Cluster after a user's client-side {@code kubectl apply} of the manifest from before the ops (replicas 3, no offline). */
    private static Cluster reappliedByKubectl() {
        Cluster c = cluster(3, "Running");
        c.getMetadata().setGeneration(6L);
        // an update that changes a value takes the field from its applier: ordinal-ops owns neither any more
        OpsFixtures.managedBy(c, "kafka-manifest", "Update", T0.minusSeconds(60), OpsFixtures.brokerFields("\"f:template\":{}"));
        return OpsFixtures.managedBy(c, "kubectl-client-side-apply", "Update", T0.plusSeconds(3),
                OpsFixtures.brokerFields("\"f:replicas\":{},\"f:offlineInstances\":{}"));
    }

    @Test
    void anOpsWhoseChangeAnotherWriterUndidFailsWhileRunningNamingFieldValuesAndWriter() {
        // kafka-broker-2 still exists (Terminating): the ops is not done, and is judged now, not at its end
        var pods = readyPods(0, 1);
        pods.put("kafka-broker-2", ObservedPod.terminatingPod());
        Finish failed = assertInstanceOf(Finish.class, OpsDecider.decide(inputs(running(), reappliedByKubectl(), pods, List.of()),
                after(Duration.ofSeconds(5))));
        assertEquals(OpsPhase.FAILED, failed.phase());
        assertEquals("OverwrittenByAnotherWriter", failed.reason());
        assertTrue(failed.message().contains("spec.componentSpecs[broker].replicas: this ops wrote 2, the Cluster now has 3 "
                + "(written by kubectl-client-side-apply)"), failed.message());
        assertTrue(failed.message().contains("spec.componentSpecs[broker].offlineInstances: this ops wrote [kafka-broker-2], the "
                + "Cluster now has [] (written by kubectl-client-side-apply)"), failed.message());
        assertEquals("Aborted", failed.status().components.get("broker").progressDetails.get(0).status);
        assertTrue(Conditions.isTrue(failed.status().conditions, "Failed"));
    }

    @Test
    void aRemovedFieldNamesTheLastWriterOfTheSpec() {
        Cluster c = cluster(2, "Running");
        c.getMetadata().setGeneration(6L);
        OpsFixtures.managedBy(c, "ordinal-ops", "Apply", T0.plusSeconds(2), OpsFixtures.brokerFields("\"f:replicas\":{}"));
        OpsFixtures.managedBy(c, "argocd-controller", "Apply", T0.plusSeconds(4), OpsFixtures.brokerFields("\"f:name\":{}"));
        OpsFixtures.managedBy(c, "kubectl-edit", "Update", T0.plusSeconds(3), "{\"f:spec\":{\"f:terminationPolicy\":{}}}");
        Finish failed = assertInstanceOf(Finish.class, OpsDecider.decide(inputs(running(), c, readyPods(0, 1), List.of()),
                after(Duration.ofSeconds(5))));
        assertTrue(failed.message().contains("offlineInstances: this ops wrote [kafka-broker-2], the Cluster now has [] (written by "
                + "argocd-controller, the last writer of the Cluster's spec; the field has no owner now)"), failed.message());
        assertFalse(failed.message().contains(".replicas:"), "replicas still hold what the ops wrote: " + failed.message());
    }

    @Test
    void aForcedOpsThatWroteOverThisOnesChangeIsNoOtherWriter() {
        // a forced scale-out ran alongside (spec §5): its snapshot carried this ops' change on; ordinal-ops owns the field
        Cluster c = cluster(3, "Running", "kafka-broker-2");
        c.getMetadata().setGeneration(6L);
        OpsFixtures.managedBy(c, "ordinal-ops", "Apply", T0.plusSeconds(4),
                OpsFixtures.brokerFields("\"f:replicas\":{},\"f:offlineInstances\":{}"));
        assertInstanceOf(Wait.class, OpsDecider.decide(inputs(running(), c, readyPods(0, 1), List.of()), after(Duration.ofSeconds(5))));
    }

    @Test
    void aCancelWhoseSnapshotAnotherWriterChangedFailsToo() {
        OpsRequest ops = running();
        ops.getSpec().cancel = true;
        Apply revert = (Apply) OpsDecider.decide(inputs(ops, applied()), after(Duration.ofSeconds(5)));
        Advance cancelling = (Advance) revert.then().apply(cluster(3, "Running"));
        Cluster edited = cluster(4, "Running");
        OpsFixtures.managedBy(edited, "kubectl-edit", "Update", T0.plusSeconds(6), OpsFixtures.brokerFields("\"f:replicas\":{}"));
        Finish failed = assertInstanceOf(Finish.class, OpsDecider.decide(inputs(with(ops, cancelling.status()), edited),
                after(Duration.ofSeconds(8))));
        assertEquals("OverwrittenByAnotherWriter", failed.reason());
        assertTrue(failed.message().contains("replicas: this ops wrote 3, the Cluster now has 4 (written by kubectl-edit)"),
                failed.message());
    }

    @Test
    void anOpsInANamespaceBeingDeletedEndsAtOnceNamingIt() {
        String refusal = "unable to create new content in namespace ns because it is being terminated";
        for (OpsRequest ops : List.of(running(), ops("queued", offline("kafka-broker-2")))) {
            OpsInputs in = new OpsInputs(ops, applied(), readyPods(0, 1, 2), List.of(), OpsFixtures.NO_GUARD, true, SETTINGS, refusal);
            Finish failed = assertInstanceOf(Finish.class, OpsDecider.decide(in, after(Duration.ofSeconds(5))), ops.getMetadata().getName());
            assertEquals(OpsPhase.FAILED, failed.phase());
            assertEquals("NamespaceTerminating", failed.reason());
            assertEquals("namespace ns is being deleted: the API server refuses to create anything in it (" + refusal
                    + "), so this ops cannot go on", failed.message());
        }
    }

    @Test
    void aStartedOpsWhoseClusterIsGoneFailsPlanFailed() {
        Finish failed = assertInstanceOf(Finish.class, OpsDecider.decide(inputs(started(), null), after(Duration.ofSeconds(2))));
        assertEquals("PlanFailed", failed.reason());
        assertEquals("cluster kafka no longer exists", failed.message());
        assertEquals("-/-", failed.status().progress, "it never made progress");
    }

    @Test
    void anEndedOpsIsDeletedOnceItsTtlHasPassed() {
        OpsRequest ended = OpsFixtures.inPhase(ops("done", offline("kafka-broker-2")), "Succeed");
        assertEquals(new OpsDecision.Idle(null), OpsDecider.decide(inputs(ended, null), after(Duration.ofHours(1))), "no TTL: kept");
        ended.getStatus().completionTimestamp = T0.plusSeconds(10).toString();
        ended.getSpec().ttlSecondsAfterSucceed = 60;
        ended.getSpec().ttlSecondsAfterUnsuccessfulCompletion = 5;
        assertEquals(new OpsDecision.Idle(Duration.ofSeconds(40).plusMillis(50)),
                OpsDecider.decide(inputs(ended, null), after(Duration.ofSeconds(30))));
        assertInstanceOf(OpsDecision.Delete.class, OpsDecider.decide(inputs(ended, null), after(Duration.ofSeconds(70))));
        ended.getStatus().phase = "Failed";
        assertInstanceOf(OpsDecision.Delete.class, OpsDecider.decide(inputs(ended, null), after(Duration.ofSeconds(15))),
                "an unsuccessful end has its own TTL");
    }

    @Test
    void theDecisionIsRecomputedFromStoredStateAlone() {
        // the same observation decides the same, whoever decides it (a restarted operator included)
        OpsInputs in = inputs(running(), applied(), readyPods(0, 1, 2), List.of());
        Wait a = (Wait) OpsDecider.decide(in, after(Duration.ofMinutes(1)));
        Wait b = (Wait) OpsDecider.decide(in, after(Duration.ofMinutes(1)));
        assertEquals(a.status().progress, b.status().progress);
        assertEquals(a.recheck(), b.recheck());
        assertNull(in.ops().getStatus().completionTimestamp, "the observed ops is never changed");
        assertEquals(SETTINGS.defaultTimeout(), Duration.ofMinutes(30));
    }
}
