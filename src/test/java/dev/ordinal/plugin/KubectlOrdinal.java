package dev.ordinal.plugin;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kubectl plugin as a user runs it: {@code target/kubectl-ordinal} (built by kube/build-plugin.sh in the Maven
 * build), started with {@code --kubeconfig <file>} and the given arguments, its stdout and stderr kept apart.
 */
final class KubectlOrdinal {

    /** Where kube/build-plugin.sh puts the binary. */
    static final Path BINARY = Path.of("target", "kubectl-ordinal").toAbsolutePath();

    /** Exit code, standard output and standard error of one run. */
    record Result(int exit, String out, String err) {
        /** Both streams, for assertion messages. */
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A run in the background (a --wait that a test ends by acting meanwhile). */
    record Running(Process process, List<String> command, long startedNanos, Path out, Path err) {
        /**
         * Waits at most {@code seconds} for the run to end.
         *
         * @throws IllegalStateException when it does not end in time (the process is killed)
         */
        Result await(int seconds) throws IOException, InterruptedException {
            try {
                if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("kubectl-ordinal did not end in " + seconds + " s:\n"
                            + Files.readString(out) + Files.readString(err));
                }
                Result r = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
                transcript(command, r, (System.nanoTime() - startedNanos) / 1_000_000);
                return r;
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
    }

    private KubectlOrdinal() {
    }

    /**
     * Runs {@code kubectl-ordinal --kubeconfig <kubeconfig> <args>} (no --kubeconfig when kubeconfig is null) and
     * waits for it, at most 90 s.
     *
     * @throws IllegalStateException when the binary is missing or the run does not end in time
     */
    static Result run(Path kubeconfig, String... args) throws IOException, InterruptedException {
        return start(kubeconfig, args).await(90);
    }

    /** Starts a run without waiting for it; the caller {@link Running#await}s it. */
    static Running start(Path kubeconfig, String... args) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: the Maven build makes it (kube/build-plugin.sh)");
        }
        List<String> command = new ArrayList<>();
        command.add(BINARY.toString());
        if (kubeconfig != null) {
            command.add("--kubeconfig");
            command.add(kubeconfig.toString());
        }
        command.addAll(List.of(args));
        Path out = Files.createTempFile("kubectl-ordinal", ".out");
        Path err = Files.createTempFile("kubectl-ordinal", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("KUBECONFIG");
        pb.environment().put("HOME", Path.of("target").toAbsolutePath().toString()); // no ~/.kube/config of the machine
        long started = System.nanoTime();
        return new Running(pb.start(), command, started, out, err);
    }

    /**
     * Where every run of a test JVM is written down (command, output, exit, wall time in ms as the test saw it, which
     * includes the wait for the process): what a user would have seen, and the plugin's start times
     * (docs/kubectl-plugin.md, "Size and start time").
     */
    static final Path TRANSCRIPT = Path.of("target", "kubectl-ordinal-transcript.txt");

    private static synchronized void transcript(List<String> command, Result r, long millis) throws IOException {
        String shown = String.join(" ", command.subList(1, command.size())).replaceAll("--kubeconfig \\S+ ", "");
        Files.writeString(TRANSCRIPT, "$ kubectl ordinal " + shown + "\n" + r.out() + r.err() + "[exit " + r.exit() + ", " + millis + " ms]\n\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
}
