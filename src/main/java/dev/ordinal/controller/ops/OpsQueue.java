package dev.ordinal.controller.ops;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.vocabulary.OpsPhase;

/**
 * The queue of one cluster's ops, pure (docs/ops-controller.md "Queue"; spec §5 "one at a time"): ops run one at a
 * time, oldest first (creationTimestamp, then name); a failed head cancels those queued behind it; a forced ops skips
 * the queue but may not take away a pod a running ops is creating; at most {@code ordinal.ops.max-queue} wait.
 */
final class OpsQueue {
    private OpsQueue() {
    }

    /** The ops' phase; no status yet is Pending. */
    static OpsPhase phaseOf(OpsRequest ops) {
        return phaseOf(ops.getStatus() == null ? null : ops.getStatus().phase);
    }

    /**
     * The phase a status string names: null is Pending, and a string that names no phase (the CRD does not restrict
     * the field) is taken as a started, unended ops, as Running.
     */
    static OpsPhase phaseOf(String phase) {
        try {
            return OpsPhase.of(phase);
        } catch (IllegalArgumentException e) {
            return OpsPhase.RUNNING;
        }
    }

    /** When the ops was created; {@code now} for one the API server has not stamped (never stored). */
    static Instant created(OpsRequest ops, Instant now) {
        String ts = ops.getMetadata().getCreationTimestamp();
        return ts == null ? now : Instant.parse(ts);
    }

    /** Queue order: older first, then by name. */
    static Comparator<OpsRequest> order(Instant now) {
        return Comparator.comparing((OpsRequest o) -> created(o, now)).thenComparing(o -> o.getMetadata().getName());
    }

    /**
     * Whether {@code peer} holds the queue for {@code ops}: it has started (Creating, Running, Cancelling), or it is an
     * older Pending ops that is not forced. Ended ops and dry runs hold nothing.
     */
    static boolean isAhead(OpsRequest peer, OpsRequest ops, Instant now) {
        OpsPhase phase = phaseOf(peer);
        if (phase.isTerminal() || Boolean.TRUE.equals(peer.getSpec().dryRun)) {
            return false;
        }
        if (phase != OpsPhase.PENDING) {
            return true;
        }
        return !Boolean.TRUE.equals(peer.getSpec().force) && order(now).compare(peer, ops) < 0;
    }

    /**
     * Whether {@code peer} was the head of the queue and failed after {@code ops} had been queued behind it (it started,
     * ended Failed no earlier than a second before {@code ops} was created, and is older): {@code ops} was planned on a
     * state that did not happen, so it ends {@code Cancelled} ({@code CancelByController}).
     */
    static boolean failedWhileAhead(OpsRequest peer, OpsRequest ops, Instant now) {
        var s = peer.getStatus();
        return s != null && OpsPhase.FAILED.value().equals(s.phase) && s.startTimestamp != null && s.completionTimestamp != null
                && order(now).compare(peer, ops) < 0
                && !Instant.parse(s.completionTimestamp).isBefore(created(ops, now).minusSeconds(1));
    }

    /**
     * Whether {@code ops} must fail {@code QueueFull}: at least {@code maxQueue} ops of the cluster are Pending and at
     * least {@code maxQueue} of those ahead of it.
     *
     * @param peers the other ops of the cluster
     * @param ahead those of {@code peers} that are ahead of {@code ops}
     */
    static boolean isFull(List<OpsRequest> peers, List<OpsRequest> ahead, int maxQueue) {
        long waiting = peers.stream().filter(p -> phaseOf(p) == OpsPhase.PENDING).count();
        return waiting >= maxQueue && ahead.stream().filter(p -> phaseOf(p) == OpsPhase.PENDING).count() >= maxQueue;
    }

    /**
     * Why a forced ops may not go on: it would delete a pod that a started ops (Creating or Running) is creating; empty
     * when none. The message names the pod and the ops.
     */
    static Optional<String> forceConflict(Map<String, ScalingPlan> plans, List<OpsRequest> peers) {
        for (OpsRequest peer : peers) {
            OpsPhase phase = phaseOf(peer);
            if (!(phase == OpsPhase.CREATING || phase == OpsPhase.RUNNING) || peer.getStatus().plan == null) {
                continue;
            }
            for (var entry : plans.entrySet()) {
                var theirs = peer.getStatus().plan.get(entry.getKey());
                if (theirs == null) {
                    continue;
                }
                for (String pod : entry.getValue().podsToDelete()) {
                    if (theirs.podsToCreate.contains(pod)) {
                        return Optional.of("pod " + pod + " is being created by opsrequest " + peer.getMetadata().getName()
                                + "; wait for it to end, or cancel it, before taking " + pod + " away");
                    }
                }
            }
        }
        return Optional.empty();
    }
}
