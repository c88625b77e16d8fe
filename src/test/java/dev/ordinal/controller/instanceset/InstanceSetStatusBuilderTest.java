package dev.ordinal.controller.instanceset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetSpec;
import dev.ordinal.api.instanceset.InstanceSetStatus;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.core.PodRollout;
import dev.ordinal.core.PodRollout.Health;
import dev.ordinal.core.PodRollout.PodState;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/**
 * {@link InstanceSetStatusBuilder}: a pod being deleted is neither present nor ready (spec amendment §7b), and a
 * rollout blocked by an unhealthy pod is not progressing, so its component is Abnormal, not Updating.
 */
class InstanceSetStatusBuilderTest {
    private static final PodState READY = new PodState(Health.READY, false, null);
    private static final PodState READY_TERMINATING = new PodState(Health.READY, true, null);
    private static final PodState UNSCHEDULABLE = new PodState(Health.UNHEALTHY, false, "Unschedulable: 0/1 nodes are available");
    private static final PodState STARTING = new PodState(Health.STARTING, false, "starting");

    private static InstanceSet set(int replicas) {
        InstanceSet set = new InstanceSet();
        set.setMetadata(new ObjectMetaBuilder().withName("k-b").withNamespace("ns").withGeneration(2L).build());
        set.setSpec(new InstanceSetSpec());
        set.getSpec().clusterName = "k";
        set.getSpec().componentName = "b";
        set.getSpec().replicas = replicas;
        return set;
    }

    /** The pods of {@code states}, terminating where their state says so. */
    private static Map<String, Pod> pods(Map<String, PodState> states) {
        Map<String, Pod> pods = new LinkedHashMap<>();
        states.forEach((name, state) -> pods.put(name, new PodBuilder().withNewMetadata().withName(name)
                .withDeletionTimestamp(state.terminating() ? "2026-12-05T12:00:00Z" : null).endMetadata().build()));
        return pods;
    }

    private static InstanceSetStatus build(int replicas, Map<String, PodState> states) {
        List<String> wanted = new java.util.ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            wanted.add("k-b-" + i);
        }
        PodRollout.Step step = PodRollout.next(wanted, states, PodRollout.Policy.OrderedReady, 1);
        return InstanceSetStatusBuilder.build(set(replicas), pods(states), states, wanted, step);
    }

    @Test
    void aWantedPodBeingDeletedIsNeitherReadyNorPresent() {
        Map<String, PodState> states = new LinkedHashMap<>(Map.of("k-b-0", READY, "k-b-1", READY_TERMINATING));
        InstanceSetStatus s = build(2, states);
        assertEquals(1, s.readyReplicas, "a Ready pod with a deletionTimestamp is not counted");
        assertEquals(1, s.replicas);
        assertEquals(List.of(false), s.instanceStatus.stream().filter(i -> i.podName.equals("k-b-1")).map(i -> i.ready).toList());
        assertTrue(Conditions.isTrue(s.conditions, "Progressing"), "k-b-1 is to be created again once it is gone");
        assertTrue(Conditions.messageOf(s.conditions, "Ready").contains("to create: k-b-1"), Conditions.messageOf(s.conditions, "Ready"));
        assertEquals("the pod of this name is still terminating; it is created again once it is gone", s.message.get("Pod/k-b-1"));
    }

    @Test
    void aRolloutBlockedByAnUnschedulablePodIsNotProgressingAndNamesItAndWhatWaits() {
        Map<String, PodState> states = new LinkedHashMap<>(Map.of("k-b-0", READY, "k-b-1", READY, "k-b-2", READY, "k-b-3", UNSCHEDULABLE));
        InstanceSetStatus s = build(5, states);
        var progressing = Conditions.find(s.conditions, "Progressing");
        assertEquals("False", progressing.status);
        assertEquals("RolloutBlocked", progressing.reason);
        assertEquals("the rollout cannot go on: k-b-3 is not Ready (Unschedulable: 0/1 nodes are available); to create: k-b-4;"
                + " k-b-4 waits for its predecessor k-b-3 to be Ready (Unschedulable: 0/1 nodes are available); it goes on once that"
                + " pod is Ready, or when an OpsRequest takes the pods it holds back offline or scales them in", progressing.message);
        assertEquals(3, s.readyReplicas);
        assertFalse(Conditions.isTrue(s.conditions, "Ready"));
    }

    @Test
    void aRolloutWhoseNextPodIsStartingIsProgressing() {
        Map<String, PodState> states = new LinkedHashMap<>(Map.of("k-b-0", READY, "k-b-1", STARTING));
        var progressing = Conditions.find(build(3, states).conditions, "Progressing");
        assertEquals("True", progressing.status);
        assertEquals("ScalingInstances", progressing.reason);
    }
}
