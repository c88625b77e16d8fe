package dev.ordinal.observability;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.ordinal.api.ops.OpsRequest;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;

/**
 * Ordinal's own meters (documented in docs/metrics.md). Labels stay low-cardinality: namespace, cluster, type,
 * phase, resource, result — never pod or OpsRequest names.
 */
@Startup
@ApplicationScoped
public class OpsMetrics {
    /** SSA results, the values of the {@code result} label of {@code ordinal_ssa_writes_total}. */
    public static final String OK = "ok";
    public static final String CONFLICT = "conflict";
    public static final String ERROR = "error";

    /**
     * Histogram buckets for whole operations: an ops lasts from seconds (one pod) to its deadline (30 min by
     * default), so Micrometer's default range (up to 30 s) would put most of them in +Inf.
     */
    private static final Duration[] OPS_BUCKETS = {
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
            Duration.ofMinutes(30), Duration.ofHours(1) };

    private final MeterRegistry registry;

    public OpsMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Known series start at 0, so rate() and increase() see the first conflict or error.
        for (String resource : new String[] { "clusters", "instancesets" }) {
            for (String result : new String[] { OK, CONFLICT, ERROR }) {
                ssaWrites(resource, result);
            }
        }
        conflictsRetried("clusters");
        for (String result : new String[] { "safe", "blocked", "unavailable", "skipped" }) {
            guardVerdicts(result);
        }
    }

    /**
     * One verdict of the scale-in guard for one component of an ops: {@code safe}, {@code blocked},
     * {@code unavailable} (Kafka gave no answer) or {@code skipped} ({@code force: true}); a blocked ops that
     * re-checks counts once per check.
     */
    public void scaleInGuardVerdict(String result) {
        guardVerdicts(result).increment();
    }

    private Counter guardVerdicts(String result) {
        return Counter.builder("ordinal_scale_in_guard_verdicts")
                .description("Scale-in guard checks before an ops removes pods, by result (safe, blocked, unavailable, skipped)")
                .tag("result", result).register(registry);
    }

    public void phase(OpsRequest ops, String to) {
        Counter.builder("ordinal_ops_transitions")
                .description("OpsRequest phase changes, by the phase entered")
                .tag("namespace", ns(ops)).tag("cluster", cluster(ops)).tag("type", type(ops)).tag("phase", to)
                .register(registry).increment();
    }

    public void completed(OpsRequest ops, String phase, Instant created) {
        Duration took = Duration.between(created, Instant.now());
        Timer.builder("ordinal_ops_duration")
                .description("Time from OpsRequest creation to its end, by the phase it ended in")
                .tag("namespace", ns(ops)).tag("cluster", cluster(ops)).tag("type", type(ops)).tag("phase", phase)
                .serviceLevelObjectives(OPS_BUCKETS)
                .register(registry).record(took.isNegative() ? Duration.ZERO : took);
    }

    public void planComputed(OpsRequest ops) {
        Counter.builder("ordinal_scaling_decisions")
                .description("Scaling plans computed by the core for a valid OpsRequest")
                .tag("namespace", ns(ops)).tag("cluster", cluster(ops)).tag("type", type(ops))
                .register(registry).increment();
    }

    public void queueWait(OpsRequest ops, Duration waited) {
        Timer.builder("ordinal_ops_queue_wait")
                .description("Time an OpsRequest spent in Pending (validation, queue, cluster precondition) before it started")
                .tag("namespace", ns(ops)).tag("cluster", cluster(ops))
                .serviceLevelObjectives(OPS_BUCKETS)
                .register(registry).record(waited.isNegative() ? Duration.ZERO : waited);
    }

    /** The ops controller's server-side apply of a Cluster ended: {@link #OK} or {@link #ERROR}. */
    public void applied(OpsRequest ops, String result) {
        ssaWrite("clusters", result);
    }

    /** The ops controller's Cluster apply was answered 409 and will be retried. */
    public void applyConflict(OpsRequest ops) {
        ssaWrite("clusters", CONFLICT);
        conflictsRetried("clusters").increment();
    }

    /** Counts one server-side apply attempt of a resource (plural, e.g. "instancesets") by its result. */
    public void ssaWrite(String resource, String result) {
        ssaWrites(resource, result).increment();
    }

    private Counter ssaWrites(String resource, String result) {
        return Counter.builder("ordinal_ssa_writes")
                .description("Server-side apply attempts by Ordinal's controllers, by resource and result (ok, conflict, error)")
                .tag("resource", resource).tag("result", result).register(registry);
    }

    private Counter conflictsRetried(String resource) {
        return Counter.builder("ordinal_ssa_conflicts_retried")
                .description("Server-side applies answered 409 Conflict and retried")
                .tag("resource", resource).register(registry);
    }

    /** Runs one server-side apply and counts its result; the outcome (value or exception) is passed through. */
    public <T> T ssa(String resource, Supplier<T> apply) {
        try {
            T result = apply.get();
            ssaWrite(resource, OK);
            return result;
        } catch (KubernetesClientException e) {
            ssaWrite(resource, e.getCode() == 409 ? CONFLICT : ERROR);
            throw e;
        } catch (RuntimeException e) {
            ssaWrite(resource, ERROR);
            throw e;
        }
    }

    private static String ns(OpsRequest ops) {
        return ops.getMetadata().getNamespace() == null ? "" : ops.getMetadata().getNamespace();
    }

    private static String cluster(OpsRequest ops) {
        return ops.getSpec() == null || ops.getSpec().clusterName == null ? "" : ops.getSpec().clusterName;
    }

    private static String type(OpsRequest ops) {
        return ops.getSpec() == null || ops.getSpec().type == null ? "unknown" : ops.getSpec().type.name();
    }
}
