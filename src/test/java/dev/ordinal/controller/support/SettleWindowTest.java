package dev.ordinal.controller.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.javaoperatorsdk.operator.processing.event.ResourceID;

/** {@link SettleWindow}: which status writes wait, and for how long. */
class SettleWindowTest {
    private final ResourceID a = new ResourceID("a", "ns");
    private final ResourceID b = new ResourceID("b", "ns");

    @Test
    void aSettledStatusIsWrittenAtOnce() {
        SettleWindow w = new SettleWindow(Duration.ofSeconds(5));
        assertEquals(Optional.empty(), w.holdBack(a, false));
    }

    @Test
    void aTransitionalStatusWaitsForTheRestOfTheWindow() {
        SettleWindow w = new SettleWindow(Duration.ofSeconds(5));
        Duration first = w.holdBack(a, true).orElseThrow();
        assertTrue(first.compareTo(Duration.ofSeconds(4)) > 0 && first.compareTo(Duration.ofSeconds(6)) < 0, first::toString);
        Duration second = w.holdBack(a, true).orElseThrow();
        assertTrue(second.compareTo(first) <= 0, "the window counts from the first transitional status, not the last");
        assertTrue(w.holdBack(b, true).isPresent(), "each object has its own window");
    }

    @Test
    void aTransitionalStatusOlderThanTheWindowIsWritten() throws InterruptedException {
        SettleWindow w = new SettleWindow(Duration.ofMillis(30));
        assertTrue(w.holdBack(a, true).isPresent());
        Thread.sleep(60);
        assertEquals(Optional.empty(), w.holdBack(a, true), "written once the window has passed");
        assertEquals(Optional.empty(), w.holdBack(a, true), "and later transitional states of the same rollout at once");
    }

    @Test
    void settlingStartsANewWindow() throws InterruptedException {
        SettleWindow w = new SettleWindow(Duration.ofMillis(30));
        w.holdBack(a, true);
        Thread.sleep(60);
        assertEquals(Optional.empty(), w.holdBack(a, false));
        assertTrue(w.holdBack(a, true).isPresent(), "the next rollout waits again");
        w.forget(a);
        assertTrue(w.holdBack(a, true).isPresent());
    }

    @Test
    void aZeroWindowWritesEverything() {
        SettleWindow w = new SettleWindow(Duration.ZERO);
        assertEquals(Optional.empty(), w.holdBack(a, true));
    }
}
