package dev.ordinal.core;

import dev.ordinal.core.ScalingRequest.ScaleIn;
import dev.ordinal.core.ScalingRequest.ScaleOut;
import dev.ordinal.core.ScalingRequest.TemplateChange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.ordinal.core.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/** The §4 rules that concern one component, beyond those the acceptance scenarios cover. */
class PlannerValidationTest {

    private static final ComponentShape HOT = new ComponentShape(3, List.of(new TemplateShape("hot", 1)), List.of());

    private static ScalingRequest in(Integer changes, List<TemplateChange> instances, String... off) {
        return new ScalingRequest(C, null, null, new ScaleIn(changes, instances, List.of(off)));
    }

    private static ScalingRequest out(Integer changes, List<TemplateChange> instances, String... on) {
        return new ScalingRequest(C, null, new ScaleOut(changes, instances, List.of(on)), null);
    }

    @Test
    void negativeChangesAndReplicasAreRejected() {
        assertEquals("scaleOut.replicaChanges: -1 must not be negative", joined(invalid(shape(3), ScalingRequest.scaleOut(C, -1))));
        assertEquals("scaleIn.replicaChanges: -2 must not be negative", joined(invalid(shape(3), ScalingRequest.scaleIn(C, -2))));
        assertEquals("replicas: -1 must not be negative", joined(invalid(shape(3), new ScalingRequest(C, -1, null, null))));
        assertEquals("scaleIn.instances[0].replicaChanges: -1 must not be negative",
                joined(invalid(HOT, in(null, List.of(new TemplateChange("hot", -1))))));
    }

    @Test
    void scaleInReplicaChangesMustCoverNamedInstances() {
        assertEquals("scaleIn.replicaChanges: 1 is smaller than the 2 instances named in scaleIn.onlineInstancesToOffline;"
                + " they are part of the total", joined(invalid(shape(3), in(1, List.of(), pod(0), pod(1)))));
        // a larger total takes the named instances plus the highest remaining ordinal
        ScalingPlan plan = valid(shape(4), in(2, List.of(), pod(0)));
        assertEquals(shape(2, 0), plan.after());
        assertEquals(pods(0, 3), plan.podsToDelete());
    }

    @Test
    void templateChangeMustCoverItsNamedInstances() {
        assertEquals("scaleIn.instances[0].replicaChanges: 0 is smaller than the 1 instances of template hot named in "
                        + "scaleIn.onlineInstancesToOffline",
                joined(invalid(HOT, in(null, List.of(new TemplateChange("hot", 0)), pod("hot", 0)))));
    }

    @Test
    void templateScaledInBelowZero() {
        assertEquals("scaleIn.instances[0].replicaChanges: template hot would go to -1 replicas (it has 1)",
                joined(invalid(HOT, in(null, List.of(new TemplateChange("hot", 2))))));
    }

    /** Issue #27 E: one message per root cause, naming only what the request contains. */
    @Test
    void aTotalSmallerThanItsTemplateChangesIsOneMessageThatNamesOnlyTheTemplates() {
        ComponentShape test = new ComponentShape(1, List.of(new TemplateShape("test", 1)), List.of(pod(1)));
        assertEquals("scaleOut.replicaChanges: 2 is smaller than the 3 replicas claimed by scaleOut.instances",
                joined(invalid(test, out(2, List.of(new TemplateChange("test", 3))))));
        ComponentShape hotOffline = new ComponentShape(3, List.of(new TemplateShape("hot", 1)), List.of(pod("hot", 1), pod(3)));
        assertEquals("scaleOut.replicaChanges: 2 is smaller than the 3 replicas claimed by scaleOut.instances and"
                + " scaleOut.offlineInstancesToOnline", joined(invalid(hotOffline, out(2, List.of(new TemplateChange("hot", 2)), pod(3)))),
                "both named when both are there");
    }

    @Test
    void templatesClaimingMoreThanReplicasAfterScaleIn() {
        ComponentShape allHot = new ComponentShape(1, List.of(new TemplateShape("hot", 1)), List.of());
        assertEquals("scaleIn: instance templates would claim 1 replicas, more than the 0 replicas of component broker;"
                        + " scale the templates in through scaleIn.instances",
                joined(ScalingPlanner.plan(K, C, allHot, new ReplicasLimits(0, 10), ScalingRequest.scaleIn(C, 1)).errors()));
        assertEquals("replicas: instance templates would claim 1 replicas, more than the 0 replicas of component broker;"
                        + " scale the templates in through scaleIn.instances",
                joined(ScalingPlanner.plan(K, C, allHot, new ReplicasLimits(0, 10), new ScalingRequest(C, 0, null, null)).errors()));
    }

    @Test
    void resultOutsideReplicasLimit() {
        PlanResult tooMany = ScalingPlanner.plan(K, C, shape(3), new ReplicasLimits(1, 4), ScalingRequest.scaleOut(C, 2));
        assertEquals("horizontalScaling: the result would be 5 replicas, outside replicasLimit [1, 4] of component broker",
                joined(tooMany.errors()));
        PlanResult explicit = ScalingPlanner.plan(K, C, shape(3), new ReplicasLimits(2, 4), new ScalingRequest(C, 1, null, null));
        assertEquals("replicas: the result would be 1 replicas, outside replicasLimit [2, 4] of component broker",
                joined(explicit.errors()));
    }

