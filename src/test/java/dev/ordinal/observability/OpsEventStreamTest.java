package dev.ordinal.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.common.Condition;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestSpec;
import dev.ordinal.api.ops.OpsRequestStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;

/** The event stream without Quarkus: what a status write publishes, filters, slow subscribers, limits. */
class OpsEventStreamTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void eachPhaseChangeAndEachPodStepIsPublishedOnce() {
        OpsEventStream stream = new OpsEventStream(registry, 16);
        AssertSubscriber<OpsEventDto> sub = stream.subscribe(null, null, 0).subscribe().withSubscriber(AssertSubscriber.create(100));
        OpsRequest ops = ops("ns1", "kafka", "offline-2");

        stream.statusWritten(withStatus(ops, "Pending", null, "WaitForProgressing", "waiting for opsrequest a"));
        stream.statusWritten(withStatus(ops, "Pending", null, "WaitForProgressing", "waiting for opsrequest a"));
        stream.statusWritten(withStatus(ops, "Creating", null, "Progressing", "snapshot taken"));
        OpsRequest running = withStatus(ops, "Running", "0/1", "Progressing", "waiting for pods");
        step(running, "Pod/kafka-broker-2", "Processing", "waiting for pod kafka-broker-2 to be deleted");
        stream.statusWritten(running);
        stream.statusWritten(running);
        OpsRequest done = withStatus(ops, "Running", "1/1", "Progressing", "waiting for cluster");
        step(done, "Pod/kafka-broker-2", "Succeed", "pod kafka-broker-2 is deleted");
        stream.statusWritten(done);
        OpsRequest succeed = withStatus(ops, "Succeed", "1/1", "Succeed", "all 1 pod changes done");
        step(succeed, "Pod/kafka-broker-2", "Succeed", "pod kafka-broker-2 is deleted");
        stream.statusWritten(succeed);

