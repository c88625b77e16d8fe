package dev.ordinal.observability;

import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.Controller;

/**
 * Liveness: the operator is started and not stopped, its reconcile executor accepts work, and each controller's
 * event loop (JOSDK's event processor) runs. With leader election a standby replica legitimately has stopped
 * event loops, so they are reported but do not fail the check there.
 * <p>
 * It deliberately ignores the API server: an unreachable API server makes the pod unready, not dead — restarting
 * the operator would not bring the API server back.
 */
@Liveness
@ApplicationScoped
public class OperatorLiveness implements HealthCheck {
    static final String NAME = "Ordinal operator alive";

    private final Operator operator;

    public OperatorLiveness(Operator operator) {
        this.operator = operator;
    }

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named(NAME);
        if (!operator.getRuntimeInfo().isStarted()) {
            return builder.down().withData("operator", "not started or stopped").build();
        }
        var configuration = operator.getConfigurationService();
        if (configuration.getExecutorServiceManager().reconcileExecutorService().isShutdown()) {
            return builder.down().withData("operator", "reconcile executor shut down").build();
        }
        boolean standbyAllowed = configuration.getLeaderElectionConfiguration().isPresent();
        boolean alive = true;
        Map<String, String> loops = new TreeMap<>();
        for (var registered : operator.getRuntimeInfo().getRegisteredControllers()) {
            boolean running = !(registered instanceof Controller<?> c) || c.getEventProcessor().isRunning();
            loops.put(registered.getConfiguration().getName(), running ? "event loop running" : "event loop stopped");
            alive &= running || standbyAllowed;
        }
        loops.forEach(builder::withData);
        return builder.status(alive).build();
    }
}
