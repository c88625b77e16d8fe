package dev.ordinal.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.ordinal.core.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class OpsValidationTest {
    private static final String HS = OpsValidation.HORIZONTAL_SCALING;

    private static ClusterView cluster(String phase) {
        return new ClusterView(true, phase, Map.of(
                C, new ClusterView.ComponentView(shape(3), ReplicasLimits.DEFAULT),
                "controller", new ClusterView.ComponentView(shape(1), null)));
    }

    @Test
    void validOpsGetsOnePlanPerComponentInRequestOrder() {
        OpsValidation.Result r = OpsValidation.validate(K, cluster("Running"), HS,
                List.of(ScalingRequest.scaleOut("controller", 2), ScalingRequest.offline(C, pod(1))));
        assertTrue(r.isValid(), r.summary());
        assertEquals(List.of("controller", C), List.copyOf(r.plans().keySet()));
        assertEquals(List.of("kafka-controller-1", "kafka-controller-2"), r.plans().get("controller").podsToCreate());
        assertEquals(pods(1), r.plans().get(C).podsToDelete());
    }

    @Test
    void aStaticQuorumIsNeitherGrownNorShrunkButItsMembersMayGoOfflineAndComeBack() {
        String why = "its pods are KRaft controllers of a static quorum (container kafka sets KAFKA_PROCESS_ROLES=controller"
                + " and KAFKA_CONTROLLER_QUORUM_VOTERS)";
        ClusterView quorum = new ClusterView(true, "Running", Map.of("controller",
                new ClusterView.ComponentView(ComponentShape.of(3, "kafka-controller-2"), ReplicasLimits.DEFAULT, why)));
        OpsValidation.Result in = OpsValidation.validate(K, quorum, HS, List.of(ScalingRequest.scaleIn("controller", 1)));
        assertFalse(in.isValid());
        assertEquals("horizontalScaling[0].componentName: controller cannot be scaled: " + why + "; a pod added or removed for"
                + " good would change the quorum's voters, which a static quorum cannot do (taking a member offline and"
                + " bringing it back is allowed)", in.summary());
        assertFalse(OpsValidation.validate(K, quorum, HS, List.of(ScalingRequest.scaleOut("controller", 1))).isValid(),
                "a new voter is refused too");
        assertTrue(OpsValidation.validate(K, quorum, HS, List.of(ScalingRequest.offline("controller", "kafka-controller-1"))).isValid(),
                "offline keeps the member");
        assertTrue(OpsValidation.validate(K, quorum, HS, List.of(ScalingRequest.online("controller", "kafka-controller-2"))).isValid(),
                "and it comes back with its id");
    }

    @Test
    void missingClusterAndUnknownTypeAreBothReported() {
        OpsValidation.Result r = OpsValidation.validate("nope", null, "VerticalScaling", List.of());
        assertEquals("clusterName: cluster nope does not exist; type: VerticalScaling is not a supported ops type"
                + " (supported: [HorizontalScaling])", r.summary());
        assertTrue(r.plans().isEmpty());
    }

    @Test
    void emptyListIsRejected() {
        assertEquals("horizontalScaling: must list at least one component",
                OpsValidation.validate(K, cluster("Running"), HS, List.of()).summary());
    }

    @Test
    void sameComponentTwiceIsRejected() {
        assertEquals("horizontalScaling[1].componentName: broker is already scaled by horizontalScaling[0]; merge the"
                        + " two entries",
                OpsValidation.validate(K, cluster("Running"), HS,
                        List.of(ScalingRequest.scaleOut(C, 1), ScalingRequest.scaleIn(C, 1))).summary());
    }

    @Test
    void stoppedOrDeletingClusterMustBeStartedFirst() {
        for (String phase : List.of("Stopped", "Deleting")) {
            OpsValidation.Result r = OpsValidation.validate(K, cluster(phase), HS, List.of(ScalingRequest.scaleOut(C, 1)));
            assertEquals("clusterName: cluster kafka is " + phase + "; start the cluster before scaling", r.summary());
        }
        for (String phase : new String[]{"Running", "Abnormal", "Failed", "Updating", null}) {
            assertTrue(OpsValidation.validate(K, cluster(phase), HS, List.of(ScalingRequest.scaleOut(C, 1))).isValid(), phase);
        }
    }

    @Test
    void componentErrorsArePrefixedAndNoPlanIsReturnedWhenAnyComponentFails() {
        OpsValidation.Result r = OpsValidation.validate(K, cluster("Running"), HS,
                List.of(ScalingRequest.scaleOut(C, 1), ScalingRequest.offline("controller", "kafka-controller-7")));
        assertEquals("horizontalScaling[1].scaleIn.onlineInstancesToOffline[0]: kafka-controller-7 is not a live instance"
                + " of component controller", r.summary());
        assertTrue(r.plans().isEmpty(), "never partially valid");
    }

    @Test
    void missingComponentNameIsRejected() {
        assertEquals("horizontalScaling[0].componentName: must be set",
                OpsValidation.validate(K, cluster("Running"), HS, List.of(new ScalingRequest(null, 1, null, null))).summary());
    }
}
