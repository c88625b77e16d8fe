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
 * Registered globally (META-INF/services + junit-platform.properties autodetection): with
 * {@code -Dordinal.test.server=devservices} and no container runtime, test classes that use
 * {@link KubeResource} are skipped and ONE line says why.
 */
public class DevServicesCondition implements ExecutionCondition {

    private static final AtomicBoolean TOLD = new AtomicBoolean();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!KubeResource.useDevServices() || context.getTestClass().isEmpty()) {
            return ConditionEvaluationResult.enabled("real control plane");
        }
        boolean usesResource = usesKubeResource(context.getTestClass().get());
        if (!usesResource || containerRuntimeAvailable()) {
            return ConditionEvaluationResult.enabled("container runtime available");
        }
        String why = "ordinal.test.server=devservices but no container runtime (docker/podman) was found: "
                + "skipping the API-server tests";
        if (TOLD.compareAndSet(false, true)) {
            System.out.println("[ordinal] " + why);
        }
        return ConditionEvaluationResult.disabled(why);
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

    static boolean containerRuntimeAvailable() {
        if (Files.exists(Path.of("/var/run/docker.sock")) || Files.exists(Path.of("/run/podman/podman.sock"))) {
            return true;
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && Files.exists(Path.of(xdg, "podman", "podman.sock"))) {
            return true;
        }
        String dockerHost = System.getenv("DOCKER_HOST");
        return dockerHost != null && !dockerHost.isBlank();
    }
}
