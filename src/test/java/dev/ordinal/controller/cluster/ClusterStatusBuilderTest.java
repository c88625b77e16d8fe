package dev.ordinal.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.controller.support.GuardAnswers;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** The Cluster says when Kafka gave its scale-in guard no answer, not only the ops that waited (issue #27 E). */
class ClusterStatusBuilderTest {
    private static Cluster cluster() {
        Cluster c = new Cluster();
        c.setMetadata(new ObjectMetaBuilder().withName("kafka").withNamespace("ns").withGeneration(3L).build());
        c.setSpec(new ClusterSpec());
        ComponentSpec broker = new ComponentSpec();
        broker.name = "broker";
        broker.replicas = 3;
        c.getSpec().componentSpecs = new ArrayList<>(List.of(broker));
        return c;
    }

    @Test
    void kafkaGivingNoAnswerIsACondition_clearedWhenItAnswersAgain_andAbsentWhileItAlwaysAnswered() {
        GuardAnswers answers = new GuardAnswers();
        List<String> woken = new ArrayList<>();
        answers.onChange(id -> woken.add(id.getName()));
        Cluster c = cluster();
        assertNull(Conditions.find(ClusterStatusBuilder.build(c, Map.of(), Map.of(), answers.unanswered("ns", "kafka")).conditions,
                "ScaleInGuard"), "never asked");
        answers.asked("ns", "kafka", "broker", null);
        assertNull(Conditions.find(ClusterStatusBuilder.build(c, Map.of(), Map.of(), answers.unanswered("ns", "kafka")).conditions,
                "ScaleInGuard"), "Kafka answered: the Cluster is not written for it");

        answers.asked("ns", "kafka", "broker", "cannot check whether kafka-broker-2 (node 102) still hosts partition replicas");
        answers.asked("ns", "kafka", "broker", "cannot check whether kafka-broker-2 (node 102) still hosts partition replicas");
        c.setStatus(ClusterStatusBuilder.build(c, Map.of(), Map.of(), answers.unanswered("ns", "kafka")));
        var unavailable = Conditions.find(c.getStatus().conditions, "ScaleInGuard");
        assertEquals("False", unavailable.status);
        assertEquals("ScaleInGuardUnavailable", unavailable.reason);
        assertEquals("component broker: cannot check whether kafka-broker-2 (node 102) still hosts partition replicas", unavailable.message);

        answers.asked("ns", "kafka", "broker", null);
        var answered = Conditions.find(ClusterStatusBuilder.build(c, Map.of(), Map.of(), answers.unanswered("ns", "kafka")).conditions,
                "ScaleInGuard");
        assertEquals("True", answered.status);
        assertEquals("ScaleInGuardAnswered", answered.reason);
        assertEquals(List.of("kafka", "kafka", "kafka"), woken, "first question, no answer, an answer again: the same no-answer twice wakes once");
    }

    @Test
    void aHeldDirectEditIsAConditionUntilReleasedAndTheComponentIsJudgedOnItsInstanceSet() {
        Cluster c = cluster();
        c.getSpec().componentSpecs.get(0).replicas = 2;
        dev.ordinal.api.instanceset.InstanceSet set = new dev.ordinal.api.instanceset.InstanceSet();
        set.setMetadata(new ObjectMetaBuilder().withGeneration(1L).build());
        set.setSpec(new dev.ordinal.api.instanceset.InstanceSetSpec());
        set.getSpec().replicas = 3;
        set.setStatus(new dev.ordinal.api.instanceset.InstanceSetStatus());
        set.getStatus().observedGeneration = 1L;
        set.getStatus().readyReplicas = 3;
        assertNull(Conditions.find(ClusterStatusBuilder.build(c, Map.of("broker", set), Map.of(), null, Map.of()).conditions, "ScaleInHeld"),
                "never held: no condition");
        c.setStatus(ClusterStatusBuilder.build(c, Map.of("broker", set), Map.of(), null,
                Map.of("broker", "kafka-broker-2 (node 102) cannot go offline yet: orders-0 would keep 1 in-sync replica")));
        var held = Conditions.find(c.getStatus().conditions, "ScaleInHeld");
        assertEquals("True", held.status);
        assertEquals("DirectEditHeld", held.reason);
        assertEquals("component broker: kafka-broker-2 (node 102) cannot go offline yet: orders-0 would keep 1 in-sync replica; the pods"
                + " stay until the scale-in guard allows it (asked again every 3 s), or annotate the Cluster"
                + " apps.ordinal.dev/force-scale-in=true to remove them anyway", held.message);
        assertEquals("Running", c.getStatus().components.get("broker").phase, "3 of the InstanceSet's 3, not Abnormal for 3 of 2");
        var released = Conditions.find(ClusterStatusBuilder.build(c, Map.of("broker", set), Map.of(), null, Map.of()).conditions, "ScaleInHeld");
        assertEquals("False", released.status);
        assertEquals("NothingHeld", released.reason);
    }
}
