package dev.ordinal.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.ops.HorizontalScaling;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestSpec;
import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.devcluster.AuditLog.Verb;
import dev.ordinal.testkube.ProjectControlPlaneOnly;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The operator-level benchmark (docs/benchmarks.md): the real controllers in this JVM against the real
 * kube-apiserver (its own processes, measured apart), with a kubelet that makes pods Ready at once. Tagged {@code bench}: the default build excludes it;
 * {@code ./mvnw -Pbench verify} runs it (and only it, among the tests).
 * <p>
 * Latency: OpsRequests one at a time, created → observed {@code Succeed} through a watch, per kind of ops.
 * Writes: every write of the operator's identity in the API server's audit log between one ops' creation and the
 * moment the log is quiet (the harness and the kubelet are other users), next to the minimum the spec allows.
 * Scale: 1,000 clusters of 3 brokers, then one scale-out ops on each, all at once.
 * <p>
 * Properties (-D): bench.phases (latency,scale), bench.latency.clusters (50), bench.latency.cycles (4),
 * bench.scale.clusters (1000), bench.scale.namespaces (10), bench.jfr (false: record the scale phase with JFR).
 */
@QuarkusTest
@ProjectControlPlaneOnly("measures the control plane's processes and reads the audit log")
@Tag("bench")
@QuarkusTestResource(value = KubeResource.class, restrictToAnnotatedClass = true,
        initArgs = { @ResourceArg(name = "readyDelayMillis", value = "0"), @ResourceArg(name = "proxy", value = "false") })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RequiresControlPlane
class OperatorBenchmarkTest {
    private static final Path OUT = Reports.OUT;
    private static final Set<String> PHASES = Set.of(System.getProperty("bench.phases", "latency,scale").split(","));
    private static final int LATENCY_CLUSTERS = Integer.getInteger("bench.latency.clusters", 50);
    private static final int LATENCY_CYCLES = Integer.getInteger("bench.latency.cycles", 4);
    private static final int SCALE_CLUSTERS = Integer.getInteger("bench.scale.clusters", 1000);
    private static final int SCALE_NAMESPACES = Integer.getInteger("bench.scale.namespaces", 10);
    private static final boolean JFR = Boolean.getBoolean("bench.jfr");
    /** Writes have stopped when none came for this long. */
    private static final Duration QUIET = Duration.ofMillis(150);
    private static final Set<String> TERMINAL = Set.of("Succeed", "Failed", "Cancelled", "Aborted");
    private static final StringBuilder REPORT = new StringBuilder();
    private static final AtomicInteger SEQ = new AtomicInteger();

    private static KubernetesClient client;
    private static OpsTracker<OpsRequest> ops;
    private static OpsTracker<Cluster> clusters;

