package dev.ordinal.controller.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.ordinal.config.OrdinalConfig;
import dev.ordinal.core.PodRollout.PodState;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * {@link PodFacts} at the operator's clock and with its pod start deadline ({@code ordinal.status.pod-start-deadline}):
 * the state of each pod now, and when the next starting pod runs out of start budget, so that its controller looks
 * again then.
 */
@ApplicationScoped
public class PodStates {
    private final Clock clock;
    private final Duration startDeadline;

    @Inject
    public PodStates(OrdinalConfig config) {
        this(Clock.systemUTC(), config.status().podStartDeadline());
    }

    /** @param startDeadline the least time a running pod counts as starting before it is unhealthy */
    public PodStates(Clock clock, Duration startDeadline) {
        this.clock = clock;
        this.startDeadline = startDeadline;
    }

    /**
     * Each pod's state, and when to look again because a pod that is starting runs out of start budget, both judged at
     * one instant (judged at two, a budget running out in between was neither starting nor due for a recheck).
     *
     * @param states  by the keys of {@code pods}
     * @param recheck how long until the first starting pod's budget runs out (plus a margin); empty if none is starting
     */
    public record Observed(Map<String, PodState> states, Optional<Duration> recheck) {
    }

    /** The pods' states now ({@link Observed}). */
    public Observed observe(Map<String, Pod> pods) {
        Instant now = clock.instant();
        Map<String, PodState> states = new LinkedHashMap<>();
        pods.forEach((name, pod) -> states.put(name, PodFacts.state(pod, now, startDeadline)));
        Optional<Duration> recheck = pods.values().stream().map(p -> PodFacts.startingUntil(p, startDeadline))
                .flatMap(Optional::stream).filter(now::isBefore).min(Instant::compareTo)
                .map(until -> Duration.between(now, until).plusMillis(200));
        return new Observed(states, recheck);
    }
}
