package dev.ordinal.testkube;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Registered globally (META-INF/services + junit-platform.properties autodetection). With
 * {@code -Dordinal.test.server=devservices} ({@code -Pdevservices}) only the {@code @QuarkusTest} classes run, against
 * Quarkus Dev Services' API server: every other class is skipped (it runs in the default build; one line says so),
 * a class marked {@link ProjectControlPlaneOnly} is skipped with its reason in one line, and where no container
 * engine answers, the classes that use {@link KubeResource} are skipped and ONE line says why.
 */
public class DevServicesCondition implements ExecutionCondition {

    private static final AtomicBoolean TOLD = new AtomicBoolean();
    private static final AtomicBoolean TOLD_OTHERS = new AtomicBoolean();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!KubeResource.useDevServices() || context.getTestClass().isEmpty()
                || context.getTestMethod().isPresent()) {
            return ConditionEvaluationResult.enabled("real control plane, or decided for the class");
        }
        Class<?> testClass = context.getTestClass().get();
        if (!isQuarkusTest(testClass)) {
            String why = "-Pdevservices runs the @QuarkusTest classes only; the others run in the default build";
            if (TOLD_OTHERS.compareAndSet(false, true)) {
                System.out.println("[ordinal] " + why);
            }
            return ConditionEvaluationResult.disabled(why);
        }
        String only = projectControlPlaneOnly(testClass);
        if (only != null) {
            String why = "-Pdevservices: " + testClass.getSimpleName() + " needs the project's control plane: " + only;
            System.out.println("[ordinal] " + why);
            return ConditionEvaluationResult.disabled(why);
        }
        if (!usesKubeResource(testClass) || containerRuntimeAvailable()) {
            return ConditionEvaluationResult.enabled("container runtime available");
        }
        String why = "ordinal.test.server=devservices but no container engine answers (DOCKER_HOST, "
                + "/var/run/docker.sock; kube/devservices/engine.sh starts one): skipping the API-server tests";
        if (TOLD.compareAndSet(false, true)) {
            System.out.println("[ordinal] " + why);
        }
        return ConditionEvaluationResult.disabled(why);
    }

    /** By name, as the class loaders differ: {@code @QuarkusTest} on the class or a superclass. */
    static boolean isQuarkusTest(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getSuperclass()) {
            for (Annotation a : c.getAnnotations()) {
                if (a.annotationType().getName().equals("io.quarkus.test.junit.QuarkusTest")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The reason of a {@link ProjectControlPlaneOnly} on the class (by name), or null. */
    static String projectControlPlaneOnly(Class<?> testClass) {
        for (Annotation a : testClass.getAnnotations()) {
            if (a.annotationType().getName().equals(ProjectControlPlaneOnly.class.getName())) {
                try {
                    return (String) a.annotationType().getMethod("value").invoke(a);
                } catch (ReflectiveOperationException e) {
                    return "(unreadable reason)";
                }
            }
        }
        return null;
    }

    /** By name: Quarkus may load the test class in another class loader than this condition's. */
    static boolean usesKubeResource(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getSuperclass()) {
            for (Annotation a : c.getAnnotations()) {
                for (Annotation r : unwrap(a)) {
                    if (r.annotationType().getName().equals(QuarkusTestResource.class.getName())) {
                        try {
                            Object value = r.annotationType().getMethod("value").invoke(r);
                            if (((Class<?>) value).getName().equals(KubeResource.class.getName())) {
                                return true;
                            }
                        } catch (ReflectiveOperationException e) {
                            // not the annotation we look for
                        }
                    }
                }
            }
        }
        return false;
    }

    private static Annotation[] unwrap(Annotation a) {
        if (a.annotationType().getName().equals(QuarkusTestResource.class.getName() + "$List")) {
            try {
                return (Annotation[]) a.annotationType().getMethod("value").invoke(a);
            } catch (ReflectiveOperationException e) {
                return new Annotation[0];
            }
        }
        return new Annotation[] { a };
    }

    /**
     * True when a Docker-compatible engine answers {@code GET /_ping} on the socket Testcontainers would use:
     * {@code DOCKER_HOST} (unix:// only), else /var/run/docker.sock, else Podman's sockets. A socket file alone (a
     * stopped daemon leaves it) does not count.
     */
    static boolean containerRuntimeAvailable() {
        String dockerHost = System.getenv("DOCKER_HOST");
        if (dockerHost != null && !dockerHost.isBlank()) {
            return dockerHost.startsWith("unix://") ? pings(Path.of(dockerHost.substring("unix://".length()))) : true;
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        return pings(Path.of("/var/run/docker.sock")) || pings(Path.of("/run/podman/podman.sock"))
                || (xdg != null && pings(Path.of(xdg, "podman", "podman.sock")));
    }

    private static boolean pings(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel
                .open(java.net.UnixDomainSocketAddress.of(socket))) {
            ch.write(java.nio.ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64);
            ch.read(buf);
            return new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.US_ASCII)
                    .startsWith("HTTP/1.") && new String(buf.array(), 0, buf.position(),
                            java.nio.charset.StandardCharsets.US_ASCII).contains(" 200 ");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
