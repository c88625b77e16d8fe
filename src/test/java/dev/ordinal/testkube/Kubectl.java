package dev.ordinal.testkube;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.ordinal.devcluster.ControlPlane;

/** The kubectl built with the control plane (kube/build-control-plane.sh), run as a user runs it. */
public final class Kubectl {

    /** Exit code and combined stdout/stderr of one kubectl run. */
    public record Result(int exit, String output) {
    }

    private Kubectl() {
    }

    /**
     * Runs {@code kubectl --kubeconfig <kubeconfig> <args>} in the project directory, at most 120 s.
     *
     * @throws IllegalStateException when kubectl does not finish in time
     */
    public static Result run(Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ControlPlane.binaryDir().resolve("kubectl").toString());
        command.add("--kubeconfig");
        command.add(kubeconfig.toString());
        command.addAll(List.of(args));
        Path output = java.nio.file.Files.createTempFile("kubectl", ".out");
        try {
            Process p = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), java.nio.file.Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            java.nio.file.Files.deleteIfExists(output);
        }
    }
}
