package dev.ordinal.node;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

import dev.ordinal.testkube.RequiresControlPlane;

/**
 * Marks a test class of the real-node tier (docs/control-plane.md, "The node"): the JUnit tag {@value #TAG}, which
 * only the failsafe execution {@code real-node} runs, and {@link RequiresControlPlane}, since the node has a control
 * plane too.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@RequiresControlPlane
@Tag(RequiresRealNode.TAG)
public @interface RequiresRealNode {
    /** The JUnit tag of the real-node tier. */
    String TAG = "real-node";
}
