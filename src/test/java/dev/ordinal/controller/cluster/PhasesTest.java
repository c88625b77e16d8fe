package dev.ordinal.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.common.Condition;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetStatus;
import dev.ordinal.vocabulary.ClusterPhase;
import dev.ordinal.vocabulary.ComponentPhase;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/**
 * {@link Phases}: a component's phase from its InstanceSet and the Cluster's from its components (spec §1, spec
 * amendment §7a "degraded is not changing"; docs/troubleshooting.md "Cluster phases").
 */
class PhasesTest {

    private static InstanceSet set(long generation, Long observed, int ready, boolean progressing) {
        InstanceSet set = new InstanceSet();
        set.setMetadata(new ObjectMetaBuilder().withName("kafka-broker").withGeneration(generation).build());
        InstanceSetStatus st = new InstanceSetStatus();
        st.observedGeneration = observed;
        st.readyReplicas = ready;
        st.conditions = List.of(new Condition("Progressing", progressing ? "True" : "False", "r", "m"));
        set.setStatus(st);
        return set;
    }

    @Test
    void aNewComponentIsCreatingUntilItsFirstRolloutSettles() {
        assertEquals(ComponentPhase.CREATING, Phases.component(null, 3, null));
        assertEquals(ComponentPhase.CREATING, Phases.component(null, 3, set(1, 1L, 1, true)));
        assertEquals(ComponentPhase.CREATING, Phases.component("Creating", 3, set(1, null, 0, false)));
        assertEquals(ComponentPhase.RUNNING, Phases.component("Creating", 3, set(1, 1L, 3, false)));
    }

    @Test
    void aComponentThatRanIsUpdatingWhileItsSpecIsRolledOut() {
        assertEquals(ComponentPhase.UPDATING, Phases.component("Running", 3, set(2, 1L, 3, false)), "generation not observed yet");
        assertEquals(ComponentPhase.UPDATING, Phases.component("Running", 4, set(2, 2L, 3, true)), "Progressing");
        assertEquals(ComponentPhase.UPDATING, Phases.component("Abnormal", 3, null), "its InstanceSet is gone");
    }

    @Test
    void aSettledComponentIsRunningAbnormalOrFailedByItsReadyInstances() {
        assertEquals(ComponentPhase.RUNNING, Phases.component("Running", 3, set(2, 2L, 3, false)));
        assertEquals(ComponentPhase.ABNORMAL, Phases.component("Running", 3, set(2, 2L, 2, false)), "degraded is not changing");
        assertEquals(ComponentPhase.FAILED, Phases.component("Running", 3, set(2, 2L, 0, false)));
    }

    @Test
    void aComponentScaledToZeroIsRunningNotStopped() {
        assertEquals(ComponentPhase.RUNNING, Phases.component("Updating", 0, set(3, 3L, 0, false)));
    }

    @Test
    void theClusterPhaseCombinesItsComponents() {
        assertEquals(ClusterPhase.RUNNING, Phases.cluster(null, List.of()));
        assertEquals(ClusterPhase.RUNNING, Phases.cluster("Updating", List.of(ComponentPhase.RUNNING, ComponentPhase.RUNNING)));
        assertEquals(ClusterPhase.RUNNING, Phases.cluster("Running", List.of(ComponentPhase.RUNNING, ComponentPhase.STOPPED)));
        assertEquals(ClusterPhase.STOPPED, Phases.cluster("Running", List.of(ComponentPhase.STOPPED)));
        assertEquals(ClusterPhase.FAILED, Phases.cluster("Running", List.of(ComponentPhase.FAILED, ComponentPhase.FAILED)));
        assertEquals(ClusterPhase.ABNORMAL, Phases.cluster("Running", List.of(ComponentPhase.FAILED, ComponentPhase.RUNNING)));
        assertEquals(ClusterPhase.ABNORMAL, Phases.cluster("Running", List.of(ComponentPhase.ABNORMAL, ComponentPhase.UPDATING)));
    }

    @Test
    void aClusterIsCreatingOnlyUntilItFirstLeavesCreating() {
        assertEquals(ClusterPhase.CREATING, Phases.cluster(null, List.of(ComponentPhase.CREATING, ComponentPhase.RUNNING)));
        assertEquals(ClusterPhase.CREATING, Phases.cluster("Creating", List.of(ComponentPhase.CREATING)));
        assertEquals(ClusterPhase.UPDATING, Phases.cluster("Running", List.of(ComponentPhase.CREATING, ComponentPhase.RUNNING)),
                "a component added to a running cluster");
        assertEquals(ClusterPhase.UPDATING, Phases.cluster("Creating", List.of(ComponentPhase.UPDATING, ComponentPhase.RUNNING)));
    }
}
