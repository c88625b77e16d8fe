package dev.ordinal.access;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * Who may call the operator's HTTP port ({@code ordinal.http.auth.*}, docs/metrics.md "Who may watch"), a group of
 * {@code OrdinalConfig}. Health probes ({@code /q/health/*}) are always open: the kubelet probes them without a token.
 */
public interface HttpAuthConfig {

    /** How a protected path checks its callers. */
    enum Mode {
        /** A bearer token, authenticated with a TokenReview and authorized with SubjectAccessReviews. */
        KUBERNETES,
        /** Anyone who reaches the port (a NetworkPolicy's job then; dev mode, which listens on localhost). */
        NONE
    }

    /** {@code /ordinal/ops/events} (and anything else under {@code /ordinal/}): {@code kubernetes} or {@code none}. */
    @WithDefault("kubernetes")
    Mode events();

    /** {@code /q/metrics}: {@code kubernetes} or {@code none} (scraped through a NetworkPolicy instead). */
    @WithDefault("kubernetes")
    Mode metrics();

    /** How long a TokenReview or SubjectAccessReview answer is reused, denials included. */
    @WithDefault("10S")
    Duration cacheTtl();

    /** Most answers kept, per cache (one of tokens, one of decisions); the least recently used go first. */
    @WithDefault("1000")
    int cacheSize();

    /**
     * Audiences the TokenReview asks for; a token must be valid for one of them. Unset: the API server's own
     * audiences, so a token from {@code kubectl create token <sa>} works as it is.
     */
    Optional<List<String>> tokenAudiences();

    /**
     * How often an open ops event stream re-checks its caller's token between events: a token the API server no
     * longer accepts ends the stream within this plus {@link #cacheTtl()}.
     */
    @WithDefault("10S")
    Duration streamRecheck();

    /** How long one review may take before the request is answered 503. */
    @WithDefault("5S")
    Duration reviewTimeout();
}