    @BeforeAll
    static void harness() throws IOException {
        Files.createDirectories(OUT);
        client = kube().newAdminClient();
        createNamespace("baseline");
        ops = new OpsTracker<>(client, OpsRequest.class);
        clusters = new OpsTracker<>(client, Cluster.class);
        REPORT.setLength(0);
        REPORT.append("# Ordinal operator benchmark, ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append("\n\n")
                .append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores visible to the JVM, ")
                .append("Java ").append(System.getProperty("java.vm.version")).append(" (")
                .append(System.getProperty("java.vm.name")).append("), max heap ")
                .append(Runtime.getRuntime().maxMemory() / (1024 * 1024)).append(" MiB\n")
                .append("- load average at start: ").append(Reports.loadAverage()).append('\n')
                .append("- this JVM holds the operator, the simulated kubelet (ready delay 0) and this harness; etcd, kube-apiserver ")
                .append(ControlPlaneUsage.KUBE).append(" and kube-controller-manager are their own processes, measured apart\n\n");
    }

    @AfterAll
    static void close() {
        REPORT.append("- load average at end: ").append(Reports.loadAverage()).append('\n');
        writeReport();
        ops.close();
        clusters.close();
        client.close();
    }

    static TestKube kube() {
        return KubeResource.kube();
    }

    private static final java.util.Set<String> NAMESPACES_MADE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static void createNamespace(String ns) {
        if (NAMESPACES_MADE.add(ns)) {
            TestKube.createNamespace(client, ns);
        }
    }

    /** The operator's requests between two audit-log marks. */
    private static AuditLog.Snapshot operatorRequests(long from, long to) {
        return kube().auditLog().between(from, to).byUser(TestKube.OPERATOR_USER);
    }

    // ---- Latency and writes per ops ----------------------------------------------------------------------------

    /** One kind of ops measured in the latency phase, with what it must create and delete. */
    enum Kind {
        OFFLINE("offline 1 (kafka-broker-2)", 0, 1),
        ONLINE("online 1, the seed (kafka-broker-2 back)", 1, 0),
        SCALE_OUT("scale-out by 1 (kafka-broker-3)", 1, 0),
        SCALE_IN("scale-in by 1 (kafka-broker-3 goes)", 0, 1);

        final String label;
        final int podsCreated;
        final int podsDeleted;

        Kind(String label, int podsCreated, int podsDeleted) {
            this.label = label;
            this.podsCreated = podsCreated;
            this.podsDeleted = podsDeleted;
        }

        HorizontalScaling request(String cluster) {
            HorizontalScaling h = new HorizontalScaling();
            h.componentName = "broker";
            switch (this) {
                case OFFLINE -> {
                    h.scaleIn = new HorizontalScaling.ScaleIn();
                    h.scaleIn.onlineInstancesToOffline = new ArrayList<>(List.of(cluster + "-broker-2"));
                }
                case ONLINE -> {
                    h.scaleOut = new HorizontalScaling.ScaleOut();
                    h.scaleOut.offlineInstancesToOnline = new ArrayList<>(List.of(cluster + "-broker-2"));
                }
                case SCALE_OUT -> {
                    h.scaleOut = new HorizontalScaling.ScaleOut();
                    h.scaleOut.replicaChanges = 1;
                }
                case SCALE_IN -> {
                    h.scaleIn = new HorizontalScaling.ScaleIn();
                    h.scaleIn.replicaChanges = 1;
                }
            }
            return h;
        }

        /** The pod this ops brings (whose claim may already exist), or null. */
        String newPod(String cluster) {
            return switch (this) {
                case ONLINE -> cluster + "-broker-2";
                case SCALE_OUT -> cluster + "-broker-3";
                default -> null;
            };
        }
    }

    /** Latency samples and summed writes of one kind. */
    static final class Measured {
        final List<Double> millis = new ArrayList<>();
        final Map<String, Long> writes = new LinkedHashMap<>();
        long claimsNeeded;
        long opsCount;
    }

    @Test
    @Order(1)
    void latencyAndWrites() throws Exception {
        if (!PHASES.contains("latency")) {
            return;
        }
        List<String> warm = createClusters("warm", 10, 1);
        List<String> measured = createClusters("lat", LATENCY_CLUSTERS, LATENCY_CLUSTERS);
        for (String key : warm) {
            for (Kind kind : Kind.values()) {
                runOne(key, kind, new Measured());
            }
        }
        Map<Kind, Measured> results = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            results.put(kind, new Measured());
        }
        long start = System.nanoTime();
        for (int cycle = 0; cycle < LATENCY_CYCLES; cycle++) {
            for (Kind kind : Kind.values()) {
                for (String key : measured) {
                    runOne(key, kind, results.get(kind));
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Stats baseline = baseline(Math.max(200, LATENCY_CLUSTERS * LATENCY_CYCLES));
        reportLatency(results, baseline, seconds);
        reportWrites(results);
        traceSeed(measured.get(0));
        writeReport();
    }

    /** Creates {@code count} 3-broker clusters named kafka in namespaces prefix-i and waits until all are Running. */
    private List<String> createClusters(String prefix, int count, int namespaces) throws Exception {
        List<String> keys = new ArrayList<>();
        List<CompletableFuture<Cluster>> running = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Void>> created = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String ns = namespaces == count ? prefix + "-" + i : prefix + "-" + (i % namespaces);
                String name = namespaces == count ? "kafka" : "kafka-" + i;
                keys.add(OpsTracker.key(ns, name));
                createNamespace(ns);
                running.add(clusters.when(ns, name, c -> c.getStatus() != null && "Running".equals(c.getStatus().phase)));
                created.add(CompletableFuture.runAsync(() -> client.resource(cluster(ns, name)).create(), pool));
            }
            CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(20, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        return keys;
    }

    private void runOne(String clusterKey, Kind kind, Measured into) throws Exception {
        String ns = clusterKey.substring(0, clusterKey.indexOf('/'));
        String cluster = clusterKey.substring(clusterKey.indexOf('/') + 1);
        String name = "op-" + SEQ.incrementAndGet();
        boolean claimNeeded = kind.newPod(cluster) != null
                && client.persistentVolumeClaims().inNamespace(ns).withName("data-" + kind.newPod(cluster)).get() == null;
        long before = awaitQuiet();
        CompletableFuture<OpsRequest> done = ops.when(ns, name, o -> o.getStatus() != null && TERMINAL.contains(o.getStatus().phase));
        long t0 = System.nanoTime();
        client.resource(opsRequest(ns, name, cluster, kind.request(cluster))).create();
        OpsRequest end;
        try {
            end = done.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fail("ops " + ns + "/" + name + " (" + kind + ") did not end in 60 s: "
                    + client.getKubernetesSerialization().asJson(ops.cached(ns, name)));
            return;
        }
        long t1 = System.nanoTime();
        assertEquals("Succeed", end.getStatus().phase, () -> kind + " " + client.getKubernetesSerialization().asJson(end.getStatus()));
        AuditLog.Snapshot delta = operatorRequests(before, awaitQuiet());
        into.millis.add((t1 - t0) / 1e6);
        into.opsCount++;
        into.claimsNeeded += claimNeeded ? 1 : 0;
        operatorWrites(delta).forEach((row, n) -> into.writes.merge(row, n, Long::sum));
    }

    /** Offline kafka-broker-2 untraced, then the seed ops with every change in its namespace listed. */
    private void traceSeed(String clusterKey) throws Exception {
        runOne(clusterKey, Kind.OFFLINE, new Measured());
        String ns = clusterKey.substring(0, clusterKey.indexOf('/'));
        Measured seed = new Measured();
        try (WriteTrace trace = new WriteTrace(client, ns)) {
            Thread.sleep(200);
            runOne(clusterKey, Kind.ONLINE, seed);
            Thread.sleep(200);
            REPORT.append("## One seed ops, change by change (watch events in its namespace; ")
                    .append(seed.writes.values().stream().mapToLong(Long::longValue).sum()).append(" operator writes: ")
                    .append(seed.writes).append(")\n\n").append(trace.table());
        }
    }

    /**
     * Waits until the API server's audit log has not grown for {@link #QUIET} (every request, every user: the
     * server is quiet); returns the mark then.
     */
    private static long awaitQuiet() {
        return kube().auditLog().awaitQuiet(QUIET.toMillis(), 30_000).mark();
    }

    /** The operator's writes in a delta, by row of the writes table. */
    static Map<String, Long> operatorWrites(AuditLog.Snapshot delta) {
        Map<String, Long> rows = new LinkedHashMap<>();
        delta.entries().forEach(k -> {
            if (k.isWrite()) {
                rows.merge(row(k), 1L, Long::sum);
            }
        });
        return rows;
    }

    static final List<String> ROWS = List.of("Cluster apply (ordinal-ops)", "InstanceSet apply (ordinal)", "pods created or deleted",
            "claims created", "OpsRequest status", "InstanceSet status", "Cluster status", "Events");

    private static String row(AuditLog.Entry k) {
        String r = k.resource();
        return switch (r) {
            case "clusters" -> k.verb() == Verb.APPLY && "ordinal-ops".equals(k.manager()) ? ROWS.get(0) : "other: " + k;
            case "instancesets" -> k.verb() == Verb.APPLY ? ROWS.get(1) : "other: " + k;
            case "pods" -> k.verb() == Verb.CREATE || k.verb() == Verb.DELETE ? ROWS.get(2) : "other: " + k;
            case "persistentvolumeclaims" -> k.verb() == Verb.CREATE ? ROWS.get(3) : "other: " + k;
            case "opsrequests/status" -> ROWS.get(4);
            case "instancesets/status" -> ROWS.get(5);
            case "clusters/status" -> ROWS.get(6);
            case "events" -> ROWS.get(7);
            default -> "other: " + k.verb() + " " + r + (k.manager().isEmpty() ? "" : " [" + k.manager() + "]");
        };
    }

    /** The least each row can be for one ops of this kind; the issue's minimum counts rows 0, 2, 4, 5 and 6. */
    static double[] minimum(Kind kind, double claimsPerOps) {
        int pods = kind.podsCreated + kind.podsDeleted;
        return new double[] { 1, 1, pods, claimsPerOps, 3, 1, 1, 3 + pods };
    }

    private static final Set<Integer> ISSUE_ROWS = Set.of(0, 2, 4, 5, 6);

    /** Two round trips (create a ConfigMap, then merge-patch it): the API floor under any ops. */
    private Stats baseline(int samples) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < samples + 50; i++) {
            long t0 = System.nanoTime();
            var cm = client.configMaps().inNamespace("baseline").resource(new ConfigMapBuilder().withNewMetadata()
                    .withName("rt-" + i).endMetadata().addToData("phase", "Pending").build()).create();
            client.configMaps().inNamespace("baseline").withName(cm.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"phase\":\"Succeed\"}}");
            if (i >= 50) {
                out.add((System.nanoTime() - t0) / 1e6);
            }
        }
        return new Stats(out);
    }

    private static void reportLatency(Map<Kind, Measured> results, Stats baseline, double seconds) {
        REPORT.append("## Latency: OpsRequest created → Succeed seen by a watch (ms)\n\n")
                .append(LATENCY_CLUSTERS).append(" clusters of 3 brokers, ops one at a time (each cluster settled, writes quiet, before the next); ")
                .append(String.format("%.0f s for the whole phase.%n%n", seconds))
                .append("| ops | n | p50 | p95 | p99 | max | p50 / baseline p50 |\n|---|---:|---:|---:|---:|---:|---:|\n");
        results.forEach((kind, m) -> {
            Stats s = new Stats(m.millis);
            REPORT.append(String.format("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f × |%n", kind.label, s.count(), s.p50(),
                    s.percentile(95), s.percentile(99), s.max(), s.p50() / baseline.p50()));
        });
        REPORT.append(String.format("| baseline: create a ConfigMap + merge-patch it (2 round trips) | %d | %.2f | %.2f | %.2f | %.2f | 1.0 × |%n%n",
                baseline.count(), baseline.p50(), baseline.percentile(95), baseline.percentile(99), baseline.max()));
    }

    private static void reportWrites(Map<Kind, Measured> results) {
        REPORT.append("## API writes per ops (mean over the measured ops; harness and kubelet writes excluded)\n\n")
                .append("Each cell: measured / minimum. Minimum: 1 Cluster apply; 1 InstanceSet apply (the Cluster → InstanceSet hand-over); "
                        + "1 per pod created or deleted; 1 per claim that did not exist yet; OpsRequest status 3 (Creating, Running, Succeed: "
                        + "the spec updates conditions on every phase change); InstanceSet status 1 and Cluster status 1 (they must report the new "
                        + "state); Events 3 + 1 per pod (one per ops phase change, spec §5, and the InstanceSet's SuccessfulCreate/SuccessfulDelete per pod, "
                        + "as Kubernetes workload controllers emit them). docs/benchmarks.md justifies each row.\n\n")
                .append("| row |");
        results.keySet().forEach(k -> REPORT.append(' ').append(k.label).append(" |"));
        REPORT.append("\n|---|").append("---:|".repeat(results.size())).append('\n');
        List<String> rows = new ArrayList<>(ROWS);
        results.values().forEach(m -> m.writes.keySet().stream().filter(r -> !rows.contains(r)).forEach(rows::add));
        double[] issueMin = new double[results.size()];
        double[] designMin = new double[results.size()];
        double[] measured = new double[results.size()];
        double[] measuredIssueRows = new double[results.size()];
        for (int r = 0; r < rows.size(); r++) {
            String row = rows.get(r);
            REPORT.append("| ").append(row).append(" |");
            int col = 0;
            for (var e : results.entrySet()) {
                Measured m = e.getValue();
                double mean = m.writes.getOrDefault(row, 0L) / (double) m.opsCount;
                double min = r < ROWS.size() ? minimum(e.getKey(), m.claimsNeeded / (double) m.opsCount)[r] : 0;
                boolean issueRow = ISSUE_ROWS.contains(r);
                REPORT.append(String.format(" %.2f / %s |", mean, min == Math.rint(min) ? String.valueOf((long) min)
                        : String.format("%.2f", min)));
                designMin[col] += min;
                issueMin[col] += issueRow ? min : 0;
                measured[col] += mean;
                measuredIssueRows[col] += issueRow ? mean : 0;
                col++;
            }
            REPORT.append('\n');
        }
        REPORT.append("| **all operator writes** |");
        for (int c = 0; c < measured.length; c++) {
            REPORT.append(String.format(" **%.2f** |", measured[c]));
        }
        REPORT.append("\n| issue's minimum (Cluster apply + pods + status writes) → ratio |");
        for (int c = 0; c < measured.length; c++) {
            REPORT.append(String.format(" %.0f → **%.2f ×** |", issueMin[c], measured[c] / issueMin[c]));
        }
        REPORT.append("\n| same rows only (measured / minimum) |");
        for (int c = 0; c < measured.length; c++) {
            REPORT.append(String.format(" %.2f / %.0f = %.2f × |", measuredIssueRows[c], issueMin[c], measuredIssueRows[c] / issueMin[c]));
        }
        REPORT.append("\n| design minimum (every row above) → ratio |");
        for (int c = 0; c < measured.length; c++) {
            REPORT.append(String.format(" %.2f → **%.2f ×** |", designMin[c], measured[c] / designMin[c]));
        }
        REPORT.append("\n\n");
    }

    // ---- Scale: 1,000 clusters, one ops each ----------------------------------------------------------------

    @Test
    @Order(2)
    void scale() throws Exception {
        if (!PHASES.contains("scale")) {
            return;
        }
        Path jfrFile = OUT.resolve("scale.jfr");
        Profile profile = JFR ? new Profile(jfrFile) : null;
        long before = kube().auditLog().mark();
        double createSeconds;
        double opsSeconds;
        long afterCreate;
        ControlPlaneUsage planeBefore;
        try (Memory memory = new Memory()) {
            long t0 = System.nanoTime();
            List<String> keys = createClusters("scale", SCALE_CLUSTERS, SCALE_NAMESPACES);
            createSeconds = (System.nanoTime() - t0) / 1e9;
            afterCreate = awaitQuiet();
            long t1 = System.nanoTime();
            long cpu0 = processCpuNanos();
            planeBefore = ControlPlaneUsage.of(kube());
            List<CompletableFuture<OpsRequest>> done = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<CompletableFuture<Void>> created = new ArrayList<>();
                for (String key : keys) {
                    String ns = key.substring(0, key.indexOf('/'));
                    String cluster = key.substring(key.indexOf('/') + 1);
                    String name = cluster + "-out";
                    done.add(ops.when(ns, name, o -> o.getStatus() != null && TERMINAL.contains(o.getStatus().phase)));
                    created.add(CompletableFuture.runAsync(
                            () -> client.resource(opsRequest(ns, name, cluster, Kind.SCALE_OUT.request(cluster))).create(), pool));
                }
                CompletableFuture.allOf(created.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
                CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(20, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
            opsSeconds = (System.nanoTime() - t1) / 1e9;
            double opsCpuSeconds = (processCpuNanos() - cpu0) / 1e9;
            long failed = done.stream().map(CompletableFuture::join).filter(o -> !"Succeed".equals(o.getStatus().phase)).count();
            assertEquals(0, failed, "ops that did not Succeed");
            ControlPlaneUsage planeAfter = ControlPlaneUsage.of(kube());
            long afterOps = awaitQuiet();
            long liveHeap = Memory.heapAfterGc();
            AuditLog.Snapshot opsDelta = operatorRequests(afterCreate, afterOps);
            AuditLog.Snapshot createDelta = operatorRequests(before, afterCreate);
            long allRequests = kube().auditLog().between(afterCreate, afterOps).total();
            long opsWrites = operatorWrites(opsDelta).values().stream().mapToLong(Long::longValue).sum();
            long createWrites = operatorWrites(createDelta).values().stream().mapToLong(Long::longValue).sum();
            REPORT.append("## Scale: ").append(SCALE_CLUSTERS).append(" clusters × 3 brokers in ").append(SCALE_NAMESPACES)
                    .append(" namespaces, then one scale-out-by-1 ops on each\n\n")
                    .append("| figure | value |\n|---|---:|\n")
                    .append(String.format("| clusters created → all Running | %.1f s |%n", createSeconds))
                    .append(String.format("| **%d ops created → all Succeed** | **%.1f s** |%n", SCALE_CLUSTERS, opsSeconds))
                    .append(String.format("| ops throughput | %.1f ops/s |%n", SCALE_CLUSTERS / opsSeconds))
                    .append(String.format("| CPU time of the test JVM (operator, kubelet simulator, harness) during the ops part | %.0f s (%.3f s per ops) |%n",
                            opsCpuSeconds, opsCpuSeconds / SCALE_CLUSTERS))
                    .append(planeAfter.cpuSince(planeBefore))
                    .append(String.format("| operator writes per ops (scale-out by 1, all at once) | %.2f |%n", opsWrites / (double) SCALE_CLUSTERS))
                    .append(String.format("| operator writes per cluster created | %.2f |%n", createWrites / (double) SCALE_CLUSTERS))
                    .append(String.format("| API requests during the ops part (all clients, audit log) | %d |%n", allRequests))
                    .append(String.format("| peak heap used (sampled every 100 ms) | %d MiB |%n", memory.peakHeapBytes() >> 20))
                    .append(String.format("| live heap after full GC, everything loaded | %d MiB |%n", liveHeap >> 20))
                    .append(String.format("| peak RSS (sampled) / VmHWM of the test JVM | %d MiB / %d MiB |%n", memory.peakRssKb() >> 10,
                            Memory.procStatusKb("VmHWM") >> 10))
                    .append(planeAfter.peakRss())
                    .append('\n');
            // Where the writes of the ops part went, per row, and how many the API server refused (a 409 is retried).
            REPORT.append("Operator writes of the ops part per ops, by row (refused: answered 4xx/5xx, e.g. 409, then retried):\n\n")
                    .append("| row | per ops | refused per ops |\n|---|---:|---:|\n");
            Map<String, Long> opsRows = operatorWrites(opsDelta);
            Map<String, Long> refusedRows = operatorWrites(opsDelta.where(e -> e.code() >= 400));
            opsRows.forEach((row, n) -> REPORT.append(String.format("| %s | %.2f | %.2f |%n", row, n / (double) SCALE_CLUSTERS,
                    refusedRows.getOrDefault(row, 0L) / (double) SCALE_CLUSTERS)));
            REPORT.append('\n');
            REPORT.append(copies());
        } finally {
            if (profile != null) {
                profile.close();
            }
        }
        if (profile != null) {
            REPORT.append("## Profile of the scale phase (JFR)\n\n").append(Profile.summarize(jfrFile, 15));
        }
        writeReport();
    }

    /**
     * How many Java copies of each stored object the JVM holds. Expected holders: pods — the InstanceSet and the
     * OpsRequest controllers' informers and the kubelet's; clusters — the Cluster controller, the OpsRequest
     * controller's informer and the harness; ops — the OpsRequest controller's primary cache, its peers informer
     * and the harness.
     */
    private static String copies() {
        Map<String, Integer> stored = new LinkedHashMap<>();
        stored.put("io.fabric8.kubernetes.api.model.Pod", client.pods().inAnyNamespace().list().getItems().size());
        stored.put("io.fabric8.kubernetes.api.model.PersistentVolumeClaim",
                client.persistentVolumeClaims().inAnyNamespace().list().getItems().size());
        stored.put("io.fabric8.kubernetes.api.model.Service", client.services().inAnyNamespace().list().getItems().size());
        stored.put("dev.ordinal.api.cluster.Cluster", client.resources(Cluster.class).inAnyNamespace().list().getItems().size());
        stored.put("dev.ordinal.api.instanceset.InstanceSet",
                client.resources(dev.ordinal.api.instanceset.InstanceSet.class).inAnyNamespace().list().getItems().size());
        stored.put("dev.ordinal.api.ops.OpsRequest", client.resources(OpsRequest.class).inAnyNamespace().list().getItems().size());
        Map<String, long[]> histogram = Heap.histogram(List.copyOf(stored.keySet()));
        StringBuilder b = new StringBuilder("Live Java objects after the scale run (class histogram after a full GC) per "
                + "object stored in the API server (all phases' objects):\n\n| class | instances | per stored object | shallow MiB |\n|---|---:|---:|---:|\n");
        stored.forEach((cls, n) -> {
            long[] h = histogram.getOrDefault(cls, new long[] { 0, 0 });
            b.append(String.format("| `%s` | %d | %.2f | %.1f |%n", cls.substring(cls.lastIndexOf('.') + 1), h[0], h[0] / (double) n,
                    h[1] / 1048576.0));
        });
        return b.append('\n').toString();
    }

    // ---- Builders and output ------------------------------------------------------------------------------------

    static Cluster cluster(String ns, String name) {
        ComponentSpec c = new ComponentSpec();
        c.name = "broker";
        c.replicas = 3;
        c.template = new PodTemplateSpecBuilder().withNewSpec()
                .withContainers(new ContainerBuilder().withName("kafka").withImage("apache/kafka:3.9.0")
                        .withPorts(new ContainerPortBuilder().withName("broker").withContainerPort(9092).build()).build())
                .endSpec().build();
        c.volumeClaimTemplates = new ArrayList<>(List.of(new PersistentVolumeClaimBuilder()
                .withMetadata(new ObjectMetaBuilder().withName("data").build())
                .withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().withRequests(Map.of("storage", new Quantity("10Gi"))).endResources()
                .endSpec().build()));
        Cluster cluster = new Cluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        ClusterSpec spec = new ClusterSpec();
        spec.terminationPolicy = ClusterSpec.TerminationPolicy.Delete;
        spec.componentSpecs = new ArrayList<>(List.of(c));
        cluster.setSpec(spec);
        return cluster;
    }

    static OpsRequest opsRequest(String ns, String name, String cluster, HorizontalScaling h) {
        OpsRequest o = new OpsRequest();
        o.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        OpsRequestSpec spec = new OpsRequestSpec();
        spec.clusterName = cluster;
        spec.type = OpsRequestSpec.OpsType.HorizontalScaling;
        spec.horizontalScaling = new ArrayList<>(List.of(h));
        o.setSpec(spec);
        return o;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static synchronized void writeReport() {
        Reports.write("operator.md", REPORT);
        System.out.println(REPORT);
    }
}
