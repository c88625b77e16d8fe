package dev.ordinal.observability;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import dev.ordinal.api.ops.OpsRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Ordinal's own meters. Labels stay low-cardinality: namespace, type, phase, result — never pod or ops names.
 */
@ApplicationScoped
public class OpsMetrics {
    private final MeterRegistry registry;

    public OpsMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void phase(OpsRequest ops, String to) {
        Counter.builder("ordinal_ops_transitions")
                .description("OpsRequest phase changes")
                .tag("namespace", ns(ops)).tag("type", type(ops)).tag("phase", to)
                .register(registry).increment();
    }

    public void completed(OpsRequest ops, String phase, Instant created) {
        Timer.builder("ordinal_ops_duration")
                .description("Time from OpsRequest creation to its end")
                .tag("namespace", ns(ops)).tag("type", type(ops)).tag("phase", phase)
                .publishPercentileHistogram()
                .register(registry).record(Duration.between(created, Instant.now()));
    }

    public void planComputed(OpsRequest ops) {
        Counter.builder("ordinal_scaling_decisions").description("Scaling plans computed by the core")
                .tag("namespace", ns(ops)).register(registry).increment();
    }

    public void queueWait(OpsRequest ops, Duration waited) {
        Timer.builder("ordinal_ops_queue_wait").description("Time an OpsRequest waited in Pending before it started")
                .tag("namespace", ns(ops)).register(registry).record(waited.isNegative() ? Duration.ZERO : waited);
    }

    public void applied(OpsRequest ops, String result) {
        Counter.builder("ordinal_ssa_writes").description("Server-side applies of Clusters by the ops controller")
                .tag("resource", "clusters").tag("result", result).register(registry).increment();
    }

    public void applyConflict(OpsRequest ops) {
        Counter.builder("ordinal_ssa_conflicts_retried").description("Cluster applies answered 409 and retried")
                .tag("resource", "clusters").register(registry).increment();
    }

    private static String ns(OpsRequest ops) {
        return ops.getMetadata().getNamespace() == null ? "" : ops.getMetadata().getNamespace();
    }

    private static String type(OpsRequest ops) {
        return ops.getSpec().type == null ? "unknown" : ops.getSpec().type.name();
    }
}
