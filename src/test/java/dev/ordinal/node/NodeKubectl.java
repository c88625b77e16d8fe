package dev.ordinal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.ordinal.devcluster.ControlPlane;
import dev.ordinal.testkube.Kubectl;

/** kubectl against the real node's API server as its administrator, the way a user runs it. */
final class NodeKubectl {
    private NodeKubectl() {
    }

    /** Runs {@code kubectl <args>}; returns its output. Fails the test when kubectl exits non-zero. */
    static String ok(String... args) {
        Kubectl.Result r = run(args);
        assertEquals(0, r.exit(), () -> "kubectl " + String.join(" ", args) + " failed:\n" + r.output());
        return r.output();
    }

    /** Runs {@code kubectl <args>} and returns its exit code and output. */
    static Kubectl.Result run(String... args) {
        try {
            return Kubectl.run(TestNode.shared().controlPlane().kubeconfig(ControlPlane.ADMIN, "system:masters"),
                    args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code kubectl apply -f} of {@code yaml} (written to a file under target/node-manifests first). */
    static String apply(String name, String yaml, String... more) {
        try {
            Path file = Path.of("target", "node-manifests", name + ".yaml").toAbsolutePath();
            Files.createDirectories(file.getParent());
            Files.writeString(file, yaml);
            List<String> args = new ArrayList<>(List.of("apply", "-f", file.toString()));
            args.addAll(List.of(more));
            return ok(args.toArray(String[]::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
