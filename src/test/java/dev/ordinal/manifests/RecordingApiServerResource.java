package dev.ordinal.manifests;

import java.time.Duration;
import java.util.Map;

import dev.ordinal.embedded.EmbeddedApiServer;
import dev.ordinal.embedded.KubeletSimulator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The embedded API server and kubelet simulator for {@link RbacTest}, with the test's own traffic (driver client
 * and kubelet) counted apart, so that what remains in the server's counter is the operator's.
 */
public class RecordingApiServerResource implements QuarkusTestResourceLifecycleManager {
    private static volatile EmbeddedApiServer server;
    private static volatile KubeletSimulator kubelet;
    private static volatile TracedClients traced;
    private static volatile KubernetesClient driver;
    private static volatile KubernetesClient kubeletClient;

    static EmbeddedApiServer server() {
        return server;
    }

    static TracedClients traced() {
        return traced;
    }

    /** The test's client: its requests are not the operator's. */
    static KubernetesClient driver() {
        return driver;
    }

    @Override
    public Map<String, String> start() {
        server = EmbeddedApiServer.start(0);
        traced = new TracedClients();
        driver = traced.newClient(server.config());
        kubeletClient = traced.newClient(server.config());
        kubelet = new KubeletSimulator(kubeletClient).readyDelay(Duration.ofMillis(50)).start();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", server.url(),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", "default",
                "quarkus.kubernetes-client.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        if (kubelet != null) {
            kubelet.stop();
            kubelet = null;
        }
        if (kubeletClient != null) {
            kubeletClient.close();
            kubeletClient = null;
        }
        if (driver != null) {
            driver.close();
            driver = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
