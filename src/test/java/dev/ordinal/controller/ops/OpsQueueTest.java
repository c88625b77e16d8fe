package dev.ordinal.controller.ops;

import static dev.ordinal.controller.ops.OpsFixtures.T0;
import static dev.ordinal.controller.ops.OpsFixtures.after;
import static dev.ordinal.controller.ops.OpsFixtures.cluster;
import static dev.ordinal.controller.ops.OpsFixtures.createdAt;
import static dev.ordinal.controller.ops.OpsFixtures.inPhase;
import static dev.ordinal.controller.ops.OpsFixtures.inputs;
import static dev.ordinal.controller.ops.OpsFixtures.offline;
import static dev.ordinal.controller.ops.OpsFixtures.ops;
import static dev.ordinal.controller.ops.OpsFixtures.readyPods;
import static dev.ordinal.controller.ops.OpsFixtures.scaleOut;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.ops.OpsDecision.Finish;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.core.ComponentShape;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.vocabulary.OpsPhase;

/**
 * The queue of a cluster's ops ({@link OpsQueue}) and how Pending applies it (docs/ops-controller.md "Queue"; spec §5):
 * one at a time, oldest first; a failed head cancels those queued behind it; at most {@code max-queue} wait; force
 * skips the queue but not a conflict with a running ops.
 */
class OpsQueueTest {
    private final Instant now = T0.plusSeconds(60);

    private static OpsRequest peer(String name, int secondsAfterT0, String phase) {
        OpsRequest p = createdAt(ops(name, offline("kafka-broker-1")), T0.plusSeconds(secondsAfterT0));
        return phase == null ? p : inPhase(p, phase);
    }

    @Test
    void aStartedOpsOrAnOlderPendingOneHoldsTheQueue() {
        OpsRequest me = peer("me", 10, null);
        assertTrue(OpsQueue.isAhead(peer("running", 20, "Running"), me, now), "started, even if younger");
        assertTrue(OpsQueue.isAhead(peer("cancelling", 20, "Cancelling"), me, now));
        assertTrue(OpsQueue.isAhead(peer("older", 5, null), me, now));
        assertTrue(OpsQueue.isAhead(peer("a-same-age", 10, null), me, now), "same age: by name");
        assertFalse(OpsQueue.isAhead(peer("younger", 20, "Pending"), me, now));
        assertFalse(OpsQueue.isAhead(peer("ended", 5, "Succeed"), me, now));
        OpsRequest forced = peer("forced", 5, null);
        forced.getSpec().force = true;
        assertFalse(OpsQueue.isAhead(forced, me, now), "a forced ops queues nobody");
        OpsRequest dry = peer("dry", 5, "Pending");
        dry.getSpec().dryRun = true;
        assertFalse(OpsQueue.isAhead(dry, me, now));
    }

    @Test
    void aHeadThatFailedAfterThisOpsWasQueuedCancelsIt() {
        OpsRequest me = peer("me", 10, null);
        OpsRequest head = peer("head", 0, "Failed");
        head.getStatus().startTimestamp = T0.toString();
        head.getStatus().completionTimestamp = T0.plusSeconds(30).toString();
        assertTrue(OpsQueue.failedWhileAhead(head, me, now));
        head.getStatus().completionTimestamp = T0.plusSeconds(9).toString();
        assertTrue(OpsQueue.failedWhileAhead(head, me, now), "within a second of this ops' creation");
        head.getStatus().completionTimestamp = T0.plusSeconds(5).toString();
        assertFalse(OpsQueue.failedWhileAhead(head, me, now), "it had failed before this ops was created");
        head.getStatus().completionTimestamp = T0.plusSeconds(30).toString();
        head.getStatus().startTimestamp = null;
        assertFalse(OpsQueue.failedWhileAhead(head, me, now), "an ops that never started was no head");

        head.getStatus().startTimestamp = T0.toString();
        Finish f = assertInstanceOf(Finish.class, OpsDecider.decide(inputs(me, cluster(3, "Running"), readyPods(0, 1, 2), List.of(head)),
                after(Duration.ofSeconds(40))));
        assertEquals(OpsPhase.CANCELLED, f.phase());
        assertEquals("CancelByController", f.reason());
        assertEquals("0/1", f.status().progress);
    }

    @Test
    void aQueuedOpsWaitsForTheOneAheadAndLooksAgainEveryFiveSeconds() {
        OpsRequest me = peer("me", 10, null);
        Wait w = assertInstanceOf(Wait.class, OpsDecider.decide(inputs(me, cluster(3, "Running"), readyPods(0, 1, 2),
                List.of(peer("head", 0, "Running"))), after(Duration.ofSeconds(40))));
        assertEquals(Duration.ofSeconds(5), w.recheck());
        assertEquals("OpsInProgress", Conditions.find(w.status().conditions, "WaitForProgressing").reason);
        assertEquals("waiting for opsrequest head (Running) on cluster kafka; cancel that one (spec.cancel: true) to undo it and let"
                + " this one go",
                Conditions.find(w.status().conditions, "WaitForProgressing").message);
    }

    @Test
    void moreThanMaxQueueWaitingOpsFailTheNextOne() {
        List<OpsRequest> waiting = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiting.add(peer("w" + (100 + i), i, null));
        }
        OpsRequest me = peer("me", 30, null);
        assertTrue(OpsQueue.isFull(waiting, waiting, 20));
        assertFalse(OpsQueue.isFull(waiting, waiting.subList(0, 19), 20), "fewer than max-queue ahead of it");
        Finish f = assertInstanceOf(Finish.class, OpsDecider.decide(inputs(me, cluster(3, "Running"), readyPods(0, 1, 2), waiting),
                after(Duration.ofSeconds(40))));
        assertEquals("QueueFull", f.reason());
        assertEquals("more than 20 opsrequests are waiting for cluster kafka", f.message());
    }

    @Test
    void aForcedOpsMayNotTakeAwayAPodARunningOpsCreates() {
        OpsRequest running = peer("growing", 0, "Running");
        running.getStatus().plan = OpsStatus.plan(Map.of("broker", new ScalingPlan("broker", ComponentShape.of(3), ComponentShape.of(4),
                List.of("kafka-broker-3"), List.of())));
        ScalingPlan shrink = new ScalingPlan("broker", ComponentShape.of(4), ComponentShape.of(3), List.of(), List.of("kafka-broker-3"));
        assertEquals(Optional.of("pod kafka-broker-3 is being created by opsrequest growing; wait for it to end, or cancel it, before "
                + "taking kafka-broker-3 away"), OpsQueue.forceConflict(Map.of("broker", shrink), List.of(running)));
        assertEquals(Optional.empty(), OpsQueue.forceConflict(Map.of("broker", shrink), List.of(inPhase(running, "Succeed"))));

        OpsRequest forced = ops("forced", scaleOut(1));
        forced.getSpec().force = true;
        assertInstanceOf(OpsDecision.Advance.class, OpsDecider.decide(inputs(forced, cluster(3, "Updating"), readyPods(0, 1, 2),
                List.of(peer("head", 0, "Running"))), after(Duration.ofSeconds(1))), "force skips the queue and the precondition");
    }
}
