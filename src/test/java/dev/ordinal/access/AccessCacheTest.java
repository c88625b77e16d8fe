package dev.ordinal.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.ordinal.access.Reviews.Authentication;
import dev.ordinal.access.Reviews.Decision;

/** The review cache without an API server: one review per key and period, bounded, failures not kept. */
class AccessCacheTest {
    private static final Caller ALICE = new Caller("alice", "u1", List.of("team-a"), Map.of());
    private static final Caller BOB = new Caller("bob", "u2", List.of("team-b"), Map.of());
    private static final Permission GET_A = Permission.resource("get", "operations.ordinal.dev", "opsrequests", "a");
    private static final Permission GET_B = Permission.resource("get", "operations.ordinal.dev", "opsrequests", "b");

    private final AtomicLong nanos = new AtomicLong();
    private final CountingReviews reviews = new CountingReviews();

    private AccessCache cache(int size) {
        return new AccessCache(reviews, Duration.ofSeconds(10), size, Runnable::run, nanos::get);
    }

    @Test
    void manyQuestionsWithinThePeriodCostOneReviewEach() {
        AccessCache cache = cache(100);
        for (int i = 0; i < 500; i++) {
            assertTrue(cache.authenticate("token-alice").join().authenticated());
            assertTrue(cache.authorize(ALICE, GET_A).join().allowed());
            assertFalse(cache.authorize(ALICE, GET_B).join().allowed(), "a denial is an answer too");
        }
        assertEquals(1, reviews.tokens.get());
        assertEquals(2, reviews.decisions.get());
    }

    @Test
    void anAnswerIsAskedAgainOnceItsPeriodHasPassed() {
        AccessCache cache = cache(100);
        cache.authorize(ALICE, GET_A).join();
        nanos.addAndGet(Duration.ofSeconds(9).toNanos());
        cache.authorize(ALICE, GET_A).join();
        assertEquals(1, reviews.decisions.get(), "still fresh after 9 s");
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        cache.authorize(ALICE, GET_A).join();
        assertEquals(2, reviews.decisions.get(), "asked again after 11 s");
    }

    @Test
    void theCacheIsBoundedAndTheKeyIsUserAndPermission() {
        AccessCache cache = cache(5);
        for (int i = 0; i < 50; i++) {
            cache.authorize(new Caller("user-" + i, "", List.of(), Map.of()), GET_A).join();
            cache.authenticate("token-" + i).join();
        }
        assertTrue(cache.size() <= 10, "at most 5 tokens and 5 decisions, was " + cache.size());
        cache.authorize(ALICE, GET_A).join();
        cache.authorize(BOB, GET_A).join();
        cache.authorize(new Caller("alice", "u1", List.of("team-a", "admins"), Map.of()), GET_A).join();
        assertEquals(53, reviews.decisions.get(), "other groups make another user: asked again");
    }

    @Test
    void aFailedReviewIsNotKept() {
        AccessCache cache = cache(100);
        reviews.failNext = true;
        CompletionException e = assertThrows(CompletionException.class, () -> cache.authorize(ALICE, GET_A).join());
        assertInstanceOf(ReviewUnavailableException.class, e.getCause());
        assertTrue(cache.authorize(ALICE, GET_A).join().allowed(), "the next question asks again");
        assertEquals(2, reviews.decisions.get());
    }

    @Test
    void aSizeBelowOneIsRejectedWithTheSettingName() {
        var e = assertThrows(IllegalArgumentException.class, () -> cache(0));
        assertTrue(e.getMessage().contains("ordinal.http.auth.cache-size"), e.getMessage());
    }

    /** alice may get in namespace a; tokens "token-<user>" belong to that user. */
    private static final class CountingReviews implements Reviews {
        final AtomicInteger tokens = new AtomicInteger();
        final AtomicInteger decisions = new AtomicInteger();
        volatile boolean failNext;

        @Override
        public Authentication authenticate(String token) {
            tokens.incrementAndGet();
            return token.startsWith("token-") ? Authentication.accepted(new Caller(token.substring(6), "", List.of(), Map.of()))
                    : Authentication.rejected("unknown");
        }

        @Override
        public Decision authorize(Caller caller, Permission permission) {
            decisions.incrementAndGet();
            if (failNext) {
                failNext = false;
                throw new ReviewUnavailableException("API server down", null);
            }
            return new Decision(caller.user().equals("alice") && "a".equals(permission.namespace()) || !caller.user().equals("alice"), "");
        }
    }
}
