package dev.ordinal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ordinal.devcluster.ControlPlane;

/**
 * The kube-apiserver's own CPU profile while a benchmark phase runs: back-to-back 5 s Go CPU profiles fetched with
 * {@code kubectl get --raw /debug/pprof/profile?seconds=5} (the API server serves pprof to system:masters; profiling
 * is on by default), merged and read with {@code go tool pprof -top -cum}. Each kubectl call ends on its own after
 * 5 s, so nothing outlives {@link #close()} by more than that, even if this JVM is killed.
 * <p>
 * {@link #table(Map)} gives the CPU under each request handler of the API server (create, patch and server-side
 * apply, update, delete, get, list and watch), divided by the number of requests of that verb in the audit log:
 * the API server's CPU per write kind. Without Go on the PATH the table says so.
 */
final class ApiServerProfile implements AutoCloseable {
    private static final int SECONDS = 5;
    private final Path kubectl = ControlPlane.binaryDir().resolve("kubectl");
    private final Path kubeconfig;
    private final Path dir;
    private final List<Path> files = new ArrayList<>();
    private final Thread loop;
    private volatile boolean stop;

    /** Starts profiling now; profiles go to {@code dir/<name>-<i>.pb.gz}. */
    ApiServerProfile(Path kubeconfig, Path dir, String name) {
        this.kubeconfig = kubeconfig;
        this.dir = dir;
        loop = new Thread(() -> {
            for (int i = 0; !stop; i++) {
                Path out = dir.resolve(name + "-" + i + ".pb.gz");
                try {
                    Process p = new ProcessBuilder(kubectl.toString(), "--kubeconfig", kubeconfig.toString(), "get", "--raw",
                            "/debug/pprof/profile?seconds=" + SECONDS).redirectOutput(out.toFile())
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    if (p.waitFor(SECONDS + 20, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.size(out) > 0) {
                        synchronized (files) {
                            files.add(out);
                        }
                    } else {
                        p.destroyForcibly();
                    }
                } catch (IOException e) {
                    return;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "apiserver-profile-" + name);
        loop.setDaemon(true);
        loop.start();
    }

    /** Stops after the profile under way (at most {@value #SECONDS} s more). */
    @Override
    public void close() {
        stop = true;
        try {
            loop.join((SECONDS + 25) * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Request handlers, label → pprof focus regex (any frame of a sample). The work of a write runs in the goroutine
     * {@code finishRequest} starts, whose frames carry the handler's closure names ({@code createHandler.func1.2},
     * {@code (*patcher).patchResource}), so a focus on them catches it; built-in and CRD resources alike.
     */
    static final Map<String, String> HANDLERS = new LinkedHashMap<>();
    static {
        HANDLERS.put("create", "handlers\\.CreateResource|createHandler|CreateNamedResource");
        HANDLERS.put("patch + apply", "handlers\\.PatchResource|handlers\\.\\(\\*patcher\\)");
        HANDLERS.put("update", "handlers\\.UpdateResource");
        HANDLERS.put("delete", "handlers\\.DeleteResource|handlers\\.DeleteCollection");
        HANDLERS.put("get", "handlers\\.GetResource|getResourceHandler");
        HANDLERS.put("list + watch", "handlers\\.ListResource|handlers\\.handleWatch|WatchServer");
    }

    /** Parts of the API server's work (they overlap the handlers and one another), label → focus regex. */
    static final Map<String, String> PARTS = new LinkedHashMap<>();
    static {
        PARTS.put("server-side apply merge (FieldManager.Apply)", "FieldManager\\)\\.Apply$");
        PARTS.put("managed fields of other writes (FieldManager.Update)", "FieldManager\\)\\.Update$");
        PARTS.put("CRD schema and CEL validation", "apiserver/schema/cel\\.|apiextensions-apiserver/pkg/apiserver/validation\\.|apiextensions-apiserver/pkg/registry/customresource\\.customResourceStrategy\\.Validate");
        PARTS.put("admission", "apiserver/pkg/admission\\.");
        PARTS.put("etcd client (requests to etcd)", "go\\.etcd\\.io/etcd/client/v3");
        PARTS.put("serialization (JSON, protobuf)", "apimachinery/pkg/runtime/serializer|sigs\\.k8s\\.io/json|encoding/json\\.|gogo/protobuf");
        PARTS.put("etcd watch decode (watchChan)", "etcd3\\.\\(\\*watchChan\\)");
        PARTS.put("watch cache (cacher)", "storage/cacher\\.\\(\\*(Cacher|cacheWatcher|watchCache)\\)");
        PARTS.put("watch encoding and sending", "watchEncoder|watchEmbeddedEncoder|WatchServer");
        PARTS.put("audit log", "apiserver/pkg/audit\\.|plugin/pkg/audit/");
        PARTS.put("authentication and authorization", "pkg/endpoints/filters\\.WithAuthentication|pkg/endpoints/filters\\.WithAuthorization");
        PARTS.put("TLS", "^crypto/tls\\.");
        PARTS.put("Go garbage collector", "runtime\\.gcBgMarkWorker");
    }

    /**
     * A Markdown table: CPU seconds of the API server under each handler, requests of that verb
     * ({@code requestsByVerb}: create, patch + apply, update, delete, get, list + watch) and ms of API-server CPU per
     * request; then the parts.
     */
    String table(Map<String, Long> requestsByVerb) {
        List<String> profiles;
        synchronized (files) {
            if (files.isEmpty()) {
                return "(no API-server profile was taken: kubectl could not fetch /debug/pprof/profile)\n\n";
            }
            profiles = files.stream().map(Path::toString).toList();
        }
        double total;
        try {
            total = focusedMillis(profiles, null);
        } catch (IOException e) {
            return "(no Go toolchain to read the API server's profile, `go tool pprof`: " + e.getMessage() + ")\n\n";
        }
        StringBuilder b = new StringBuilder(String.format(
                "kube-apiserver CPU profile: %.1f CPU-s sampled in %d back-to-back profiles of %d s (target/bench/%s).%n%n"
                        + "| request handler | CPU s | share | requests | ms CPU per request |%n|---|---:|---:|---:|---:|%n",
                total / 1000, profiles.size(), SECONDS, Path.of(profiles.get(0)).getFileName().toString().replaceAll("-0\\.pb\\.gz$", "-*.pb.gz")));
        try {
            for (var h : HANDLERS.entrySet()) {
                double ms = focusedMillis(profiles, h.getValue());
                long n = requestsByVerb.getOrDefault(h.getKey(), 0L);
                // a watch is one long request: CPU per request means nothing there
                b.append(String.format("| %s | %.1f | %.0f %% | %d | %s |%n", h.getKey(), ms / 1000, 100 * ms / Math.max(1, total), n,
                        n == 0 || h.getKey().contains("watch") ? "–" : String.format("%.2f", ms / n)));
            }
            b.append("\n| part of the work (overlapping) | CPU s | share |\n|---|---:|---:|\n");
            for (var h : PARTS.entrySet()) {
                double ms = focusedMillis(profiles, h.getValue());
                b.append(String.format("| %s | %.1f | %.0f %% |%n", h.getKey(), ms / 1000, 100 * ms / Math.max(1, total)));
            }
        } catch (IOException e) {
            b.append("(go tool pprof failed: ").append(e.getMessage()).append(")\n");
        }
        return b.append('\n').toString();
    }

    /** The CPU ms of the samples with a frame matching {@code focus} (null: all): the sum of the flat column. */
    private static double focusedMillis(List<String> profiles, String focus) throws IOException {
        List<String> args = new ArrayList<>(List.of("go", "tool", "pprof", "-unit=ms", "-top", "-nodecount=1000000",
                "-nodefraction=0", "-edgefraction=0"));
        if (focus != null) {
            args.add("-focus=" + focus);
        }
        args.addAll(profiles);
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String top = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(top.lines().limit(3).toList().toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        Pattern line = Pattern.compile("^\\s*([\\d.]+)(ms)?\\s+[\\d.]+%\\s+[\\d.]+%\\s+[\\d.]+(ms)?\\s+[\\d.]+%\\s+.+$");
        double sum = 0;
        for (String l : top.lines().toList()) {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                sum += Double.parseDouble(m.group(1));
            }
        }
        return sum;
    }
}