        List<String> seen = sub.getItems().stream().map(e -> e.kind() + ":" + (OpsEventDto.PHASE_CHANGED.equals(e.kind())
                ? e.previousPhase() + "->" + e.phase() : e.objectKey() + "=" + e.status())).toList();
        assertEquals(List.of("PhaseChanged:null->Pending", "PhaseChanged:Pending->Creating",
                "ProgressStep:Pod/kafka-broker-2=Processing", "PhaseChanged:Creating->Running",
                "ProgressStep:Pod/kafka-broker-2=Succeed", "PhaseChanged:Running->Succeed"), seen);
        OpsEventDto last = sub.getItems().get(sub.getItems().size() - 1);
        assertEquals("ns1", last.namespace());
        assertEquals("kafka", last.cluster());
        assertEquals("offline-2", last.opsRequest());
        assertEquals("HorizontalScaling", last.type());
        assertEquals("1/1", last.progress());
        assertEquals("Succeed", last.reason());
        assertEquals("all 1 pod changes done", last.message());
        assertEquals("waiting for opsrequest a", sub.getItems().get(0).message(), "Pending is explained by the queue condition");
        assertEquals(6.0, registry.get("ordinal_ops_events_published").counter().count());
    }

    @Test
    void aStatusWithoutPhaseIsNotAnEvent() {
        OpsEventStream stream = new OpsEventStream(registry, 4);
        AssertSubscriber<OpsEventDto> sub = stream.subscribe(null, null, 0).subscribe().withSubscriber(AssertSubscriber.create(10));
        OpsRequest ops = ops("ns1", "kafka", "x");
        stream.statusWritten(ops);
        ops.setStatus(new OpsRequestStatus());
        stream.statusWritten(ops);
        assertEquals(0, sub.getItems().size());
    }

    @Test
    void filtersByNamespaceAndCluster() {
        OpsEventStream stream = new OpsEventStream(registry, 16);
        AssertSubscriber<OpsEventDto> both = stream.subscribe("a", "c1", 0).subscribe().withSubscriber(AssertSubscriber.create(10));
        AssertSubscriber<OpsEventDto> nsOnly = stream.subscribe("a", null, 0).subscribe().withSubscriber(AssertSubscriber.create(10));
        AssertSubscriber<OpsEventDto> clusterOnly = stream.subscribe(null, "c1", 0).subscribe().withSubscriber(AssertSubscriber.create(10));

        stream.publish(event("a", "c1", "1"));
        stream.publish(event("b", "c1", "2"));
        stream.publish(event("a", "c2", "3"));
        stream.publish(event("b", "c2", "4"));

        assertEquals(List.of("1"), names(both));
        assertEquals(List.of("1", "3"), names(nsOnly));
        assertEquals(List.of("1", "2"), names(clusterOnly));
    }

    @Test
    void aSlowSubscriberLosesTheOldestEventsAndTheLossIsCounted() {
        OpsEventStream stream = new OpsEventStream(registry, 3);
        AssertSubscriber<OpsEventDto> slow = stream.subscribe(null, null, 0).subscribe().withSubscriber(AssertSubscriber.create(0));
        AssertSubscriber<OpsEventDto> fast = stream.subscribe(null, null, 0).subscribe().withSubscriber(AssertSubscriber.create(100));
        for (int i = 1; i <= 5; i++) {
            stream.publish(event("a", "c", String.valueOf(i)));
        }
        assertEquals(List.of("1", "2", "3", "4", "5"), names(fast), "a reader with demand gets everything");
        assertEquals(0, slow.getItems().size());
        slow.request(10);
        assertEquals(List.of("3", "4", "5"), names(slow), "the buffer of 3 kept the newest");
        assertEquals(2.0, registry.get("ordinal_ops_events_dropped").counter().count());
    }

    @Test
    void aLimitCompletesTheStreamAndCancellingUnsubscribes() {
        OpsEventStream stream = new OpsEventStream(registry, 8);
        AssertSubscriber<OpsEventDto> limited = stream.subscribe(null, null, 2).subscribe().withSubscriber(AssertSubscriber.create(10));
        AssertSubscriber<OpsEventDto> open = stream.subscribe(null, null, 0).subscribe().withSubscriber(AssertSubscriber.create(10));
        assertEquals(2, stream.subscribers());
        assertEquals(2.0, registry.get("ordinal_ops_events_subscribers").gauge().value());
        for (int i = 1; i <= 3; i++) {
            stream.publish(event("a", "c", String.valueOf(i)));
        }
        limited.assertCompleted();
        assertEquals(List.of("1", "2"), names(limited));
        assertEquals(1, stream.subscribers());
        open.cancel();
        assertEquals(0, stream.subscribers());
    }

    @Test
    void aBufferBelowOneIsRejectedWithTheSettingName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new OpsEventStream(registry, 0));
        assertTrue(e.getMessage().contains("ordinal.ops.events.buffer"), e.getMessage());
    }

    /**
     * Seeded random interleavings of publishes and requests: a subscriber receives events in publish order,
     * never twice, never more than it requested, and what it misses is exactly what was counted as dropped.
     */
    @Test
    void randomInterleavingsKeepOrderAndAccountForEveryEvent() {
        for (long seed = 1; seed <= 300; seed++) {
            Random random = new Random(seed);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            int capacity = 1 + random.nextInt(6);
            OpsEventStream stream = new OpsEventStream(meters, capacity);
            AssertSubscriber<OpsEventDto> sub = stream.subscribe(null, null, 0).subscribe().withSubscriber(AssertSubscriber.create(0));
            int published = 0;
            long requested = 0;
            for (int step = 0; step < 60; step++) {
                if (random.nextInt(3) > 0) {
                    stream.publish(event("a", "c", String.valueOf(published++)));
                } else {
                    int n = 1 + random.nextInt(3);
                    requested += n;
                    sub.request(n);
                }
            }
            List<Integer> got = names(sub).stream().map(Integer::valueOf).toList();
            String context = "seed " + seed + ", capacity " + capacity + ", got " + got;
            assertTrue(got.size() <= requested, context);
            for (int i = 1; i < got.size(); i++) {
                assertTrue(got.get(i) > got.get(i - 1), context);
            }
            sub.request(Long.MAX_VALUE / 2);
            int total = names(sub).size();
            double dropped = meters.get("ordinal_ops_events_dropped").counter().count();
            assertEquals(published, total + (int) dropped, context);
            List<Integer> all = names(sub).stream().map(Integer::valueOf).toList();
            if (!all.isEmpty()) {
                assertEquals(published - 1, all.get(all.size() - 1), "the newest event is never the one dropped; " + context);
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static OpsRequest ops(String ns, String cluster, String name) {
        OpsRequest ops = new OpsRequest();
        ops.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).withUid("uid-" + name).build());
        OpsRequestSpec spec = new OpsRequestSpec();
        spec.clusterName = cluster;
        spec.type = OpsRequestSpec.OpsType.HorizontalScaling;
        ops.setSpec(spec);
        return ops;
    }

    private static OpsRequest withStatus(OpsRequest template, String phase, String progress, String conditionType, String message) {
        OpsRequest ops = new OpsRequest();
        ops.setMetadata(template.getMetadata());
        ops.setSpec(template.getSpec());
        OpsRequestStatus status = new OpsRequestStatus();
        status.phase = phase;
        status.progress = progress;
        Condition c = new Condition(conditionType, "True", conditionType, message);
        status.conditions = new ArrayList<>(List.of(c));
        ops.setStatus(status);
        return ops;
    }

    private static void step(OpsRequest ops, String objectKey, String status, String message) {
        var component = ops.getStatus().components.computeIfAbsent("broker", k -> new OpsRequestStatus.OpsComponentStatus());
        var detail = new OpsRequestStatus.ProgressDetail();
        detail.objectKey = objectKey;
        detail.group = "broker";
        detail.status = status;
        detail.message = message;
        component.progressDetails.add(detail);
    }

    private static OpsEventDto event(String ns, String cluster, String name) {
        return new OpsEventDto("2026-01-01T00:00:00Z", OpsEventDto.PHASE_CHANGED, ns, cluster, name, "HorizontalScaling",
                "Running", null, null, null, null, null, null);
    }

    private static List<String> names(AssertSubscriber<OpsEventDto> sub) {
        return sub.getItems().stream().map(OpsEventDto::opsRequest).toList();
    }

    @Test
    void theFirstPhaseOfAnOpsHasNoPreviousPhase() {
        OpsEventStream stream = new OpsEventStream(registry, 4);
        AssertSubscriber<OpsEventDto> sub = stream.subscribe(null, null, 0).subscribe().withSubscriber(AssertSubscriber.create(10));
        stream.statusWritten(withStatus(ops("n", "c", "dry"), "Succeed", "0/0", "Succeed", "dry run"));
        assertEquals(1, sub.getItems().size());
        assertNull(sub.getItems().get(0).previousPhase());
        assertEquals("Succeed", sub.getItems().get(0).phase());
    }
}
