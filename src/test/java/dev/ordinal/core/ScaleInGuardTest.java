package dev.ordinal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.core.ScaleInGuard.Broker;
import dev.ordinal.core.ScaleInGuard.Departure;
import dev.ordinal.core.ScaleInGuard.Replica;
import dev.ordinal.core.ScaleInGuard.Result;
import dev.ordinal.core.ScaleInGuard.Verdict;

/** The scale-in guard's verdict and wording (docs/scaling-rules.md §8), without Kafka. */
class ScaleInGuardTest {
    private static final Broker B2 = new Broker("kafka-broker-2", 102);
    private static final Broker B1 = new Broker("kafka-broker-1", 101);

    private static List<Replica> replicas(String topic, int... partitions) {
        List<Replica> out = new ArrayList<>();
        for (int p : partitions) {
            out.add(new Replica(topic, p));
        }
        return out;
    }

    @Test
    void nodeIdIsTheOffsetPlusTheOrdinal() {
        assertEquals(102, ScaleInGuard.nodeId("kafka-broker-2", 100));
        assertEquals(0, ScaleInGuard.nodeId("kafka-broker-0", 0));
        assertEquals(112, ScaleInGuard.nodeId("kafka-broker-hot-12", 100), "a template's pod: its own ordinal");
        var e = assertThrows(IllegalArgumentException.class, () -> ScaleInGuard.nodeId("kafka-broker", 100));
        assertEquals("pod kafka-broker has no ordinal that maps to a Kafka node id", e.getMessage());
        var negative = assertThrows(IllegalArgumentException.class, () -> ScaleInGuard.nodeId("kafka-broker-1", -1));
        assertEquals("scaleInGuard.kafka.nodeIdOffset: -1 must not be negative", negative.getMessage());
    }

    @Test
    void departingBrokersAreThePlansDeletedPods() {
        ComponentShape before = new ComponentShape(3, List.of(), List.of());
        ComponentShape after = new ComponentShape(2, List.of(), List.of("kafka-broker-2"));
        ScalingPlan plan = new ScalingPlan("broker", before, after, List.of(), List.of("kafka-broker-2"));
        assertEquals(List.of(new Broker("kafka-broker-2", 102, Departure.OFFLINE)), ScaleInGuard.departing(plan, 100),
                "listed in the target's offlineInstances: taken offline");
        ScalingPlan scaleIn = new ScalingPlan("broker", before, new ComponentShape(2, List.of(), List.of()), List.of(),
                List.of("kafka-broker-2"));
        assertEquals(List.of(B2), ScaleInGuard.departing(scaleIn, 100), "not listed: removed for good");
        assertEquals(Departure.REMOVAL, B2.departure());
    }

    @Test
    void aBrokerHostingReplicasBlocksAndTheMessageNamesBrokerNodeCountAndFirstPartitions() {
        List<Replica> hosted = new ArrayList<>(replicas("payments", 1, 0));
        hosted.addAll(replicas("orders", 3, 0, 10, 11));
        hosted.addAll(replicas("audit", 7));
        Verdict v = ScaleInGuard.judge(List.of(B2), Map.of(102, hosted));
        assertEquals(Result.BLOCKED, v.result());
        assertFalse(v.result().allowsScaleIn());
        assertEquals("kafka-broker-2 (node 102) still hosts 7 replicas: audit-7, orders-0, orders-3, orders-10, orders-11, …",
                v.message(), "topic order, then partition number; the first " + ScaleInGuard.SHOWN + " and an ellipsis");
    }

    @Test
    void oneReplicaIsSingularAndOnlyTheBlockingBrokersAreNamed() {
        Verdict v = ScaleInGuard.judge(List.of(B1, B2), Map.of(102, replicas("orders", 0), 5, replicas("x", 1)));
        assertEquals("kafka-broker-2 (node 102) still hosts 1 replica: orders-0", v.message());
        Verdict both = ScaleInGuard.judge(List.of(B1, B2), Map.of(101, replicas("a", 0, 1), 102, replicas("orders", 0)));
        assertEquals("kafka-broker-1 (node 101) still hosts 2 replicas: a-0, a-1; kafka-broker-2 (node 102) still hosts 1 replica: orders-0",
                both.message());
    }

    @Test
    void emptyBrokersAreSafe() {
        Verdict v = ScaleInGuard.judge(List.of(B2), Map.of(101, replicas("orders", 0)));
        assertEquals(Result.SAFE, v.result());
        assertTrue(v.result().allowsScaleIn());
        assertEquals("kafka-broker-2 (node 102) hosts no partition replicas", v.message());
        assertEquals("kafka-broker-1 (node 101), kafka-broker-2 (node 102) host no partition replicas",
                ScaleInGuard.judge(List.of(B1, B2), Map.of()).message());
    }

    @Test
    void noAnswerIsNeverSafe() {
        Verdict v = ScaleInGuard.unavailable(List.of(B2), "127.0.0.1:9092", "no answer within 5s");
        assertEquals(Result.UNAVAILABLE, v.result());
        assertFalse(v.result().allowsScaleIn());
        assertEquals("cannot check whether kafka-broker-2 (node 102) still hosts partition replicas: Kafka at 127.0.0.1:9092 gave no"
                + " answer (no answer within 5s); nothing is removed until it does", v.message());
    }

    @Test
    void forceSkipsAndSaysWhatWasNotChecked() {
        Verdict v = ScaleInGuard.skipped(List.of(B1, B2));
        assertEquals(Result.SKIPPED, v.result());
        assertTrue(v.result().allowsScaleIn());
        assertEquals("force: true skips the scale-in guard; not checked with Kafka: kafka-broker-1 (node 101), kafka-broker-2 (node 102)",
                v.message());
        assertEquals("skipped", Result.SKIPPED.label());
    }

    @Test
    void theWorstComponentVerdictDecides() {
        Verdict safe = new Verdict(Result.SAFE, "a");
        Verdict blocked = new Verdict(Result.BLOCKED, "b");
        Verdict blocked2 = new Verdict(Result.BLOCKED, "c");
        Verdict unavailable = new Verdict(Result.UNAVAILABLE, "d");
        assertEquals(new Verdict(Result.BLOCKED, "b; c"), Verdict.combine(List.of(safe, blocked, blocked2)));
        assertEquals(new Verdict(Result.UNAVAILABLE, "d"), Verdict.combine(List.of(blocked, unavailable, safe)));
        assertEquals(safe, Verdict.combine(List.of(safe)));
        assertThrows(IllegalArgumentException.class, () -> Verdict.combine(List.of()));
    }
}
