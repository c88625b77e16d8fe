package dev.ordinal.config;

import java.time.Duration;
import java.util.Optional;

import dev.ordinal.access.HttpAuthConfig;
import dev.ordinal.access.tls.HttpTlsConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every {@code ordinal.*} setting of the operator, with its default, in one mapping (docs/install.md
 * "Configuration" lists them in one table). Set them in {@code application.properties}, as system properties, or as
 * environment variables ({@code ORDINAL_OPS_MAX_QUEUE}). Durations take {@code 30M}, {@code 1S}, {@code 500MS} or
 * ISO-8601 ({@code PT30M}).
 * <p>
 * The dev-mode switches {@code ordinal.dev.*} are read before the application starts, by a config source factory
 * ({@code deployment.DevControlPlaneConfig}), and are not part of this mapping.
 */
@ConfigMapping(prefix = "ordinal")
public interface OrdinalConfig {

    /** {@code ordinal.ops.*}: how OpsRequests run. */
    Ops ops();

    /** {@code ordinal.status.*}: status writes of the three controllers. */
    Status status();

    /** {@code ordinal.scale-in-guard.*}: the Kafka scale-in guard (docs/scaling-rules.md §8). */
    ScaleInGuard scaleInGuard();

    /** {@code ordinal.health.*}: the readiness checks (docs/metrics.md "Health"). */
    Health health();

    /** {@code ordinal.leader-election.*}: who runs the controllers when the Deployment has several replicas. */
    LeaderElection leaderElection();

    /** {@code ordinal.http.*}: who may call the HTTP port. */
    Http http();

    interface Ops {
        /** Deadline of an ops without {@code timeoutSeconds} (spec §6: never infinite). */
        @WithDefault("30M")
        Duration defaultTimeout();

        /** Ops that may wait per cluster; one more ends Failed ({@code QueueFull}). */
        @WithDefault("20")
        int maxQueue();

        /** {@code ordinal.ops.events.*}: the ops event stream ({@code GET /ordinal/ops/events}). */
        Events events();

        interface Events {
            /** Events buffered per subscriber; a slower reader loses the oldest (counted). */
            @WithDefault("256")
            int buffer();
        }
    }

    interface Status {
        /**
         * How long a transitional status waits before it is written (docs/ops-controller.md "Status writes"); zero
         * writes every status at once.
         */
        @WithDefault("1S")
        Duration settleWindow();

        /**
         * How long a pod that runs but has not passed its readiness probe yet counts as starting (its component
         * Updating) before it counts as unhealthy (Abnormal), unless its own startupProbe allows longer
         * (docs/scaling-rules.md §6).
         */
        @WithDefault("60S")
        Duration podStartDeadline();
    }

    interface ScaleInGuard {
        /** Bound on one check of the guard (the Kafka Admin calls together), per guarded component. */
        @WithDefault("5S")
        Duration timeout();
    }

    interface Health {
        /** {@code ordinal.health.api-server.*}: readiness asks the API server {@code GET /version}. */
        ApiServer apiServer();

        interface ApiServer {
            /** How long the API server may take to answer before readiness is DOWN. */
            @WithDefault("2S")
            Duration timeout();

            /** How long an answer is reused, so that frequent probes cost one request per period. */
            @WithDefault("2S")
            Duration cache();
        }
    }

    interface LeaderElection {
        /** Off: no election, run a single replica. */
        @WithDefault("true")
        boolean enabled();

        /** The Lease the replicas compete for. */
        @WithDefault("ordinal-leader")
        String leaseName();

        /** Its namespace; unset or blank: the client's namespace ({@code POD_NAMESPACE} in the Deployment). */
        Optional<String> leaseNamespace();

        /** This replica's identity; unset or blank: JOSDK generates one ({@code POD_NAME} in the Deployment). */
        Optional<String> identity();
    }

    interface Http {
        /** {@code ordinal.http.auth.*}: who may call, docs/metrics.md "Who may watch". */
        HttpAuthConfig auth();

        /** {@code ordinal.http.tls.*}: the HTTPS port's certificate, docs/install.md "TLS". */
        HttpTlsConfig tls();
    }
}
