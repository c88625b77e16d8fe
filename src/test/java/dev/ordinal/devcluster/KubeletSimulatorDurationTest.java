package dev.ordinal.devcluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** The deletion delay a user writes in the annotation {@code kubelet.dev.ordinal.dev/deletion-delay} (README, dev mode). */
class KubeletSimulatorDurationTest {
    @Test
    void theDelayIsReadAsAUserWritesIt() {
        assertEquals(Duration.ofSeconds(30), KubeletSimulator.parseDuration("30s"));
        assertEquals(Duration.ofMillis(1500), KubeletSimulator.parseDuration("1500ms"));
        assertEquals(Duration.ofMinutes(2), KubeletSimulator.parseDuration("2m"));
        assertEquals(Duration.ofSeconds(45), KubeletSimulator.parseDuration("PT45S"));
        assertNull(KubeletSimulator.parseDuration("soon"), "not a duration: ignored, not a crash");
    }
}
