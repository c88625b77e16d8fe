package dev.ordinal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.core.PodRollout.Health;
import dev.ordinal.core.PodRollout.PodState;
import dev.ordinal.core.PodRollout.Policy;

/**
 * Spec amendment §7b: a rollout that cannot finish because of an unhealthy pod is blocked (its component is Abnormal,
 * not Updating), whatever waits behind that pod; a pod whose claim is still being deleted waits, and that is movement,
 * not a block.
 */
class PodRolloutBlockedTest {
    private static final PodState READY = new PodState(Health.READY, false, null);
    private static final PodState STARTING = new PodState(Health.STARTING, false, "starting");
    private static final PodState UNSCHEDULABLE = new PodState(Health.UNHEALTHY, false, "Unschedulable: 0/1 nodes are available");
    private static final PodState PROBE_FAILING = new PodState(Health.UNHEALTHY, false, "ReadinessProbeFailed");
    private static final PodState IMAGE_PULL = new PodState(Health.FAILED, false, "ImagePullBackOff: back-off");
    private static final PodState TERMINATING = new PodState(Health.READY, true, null);
    private static final List<String> FIVE = List.of("k-b-0", "k-b-1", "k-b-2", "k-b-3", "k-b-4");

    private static Map<String, PodState> pods(Object... nameState) {
        return Fixtures.podStates(nameState);
    }

    @Test
    void anUnschedulableNewPodWithAnotherWaitingBehindItBlocksTheRollout() {
        // the example: 3 brokers, scale out by 2, the first new pod cannot be scheduled
        var step = PodRollout.next(FIVE, pods("k-b-0", READY, "k-b-1", READY, "k-b-2", READY, "k-b-3", UNSCHEDULABLE),
                Policy.OrderedReady, 1);
        assertTrue(step.blocked());
        assertEquals(List.of("k-b-3"), step.blockers());
        assertEquals("k-b-4 waits for its predecessor k-b-3 to be Ready (Unschedulable: 0/1 nodes are available)",
                step.waiting().get(0).describe());
    }

    @Test
    void everyKindOfUnhealthyPodBlocksWhateverWaitsBehindIt() {
        for (PodState unhealthy : List.of(UNSCHEDULABLE, PROBE_FAILING)) {
            var step = PodRollout.next(FIVE, pods("k-b-0", READY, "k-b-1", unhealthy), Policy.OrderedReady, 1);
            assertEquals(List.of("k-b-1"), step.blockers(), "three pods wait behind k-b-1 " + unhealthy);
            assertEquals(3, step.waiting().size());
        }
    }

    @Test
    void aRolloutThatMovesIsNotBlocked() {
        assertFalse(PodRollout.next(FIVE, pods("k-b-0", READY, "k-b-1", STARTING), Policy.OrderedReady, 1).blocked(),
                "a pod still starting may become Ready");
        assertFalse(PodRollout.next(FIVE, pods("k-b-0", READY, "k-b-1", UNSCHEDULABLE, "k-b-9", TERMINATING), Policy.OrderedReady, 1)
                .blocked(), "a pod is still going away");
        assertFalse(PodRollout.next(FIVE, pods("k-b-0", READY, "k-b-1", READY, "k-b-2", READY), Policy.OrderedReady, 1,
                Map.of("k-b-3", "waits for claim data-k-b-3 to finish deleting")).blocked(), "a claim is still going away");
        var creating = PodRollout.next(FIVE, pods("k-b-0", READY, "k-b-1", IMAGE_PULL), Policy.OrderedReady, 1);
        assertEquals(List.of("k-b-2"), creating.create(), "a pod failed for good is no predecessor that blocks");
        assertFalse(creating.blocked());
        assertFalse(PodRollout.next(List.of("k-b-0", "k-b-1"), pods("k-b-0", READY, "k-b-1", UNSCHEDULABLE), Policy.OrderedReady, 1)
                .blocked(), "nothing waits: the set is settled, unhealthy");
    }

    @Test
    void parallelSlotsHeldByUnhealthyPodsBlockTheRolloutButFailedOnesDoNot() {
        var held = PodRollout.next(FIVE, pods("k-b-0", UNSCHEDULABLE, "k-b-1", PROBE_FAILING), Policy.Parallel, 2);
        assertEquals(List.of("k-b-0", "k-b-1"), held.blockers());
        var failed = PodRollout.next(FIVE, pods("k-b-0", IMAGE_PULL, "k-b-1", IMAGE_PULL), Policy.Parallel, 2);
        assertFalse(failed.blocked(), "pods failed for good hold no slot");
        var extra = PodRollout.next(List.of("k-b-0", "k-b-1"), pods("k-b-0", UNSCHEDULABLE, "k-b-1", PROBE_FAILING, "k-b-2", READY),
                Policy.Parallel, 2);
        assertEquals(List.of(), extra.delete());
        assertEquals(List.of("k-b-0", "k-b-1"), extra.blockers(), "a pod to delete waits for a slot held by unhealthy pods too");
    }

    @Test
    void aPodWhoseClaimIsStillBeingDeletedWaitsAndItsSuccessorsWaitForIt() {
        Map<String, String> claimGoing = Map.of("k-b-3", "waits for claim data-k-b-3 to finish deleting");
        var ordered = PodRollout.next(FIVE, pods("k-b-0", READY, "k-b-1", READY, "k-b-2", READY), Policy.OrderedReady, 1, claimGoing);
        assertEquals(List.of(), ordered.create());
        assertEquals("k-b-3 waits for claim data-k-b-3 to finish deleting", ordered.waiting().get(0).describe());
        assertEquals("k-b-4 waits for its predecessor k-b-3 to be created first", ordered.waiting().get(1).describe());
        var parallel = PodRollout.next(FIVE, pods("k-b-0", READY, "k-b-1", READY, "k-b-2", READY), Policy.Parallel, 5, claimGoing);
        assertEquals(List.of("k-b-4"), parallel.create(), "under Parallel the others go on");
        assertEquals("k-b-3 waits for claim data-k-b-3 to finish deleting", parallel.waiting().get(0).describe());
    }
}
