package dev.ordinal.controller.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.ClusterStatus;
import dev.ordinal.api.cluster.ClusterStatus.ComponentStatus;

/**
 * {@link StatusWriter#same}: when the status writer writes nothing (docs/ops-controller.md "Status writes"): a status
 * that differs only in its conditions' transition times, or in the order of a map's keys (the API server sorts them),
 * says the same.
 */
class StatusWriterTest {

    private static ClusterStatus status(Instant transition, String... components) {
        ClusterStatus s = new ClusterStatus();
        s.phase = "Running";
        s.observedGeneration = 3L;
        s.components = new LinkedHashMap<>();
        for (String c : components) {
            ComponentStatus cs = new ComponentStatus();
            cs.phase = "Running";
            cs.replicas = 3;
            cs.readyReplicas = 3;
            s.components.put(c, cs);
        }
        s.conditions = Conditions.set(List.of(), "Ready", true, "AllComponentsReady", "every component is running", 3L, transition);
        return s;
    }

    @Test
    void transitionTimesAndMapOrderDoNotCount() {
        Instant t = Instant.parse("2026-12-05T12:00:00Z");
        assertTrue(StatusWriter.same(status(t, "broker", "controller"), status(t.plusSeconds(90), "controller", "broker")));
        assertTrue(StatusWriter.same(null, null));
    }

    @Test
    void anyOtherDifferenceIsWritten() {
        Instant t = Instant.parse("2026-12-05T12:00:00Z");
        ClusterStatus ready2 = status(t, "broker");
        ready2.components.get("broker").readyReplicas = 2;
        assertFalse(StatusWriter.same(status(t, "broker"), ready2));
        ClusterStatus other = status(t, "broker");
        other.conditions = Conditions.set(other.conditions, "Ready", true, "AllComponentsReady", "another message", 3L, t);
        assertFalse(StatusWriter.same(status(t, "broker"), other));
        ClusterStatus message = status(t, "broker");
        message.components.get("broker").message = Map.of("Pod/kafka-broker-2", "starting");
        assertFalse(StatusWriter.same(status(t, "broker"), message));
        assertFalse(StatusWriter.same(null, status(t, "broker")), "a first status is always written");
    }
}
