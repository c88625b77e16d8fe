package dev.ordinal.controller.ops;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.observability.EventRecorder;
import dev.ordinal.observability.OpsEventStream;
import dev.ordinal.observability.OpsMetrics;
import dev.ordinal.vocabulary.OpsPhase;

/**
 * The one listener of an OpsRequest status the controller wrote (docs/architecture.md): the event stream sees every
 * written status; a phase change is also announced as an Event on the ops (Normal, or Warning for Failed, Cancelled
 * and Aborted) and counted ({@code ordinal_ops_transitions_total}, with {@code ordinal_ops_queue_wait_seconds} on
 * entering Creating and {@code ordinal_ops_duration_seconds} on an end). Nothing is announced for a write that did not
 * happen. Each phase change is also one INFO line of the operator's log (namespace, name, cluster, phase, reason,
 * message).
 */
@ApplicationScoped
public class OpsAnnouncer {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(OpsAnnouncer.class);
    private final EventRecorder events;
    private final OpsMetrics metrics;
    private final OpsEventStream stream;

    /** @param stream the in-process bus of {@code GET /ordinal/ops/events} */
    public OpsAnnouncer(EventRecorder events, OpsMetrics metrics, OpsEventStream stream) {
        this.events = events;
        this.metrics = metrics;
        this.stream = stream;
    }

    /** The controller wrote this status: the event stream publishes what changed. */
    void written(OpsRequest written) {
        stream.statusWritten(written);
    }

    /**
     * The status just {@link #written} entered {@code phase}.
     *
     * @param reason  the Event's reason
     * @param message the Event's message
     * @param now     when it was written
     */
    void entered(OpsRequest written, OpsPhase phase, String reason, String message, Instant now) {
        LOG.infof("opsrequest %s/%s (cluster %s) is %s: %s: %s", written.getMetadata().getNamespace(), written.getMetadata().getName(),
                written.getSpec().clusterName, phase.value(), reason, message);
        Instant created = OpsQueue.created(written, now);
        if (phase == OpsPhase.CREATING) {
            metrics.queueWait(written, Duration.between(created, now));
        }
        if (phase == OpsPhase.FAILED || phase == OpsPhase.CANCELLED || phase == OpsPhase.ABORTED) {
            events.warning(written, reason, message);
        } else {
            events.normal(written, reason, message);
        }
        metrics.phase(written, phase.value());
        if (phase.isTerminal()) {
            metrics.completed(written, phase.value(), created);
        }
    }

    /** An Event that belongs to no phase change (the scale-in guard's verdict on an ops that starts). */
    void note(OpsRequest ops, OpsDecision.Event event) {
        if (event.warning()) {
            events.warning(ops, event.reason(), event.message());
        } else {
            events.normal(ops, event.reason(), event.message());
        }
    }

    /** A valid plan was computed for a Pending ops ({@code ordinal_scaling_decisions_total}). */
    void planComputed(OpsRequest ops) {
        metrics.planComputed(ops);
    }
}
