package dev.ordinal.testkube;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link KubeResource} test class that needs what only the project's own control plane offers (its audit
 * log, the fault proxy in front of it, stopping its kube-apiserver): with {@code -Pdevservices} (Quarkus Dev Services'
 * API server in a container) {@link DevServicesCondition} skips it and prints {@link #value} in one line. It still
 * runs in every other build.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ProjectControlPlaneOnly {
    /** What the class needs, e.g. "reads the API server's audit log". */
    String value();
}
