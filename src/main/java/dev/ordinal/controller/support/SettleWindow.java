package dev.ordinal.controller.support;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.ordinal.config.OrdinalConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Holds back a status write that describes a state about to change (docs/ops-controller.md, "Status writes").
 * <p>
 * A reconcile that has just created or deleted pods, or that sees a rollout under way, would write a status that the
 * next event's reconcile replaces within milliseconds: "3 replicas, 2 ready" right before "3 replicas, 3 ready". Such a
 * <em>transitional</em> status is written only once it has lasted the window (default 1 s, {@code
 * ordinal.status.settle-window}); a settled status is written at once. So a rollout that settles within the window
 * costs one status write, and a longer one is still shown as it goes, at most one window late. Nothing is lost: a held
 * back write is retried by the reconcile the caller reschedules after {@link #holdBack}'s answer, or by the next event.
 * <p>
 * State is in memory and per object: a restarted operator writes at once, which is only one extra write.
 */
@Singleton
public final class SettleWindow {
    private final Duration window;
    private final Map<Object, Long> transitionalSince = new ConcurrentHashMap<>();

    /** The operator's one window, {@code ordinal.status.settle-window}, shared by the three controllers. */
    @Inject
    public SettleWindow(OrdinalConfig config) {
        this(config.status().settleWindow());
    }

    /** @param window how long a transitional status waits before it is written anyway; zero writes every status at once */
    public SettleWindow(Duration window) {
        this.window = window;
    }

    /**
     * Whether to hold back the status write for {@code key} now.
     *
     * @param key          the object whose status is about to be written (its kind, namespace and name: one window per object)
     * @param transitional whether the status to write describes a state about to change (e.g. pods just created)
     * @return empty: write now; otherwise the delay after which the caller must reconcile again (the rest of the window)
     */
    public Optional<Duration> holdBack(Object key, boolean transitional) {
        if (!transitional || window.isZero()) {
            transitionalSince.remove(key);
            return Optional.empty();
        }
        long now = System.nanoTime();
        long since = transitionalSince.computeIfAbsent(key, k -> now);
        long left = window.toNanos() - (now - since);
        return left <= 0 ? Optional.empty() : Optional.of(Duration.ofNanos(left).plusMillis(10));
    }

    /** Forgets an object (deleted, or its ops ended). */
    public void forget(Object key) {
        transitionalSince.remove(key);
    }

    /** The key of {@code resource}'s window: its kind, namespace and name (a Cluster and an InstanceSet may share a name). */
    public static Object key(HasMetadata resource) {
        return new Key(resource.getKind(), ResourceID.fromResource(resource));
    }

    private record Key(String kind, ResourceID id) {
    }

    /** The configured window. */
    public Duration window() {
        return window;
    }
}
