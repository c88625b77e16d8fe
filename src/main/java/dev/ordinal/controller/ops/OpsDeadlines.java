package dev.ordinal.controller.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.vocabulary.OpsPhase;

/**
 * The time rules of an ops, pure (spec §6 and amendment §7a; docs/ops-controller.md "Choices made where the spec is
 * silent"): the precondition deadline of a Pending ops, the deadline of a started one (never infinite), and the TTL
 * of an ended one.
 */
final class OpsDeadlines {
    private OpsDeadlines() {
    }

    /**
     * Until when a Pending ops may wait for its Cluster to exist, to settle, or for the scale-in guard:
     * creation + {@code preConditionDeadlineSeconds} (absent: 0, i.e. no waiting).
     */
    static Instant precondition(OpsRequest ops, Instant now) {
        Integer seconds = ops.getSpec().preConditionDeadlineSeconds;
        return OpsQueue.created(ops, now).plusSeconds(seconds == null ? 0 : seconds);
    }

    /** {@code timeoutSeconds}, or {@code defaultTimeout} when it is absent or 0 (never infinite). */
    static Duration timeout(OpsRequest ops, Duration defaultTimeout) {
        Integer t = ops.getSpec().timeoutSeconds;
        return t == null || t == 0 ? defaultTimeout : Duration.ofSeconds(t);
    }

    /** When a started ops is Aborted: its start ({@code status.startTimestamp}, else creation) + its timeout. */
    static Instant deadline(OpsRequest ops, Duration defaultTimeout, Instant now) {
        String start = ops.getStatus() == null ? null : ops.getStatus().startTimestamp;
        return (start == null ? OpsQueue.created(ops, now) : Instant.parse(start)).plus(timeout(ops, defaultTimeout));
    }

    /**
     * When an ended ops is deleted: its completion + {@code ttlSecondsAfterSucceed} (Succeed) or
     * {@code ttlSecondsAfterUnsuccessfulCompletion} (any other end); empty when that TTL is not set or the ops has no
     * completionTimestamp (it is kept).
     */
    static Optional<Instant> ttlDue(OpsRequest ops) {
        var status = ops.getStatus();
        Integer ttl = OpsPhase.SUCCEED.value().equals(status.phase) ? ops.getSpec().ttlSecondsAfterSucceed
                : ops.getSpec().ttlSecondsAfterUnsuccessfulCompletion;
        if (ttl == null || status.completionTimestamp == null) {
            return Optional.empty();
        }
        return Optional.of(Instant.parse(status.completionTimestamp).plusSeconds(ttl));
    }
}
