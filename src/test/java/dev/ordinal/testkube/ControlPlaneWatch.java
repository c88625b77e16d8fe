package dev.ordinal.testkube;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered globally (META-INF/services, junit-platform.properties autodetection): after every test, checks that
 * each control plane this JVM started is still alive, and fails the test with the dead process's last log lines
 * when one died, so a crashed etcd or kube-apiserver shows as itself, not as a timeout of whatever the test waited
 * for. Works across Quarkus class loaders: it asks the running control planes through the command bus
 * {@link TestKube} publishes in the system properties.
 */
public class ControlPlaneWatch implements AfterEachCallback {

    @Override
    @SuppressWarnings("unchecked")
    public void afterEach(ExtensionContext context) {
        List<Function<String, Object>> buses = new ArrayList<>();
        synchronized (System.getProperties()) {
            System.getProperties().forEach((k, v) -> {
                if (k instanceof String key && key.startsWith("ordinal.test.kube.") && v instanceof Function<?, ?> f) {
                    // the bus of a started control plane (the start lock is a plain Object)
                    buses.add((Function<String, Object>) f);
                }
            });
        }
        for (Function<String, Object> bus : buses) {
            bus.apply("check"); // throws IllegalStateException with the last log lines of a dead process
        }
    }
}
