package dev.ordinal.testkube;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * Marks a test class that needs the real Kubernetes control plane (kube-apiserver, etcd, kube-controller-manager
 * built by kube/build-control-plane.sh): the JUnit tag {@value #TAG}. The pure tier leaves them out and runs in
 * seconds: {@code ./mvnw test -Ppure} (README "Tests").
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Tag(RequiresControlPlane.TAG)
public @interface RequiresControlPlane {
    /** The JUnit tag of the tests that need the control plane. */
    String TAG = "kube";
}