    @Test
    void explicitReplicasCannotBeCombinedWithReplicaChanges() {
        ScalingRequest both = new ScalingRequest(C, 5, new ScaleOut(1, List.of(), List.of()), null);
        assertEquals("scaleOut.replicaChanges: 1 cannot be combined with an explicit replicas 5; give either the target"
                + " or the change", joined(invalid(shape(3), both)));
    }

    @Test
    void explicitReplicasWithOfflineListOnlyMovesTheOfflineSet() {
        ScalingRequest request = new ScalingRequest(C, 3, null, new ScaleIn(null, List.of(), pods(1)));
        ScalingPlan plan = valid(shape(3), request);
        assertEquals(shape(3, 1), plan.after());
        assertEquals(pods(0, 2, 3), names(plan.after()));
        assertEquals(pods(3), plan.podsToCreate());
        assertEquals(pods(1), plan.podsToDelete());
    }

    @Test
    void explicitReplicasTooSmallToBringTheNameBack() {
        ScalingRequest request = new ScalingRequest(C, 3, new ScaleOut(null, List.of(), pods(4)), null);
        List<ValidationError> errors = invalid(shape(3, 4), request);
        assertEquals(1, errors.size(), joined(errors));
        assertTrue(errors.get(0).message().contains("set replicas to 5 together with it"), joined(errors));
    }

    @Test
    void onlineInTemplateWithGapSuggestsRaisingTheTemplate() {
        ComponentShape s = new ComponentShape(3, List.of(new TemplateShape("hot", 1)), List.of(pod("hot", 2)));
        List<ValidationError> errors = invalid(s, ScalingRequest.online(C, pod("hot", 2)));
        assertTrue(errors.get(0).message().contains("ordinal 1 would be used instead; scale out template hot by 2 together"
                + " with it (scaleOut.instances: [{name: hot, replicaChanges: 2}])"), joined(errors));
        // Following the advice works.
        ScalingPlan plan = valid(s, out(null, List.of(new TemplateChange("hot", 2)), pod("hot", 2)));
        assertEquals(5, plan.after().replicas());
        assertEquals(3, plan.after().template("hot").orElseThrow().replicas());
        assertEquals(List.of(pod("hot", 1), pod("hot", 2)), plan.podsToCreate());
    }

    @Test
    void duplicateOrUnknownTemplateEntries() {
        ScalingRequest dup = out(null, List.of(new TemplateChange("hot", 1), new TemplateChange("hot", 1)));
        assertEquals("scaleOut.instances[1].name: hot is listed twice", joined(invalid(HOT, dup)));
        ScalingRequest missingChange = out(null, List.of(new TemplateChange("hot", null)));
        assertEquals("scaleOut.instances[0].replicaChanges: must be set for template hot", joined(invalid(HOT, missingChange)));
    }

    @Test
    void allErrorsAreReportedAtOnce() {
        ScalingRequest bad = new ScalingRequest(C, null,
                new ScaleOut(-1, List.of(new TemplateChange("cold", 1)), List.of(pod(0))),
                new ScaleIn(null, List.of(), List.of(pod(9), pod(9))));
        List<ValidationError> errors = invalid(shape(3), bad);
        String all = joined(errors);
        assertTrue(all.contains("scaleOut.replicaChanges: -1 must not be negative"), all);
        assertTrue(all.contains("scaleOut.instances[0].name: cold is not an instance template"), all);
        assertTrue(all.contains("scaleIn.onlineInstancesToOffline[0]: kafka-broker-9 is not a live instance"), all);
        assertTrue(all.contains("scaleIn.onlineInstancesToOffline[1]: kafka-broker-9 is listed twice"), all);
        assertTrue(all.contains("scaleOut.offlineInstancesToOnline[0]: kafka-broker-0 is not an offline instance"), all);
        assertEquals(5, errors.size(), all);
    }

    @Test
    void unnameableSnapshotIsReportedNotThrown() {
        ComponentShape broken = new ComponentShape(1, List.of(new TemplateShape("a", 2)), List.of());
        List<ValidationError> errors = invalid(broken, ScalingRequest.scaleOut(C, 1));
        assertEquals("lastConfiguration", errors.get(0).field());
    }

    @Test
    void offlineNameOfRemovedTemplateCannotComeBack() {
        ComponentShape s = new ComponentShape(2, List.of(), List.of(pod("gone", 0)));
        assertEquals("scaleOut.offlineInstancesToOnline[0]: kafka-broker-gone-0 is offline but is not a name of any instance"
                        + " template of component broker, so no pod can take it",
                joined(invalid(s, ScalingRequest.online(C, pod("gone", 0)))));
    }

    @Test
    void validationErrorToStringIsFieldColonMessage() {
        assertEquals("a.b: c", new ValidationError("a.b", "c").toString());
        assertEquals("horizontalScaling[2].a.b: c", new ValidationError("a.b", "c").prefixed("horizontalScaling[2].").toString());
    }
}
