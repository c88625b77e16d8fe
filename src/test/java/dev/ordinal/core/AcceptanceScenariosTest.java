package dev.ordinal.core;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.ordinal.core.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The parts of the spec §7 acceptance scenarios that the pure core decides: names, the plan,
 * validation and progress. Pods, PVCs and Cluster writes are the controllers' tests.
 */
class AcceptanceScenariosTest {

    private static final ComponentShape AFTER_SCENARIO_2 = shape(2, 2);
    private static final ComponentShape AFTER_SCENARIO_7 = shape(2, 1);

    private static ProgressReport progress(ScalingPlan plan, Map<String, ObservedPod> pods) {
        return OpsProgress.compute(Map.of(C, plan), pods);
    }

    private static ComponentShape withHot(int replicas, int hot, String... offline) {
        return new ComponentShape(replicas, List.of(new TemplateShape("hot", hot)), List.of(offline));
    }

    @Test
    void scenario01_createReplicas3_names0to2() {
        assertEquals(pods(0, 1, 2), names(shape(3)));
    }

    @Test
    void scenario02_offlineLastPod_replicas2_progress1of1() {
        ScalingPlan plan = valid(shape(3), ScalingRequest.offline(C, pod(2)));
        assertEquals(AFTER_SCENARIO_2, plan.after());
        assertEquals(pods(2), plan.podsToDelete());
        assertEquals("0/1", progress(plan, Map.of(pod(2), ObservedPod.terminatingPod())).progress());
        ProgressReport done = progress(plan, Map.of());
        assertEquals("1/1", done.progress());
        assertTrue(done.isComplete() && !done.isFailed());
    }

    @Test
    void scenario03_onlineLastPodRaisesReplicas() {
        ScalingPlan plan = valid(AFTER_SCENARIO_2, ScalingRequest.online(C, pod(2)));
        // THE FIX: replicas and offline change together, in one target shape.
        assertEquals(shape(3), plan.after());
        assertEquals(pods(2), plan.podsToCreate());
        assertEquals(List.of(), plan.podsToDelete());
        ProgressDetail pending = progress(plan, Map.of()).details().get(0);
        assertEquals("Pod/kafka-broker-2", pending.objectKey());
        assertEquals(ProgressStatus.Pending, pending.status());
        assertEquals(ProgressStatus.Processing,
                progress(plan, Map.of(pod(2), ObservedPod.notReadyPod())).details().get(0).status());
        ProgressReport done = progress(plan, Map.of(pod(2), ObservedPod.readyPod()));
        assertEquals(ProgressStatus.Succeed, done.details().get(0).status());
        assertEquals("1/1", done.progress());
        assertTrue(done.isComplete());
    }

    @Test
    void scenario04_scaleOutOneWithOnline_replicas3Not4() {
        ScalingPlan plan = valid(AFTER_SCENARIO_2, ScalingRequest.scaleOut(C, 1, pod(2)));
        assertEquals(shape(3), plan.after());
        assertEquals(pods(2), plan.podsToCreate());
    }

    @Test
    void scenario05_scaleOutTwoWithOnline_replicas4_progress2of2() {
        ScalingPlan plan = valid(AFTER_SCENARIO_2, ScalingRequest.scaleOut(C, 2, pod(2)));
        assertEquals(shape(4), plan.after());
        assertEquals(pods(2, 3), plan.podsToCreate());
        assertEquals("1/2", progress(plan, Map.of(pod(2), ObservedPod.readyPod())).progress());
        assertEquals("2/2", progress(plan, Map.of(pod(2), ObservedPod.readyPod(), pod(3), ObservedPod.readyPod())).progress());
    }

    @Test
    void scenario06_scaleOutZeroWithOnline_failsValidation() {
        List<ValidationError> errors = invalid(AFTER_SCENARIO_2, ScalingRequest.scaleOut(C, 0, pod(2)));
        assertEquals("scaleOut.replicaChanges: 0 is smaller than the 1 instances named in "
                + "scaleOut.offlineInstancesToOnline; they are part of the total", joined(errors));
    }

    @Test
    void scenario07_offlineMiddle_live0and2_2untouched() {
        ScalingPlan plan = valid(shape(3), ScalingRequest.offline(C, pod(1)));
        assertEquals(AFTER_SCENARIO_7, plan.after());
        assertEquals(pods(0, 2), names(plan.after()));
        assertEquals(pods(1), plan.podsToDelete());
        assertEquals(List.of(), plan.podsToCreate());
    }

