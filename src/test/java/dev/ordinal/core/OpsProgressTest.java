package dev.ordinal.core;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.ordinal.core.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class OpsProgressTest {

    private static ScalingPlan plan(List<String> create, List<String> delete) {
        return new ScalingPlan(C, shape(3), shape(3), create, delete);
    }

    @Test
    void createdPodGoesPendingProcessingSucceed() {
        Map<String, ScalingPlan> plans = Map.of(C, plan(pods(3), List.of()));
        assertEquals(ProgressStatus.Pending, OpsProgress.compute(plans, Map.of()).details().get(0).status());
        assertEquals(ProgressStatus.Processing,
                OpsProgress.compute(plans, Map.of(pod(3), ObservedPod.notReadyPod())).details().get(0).status());
        assertEquals(ProgressStatus.Processing,
                OpsProgress.compute(plans, Map.of(pod(3), new ObservedPod(true, true, true, null))).details().get(0).status(),
                "a Ready pod that is terminating is the old pod, not the new one");
        ProgressReport done = OpsProgress.compute(plans, Map.of(pod(3), ObservedPod.readyPod()));
        assertEquals(ProgressStatus.Succeed, done.details().get(0).status());
        assertEquals(C, done.details().get(0).component());
        assertTrue(done.isComplete());
    }

    @Test
    void permanentFailureCountsAsDoneButFailsTheOps() {
        Map<String, ScalingPlan> plans = Map.of(C, plan(pods(3, 4), List.of()));
        ProgressReport r = OpsProgress.compute(plans,
                Map.of(pod(3), ObservedPod.failedPod("ErrImagePull"), pod(4), ObservedPod.readyPod()));
        assertEquals("2/2", r.progress());
        assertTrue(r.isComplete());
        assertTrue(r.isFailed());
        assertEquals(pods(3), r.failedPods());
        assertTrue(r.details().get(0).message().contains("ErrImagePull"));
    }

    @Test
    void deletedPodIsProcessingUntilGone() {
        Map<String, ScalingPlan> plans = Map.of(C, plan(List.of(), pods(2)));
        ProgressReport still = OpsProgress.compute(plans, Map.of(pod(2), ObservedPod.readyPod()));
        assertEquals(ProgressStatus.Processing, still.details().get(0).status());
        assertEquals(pods(2), still.pendingPods());
        assertEquals(ProgressStatus.Processing,
                OpsProgress.compute(plans, Map.of(pod(2), ObservedPod.terminatingPod())).details().get(0).status());
        ProgressReport gone = OpsProgress.compute(plans, Map.of(pod(2), ObservedPod.ABSENT));
        assertEquals(ProgressStatus.Succeed, gone.details().get(0).status());
        assertEquals("1/1", gone.progress());
    }

    @Test
    void nothingToDoIsCompleteAtOnce() {
        ProgressReport r = OpsProgress.compute(Map.of(C, plan(List.of(), List.of())), Map.of());
        assertEquals("0/0", r.progress());
        assertTrue(r.isComplete());
        assertFalse(r.isFailed());
        assertEquals("0/0", OpsProgress.compute(Map.of(), Map.of()).progress());
    }

    @Test
    void detailsFollowComponentOrderAndObjectKeys() {
        Map<String, ScalingPlan> plans = new LinkedHashMap<>();
        plans.put(C, plan(pods(3), pods(1)));
        plans.put("zk", new ScalingPlan("zk", shape(1), shape(2), List.of("kafka-zk-1"), List.of()));
        ProgressReport r = OpsProgress.compute(plans, Map.of(pod(1), ObservedPod.readyPod()));
        assertEquals(List.of("Pod/kafka-broker-3", "Pod/kafka-broker-1", "Pod/kafka-zk-1"),
                r.details().stream().map(ProgressDetail::objectKey).toList());
        assertEquals("0/3", r.progress());
        assertEquals(1, r.detailsOf("zk").size());
    }

    @Test
    void cancelSwapsCreateAndDeleteAndTargetsTheSnapshot() {
        // Scenario 23: +2 scale-out cancelled after -3 was created; -4 never existed.
        ScalingPlan forward = valid(shape(3), ScalingRequest.scaleOut(C, 2));
        Map<String, ScalingPlan> cancel = OpsProgress.cancel(Map.of(C, forward));
        ScalingPlan back = cancel.get(C);
        assertEquals(shape(3), back.after());
        assertEquals(shape(5), back.before());
        assertEquals(pods(3, 4), back.podsToDelete());
        assertEquals(List.of(), back.podsToCreate());
        ProgressReport r = OpsProgress.compute(cancel, Map.of(pod(3), ObservedPod.readyPod()));
        assertEquals("1/2", r.progress());
        assertEquals("2/2", OpsProgress.compute(cancel, Map.of()).progress());
        assertEquals(forward, back.reversed());
    }

    @Test
    void cancelOfOfflineRecreatesThePod() {
        // Scenario 24: offline -1 already deleted it; cancel brings -1 back.
        ScalingPlan forward = valid(shape(3), ScalingRequest.offline(C, pod(1)));
        ScalingPlan back = OpsProgress.cancel(Map.of(C, forward)).get(C);
        assertEquals(pods(1), back.podsToCreate());
        assertEquals(shape(3), back.after());
        assertEquals(ProgressStatus.Pending, OpsProgress.compute(Map.of(C, back), Map.of()).details().get(0).status());
    }
}
