package dev.ordinal.node;

import java.nio.file.Path;
import java.time.Duration;

import dev.ordinal.devcluster.RealNode;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The real node of the node tier (failsafe execution {@code real-node}): started by the first test class that asks,
 * shared by the rest, closed by {@link NodeLeavesNothingIT} (which then checks that nothing is left) or, should a run
 * end early, by a JVM shutdown hook. Its state and logs stay in {@code target/node/}.
 */
final class TestNode {
    private static final Duration START = Duration.ofMinutes(4);
    private static RealNode node;
    private static ClusterHosts hosts;
    private static Thread hook;

    private TestNode() {
    }

    /** The running node, started on first use (with the host-name file the test JVM resolves cluster names from). */
    static synchronized RealNode shared() {
        if (node == null) {
            node = RealNode.start(Path.of("target", "node"), Path.of("kube"), START);
            hosts = ClusterHosts.start(node.controlPlane().adminClient());
            hook = new Thread(TestNode::stop, "ordinal-test-node-stop");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        return node;
    }

    /** A new administrator client of the node's API server; the caller closes it. */
    static KubernetesClient admin() {
        return shared().controlPlane().adminClient();
    }

    /** Stops the node if it runs (idempotent). */
    static synchronized void stop() {
        if (hosts != null) {
            hosts.close();
            hosts = null;
        }
        if (node != null) {
            node.close();
            node = null;
        }
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down
            }
        }
    }
}
