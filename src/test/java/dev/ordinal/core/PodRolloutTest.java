package dev.ordinal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.core.PodRollout.PodState;
import dev.ordinal.core.PodRollout.Policy;

class PodRolloutTest {
    private static final PodState READY = new PodState(true, false);
    private static final PodState STARTING = new PodState(false, false);
    private static final PodState GOING = new PodState(false, true);

    @Test
    void orderedReadyCreatesLowestMissingOnlyWhenOthersAreReady() {
        var wanted = List.of("k-c-0", "k-c-1", "k-c-2");
        assertEquals(List.of("k-c-0"), PodRollout.next(wanted, Map.of(), Policy.OrderedReady, 1).create());
        assertEquals(List.of(), PodRollout.next(wanted, Map.of("k-c-0", STARTING), Policy.OrderedReady, 1).create());
        assertEquals(List.of("k-c-1"), PodRollout.next(wanted, Map.of("k-c-0", READY), Policy.OrderedReady, 1).create());
    }

    @Test
    void orderedReadyDeletesHighestFirstOneAtATimeEvenIfNotReady() {
        var existing = new LinkedHashMap<String, PodState>();
        existing.put("k-c-0", READY);
        existing.put("k-c-9", STARTING);
        existing.put("k-c-10", READY);
        var step = PodRollout.next(List.of("k-c-0"), existing, Policy.OrderedReady, 1);
        assertEquals(List.of("k-c-10"), step.delete());
        existing.put("k-c-10", GOING);
        assertTrue(PodRollout.next(List.of("k-c-0"), existing, Policy.OrderedReady, 1).delete().isEmpty(),
                "waits for the terminating pod before the next delete");
    }

    @Test
    void neverCreatesANameThatIsNotWanted() {
        var step = PodRollout.next(List.of("k-c-0", "k-c-2"), Map.of(), Policy.Parallel, 10);
        assertEquals(List.of("k-c-0", "k-c-2"), step.create());
    }

    @Test
    void parallelRespectsConcurrencyCountingUnsettledPods() {
        var wanted = List.of("k-c-0", "k-c-1", "k-c-2", "k-c-3", "k-c-4");
        assertEquals(List.of("k-c-0", "k-c-1"), PodRollout.next(wanted, Map.of(), Policy.Parallel, 2).create());
        assertEquals(List.of("k-c-2"), PodRollout.next(wanted, Map.of("k-c-0", READY, "k-c-1", STARTING), Policy.Parallel, 2).create());
    }

    @Test
    void concurrencyFromIntOrPercent() {
        assertEquals(5, PodRollout.concurrency(null, 5));
        assertEquals(2, PodRollout.concurrency("2", 5));
        assertEquals(3, PodRollout.concurrency("50%", 5));
        assertEquals(1, PodRollout.concurrency("10%", 2));
        assertEquals(1, PodRollout.concurrency(null, 0));
    }
}