    @Test
    void scenario08_onlineMiddle_recreates1_never_deletes2() {
        ScalingPlan plan = valid(AFTER_SCENARIO_7, ScalingRequest.online(C, pod(1)));
        assertEquals(shape(3), plan.after());
        assertEquals(pods(1), plan.podsToCreate());
        assertEquals(List.of(), plan.podsToDelete());
    }

    @Test
    void scenario09_scaleOutOneAfterMiddleOffline_creates3_offlineStays() {
        ScalingPlan plan = valid(AFTER_SCENARIO_7, ScalingRequest.scaleOut(C, 1));
        assertEquals(shape(3, 1), plan.after());
        assertEquals(pods(3), plan.podsToCreate());
    }

    @Test
    void scenario10_scaleInOne_deletesHighest() {
        ScalingPlan plan = valid(shape(3), ScalingRequest.scaleIn(C, 1));
        assertEquals(shape(2), plan.after());
        assertEquals(pods(2), plan.podsToDelete());
    }

    @Test
    void scenario11_scaleOutTwo_creates3and4_progress0to2() {
        ScalingPlan plan = valid(shape(3), ScalingRequest.scaleOut(C, 2));
        assertEquals(pods(3, 4), plan.podsToCreate());
        assertEquals("0/2", progress(plan, Map.of()).progress());
        assertEquals("1/2", progress(plan, Map.of(pod(3), ObservedPod.readyPod(), pod(4), ObservedPod.notReadyPod())).progress());
        assertEquals("2/2", progress(plan, Map.of(pod(3), ObservedPod.readyPod(), pod(4), ObservedPod.readyPod())).progress());
    }

    @Test
    void scenario12_offlineTwoThenOnlineBothOrOnlyOne() {
        ScalingPlan offline = valid(shape(5), ScalingRequest.offline(C, pod(3), pod(4)));
        assertEquals(shape(3, 3, 4), offline.after());
        assertEquals(pods(3, 4), offline.podsToDelete());

        ScalingPlan both = valid(offline.after(), ScalingRequest.online(C, pod(3), pod(4)));
        assertEquals(shape(5), both.after());
        assertEquals("0/2", progress(both, Map.of()).progress());
        assertEquals("2/2", progress(both, Map.of(pod(3), ObservedPod.readyPod(), pod(4), ObservedPod.readyPod())).progress());

        ScalingPlan one = valid(offline.after(), ScalingRequest.online(C, pod(4)));
        assertEquals(shape(4, 3), one.after());
        assertEquals(pods(4), one.podsToCreate());
        assertEquals(List.of(), one.podsToDelete());
    }

