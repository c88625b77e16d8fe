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
 * Startup time and idle resident memory of the packaged operator, one JVM configuration against another in one run.
 * This JVM runs a real control plane (etcd, kube-apiserver, kube-controller-manager; CRDs from kubernetes/crds)
 * and the simulated kubelet; the jar runs as a child process pointed at it by {@code KUBECONFIG}, as a user runs it
 * outside a cluster (prod profile, leader election on, its Lease in the kubeconfig's namespace). Per run: time from
 * process start to {@code /q/health/ready} answering UP over HTTPS (the jar serves nothing else), then the example Kafka Cluster
 * (kubernetes/examples/kafka-cluster.yaml: 3 controllers, 3 brokers) is created and reaches Running, then after
 * {@code bench.footprint.idle} seconds (10) of idling VmRSS is read from /proc. The configurations take turns run by
 * run, so that the machine's load affects them alike.
 * <p>
 * A configuration is {@code name=jdk:jar:flags}: {@code jdk} a key of {@code bench.footprint.jdk.<key>} (a JDK home;
 * {@code 17} and {@code 25} have defaults), {@code jar} {@code main} (the jar given as argument) or {@code baseline}
 * ({@code bench.footprint.baseline}, e.g. a fast-jar built on JDK 17; the main jar when unset), {@code flags} JVM
 * options separated by spaces, where {@code AOT} stands for {@code -XX:AOTCache=<jar dir>/app.aot} ({@code AOT=f}: {@code <jar dir>/f}), {@code TUNED} for
 * {@code bench.footprint.tuned}, and {@code env:K=V} sets an environment variable. {@code native::options} runs the
native executable {@code bench.footprint.native} (default {@code target/ordinal-0.1.0-SNAPSHOT-runner}) instead. {@code bench.footprint.configs}
 * lists them separated by {@code ;} (default: {@link #DEFAULT_CONFIGS}).
 * <p>
 * Run by {@code ./mvnw -Pbench verify} after packaging, or alone: {@code ./mvnw -Pbench package -DskipTests
 * exec:exec@footprint}; docs/benchmarks.md "Footprint" has the full command.
 */
public final class JarFootprint {
    private static final Pattern STARTED = Pattern.compile("started in (\\d+\\.\\d+)s");
    /** Held so the level sticks: the mock server logs every request at INFO. */
    private static KubernetesClient admin;

    /**
     * The JVM options of the operator image (src/main/docker/Dockerfile.jvm, kubernetes/operator/deployment.yaml),
     * heap bound as the Deployment's memory limit sets it there.
     */
    static final String TUNED = "-XX:+UseSerialGC -Xms16m -Xmx832m -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=48m "
            + "-XX:-UsePerfData";
    /**
     * (a) today's default, (b) tuned, (c) AOT cache on JDK 25, (d) AOT + tuned; (e) JDK 25 tuned without a cache, to
     * tell the cache from the JDK; (f) what the image runs: a cache from a startup-only training run
     * (Dockerfile.jvm), with the tuned options.
     */
    static final String DEFAULT_CONFIGS = "(a) default, JDK 17=17:baseline:;(b) tuned, JDK 17=17:baseline:TUNED;"
            + "(c) AOT cache, JDK 25=25:main:AOT;(d) AOT + tuned, JDK 25=25:main:AOT TUNED;"
            + "(e) tuned, JDK 25, no cache=25:main:TUNED;"
            + "(f) startup-trained cache + tuned, JDK 25 (the image)=25:main:AOT=app-startup.aot TUNED";

    /** One run: ready time, Quarkus's own start time, VmRSS (of it RssAnon and RssFile) when idle, VmHWM. */
    record Sample(double readyMillis, double quarkusSeconds, long idleRssKb, long anonKb, long fileKb, long peakRssKb) {
    }

    /** One JVM configuration: the java launcher, the jar, its options and extra environment. */
    record Config(String name, Path java, Path jar, List<String> flags, Map<String, String> env) {
        static Config parse(String spec, Path mainJar, Path baselineJar, String tuned) {
            int eq = spec.lastIndexOf('=', spec.indexOf(':'));
            String name = spec.substring(0, eq).trim();
            String[] parts = spec.substring(eq + 1).split(":", 3);
            if ("native".equals(parts[0])) {
                // the native executable (native/README.md): no JVM, no jar; options go straight to it
                Path binary = Path.of(System.getProperty("bench.footprint.native", "target/ordinal-0.1.0-SNAPSHOT-runner"));
                List<String> options = parts.length > 2 && !parts[2].isBlank() ? List.of(parts[2].trim().split("\\s+")) : List.of();
                return new Config(name, binary.toAbsolutePath(), null, options, Map.of());
            }
            String home = System.getProperty("bench.footprint.jdk." + parts[0], switch (parts[0]) {
                case "17" -> "/usr/lib/jvm/java-17-openjdk-amd64";
                case "25" -> "/usr/lib/jvm/temurin-25-jdk-amd64";
                default -> throw new IllegalArgumentException("no JDK for " + parts[0] + ": set bench.footprint.jdk." + parts[0]);
            });
            Path jar = "baseline".equals(parts[1]) ? baselineJar : mainJar;
            List<String> flags = new ArrayList<>();
            Map<String, String> env = new LinkedHashMap<>();
            String options = parts.length > 2 ? parts[2].replace("TUNED", tuned) : "";
            for (String f : options.trim().split("\\s+")) {
                if (f.isEmpty()) {
                    continue;
                } else if ("AOT".equals(f) || f.startsWith("AOT=")) {
                    String file = f.length() > 4 ? f.substring(4) : "app.aot";
                    flags.add("-XX:AOTCache=" + jar.toAbsolutePath().getParent().resolve(file));
                } else if (f.startsWith("env:")) {
                    String[] kv = f.substring(4).split("=", 2);
                    env.put(kv[0], kv[1]);
                } else {
                    flags.add(f);
                }
            }
            return new Config(name, Path.of(home, "bin", "java"), jar, List.copyOf(flags), Map.copyOf(env));
        }

        /** The command line, without the HTTP port the harness adds. */
        List<String> command() {
            List<String> cmd = new ArrayList<>();
            cmd.add(java.toString());
            cmd.addAll(flags);
            if (jar != null) {
                cmd.add("-jar");
                cmd.add(jar.toAbsolutePath().toString());
            }
            return cmd;
        }

        String describe() {
            StringBuilder b = new StringBuilder();
            env.forEach((k, v) -> b.append(k).append('=').append(v).append(' '));
            return b.append(String.join(" ", command())).toString();
        }
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
        Path baseline = Path.of(System.getProperty("bench.footprint.baseline", jar.toString()));
        String tuned = System.getProperty("bench.footprint.tuned", TUNED);
        List<Config> configs = new ArrayList<>();
        for (String spec : System.getProperty("bench.footprint.configs", DEFAULT_CONFIGS).split(";")) {
            if (!spec.isBlank()) {
                Config c = Config.parse(spec, jar, baseline, tuned);
                if (!Files.isExecutable(c.java()) || (c.jar() != null && !Files.isRegularFile(c.jar()))) {
                    throw new IllegalStateException(c.name() + ": " + c.java() + " or " + c.jar() + " is missing");
                }
                configs.add(c);
            }
        }
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        configs.forEach(c -> samples.put(c.name(), new ArrayList<>()));
        String loadBefore = loadAverage();
        try (ControlPlane server = ControlPlane.start(Path.of("target", "kube-footprint").toAbsolutePath(), 0,
                Duration.ofSeconds(90)); KubernetesClient adminClient = server.adminClient()) {
            admin = adminClient;
            ControlPlane.installCrds(admin, Path.of("kubernetes", "crds"));
            try (KubeletSimulator kubelet = new KubeletSimulator(admin).readyDelay(Duration.ZERO).start()) {
                int n = 0;
                for (int r = 0; r < runs; r++) {
                    for (Config config : configs) {
                        Sample s = runOnce(server, config, idle, out.resolve("footprint-" + (n++) + ".log"));
                        samples.get(config.name()).add(s);
                        System.out.printf("footprint %s run %d: %s (load %s)%n", config.name(), r + 1, s, loadAverage());
                    }
                }
            }
        }
        String report = report(configs, runs, idle, samples, loadBefore, loadAverage());
        Files.writeString(out.resolve("footprint.md"), report);
        System.out.println(report);
    }

    /** A TLS context that accepts any server certificate: only for the readiness probe of a jar on loopback. */
    private static javax.net.ssl.SSLContext trustAll() {
        try {
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] { new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            } }, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts the jar the way docs/install.md runs it outside a cluster: {@code java -jar} with {@code KUBECONFIG}
     * pointing at a kubeconfig (here the operator's client certificate), prod profile, leader election on.
     */
    private static Sample runOnce(ControlPlane server, Config config, int idleSeconds, Path log) throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>(config.command());
        // the packaged operator serves HTTPS only (8443 by default, a self-signed certificate made at start-up):
        // the probe on loopback trusts whatever certificate it presents, by the name the self-signed one carries (localhost)
        cmd.add(config.jar() == null ? cmd.size() : cmd.size() - 2, "-Dquarkus.http.ssl-port=" + port);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).sslContext(trustAll()).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(1)).build();
        long t0 = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("KUBECONFIG", server.kubeconfig("ordinal-operator", "system:masters").toString());
        builder.environment().putAll(config.env());
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
            long anon = procStatusKb(status, "RssAnon");
            long file = procStatusKb(status, "RssFile") + procStatusKb(status, "RssShmem");
            if (config.flags().stream().anyMatch(f -> f.startsWith("-XX:NativeMemoryTracking"))) {
                // where the memory goes, by the JVM's own account, next to the run's log
                Path jcmd = config.java().resolveSibling("jcmd");
                Path nmt = Path.of(log.toString().replace(".log", "-nmt.txt"));
                new ProcessBuilder(jcmd.toString(), String.valueOf(p.pid()), "VM.native_memory", "summary")
                        .redirectErrorStream(true).redirectOutput(nmt.toFile()).start().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            Sample sample = new Sample(readyMillis, quarkusStarted(log), rss, anon, file, hwm);
            // Leave the API server as this run found it, so that the next run's operator caches no more objects:
            // the Cluster goes while this operator still runs (it holds a finalizer), then its namespace.
            client.resources(Cluster.class).inNamespace(ns).withName("kafka").delete();
            long gone = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (client.resources(Cluster.class).inNamespace(ns).withName("kafka").get() != null && System.nanoTime() < gone) {
                Thread.sleep(100);
            }
            client.namespaces().withName(ns).delete();
            return sample;
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

    private static String report(List<Config> configs, int runs, int idle, Map<String, List<Sample>> samples,
            String loadBefore, String loadAfter) {
        StringBuilder b = new StringBuilder("# Packaged jar footprint, ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append("\n\n- ").append(runs).append(" runs per configuration (taking turns), median shown; ratios to the first\n")
                .append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores; load average before ")
                .append(loadBefore).append(", after ").append(loadAfter).append('\n')
                .append("- ready: process start → `/q/health/ready` UP (polled every 10 ms); Quarkus: its own \"started in\" log line\n")
                .append("- idle RSS: VmRSS ").append(idle).append(" s after the example Kafka Cluster (6 pods) reached Running; peak: VmHWM then\n\n")
                .append("| configuration | ready (ms) | ready / first | Quarkus started in (s) | idle RSS (MiB) | idle RSS / first | of it anon / file (MiB) | peak RSS (MiB) |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        double firstReady = -1;
        double firstRss = -1;
        for (var e : samples.entrySet()) {
            List<Sample> s = e.getValue();
            double ready = median(s.stream().map(Sample::readyMillis).toList());
            double rss = median(s.stream().map(x -> x.idleRssKb() / 1024.0).toList());
            if (firstRss < 0) {
                firstReady = ready;
                firstRss = rss;
            }
            b.append(String.format("| %s | %.0f | %.2f × | %.2f | %.0f | %.2f × | %.0f / %.0f | %.0f |%n", e.getKey(), ready,
                    ready / firstReady, median(s.stream().map(Sample::quarkusSeconds).toList()), rss, rss / firstRss,
                    median(s.stream().map(x -> x.anonKb() / 1024.0).toList()),
                    median(s.stream().map(x -> x.fileKb() / 1024.0).toList()),
                    median(s.stream().map(x -> x.peakRssKb() / 1024.0).toList())));
        }
        b.append("\nCommands:\n\n");
        configs.forEach(c -> b.append("- ").append(c.name()).append(": `").append(c.describe()).append("`\n"));
        b.append("\nAll runs (ready ms / idle RSS MiB):\n\n");
        samples.forEach((k, s) -> {
            b.append("- ").append(k).append(": ");
            s.forEach(x -> b.append(String.format("%.0f/%.0f ", x.readyMillis(), x.idleRssKb() / 1024.0)));
            b.append('\n');
        });
        return b.toString();
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
