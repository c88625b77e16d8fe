package dev.ordinal.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Dev mode without a cluster: starts the embedded API server on {@code ordinal.embedded.port} before the operator
 * (this observer runs first on StartupEvent), applies the CRDs and {@code kubernetes/examples/*.yaml}, runs the
 * kubelet simulator and writes {@code target/ordinal-dev-kubeconfig}. Exists only in the dev build profile and does
 * nothing unless {@link EmbeddedDevConfigSourceFactory} activated it.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class EmbeddedDevServer {

    private static final Logger LOG = Logger.getLogger(EmbeddedDevServer.class);

    @ConfigProperty(name = EmbeddedDevConfigSourceFactory.ACTIVE, defaultValue = "false")
    boolean active;

    @ConfigProperty(name = EmbeddedDevConfigSourceFactory.PORT, defaultValue = "" + EmbeddedDevConfigSourceFactory.DEFAULT_PORT)
    int port;

    @ConfigProperty(name = "ordinal.embedded.ready-delay", defaultValue = "PT0.5S")
    Duration readyDelay;

    private EmbeddedApiServer server;
    private KubeletSimulator kubelet;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        if (!active) {
            return;
        }
        server = EmbeddedApiServer.start(port);
        int crds = 0;
        for (Path dir : new Path[] { Path.of("target", "kubernetes"), Path.of("kubernetes", "crds") }) {
            if (Files.isDirectory(dir)) {
                crds += applyCrds(dir);
                if (crds > 0) {
                    break;
                }
            }
        }
        int examples = server.applyDirectory(Path.of("kubernetes", "examples")).size();
        kubelet = new KubeletSimulator(server.newClient()).readyDelay(readyDelay).start();
        Path kubeconfig = server.writeKubeconfig(Path.of("target", "ordinal-dev-kubeconfig"));
        LOG.infof("Embedded Kubernetes API server on %s (%d CRDs, %d example objects, simulated kubelet). Try: "
                + "kubectl --kubeconfig %s get cl,its,ops,pods  |  curl %s/apis/apps.ordinal.dev/v1/namespaces/default/clusters"
                + "  (real cluster instead: -Dordinal.embedded.enabled=false)",
                server.url(), crds, examples, kubeconfig, server.url());
    }

    private int applyCrds(Path dir) {
        int n = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches(".*\\.ordinal\\.dev-v.*\\.ya?ml"))
                    .sorted().toList()) {
                n += server.applyFile(f).size();
            }
        } catch (java.io.IOException e) {
            LOG.warnf("could not read CRDs from %s: %s", dir, e.getMessage());
        }
        return n;
    }

    void onStop(@Observes ShutdownEvent event) {
        if (kubelet != null) {
            kubelet.stop();
            kubelet = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public EmbeddedApiServer server() {
        return server;
    }
}
