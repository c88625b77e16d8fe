package dev.ordinal.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.ordinal.access.ReviewUnavailableException;
import dev.ordinal.observability.OpsEventsAccess.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;

/** The authorization stage of an event stream, with verdicts given by the test instead of an API server. */
class AuthorizedStreamTest {
    private final OpsEventStream stream = new OpsEventStream(new SimpleMeterRegistry(), 64);

    private AssertSubscriber<OpsEventDto> subscribe(Map<String, Uni<Verdict>> byNamespace, long limit) {
        return OpsEventsAccess.authorized(stream.subscribe(null, null, 0), e -> byNamespace.get(e.namespace()), Multi.createFrom().nothing(),
                () -> Uni.createFrom().item(Verdict.DELIVER), limit)
                .subscribe().withSubscriber(AssertSubscriber.create(100));
    }

    @Test
    void eventsOfNamespacesTheCallerMayNotReadAreNotDeliveredAndOrderIsKept() {
        var sub = subscribe(Map.of("a", Uni.createFrom().item(Verdict.DELIVER), "b", Uni.createFrom().item(Verdict.WITHHOLD)), 0);
        for (String name : List.of("a1", "b1", "a2", "b2", "a3")) {
            stream.publish(event(name.substring(0, 1), name));
        }
        assertEquals(List.of("a1", "a2", "a3"), names(sub));
    }

    @Test
    void aSlowVerdictHoldsBackLaterEventsInsteadOfReorderingThem() {
        CompletableFuture<Verdict> slowA = new CompletableFuture<>();
        var sub = subscribe(Map.of("a", Uni.createFrom().completionStage(slowA), "b", Uni.createFrom().item(Verdict.DELIVER)), 0);
        stream.publish(event("a", "a1"));
        stream.publish(event("b", "b1"));
        assertEquals(List.of(), names(sub));
        slowA.complete(Verdict.DELIVER);
        assertEquals(List.of("a1", "b1"), names(sub));
    }

    @Test
    void theLimitCountsDeliveredEventsOnly() {
        var sub = subscribe(Map.of("a", Uni.createFrom().item(Verdict.DELIVER), "b", Uni.createFrom().item(Verdict.WITHHOLD)), 2);
        for (String name : List.of("b1", "a1", "b2", "b3", "a2", "a3")) {
            stream.publish(event(name.substring(0, 1), name));
        }
        sub.assertCompleted();
        assertEquals(List.of("a1", "a2"), names(sub));
        assertEquals(0, stream.subscribers(), "the completed stream left the bus");
    }

    @Test
    void aTokenNoLongerAcceptedEndsTheStream() {
        var sub = subscribe(Map.of("a", Uni.createFrom().item(Verdict.DELIVER), "x", Uni.createFrom().item(Verdict.END)), 0);
        stream.publish(event("a", "a1"));
        stream.publish(event("x", "x1"));
        stream.publish(event("a", "a2"));
        sub.assertCompleted();
        assertEquals(List.of("a1"), names(sub));
        assertEquals(0, stream.subscribers());
    }

    @Test
    void aTokenRevokedBetweenEventsEndsTheStreamAtTheNextRecheckWithoutWaitingForAnEvent() {
        BroadcastProcessor<Long> ticks = BroadcastProcessor.create();
        AtomicReference<Verdict> token = new AtomicReference<>(Verdict.DELIVER);
        AtomicInteger rechecks = new AtomicInteger();
        var sub = OpsEventsAccess.authorized(stream.subscribe(null, null, 0), e -> Uni.createFrom().item(Verdict.DELIVER), ticks,
                () -> {
                    rechecks.incrementAndGet();
                    return Uni.createFrom().item(token.get());
                }, 0).subscribe().withSubscriber(AssertSubscriber.create(100));
        stream.publish(event("a", "a1"));
        ticks.onNext(1L);
        stream.publish(event("a", "a2"));
        sub.assertNotTerminated();
        assertEquals(List.of("a1", "a2"), names(sub), "a recheck that still accepts the token delivers nothing and ends nothing");
        token.set(Verdict.END);
        ticks.onNext(2L);
        sub.assertCompleted();
        assertEquals(2, rechecks.get());
        assertEquals(0, stream.subscribers(), "the ended stream left the bus");
        stream.publish(event("a", "a3"));
        assertEquals(List.of("a1", "a2"), names(sub));
    }

    @Test
    void aRecheckTheApiServerDidNotAnswerKeepsTheStreamAndTheNextTickAsksAgain() {
        BroadcastProcessor<Long> ticks = BroadcastProcessor.create();
        AtomicReference<Uni<Verdict>> token = new AtomicReference<>(Uni.createFrom().failure(new ReviewUnavailableException("down", null)));
        var sub = OpsEventsAccess.authorized(stream.subscribe(null, null, 0), e -> Uni.createFrom().item(Verdict.DELIVER), ticks,
                token::get, 0).subscribe().withSubscriber(AssertSubscriber.create(100));
        ticks.onNext(1L);
        stream.publish(event("a", "a1"));
        sub.assertNotTerminated();
        assertEquals(List.of("a1"), names(sub), "an API server blip between events ends no stream");
        token.set(Uni.createFrom().item(Verdict.END));
        ticks.onNext(2L);
        sub.assertCompleted();
    }

    @Test
    void aReviewTheApiServerDidNotAnswerFailsTheStreamAndDeliversNothingMore() {
        var sub = subscribe(Map.of("a", Uni.createFrom().item(Verdict.DELIVER),
                "b", Uni.createFrom().failure(new ReviewUnavailableException("down", null))), 0);
        stream.publish(event("a", "a1"));
        stream.publish(event("b", "b1"));
        stream.publish(event("a", "a2"));
        assertInstanceOf(ReviewUnavailableException.class, sub.getFailure());
        assertEquals(List.of("a1"), names(sub), "nothing after the event that could not be judged");
        assertEquals(0, stream.subscribers());
    }

    private static OpsEventDto event(String ns, String name) {
        return new OpsEventDto("2026-01-01T00:00:00Z", OpsEventDto.PHASE_CHANGED, ns, "c", name, "HorizontalScaling",
                "Running", null, null, null, null, null, null);
    }

    private static List<String> names(AssertSubscriber<OpsEventDto> sub) {
        return sub.getItems().stream().map(OpsEventDto::opsRequest).toList();
    }
}
