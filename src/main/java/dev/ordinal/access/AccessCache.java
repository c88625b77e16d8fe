package dev.ordinal.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import dev.ordinal.access.Reviews.Authentication;
import dev.ordinal.access.Reviews.Decision;
import dev.ordinal.config.OrdinalConfig;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The review answers of the last {@code ordinal.http.auth.cache-ttl} (10 s), so that a scrape every few seconds or
 * a stream of many events costs the API server one TokenReview per token and one SubjectAccessReview per user and
 * question per period, not one per request or event. Two bounded caches ({@code ordinal.http.auth.cache-size}
 * entries each, least recently used evicted first): tokens, keyed by their SHA-256 (the token itself is not kept as
 * a key), and decisions, keyed by user and permission. Denials and rejected tokens are kept too, so that a
 * client hammering with a bad token does not turn into API server load.
 * <p>
 * Reviews run on the worker pool, never on the event loop. Concurrent requests for the same key share one review.
 * A failed review ({@link ReviewUnavailableException}) is not kept: the next request asks again.
 */
@ApplicationScoped
public class AccessCache {
    private final Reviews reviews;
    private final AsyncCache<String, Authentication> tokens;
    private final AsyncCache<Question, Decision> decisions;

    private record Question(Caller caller, Permission permission) {
    }

    @Inject
    public AccessCache(Reviews reviews, OrdinalConfig ordinal) {
        this(reviews, ordinal.http().auth().cacheTtl(), ordinal.http().auth().cacheSize(), Infrastructure.getDefaultWorkerPool(), Ticker.systemTicker());
    }

    /**
     * @param reviews  who answers
     * @param ttl      how long an answer is reused
     * @param size     most entries per cache
     * @param executor where reviews run (blocking)
     * @param ticker   the clock of expiry (tests pass a fake one)
     */
    public AccessCache(Reviews reviews, Duration ttl, int size, Executor executor, Ticker ticker) {
        if (size < 1) {
            throw new IllegalArgumentException("ordinal.http.auth.cache-size must be at least 1, was " + size);
        }
        this.reviews = reviews;
        this.tokens = Caffeine.newBuilder().maximumSize(size).expireAfterWrite(ttl).executor(executor).ticker(ticker).buildAsync();
        this.decisions = Caffeine.newBuilder().maximumSize(size).expireAfterWrite(ttl).executor(executor).ticker(ticker).buildAsync();
    }

    /** Who the token belongs to; fails with {@link ReviewUnavailableException} when the API server gave no answer. */
    public CompletableFuture<Authentication> authenticate(String token) {
        return tokens.get(sha256(token), (key, executor) -> CompletableFuture.supplyAsync(() -> reviews.authenticate(token), executor));
    }

    /** Whether the caller may; fails with {@link ReviewUnavailableException} when the API server gave no answer. */
    public CompletableFuture<Decision> authorize(Caller caller, Permission permission) {
        return decisions.get(new Question(caller, permission),
                (key, executor) -> CompletableFuture.supplyAsync(() -> reviews.authorize(caller, permission), executor));
    }

    /** Entries held now (tokens + decisions), after pending evictions ran. */
    public long size() {
        tokens.synchronous().cleanUp();
        decisions.synchronous().cleanUp();
        return tokens.synchronous().estimatedSize() + decisions.synchronous().estimatedSize();
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