    @Test
    void scenario13_ordinalGap_onlineAloneFails_scaleOutTwoWithItWorks() {
        ScalingPlan offline4 = valid(shape(5), ScalingRequest.offline(C, pod(4)));
        assertEquals(pods(0, 1, 2, 3), names(offline4.after()));
        ScalingPlan scaleIn = valid(offline4.after(), ScalingRequest.scaleIn(C, 1));
        assertEquals(shape(3, 4), scaleIn.after());
        assertEquals(pods(3), scaleIn.podsToDelete());

        List<ValidationError> errors = invalid(scaleIn.after(), ScalingRequest.online(C, pod(4)));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).toString().startsWith("scaleOut.offlineInstancesToOnline[0]: kafka-broker-4 would not be brought back"),
                errors.get(0).toString());
        assertTrue(errors.get(0).message().contains("ordinal 3 would be used instead; scale out by 2 together with it"),
                errors.get(0).message());

        ScalingPlan fixed = valid(scaleIn.after(), ScalingRequest.scaleOut(C, 2, pod(4)));
        assertEquals(shape(5), fixed.after());
        assertEquals(pods(3, 4), fixed.podsToCreate());
    }

    @Test
    void scenario14_templateHot_offlineAndOnlineMoveTemplateReplicas() {
        ComponentShape start = withHot(3, 1);
        assertEquals(List.of(pod(0), pod(1), pod("hot", 0)), names(start));

        ScalingPlan offline = valid(start, ScalingRequest.offline(C, pod("hot", 0)));
        assertEquals(withHot(2, 0, pod("hot", 0)), offline.after());
        assertEquals(List.of(pod("hot", 0)), offline.podsToDelete());

        ScalingPlan online = valid(offline.after(), ScalingRequest.online(C, pod("hot", 0)));
        assertEquals(start, online.after());
        assertEquals(List.of(pod("hot", 0)), online.podsToCreate());
    }

    @Test
    void scenario15_onlineTemplateAndDefaultNamesTogether() {
        ComponentShape start = new ComponentShape(3, List.of(new TemplateShape("foo", 1)), List.of(pod("foo", 1), pod(2)));
        assertEquals(List.of(pod(0), pod(1), pod("foo", 0)), names(start));
        ScalingPlan plan = valid(start, ScalingRequest.online(C, pod("foo", 1), pod(2)));
        assertEquals(5, plan.after().replicas());
        assertEquals(2, plan.after().template("foo").orElseThrow().replicas());
        assertEquals(List.of(), plan.after().offlineInstances());
        assertEquals(List.of(pod(2), pod("foo", 1)), plan.podsToCreate());
        assertEquals("0/2", progress(plan, Map.of()).progress());
    }

    @Test
    void scenario16_offlineAndOnlineInOneOps() {
        ComponentShape start = withHot(2, 1, pod(1));
        assertEquals(List.of(pod(0), pod("hot", 0)), names(start));
        ScalingRequest both = new ScalingRequest(C, null,
                new ScalingRequest.ScaleOut(null, List.of(), List.of(pod(1))),
                new ScalingRequest.ScaleIn(null, List.of(), List.of(pod("hot", 0))));
        ScalingPlan plan = valid(start, both);
        assertEquals(withHot(2, 0, pod("hot", 0)), plan.after());
        assertEquals(List.of(pod("hot", 0)), plan.podsToDelete());
        assertEquals(pods(1), plan.podsToCreate());
        Map<String, ObservedPod> pods = Map.of(pod(1), ObservedPod.readyPod());
        assertEquals("2/2", progress(plan, pods).progress());
    }

    @Test
    void scenario17_onlyReplica_needsMinZero() {
        List<ValidationError> errors = invalid(shape(1), ScalingRequest.offline(C, pod(0)));
        assertEquals("horizontalScaling: the result would be 0 replicas, outside replicasLimit [1, 16384] of component "
                + "broker; the only replica cannot be taken offline unless replicasLimit.min is 0", joined(errors));

        ReplicasLimits minZero = new ReplicasLimits(0, 16384);
        PlanResult off = ScalingPlanner.plan(K, C, shape(1), minZero, ScalingRequest.offline(C, pod(0)));
        assertTrue(off.isValid(), off.errors().toString());
        assertEquals(shape(0, 0), off.plan().after());
        assertEquals(List.of(), names(off.plan().after()));

        PlanResult on = ScalingPlanner.plan(K, C, off.plan().after(), minZero, ScalingRequest.online(C, pod(0)));
        assertTrue(on.isValid(), on.errors().toString());
        assertEquals(shape(1), on.plan().after());
        assertEquals(pods(0), on.plan().podsToCreate());
    }

    @Test
    void scenario18_explicitReplicasWithOnline() {
        ScalingRequest request = new ScalingRequest(C, 5, new ScalingRequest.ScaleOut(null, List.of(), pods(2)), null);
        ScalingPlan plan = valid(AFTER_SCENARIO_2, request);
        assertEquals(shape(5), plan.after());
        assertEquals(pods(2, 3, 4), plan.podsToCreate());
    }

    @Test
    void scenario19_invalidInputsNameFieldAndValue() {
        ComponentShape three = shape(3);
        assertEquals("scaleIn.onlineInstancesToOffline[0]: kafka-broker-7 is not a live instance of component broker",
                joined(invalid(three, ScalingRequest.offline(C, pod(7)))));
        assertEquals("scaleIn.onlineInstancesToOffline[1]: kafka-broker-7 is not a live instance of component broker",
                joined(invalid(three, ScalingRequest.offline(C, pod(1), pod(7)))));
        assertEquals("scaleIn.onlineInstancesToOffline[0]: kafka-broker-2 is already offline",
                joined(invalid(AFTER_SCENARIO_2, ScalingRequest.offline(C, pod(2)))));
        assertEquals("scaleOut.offlineInstancesToOnline[0]: kafka-broker-1 is not an offline instance of component broker"
                        + " (offlineInstances: [kafka-broker-2])",
                joined(invalid(AFTER_SCENARIO_2, ScalingRequest.online(C, pod(1)))));
        assertEquals("scaleIn.onlineInstancesToOffline[1]: kafka-broker-1 is listed twice",
                joined(invalid(three, ScalingRequest.offline(C, pod(1), pod(1)))));
        ScalingRequest bothLists = new ScalingRequest(C, null,
                new ScalingRequest.ScaleOut(null, List.of(), pods(2)),
                new ScalingRequest.ScaleIn(null, List.of(), pods(2)));
        assertEquals("scaleIn.onlineInstancesToOffline[0]: kafka-broker-2 is also in scaleOut.offlineInstancesToOnline;"
                + " one ops cannot take an instance offline and bring it back", joined(invalid(AFTER_SCENARIO_2, bothLists)));
        assertEquals("scaleIn.replicaChanges: scales in by 4 but component broker has only 3 live replicas",
                joined(invalid(three, ScalingRequest.scaleIn(C, 4))));
        ScalingRequest unknownTemplate = new ScalingRequest(C, null,
                new ScalingRequest.ScaleOut(null, List.of(new ScalingRequest.TemplateChange("cold", 1)), List.of()), null);
        assertEquals("scaleOut.instances[0].name: cold is not an instance template of component broker (templates: [hot])",
                joined(invalid(withHot(3, 1), unknownTemplate)));

        ClusterView cluster = new ClusterView(true, "Running",
                Map.of(C, new ClusterView.ComponentView(three, ReplicasLimits.DEFAULT)));
        assertEquals("horizontalScaling[0].componentName: zookeeper is not a component of cluster kafka (components: [broker])",
                OpsValidation.validate(K, cluster, OpsValidation.HORIZONTAL_SCALING,
                        List.of(ScalingRequest.scaleOut("zookeeper", 1))).summary());
        assertEquals("clusterName: cluster nope does not exist",
                OpsValidation.validate("nope", ClusterView.missing(), OpsValidation.HORIZONTAL_SCALING,
                        List.of(ScalingRequest.scaleOut(C, 1))).summary());
    }

    @Test
    void scenario26_dryRunPlanShowsTargetAndPods() {
        // A dry run is the same pure computation; the controller only skips the write.
        ComponentShape start = withHot(3, 1);
        ScalingRequest request = new ScalingRequest(C, null,
                new ScalingRequest.ScaleOut(null, List.of(new ScalingRequest.TemplateChange("hot", 2)), List.of()), null);
        ScalingPlan plan = valid(start, request);
        assertEquals(5, plan.after().replicas());
        assertEquals(3, plan.after().template("hot").orElseThrow().replicas());
        assertEquals(List.of(), plan.after().offlineInstances());
        assertEquals(List.of(pod("hot", 1), pod("hot", 2)), plan.podsToCreate());
        assertEquals(List.of(), plan.podsToDelete());
        assertEquals(start, plan.before());
        assertEquals(plan, valid(start, request), "recomputing gives the same plan");
    }

    @Test
    void scenario27_noOpOps_completeAtOnceWith0of0() {
        for (ScalingRequest request : List.of(
                new ScalingRequest(C, null, null, null),
                new ScalingRequest(C, 3, null, null),
                ScalingRequest.scaleOut(C, 0),
                ScalingRequest.scaleIn(C, 0))) {
            ScalingPlan plan = valid(shape(3), request);
            assertTrue(plan.isNoOp(), request::toString);
            ProgressReport report = progress(plan, new HashMap<>());
            assertEquals("0/0", report.progress());
            assertTrue(report.isComplete());
            assertFalse(report.isFailed());
        }
        assertFalse(valid(shape(3), ScalingRequest.scaleOut(C, 1)).isNoOp());
    }

    @Test
    void planSetsAreDisjointFromEachOther() {
        ScalingPlan plan = valid(withHot(2, 1, pod(1)), new ScalingRequest(C, null,
                new ScalingRequest.ScaleOut(null, List.of(), pods(1)),
                new ScalingRequest.ScaleIn(null, List.of(), List.of(pod("hot", 0)))));
        assertTrue(Set.copyOf(plan.podsToCreate()).stream().noneMatch(plan.podsToDelete()::contains));
    }
}
