package dev.ordinal.testkube;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pinned Helm that kube/build-helm.sh builds (docs/install.md "Install with Helm"), run as a user runs it, with its
 * configuration, cache and data directories under target/helm-home so that no test reads or writes the machine's own.
 */
public final class Helm {
    /** The chart, relative to the project directory. */
    public static final Path CHART = Path.of("charts", "ordinal");
    private static final Path HOME = Path.of("target", "helm-home").toAbsolutePath();
    private static Path binary;

    /** Exit code, standard output and standard error of one helm run. */
    public record Result(int exit, String out, String err) {
        /** Both streams, for failure messages. */
        public String both() {
            return out + (err.isEmpty() ? "" : "\n[stderr]\n" + err);
        }
    }

    private Helm() {
    }

    /**
     * The helm binary: kube/build-helm.sh prints its path as its last line (and builds it first, once per version,
     * when ~/.cache/ordinal/helm lacks it; the Maven build's exec execution build-helm normally did that already).
     *
     * @throws IllegalStateException when the script fails (no Go, no module proxy), with its output
     */
    public static synchronized Path binary() {
        if (binary == null) {
            try {
                Process p = new ProcessBuilder("bash", "kube/build-helm.sh", "--quiet").redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    throw new IllegalStateException("kube/build-helm.sh failed:\n" + out);
                }
                List<String> lines = out.lines().toList();
                Path path = Path.of(lines.get(lines.size() - 1).trim());
                if (!Files.isExecutable(path)) {
                    throw new IllegalStateException("kube/build-helm.sh named no executable helm:\n" + out);
                }
                binary = path;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return binary;
    }

    /** Runs {@code helm <args>} in the project directory without a cluster (lint, template, show), at most 120 s. */
    public static Result run(String... args) {
        return run(null, 120, args);
    }

    /**
     * Runs {@code helm <args>} in the project directory, against the cluster of {@code kubeconfig} when it is not null.
     *
     * @param timeoutSeconds how long helm may run before it is killed and this throws IllegalStateException
     */
    public static Result run(Path kubeconfig, int timeoutSeconds, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(List.of(args));
        try {
            Files.createDirectories(HOME);
            Path out = Files.createTempFile(HOME, "helm", ".out");
            Path err = Files.createTempFile(HOME, "helm", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                var env = builder.environment();
                env.put("HELM_CONFIG_HOME", HOME.resolve("config").toString());
                env.put("HELM_CACHE_HOME", HOME.resolve("cache").toString());
                env.put("HELM_DATA_HOME", HOME.resolve("data").toString());
                env.remove("HELM_NAMESPACE");
                env.remove("HELM_KUBECONTEXT");
                if (kubeconfig == null) {
                    env.remove("KUBECONFIG");
                } else {
                    env.put("KUBECONFIG", kubeconfig.toString());
                }
                Process p = builder.start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("helm " + String.join(" ", args) + " did not finish in "
                            + timeoutSeconds + " s");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
