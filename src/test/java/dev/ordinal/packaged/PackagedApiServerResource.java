package dev.ordinal.packaged;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.ordinal.embedded.EmbeddedApiServer;
import dev.ordinal.embedded.KubeletSimulator;
import dev.ordinal.embedded.RequestCounter;
import dev.ordinal.manifests.TracedClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The cluster side of the packaged-artifact tests, in the test JVM: the embedded API server with the CRDs a user
 * installs (kubernetes/crds, applied as {@code kubectl apply -f} would) and the kubelet simulator. The packaged
 * operator (jar, or native binary with -Dnative) is started by Quarkus in its own process, in the prod profile,
 * with the properties returned here.
 */
public class PackagedApiServerResource implements QuarkusTestResourceLifecycleManager {
    private static volatile EmbeddedApiServer server;
    private static volatile RequestCounter.Snapshot beforeOperator;
    private static volatile TracedClients traced;
    private static volatile KubernetesClient kubeletClient;
    private static volatile KubeletSimulator kubelet;

    static EmbeddedApiServer server() {
        return server;
    }

    /** What the server had answered before the operator started (the CRD install). */
    static RequestCounter.Snapshot beforeOperator() {
        return beforeOperator;
    }

    /** Clients whose requests are the test's own, not the operator's. */
    static TracedClients traced() {
        return traced;
    }

    @Override
    public Map<String, String> start() {
        server = EmbeddedApiServer.start(0);
        server.applyDirectory(Path.of("kubernetes", "crds"));
        beforeOperator = server.counter().snapshot();
        traced = new TracedClients();
        kubeletClient = traced.newClient(server.config());
        kubelet = new KubeletSimulator(kubeletClient).readyDelay(Duration.ofMillis(50)).start();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", server.url(),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", "default",
                "quarkus.kubernetes-client.devservices.enabled", "false",
                // The embedded server answers no SelfSubjectRulesReview, which JOSDK's leader election checks first;
                // the Deployment runs with leader election on (its Lease RBAC is checked by RbacTest/InstallManifestsTest).
                "ordinal.leader-election.enabled", "false");
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
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
