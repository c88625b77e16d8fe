package dev.ordinal.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.ordinal.core.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** One test per row of the worked-results table in spec §3 (cluster kafka, component broker). */
class WorkedResultsTest {

    private static void assertPlan(ScalingPlan plan, int replicas, List<String> offline,
                                   List<String> create, List<String> delete) {
        assertEquals(replicas, plan.after().replicas(), "R'");
        assertEquals(offline, plan.after().offlineInstances(), "O'");
        assertEquals(create, plan.podsToCreate(), "create");
        assertEquals(delete, plan.podsToDelete(), "delete");
    }

    @Test
    void row01_offlineLast_3to2_deletes2() {
        assertPlan(valid(shape(3), ScalingRequest.offline(C, pod(2))), 2, pods(2), List.of(), pods(2));
    }

    @Test
    void row02_onlineLast_2to3_creates2() {
        assertPlan(valid(shape(2, 2), ScalingRequest.online(C, pod(2))), 3, List.of(), pods(2), List.of());
    }

    @Test
    void row03_offlineMiddle_3to2_deletes1_keeps0and2() {
        ScalingPlan plan = valid(shape(3), ScalingRequest.offline(C, pod(1)));
        assertPlan(plan, 2, pods(1), List.of(), pods(1));
        assertEquals(pods(0, 2), names(plan.after()));
    }

    @Test
    void row04_onlineMiddle_2to3_creates1() {
        assertPlan(valid(shape(2, 1), ScalingRequest.online(C, pod(1))), 3, List.of(), pods(1), List.of());
    }

    @Test
    void row05_scaleOutOneWithMiddleOffline_creates3_offlineKept() {
        assertPlan(valid(shape(2, 1), ScalingRequest.scaleOut(C, 1)), 3, pods(1), pods(3), List.of());
    }

    @Test
    void row06_scaleOutOnePlusOnline_3_creates2() {
        assertPlan(valid(shape(2, 2), ScalingRequest.scaleOut(C, 1, pod(2))), 3, List.of(), pods(2), List.of());
    }

    @Test
    void row07_scaleOutTwoPlusOnline_4_creates2and3() {
        assertPlan(valid(shape(2, 2), ScalingRequest.scaleOut(C, 2, pod(2))), 4, List.of(), pods(2, 3), List.of());
    }

    @Test
    void row08_scaleOutZeroPlusOnline_failed() {
        List<ValidationError> errors = invalid(shape(2, 2), ScalingRequest.scaleOut(C, 0, pod(2)));
        assertEquals(1, errors.size(), joined(errors));
        assertEquals("scaleOut.replicaChanges", errors.get(0).field());
        assertTrue(errors.get(0).message().contains("0 is smaller than the 1 instances named"), joined(errors));
    }

    @Test
    void row09_onlineBeyondGap_failed_ordinal3WouldBeUsed() {
        List<ValidationError> errors = invalid(shape(3, 4), ScalingRequest.online(C, pod(4)));
        assertEquals(1, errors.size(), joined(errors));
        ValidationError e = errors.get(0);
        assertEquals("scaleOut.offlineInstancesToOnline[0]", e.field());
        assertTrue(e.message().contains("ordinal 3 would be used"), e.message());
        assertTrue(e.message().contains("scale out by 2 together with it"), e.message());
        assertTrue(e.message().contains("or bring it back after filling the gap"), e.message());
    }

    @Test
    void row10_scaleOutTwoPlusOnlineBeyondGap_5_creates3and4() {
        assertPlan(valid(shape(3, 4), ScalingRequest.scaleOut(C, 2, pod(4))), 5, List.of(), pods(3, 4), List.of());
    }
}
