package dev.ordinal.observability;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * JOSDK's reconciliation meters ({@code reconciliations_*}). QOSDK 7.7.3's own bean is a no-op in the
 * packaged jar, so Ordinal produces the Micrometer implementation itself; this bean replaces the default.
 */
public class OperatorMetrics {

    @Produces
    @Singleton
    Metrics josdkMetrics(MeterRegistry registry) {
        return MicrometerMetricsV2.newBuilder(registry).withNamespaceAsTag().build();
    }
}
