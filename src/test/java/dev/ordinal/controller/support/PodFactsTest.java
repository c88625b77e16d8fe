package dev.ordinal.controller.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.ordinal.core.PodRollout.Health;
import dev.ordinal.core.PodRollout.PodState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;

/**
 * What a pod's status says, as a real kubelet writes it: ready, starting (docs/scaling-rules.md "Phases": within its
 * start budget), unhealthy (after it, or after a restart, with the container's last exit), failed for good.
 */
class PodFactsTest {
    private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");
    private static final Duration FLOOR = Duration.ofSeconds(60);

    private static Pod waiting(String reason) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus().withPhase("Pending")
                .addNewContainerStatus().withName("c").withNewState().withNewWaiting().withReason(reason).withMessage("m")
                .endWaiting().endState().endContainerStatus().endStatus().build();
    }

    /** Running since T0, not Ready (its readiness probe has not passed), Ready=False since {@code notReadySince}. */
    private static PodBuilder runningNotReady(Instant notReadySince, int restarts) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec().addNewContainer()
                .withName("kafka").endContainer().endSpec()
                .withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("False").withReason("ContainersNotReady")
                .withMessage("containers with unready status: [kafka]").withLastTransitionTime(notReadySince.toString())
                .endCondition()
                .addNewContainerStatus().withName("kafka").withRestartCount(restarts).withReady(false)
                .withNewState().withNewRunning().withStartedAt(T0.toString()).endRunning().endState()
                .endContainerStatus().endStatus();
    }

    private static PodState at(Pod pod, long secondsAfterStart) {
        return PodFacts.state(pod, T0.plusSeconds(secondsAfterStart), FLOOR);
    }

    @Test
    void waitingWithoutReasonIsNotAFailure() {
        assertNull(PodFacts.failure(waiting(null)));
        assertNull(PodFacts.failure(waiting("ContainerCreating")));
        assertEquals(Health.STARTING, PodFacts.state(waiting("ContainerCreating"), T0, FLOOR).health());
    }

    @Test
    void imagePullBackOffIsPermanent() {
        assertEquals("ImagePullBackOff: m", PodFacts.failure(waiting("ImagePullBackOff")));
    }

    @Test
    void readyComesFromTheReadyCondition() {
        Pod ready = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus()
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
        assertTrue(PodFacts.isReady(ready));
        assertFalse(PodFacts.isReady(waiting(null)));
        assertEquals(Health.READY, PodFacts.state(ready, T0, FLOOR).health());
    }

    @Test
    void aRunningPodThatHasNotPassedItsReadinessProbeYetIsStartingUntilItsStartBudgetPasses() {
        Pod pod = runningNotReady(T0.minusSeconds(2), 0).build();
        assertEquals(Health.STARTING, at(pod, 5).health());
        assertEquals(Health.STARTING, at(pod, 59).health());
        PodState late = at(pod, 60);
        assertEquals(Health.UNHEALTHY, late.health());
        assertEquals("ContainersNotReady: containers with unready status: [kafka]", late.reason());
        assertEquals(Optional.of(T0.plusSeconds(60)), PodFacts.startingUntil(pod, FLOOR));
    }

    @Test
    void aStartupProbeOrALateReadinessProbeLengthensTheStartBudget() {
        Pod slow = runningNotReady(T0, 0).editSpec().editFirstContainer()
                .withStartupProbe(new ProbeBuilder().withPeriodSeconds(10).withFailureThreshold(30).build())
                .withReadinessProbe(new ProbeBuilder().withInitialDelaySeconds(20).build()).endContainer().endSpec().build();
        assertEquals(Duration.ofSeconds(320), PodFacts.startBudget(slow, FLOOR), "10 s x 30 + 20 s");
        assertEquals(Health.STARTING, at(slow, 200).health());
        assertEquals(Health.UNHEALTHY, at(slow, 320).health());

        Pod defaults = runningNotReady(T0, 0).editSpec().editFirstContainer()
                .withStartupProbe(new ProbeBuilder().build()).endContainer().endSpec().build();
        assertEquals(FLOOR, PodFacts.startBudget(defaults, FLOOR), "10 s x 3 is under the floor");
        assertEquals(Duration.ofSeconds(30), PodFacts.startBudget(defaults, Duration.ZERO), "Kubernetes' probe defaults");
    }

    @Test
    void aPodThatWasReadyAfterItStartedAndLostItIsUnhealthyAtOnce() {
        Pod lost = runningNotReady(T0.plusSeconds(8), 0).build();
        assertEquals(Health.UNHEALTHY, at(lost, 10).health());
        assertEquals(Optional.empty(), PodFacts.startingUntil(lost, FLOOR));
    }

    @Test
    void aRestartedContainerIsNotStartingAndItsLastExitIsTheReason() {
        Pod oom = runningNotReady(T0, 2).editStatus().editFirstContainerStatus().withNewLastState().withNewTerminated()
                .withReason("OOMKilled").withExitCode(137).endTerminated().endLastState().endContainerStatus()
                .endStatus().build();
        PodState state = at(oom, 1);
        assertEquals(Health.UNHEALTHY, state.health());
        assertEquals("ContainersNotReady: containers with unready status: [kafka] (last exit: OOMKilled, code 137)",
                state.reason());
    }

    @Test
    void aCrashLoopNamesTheLastExit() {
        Pod crash = new PodBuilder(waiting("CrashLoopBackOff")).editStatus().withPhase("Running").editFirstContainerStatus()
                .withRestartCount(3).withNewLastState().withNewTerminated().withReason("Error").withExitCode(1)
                .endTerminated().endLastState().endContainerStatus().endStatus().build();
        assertEquals("CrashLoopBackOff (last exit: Error, code 1): m", PodFacts.failure(crash));
        assertEquals(Health.FAILED, PodFacts.state(crash, T0, FLOOR).health());
    }

    @Test
    void aPodTheSchedulerCannotPlaceIsStartingForTheDeadlineFromItsCreationThenUnhealthy() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").withCreationTimestamp(T0.toString()).endMetadata()
                .withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").withMessage("0/1 nodes are available: pod has unbound immediate "
                        + "PersistentVolumeClaims").endCondition().endStatus().build();
        PodState early = at(pod, 1);
        assertEquals(Health.STARTING, early.health(), "a claim is bound a moment after its pod is created");
        assertTrue(early.reason().startsWith("starting: Unschedulable: 0/1 nodes"), early.reason());
        PodState late = at(pod, 60);
        assertEquals(Health.UNHEALTHY, late.health());
        assertTrue(late.reason().startsWith("Unschedulable: 0/1 nodes"), late.reason());
        assertEquals(Optional.of(T0.plusSeconds(60)), PodFacts.startingUntil(pod, FLOOR));
    }

    @Test
    void aPodThatDoesNotRunHasNoStartBudget() {
        assertEquals(Optional.empty(), PodFacts.startingUntil(waiting("ContainerCreating"), FLOOR));
    }
}
