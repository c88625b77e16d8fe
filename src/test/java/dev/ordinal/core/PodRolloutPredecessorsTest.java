package dev.ordinal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.core.PodRollout.Health;
import dev.ordinal.core.PodRollout.PodState;
import dev.ordinal.core.PodRollout.Policy;

/** Spec amendment §7a "predecessors only": who may be created, who waits, and the pod each wait names. */
class PodRolloutPredecessorsTest {
    private static final PodState READY = new PodState(Health.READY, false, null);
    private static final PodState STARTING = new PodState(Health.STARTING, false, "starting");
    private static final PodState PROBE_FAILING = new PodState(Health.UNHEALTHY, false, "ReadinessProbeFailed");
    private static final PodState UNSCHEDULABLE = new PodState(Health.UNHEALTHY, false, "Unschedulable: 0/3 nodes are available");
    private static final PodState IMAGE_PULL = new PodState(Health.FAILED, false, "ImagePullBackOff: back-off");
    private static final PodState TERMINATING = new PodState(Health.READY, true, null);

    private static final List<String> THREE = List.of("k-b-0", "k-b-1", "k-b-2");

    private static Map<String, PodState> pods(Object... nameState) {
        return Fixtures.podStates(nameState);
    }

    @Test
    void lowestOrdinalIsRecreatedWhileAHigherOneIsNotReady() {
        // Issue example A: broker-2 not Ready, broker-0 deleted by hand: broker-0 has no predecessor.
        for (PodState higher : List.of(STARTING, PROBE_FAILING, UNSCHEDULABLE, IMAGE_PULL)) {
            var step = PodRollout.next(THREE, pods("k-b-1", READY, "k-b-2", higher), Policy.OrderedReady, 1);
            assertEquals(List.of("k-b-0"), step.create(), "with k-b-2 " + higher);
            assertTrue(step.waiting().isEmpty());
        }
    }

    @Test
    void aMiddleOrdinalWaitsOnlyForLowerOnes() {
        var step = PodRollout.next(THREE, pods("k-b-0", READY, "k-b-2", PROBE_FAILING), Policy.OrderedReady, 1);
        assertEquals(List.of("k-b-1"), step.create());
    }

    @Test
    void aWaitNamesTheFirstPredecessorThatBlocksAndWhy() {
        var step = PodRollout.next(List.of("k-b-0", "k-b-1", "k-b-2", "k-b-3"), pods("k-b-0", READY, "k-b-1", PROBE_FAILING),
                Policy.OrderedReady, 1);
        assertEquals(List.of(), step.create());
        assertEquals(2, step.waiting().size());
        assertEquals("k-b-2 waits for its predecessor k-b-1 to be Ready (ReadinessProbeFailed)", step.waiting().get(0).describe());
        assertEquals("k-b-3 waits for its predecessor k-b-1 to be Ready (ReadinessProbeFailed)", step.waiting().get(1).describe(),
                "the root blocker, not the missing pod in between");
        assertEquals(List.of("k-b-1"), step.waiting().get(1).blockedBy());
    }

    @Test
    void unschedulableAndTerminatingPredecessorsBlockWithTheirReason() {
        var unschedulable = PodRollout.next(THREE, pods("k-b-0", UNSCHEDULABLE, "k-b-1", READY), Policy.OrderedReady, 1);
        assertEquals(List.of(), unschedulable.create());
        assertTrue(unschedulable.waiting().get(0).message().contains("k-b-0 to be Ready (Unschedulable: 0/3 nodes are available)"));
        var terminating = PodRollout.next(THREE, pods("k-b-0", TERMINATING, "k-b-1", READY), Policy.OrderedReady, 1);
        assertEquals(List.of(), terminating.create());
        assertEquals("k-b-2 waits for its predecessor k-b-0 to finish terminating", terminating.waiting().get(0).describe());
    }

