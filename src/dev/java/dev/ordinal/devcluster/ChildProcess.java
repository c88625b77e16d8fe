package dev.ordinal.devcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One control-plane process (etcd, kube-apiserver, …) with its output in a log file.
 * <p>
 * The binary runs under a small bash wrapper that is its parent: the wrapper stops the binary when it is told to
 * (TERM) and also when the JVM that started it is gone (it polls the JVM's pid every second), so a killed test JVM
 * leaves no control-plane process behind.
 */
final class ChildProcess {
    private static final String WRAPPER = """
            "$@" & child=$!
            trap 'kill -TERM $child 2>/dev/null; wait $child; exit 0' TERM INT
            while kill -0 "$ORDINAL_PARENT_PID" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1 & wait $!; done
            if kill -0 $child 2>/dev/null; then kill -TERM $child; sleep 2; kill -KILL $child 2>/dev/null; fi
            wait $child
            """;

    private final String name;
    private final Path binary;
    private final List<String> args;
    private final Map<String, String> env;
    private final Path log;
    private final Process process;
    private volatile boolean stopped;

    private ChildProcess(String name, Path binary, List<String> args, Map<String, String> env, Path log,
            Process process) {
        this.name = name;
        this.binary = binary;
        this.args = args;
        this.env = env;
        this.log = log;
        this.process = process;
    }

    static ChildProcess start(String name, Path binary, List<String> args, Path log) {
        return start(name, binary, args, Map.of(), log);
    }

    /** Starts {@code binary} with {@code args} and these environment variables added to this JVM's. */
    static ChildProcess start(String name, Path binary, List<String> args, Map<String, String> env, Path log) {
        List<String> command = new ArrayList<>(List.of("bash", "-c", WRAPPER, name, binary.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        pb.environment().put("ORDINAL_PARENT_PID", String.valueOf(ProcessHandle.current().pid()));
        try {
            Files.writeString(log, "# " + String.join(" ", command.subList(4, command.size())) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new ChildProcess(name, binary, args, env, log, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
    }

    /** The same binary with the same arguments, environment and log, started again. */
    ChildProcess restart() {
        return start(name, binary, args, env, log);
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    /**
     * The pid of the binary itself (the wrapper's child running {@code binary} with its arguments; the wrapper's
     * watchdog {@code sleep} is another child), or -1 before it runs.
     */
    long binaryPid() {
        String name = binary.getFileName().toString();
        return process.children()
                .filter(h -> h.info().command().map(c -> Path.of(c).getFileName().toString().equals(name)).orElse(false)
                        && h.info().arguments().map(a -> List.of(a).equals(args)).orElse(false))
                .map(ProcessHandle::pid).findFirst().orElse(-1L);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    boolean stoppedOnPurpose() {
        return stopped;
    }

    int exitValue() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Stops the process (TERM, then KILL after 10 s) and its wrapper; waits for both. */
    void stop() {
        stopped = true;
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            for (ProcessHandle d : descendants) {
                d.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            descendants.forEach(ProcessHandle::destroyForcibly);
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** The last {@code lines} lines of the log. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
