package dev.ordinal.observability;

import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;

/**
 * Readiness: the operator started and every event source of every controller is healthy (JOSDK: informers running,
 * synced and watching). While a watch is broken, decisions would be made on stale caches, so the pod is not ready.
 */
@Readiness
@ApplicationScoped
public class InformersReadiness implements HealthCheck {
    static final String NAME = "Ordinal informers synced";

    private final Operator operator;

    public InformersReadiness(Operator operator) {
        this.operator = operator;
    }

    @Override
    public HealthCheckResponse call() {
        RuntimeInfo info = operator.getRuntimeInfo();
        if (!info.isStarted()) {
            return HealthCheckResponse.named(NAME).down().withData("operator", "not started").build();
        }
        Map<String, String> byController = new TreeMap<>();
        info.getRegisteredControllers().forEach(c -> byController.put(c.getConfiguration().getName(), "synced"));
        info.unhealthyEventSources().forEach((controller, sources) -> {
            if (!sources.isEmpty()) {
                byController.put(controller, "unhealthy: " + String.join(", ", new TreeMap<>(sources).keySet()));
            }
        });
        var builder = HealthCheckResponse.named(NAME);
        byController.forEach(builder::withData);
        return builder.status(info.allEventSourcesAreHealthy()).build();
    }
}
