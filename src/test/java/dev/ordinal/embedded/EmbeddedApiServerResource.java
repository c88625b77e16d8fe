package dev.ordinal.embedded;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts an {@link EmbeddedApiServer} and a {@link KubeletSimulator} for a {@code @QuarkusTest} and points the
 * Quarkus Kubernetes client at it:
 *
 * <pre>
 * &#64;QuarkusTest
 * &#64;QuarkusTestResource(value = EmbeddedApiServerResource.class, restrictToAnnotatedClass = true)
 * class MyTest {
 *     &#64;InjectEmbeddedServer
 *     EmbeddedApiServer server;
 *     &#64;InjectEmbeddedServer
 *     KubeletSimulator kubelet;
 * }
 * </pre>
 *
 * {@link #server()} and {@link #kubelet()} give the same objects statically. Init args: {@code readyDelayMillis}
 * (default 50), {@code port} (default random).
 * <p>
 * With {@code -Dordinal.test.server=devservices} the resource starts nothing and leaves Quarkus Dev Services (k3s)
 * in charge; {@link DevServicesCondition} skips such tests when no container runtime exists.
 */
public class EmbeddedApiServerResource implements QuarkusTestResourceLifecycleManager {

    /** Marks a test field of type {@link EmbeddedApiServer}, {@link KubeletSimulator} or {@link RequestCounter}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectEmbeddedServer {
    }

    private static volatile EmbeddedApiServer server;
    private static volatile KubeletSimulator kubelet;

    private int port;
    private Duration readyDelay = Duration.ofMillis(50);

    public static boolean useDevServices() {
        return "devservices".equalsIgnoreCase(System.getProperty("ordinal.test.server", "embedded"));
    }

    /** The running server of the current test class (null when none runs). */
    public static EmbeddedApiServer server() {
        return server;
    }

    public static KubeletSimulator kubelet() {
        return kubelet;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        if (initArgs.containsKey("port")) {
            port = Integer.parseInt(initArgs.get("port"));
        }
        if (initArgs.containsKey("readyDelayMillis")) {
            readyDelay = Duration.ofMillis(Long.parseLong(initArgs.get("readyDelayMillis")));
        }
    }

    @Override
    public Map<String, String> start() {
        if (useDevServices()) {
            // Quarkus defaults apply: Dev Services for Kubernetes (k3s) start because no API server URL is set.
            return Map.of();
        }
        EmbeddedApiServer s = EmbeddedApiServer.start(port);
        server = s;
        kubelet = new KubeletSimulator(s.newClient()).readyDelay(readyDelay).start();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", s.url(),
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", "default",
                "quarkus.kubernetes-client.devservices.enabled", "false");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(server, new TestInjector.AnnotatedAndMatchesType(InjectEmbeddedServer.class,
                EmbeddedApiServer.class));
        testInjector.injectIntoFields(kubelet, new TestInjector.AnnotatedAndMatchesType(InjectEmbeddedServer.class,
                KubeletSimulator.class));
        testInjector.injectIntoFields(server == null ? null : server.counter(),
                new TestInjector.AnnotatedAndMatchesType(InjectEmbeddedServer.class, RequestCounter.class));
    }

    @Override
    public void stop() {
        if (kubelet != null) {
            kubelet.stop();
            kubelet = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