    @Test
    void aPermanentlyFailedPredecessorDoesNotBlockForever() {
        var step = PodRollout.next(THREE, pods("k-b-0", READY, "k-b-1", IMAGE_PULL), Policy.OrderedReady, 1);
        assertEquals(List.of("k-b-2"), step.create());
        assertTrue(step.waiting().isEmpty());
    }

    @Test
    void orderedReadyStillCreatesOnePodPerStepAndSaysWhoWaitsForIt() {
        var step = PodRollout.next(THREE, Map.of(), Policy.OrderedReady, 1);
        assertEquals(List.of("k-b-0"), step.create());
        assertEquals("k-b-1 waits for its predecessor k-b-0 to be created first", step.waiting().get(0).describe());
    }

    @Test
    void templatesHaveTheirOwnPredecessors() {
        var wanted = List.of("k-b-0", "k-b-1", "k-b-hot-0", "k-b-hot-1");
        // k-b-1 is not Ready: it is no predecessor of the hot template's pods.
        var step = PodRollout.next(wanted, pods("k-b-0", READY, "k-b-1", PROBE_FAILING, "k-b-hot-1", READY), Policy.OrderedReady, 1);
        assertEquals(List.of("k-b-hot-0"), step.create());
        var blocked = PodRollout.next(wanted, pods("k-b-0", READY, "k-b-1", READY, "k-b-hot-0", PROBE_FAILING), Policy.OrderedReady, 1);
        assertEquals(List.of(), blocked.create());
        assertEquals("k-b-hot-1 waits for its predecessor k-b-hot-0 to be Ready (ReadinessProbeFailed)", blocked.waiting().get(0).describe());
    }

    @Test
    void parallelBudgetIsUsedByUnreadyPodsButNotByFailedOnes() {
        var wanted = List.of("k-b-0", "k-b-1", "k-b-2", "k-b-3");
        var full = PodRollout.next(wanted, pods("k-b-0", PROBE_FAILING, "k-b-1", UNSCHEDULABLE), Policy.Parallel, 2);
        assertEquals(List.of(), full.create());
        assertEquals("k-b-2 waits for a free slot of parallelPodManagementConcurrency 2: k-b-0 is not Ready (ReadinessProbeFailed), "
                + "k-b-1 is not Ready (Unschedulable: 0/3 nodes are available)", full.waiting().get(0).describe());
        var failed = PodRollout.next(wanted, pods("k-b-0", IMAGE_PULL, "k-b-1", IMAGE_PULL), Policy.Parallel, 2);
        assertEquals(List.of("k-b-2", "k-b-3"), failed.create(), "failed pods do not hold the budget");
        var partly = PodRollout.next(wanted, pods("k-b-0", READY, "k-b-1", STARTING), Policy.Parallel, 2);
        assertEquals(List.of("k-b-2"), partly.create());
        assertEquals("k-b-3 waits for a free slot of parallelPodManagementConcurrency 2: k-b-1 is not Ready (starting), k-b-2 is being created",
                partly.waiting().get(0).describe());
    }

    @Test
    void aLowerMissingPodIsNeverHeldBackByAnyHigherPod() {
        // Property over every state a higher pod can be in, for every template and ordinal position.
        List<PodState> states = List.of(READY, STARTING, PROBE_FAILING, UNSCHEDULABLE, IMAGE_PULL, TERMINATING);
        var wanted = List.of("k-b-0", "k-b-1", "k-b-2", "k-b-3", "k-b-x-0", "k-b-x-1");
        for (String missing : wanted) {
            for (PodState s : states) {
                Map<String, PodState> existing = new LinkedHashMap<>();
                for (String p : wanted) {
                    if (p.equals(missing)) {
                        continue;
                    }
                    boolean predecessor = InstanceNames.prefixOf(p).equals(InstanceNames.prefixOf(missing))
                            && InstanceNames.ordinalOf(p) < InstanceNames.ordinalOf(missing);
                    existing.put(p, predecessor ? READY : s);
                }
                var step = PodRollout.next(wanted, existing, Policy.OrderedReady, 1);
                assertEquals(List.of(missing), step.create(), missing + " with the others " + s);
            }
        }
    }
}
