package dev.ordinal.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.devcluster.ControlPlane;
import dev.ordinal.devcluster.KubeletSimulator;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Startup time and idle resident memory of the packaged operator ({@code target/quarkus-app/quarkus-run.jar}).
 * This JVM runs a real control plane (etcd, kube-apiserver, kube-controller-manager; CRDs from kubernetes/crds)
 * and the simulated kubelet; the jar runs as a child process pointed at it by {@code KUBECONFIG}, as a user runs it
 * outside a cluster (prod profile, leader election on, its Lease in the kubeconfig's namespace). Per run: time from process start to {@code /q/health/ready} answering UP, then the example Kafka
 * Cluster (kubernetes/examples/kafka-cluster.yaml: 3 controllers, 3 brokers) is created and reaches Running, then after {@code bench.footprint.idle} seconds (10) of idling
 * VmRSS is read from /proc. Heap settings alternate run by run so both see the same machine load.
 * <p>
 * Run by {@code ./mvnw -Pbench verify} after packaging, or alone: {@code ./mvnw -Pbench package -DskipTests
 * exec:exec@footprint}.
 */
public final class JarFootprint {
    private static final Pattern STARTED = Pattern.compile("started in (\\d+\\.\\d+)s");
    /** Held so the level sticks: the mock server logs every request at INFO. */
    private static KubernetesClient admin;

    record Sample(double readyMillis, double quarkusSeconds, long idleRssKb, long peakRssKb) {
    }

    public static void main(String[] args) {
        int status = 1;
        try {
            measure(args);
            status = 0;
        } catch (Exception e) {
            e.printStackTrace();
        }
        // The mock server's and the informers' non-daemon threads would keep this JVM (and the Maven build) alive.
        System.exit(status);
    }

    private static void measure(String[] args) throws Exception {
        Path jar = Path.of(args.length > 0 ? args[0] : "target/quarkus-app/quarkus-run.jar");
        int runs = Integer.getInteger("bench.footprint.runs", 3);
        int idle = Integer.getInteger("bench.footprint.idle", 10);
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package first (./mvnw package -DskipTests)");
        }
        Map<String, List<String>> configs = new LinkedHashMap<>();
        configs.put("default heap", List.of());
        configs.put("-Xmx64m -XX:+UseSerialGC", List.of("-Xmx64m", "-XX:+UseSerialGC"));
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        configs.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        String loadBefore = loadAverage();
        try (ControlPlane server = ControlPlane.start(Path.of("target", "kube-footprint").toAbsolutePath(), 0,
                Duration.ofSeconds(90)); KubernetesClient adminClient = server.adminClient()) {
            admin = adminClient;
            ControlPlane.installCrds(admin, Path.of("kubernetes", "crds"));
            try (KubeletSimulator kubelet = new KubeletSimulator(admin).readyDelay(Duration.ZERO).start()) {
                int n = 0;
                for (int r = 0; r < runs; r++) {
                    for (var config : configs.entrySet()) {
                        Sample s = runOnce(server, jar, config.getValue(), idle, out.resolve("footprint-" + (n++) + ".log"));
                        samples.get(config.getKey()).add(s);
                        System.out.printf("footprint %s run %d: %s%n", config.getKey(), r + 1, s);
                    }
                }
            }
        }
        String report = report(jar, runs, idle, samples, loadBefore, loadAverage());
        Files.writeString(out.resolve("footprint.md"), report);
        System.out.println(report);
    }

    /**
     * Starts the jar the way docs/install.md runs it outside a cluster: {@code java -jar} with {@code KUBECONFIG}
     * pointing at a kubeconfig (here the operator's client certificate), prod profile, leader election on.
     */
    private static Sample runOnce(ControlPlane server, Path jar, List<String> heap, int idleSeconds, Path log)
            throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(heap);
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-jar");
        cmd.add(jar.toString());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(1)).build();
        long t0 = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("KUBECONFIG", server.kubeconfig("ordinal-operator", "system:masters").toString());
        Process p = builder.start();
        try {
            double readyMillis = -1;
            long limit = t0 + Duration.ofSeconds(60).toNanos();
            while (readyMillis < 0) {
                if (!p.isAlive() || System.nanoTime() > limit) {
                    throw new IllegalStateException("the operator did not become ready; see " + log);
                }
                try {
                    HttpResponse<String> r = http.send(ready, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && r.body().contains("UP")) {
                        readyMillis = (System.nanoTime() - t0) / 1e6;
                        break;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(10);
            }
            String ns = "footprint-" + port;
            KubernetesClient client = admin;
            client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                    .withName(ns).endMetadata().build()).create();
            try (var in = Files.newInputStream(Path.of("kubernetes", "examples", "kafka-cluster.yaml"))) {
                for (var item : client.load(in).items()) {
                    item.getMetadata().setNamespace(ns);
                    client.resource(item).create();
                }
            }
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!running(client.resources(Cluster.class).inNamespace(ns).withName("kafka").get())) {
                if (System.nanoTime() > until) {
                    throw new IllegalStateException("cluster " + ns + "/kafka not Running in 30 s; see " + log);
                }
                Thread.sleep(50);
            }
            Thread.sleep(idleSeconds * 1000L);
            Path status = Path.of("/proc", String.valueOf(p.pid()), "status");
            long rss = procStatusKb(status, "VmRSS");
            long hwm = procStatusKb(status, "VmHWM");
            return new Sample(readyMillis, quarkusStarted(log), rss, hwm);
        } finally {
            p.destroy();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private static boolean running(Cluster c) {
        return c != null && c.getStatus() != null && "Running".equals(c.getStatus().phase);
    }

    private static double quarkusStarted(Path log) throws IOException {
        Matcher m = STARTED.matcher(Files.readString(log));
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    static long procStatusKb(Path status, String field) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    private static String report(Path jar, int runs, int idle, Map<String, List<Sample>> samples, String loadBefore,
            String loadAfter) {
        StringBuilder b = new StringBuilder("# Packaged jar footprint, ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append("\n\n- jar: `").append(jar).append("`, ").append(runs).append(" runs per setting (alternating), median shown\n")
                .append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.vm.version")).append("; load average before ").append(loadBefore)
                .append(", after ").append(loadAfter).append('\n')
                .append("- ready: process start → `/q/health/ready` UP (polled every 10 ms); Quarkus: its own \"started in\" log line\n")
                .append("- idle RSS: VmRSS ").append(idle).append(" s after the example Kafka Cluster (6 pods) reached Running; peak: VmHWM then\n\n")
                .append("| setting | ready (ms) | Quarkus started in (s) | idle RSS (MiB) | peak RSS (MiB) | idle RSS / default |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        double defaultRss = -1;
        for (var e : samples.entrySet()) {
            List<Sample> s = e.getValue();
            double rss = median(s.stream().map(x -> x.idleRssKb() / 1024.0).toList());
            if (defaultRss < 0) {
                defaultRss = rss;
            }
            b.append(String.format("| %s | %.0f | %.2f | %.0f | %.0f | %.2f × |%n", e.getKey(),
                    median(s.stream().map(Sample::readyMillis).toList()),
                    median(s.stream().map(Sample::quarkusSeconds).toList()), rss,
                    median(s.stream().map(x -> x.peakRssKb() / 1024.0).toList()), rss / defaultRss));
        }
        b.append("\nAll runs: ");
        samples.forEach((k, s) -> b.append(k).append(' ').append(s).append("; "));
        return b.append('\n').toString();
    }

    static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
