package dev.ordinal.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.HorizontalScaling;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Ordinal side by side with kube-controller-manager's StatefulSet controller on the same control plane
 * (docs/benchmarks.md, first section). A second kube-controller-manager runs only {@code statefulset-controller}
 * as its own user ({@value #PEER_USER}) with the workers and client limits in {@link #PEER_FLAGS}; the operator runs
 * in this JVM; one simulated kubelet (ready delay 0) serves both sides' pods. Same shape on both sides: 3 pods with one
 * claim each ({@code data}, 10Gi), OrderedReady, scaled to 4 and back.
 * <p>
 * Figures, each reported as a ratio to the StatefulSet figure of the same run:
 * <ul>
 * <li>one at a time (phase {@code one}): scale 3 → 4 by a JSON patch of the StatefulSet's {@code replicas}, by the same
 * patch of the Cluster's {@code componentSpecs[0].replicas} ("direct edit"), and by an OpsRequest
 * {@code scaleOut.replicaChanges: 1}; then 4 → 3 the same three ways; then (Ordinal only) an OpsRequest offline of
 * {@code ops-broker-1} and one bringing it back online. Rounds interleave the three kinds, rotating which goes first.
 * Latency: from the write to a watch seeing the workload done; writes: the audit log between two quiet points, by
 * user and by row (resource, verb, subresource).</li>
 * <li>many at once (phase {@code many}): create N StatefulSets, N Clusters (direct-edit set) and N Clusters (ops set),
 * each until all are ready; then scale all N by one at once, each way.</li>
 * <li>where the time goes (phase {@code trace}): every change in the namespace of one workload per figure, with watch
 * timestamps; CPU of every process per figure.</li>
 * </ul>
 * Properties (-D): bench.peer.phases (one,many,trace), bench.peer.rounds (30), bench.peer.warmup (3),
 * bench.peer.many (1000), bench.peer.namespaces (10), bench.peer.profile (true: kube-apiserver CPU profiles, {@link ApiServerProfile}). Output: {@code target/bench/peer.md}. Nothing here asserts a
 * performance figure; a workload that does not reach its state fails the run.
 */
@QuarkusTest
@Tag("bench")
@QuarkusTestResource(value = KubeResource.class, restrictToAnnotatedClass = true,
        initArgs = { @ResourceArg(name = "readyDelayMillis", value = "0"), @ResourceArg(name = "proxy", value = "false") })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RequiresControlPlane
class PeerBenchmarkTest {
    private static final Path OUT = Reports.OUT;
    private static final Set<String> PHASES = Set.of(System.getProperty("bench.peer.phases", "one,many,trace").split(","));
    private static final int ROUNDS = Integer.getInteger("bench.peer.rounds", 30);
    private static final int WARMUP = Integer.getInteger("bench.peer.warmup", 3);
    private static final int MANY = Integer.getInteger("bench.peer.many", 1000);
    private static final int MANY_NAMESPACES = Integer.getInteger("bench.peer.namespaces", 10);
    /** Profile the API server during the many-at-once figures (needs Go on the PATH for go tool pprof). */
    private static final boolean PROFILE = Boolean.parseBoolean(System.getProperty("bench.peer.profile", "true"));
    /** The peer's identity in the audit log. */
    static final String PEER_USER = "statefulset-peer";
    static final String PEER = "kcm-statefulset";
    /** The peer's flags: only the StatefulSet controller, 32 workers, client limits lifted (no client throttling). */
    static final List<String> PEER_FLAGS = List.of("--controllers=statefulset-controller",
            "--concurrent-statefulset-syncs=32", "--kube-api-qps=1000", "--kube-api-burst=2000");
    private static final long QUIET_MILLIS = 150;
    private static final StringBuilder REPORT = new StringBuilder();
    private static final Set<String> TERMINAL = Set.of("Succeed", "Failed", "Cancelled", "Aborted");

    private static KubernetesClient client;
    private static OpsTracker<StatefulSet> sets;
    private static OpsTracker<Cluster> clusters;
    private static OpsTracker<OpsRequest> ops;
    private static int opsSeq;
    /** Figures of the run, by label, for the side-by-side table. */
    private static final Map<String, Figure> FIGURES = new LinkedHashMap<>();
    private static final List<String> MANY_ROWS = new ArrayList<>();

    // ---- The kinds of change ----------------------------------------------------------------------------------

    /** One way of changing a workload, measured as one figure. */
    enum Kind {
        STS_OUT("StatefulSet `replicas` 3 → 4 (JSON patch)", true),
        EDIT_OUT("Cluster direct edit of `replicas` 3 → 4", false),
        OPS_OUT("OpsRequest `scaleOut.replicaChanges: 1`", false),
        STS_IN("StatefulSet `replicas` 4 → 3", true),
        EDIT_IN("Cluster direct edit 4 → 3", false),
        OPS_IN("OpsRequest `scaleIn.replicaChanges: 1`", false),
        OFFLINE("OpsRequest offline `ops-broker-1` (Ordinal only)", false),
        ONLINE("OpsRequest online `ops-broker-1` (Ordinal only)", false);

        final String label;
        final boolean peer;

        Kind(String label, boolean peer) {
            this.label = label;
            this.peer = peer;
        }

        /** The StatefulSet figure an Ordinal figure is compared with (the nearest change of the peer). */
        Kind reference() {
            return switch (this) {
                case STS_OUT, EDIT_OUT, OPS_OUT, ONLINE -> STS_OUT;
                default -> STS_IN;
            };
        }

        /** The audit-log user whose writes are this kind's controller writes. */
        String controller() {
            return peer ? PEER_USER : TestKube.OPERATOR_USER;
        }
    }

    /** Samples of one figure: latency, writes by user and row, CPU by process. */
    static final class Figure {
        final String label;
        final List<Double> millis = new ArrayList<>();
        final Map<String, Long> writesByUser = new TreeMap<>();
        final Map<String, Long> controllerRows = new TreeMap<>();
        final Map<String, Double> cpu = new LinkedHashMap<>();
        int samples;

        Figure(String label) {
            this.label = label;
        }

        double controllerWrites(String user) {
            return writesByUser.getOrDefault(user, 0L) / (double) samples;
        }
    }

    // ---- Set-up ---------------------------------------------------------------------------------------------------

    @BeforeAll
    static void harness() throws IOException {
        Files.createDirectories(OUT);
        client = kube().newAdminClient();
        long pid = kube().startPeerControllerManager(PEER, PEER_USER, PEER_FLAGS);
        sets = new OpsTracker<>(client, StatefulSet.class);
        clusters = new OpsTracker<>(client, Cluster.class);
        ops = new OpsTracker<>(client, OpsRequest.class);
        REPORT.setLength(0);
        REPORT.append("# Ordinal beside the StatefulSet controller, ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append("\n\n- load average at start: ").append(Reports.loadAverage())
                .append("\n- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
                .append(System.getProperty("java.vm.version")).append("; kube ").append(ControlPlaneUsage.KUBE)
                .append("\n- peer: kube-controller-manager (pid ").append(pid).append(") as user `").append(PEER_USER)
                .append("` with `").append(String.join(" ", PEER_FLAGS)).append(" --leader-elect=false`")
                .append("\n- Ordinal: the operator in this JVM (defaults: 32 reconcile threads, no client rate limit), user `")
                .append(TestKube.OPERATOR_USER).append("`; one simulated kubelet (ready delay 0) for both sides' pods\n")
                .append("- rounds ").append(ROUNDS).append(" (+").append(WARMUP).append(" warm-up), many at once ").append(MANY)
                .append(" in ").append(MANY_NAMESPACES).append(" namespaces\n\n");
    }

    @AfterAll
    static void close() {
        REPORT.append("- load average at end: ").append(Reports.loadAverage()).append('\n');
        writeReport();
        kube().stopPeerControllerManager(PEER);
        sets.close();
        clusters.close();
        ops.close();
        client.close();
    }

    static TestKube kube() {
        return KubeResource.kube();
    }

    // ---- Phase one: one at a time -----------------------------------------------------------------------------

    @Test
    @Order(1)
    void oneAtATime() throws Exception {
        if (!PHASES.contains("one")) {
            return;
        }
        for (Kind k : Kind.values()) {
            FIGURES.put(k.name(), new Figure(k.label));
        }
        Map<String, Figure> warm = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            warm.put(k.name(), new Figure(k.label));
        }
        List<String> namespaces = new ArrayList<>();
        for (int r = 0; r < WARMUP + ROUNDS; r++) {
            namespaces.add("one-" + r);
        }
        createRoundWorkloads(namespaces);
        long start = System.nanoTime();
        for (int r = 0; r < WARMUP + ROUNDS; r++) {
            Map<String, Figure> into = r < WARMUP ? warm : FIGURES;
            String ns = namespaces.get(r);
            List<Kind> out = rotate(List.of(Kind.STS_OUT, Kind.EDIT_OUT, Kind.OPS_OUT), r);
            List<Kind> in = rotate(List.of(Kind.STS_IN, Kind.EDIT_IN, Kind.OPS_IN), r);
            for (Kind k : out) {
                measure(ns, k, into.get(k.name()));
            }
            for (Kind k : in) {
                measure(ns, k, into.get(k.name()));
            }
            measure(ns, Kind.OFFLINE, into.get(Kind.OFFLINE.name()));
            measure(ns, Kind.ONLINE, into.get(Kind.ONLINE.name()));
        }
        REPORT.append(String.format("Phase one: %d rounds in %.0f s.%n%n", ROUNDS, (System.nanoTime() - start) / 1e9));
        reportOne();
        writeReport();
    }

    private static <T> List<T> rotate(List<T> list, int by) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(list.get((i + by) % list.size()));
        }
        return out;
    }

    /** In each namespace: StatefulSet {@code web}, Cluster {@code edit}, Cluster {@code ops}; waits for all ready. */
    private void createRoundWorkloads(List<String> namespaces) throws Exception {
        List<CompletableFuture<?>> ready = new ArrayList<>();
        for (String ns : namespaces) {
            TestKube.createNamespace(client, ns);
            ready.add(sets.when(ns, "web", readySet(3, 1)));
            ready.add(clusters.when(ns, "edit", runningCluster(3, 1)));
            ready.add(clusters.when(ns, "ops", runningCluster(3, 1)));
            client.resource(statefulSet(ns, "web")).create();
            client.resource(OperatorBenchmarkTest.cluster(ns, "edit")).create();
            client.resource(OperatorBenchmarkTest.cluster(ns, "ops")).create();
        }
        CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    }

    /** One change, from the write to the done state seen by a watch; writes and CPU until the log is quiet. */
    private void measure(String ns, Kind kind, Figure into) throws Exception {
        long before = awaitQuiet();
        Map<String, Double> cpu0 = cpuNow();
        long t0 = System.nanoTime();
        CompletableFuture<?> done = start(ns, kind);
        Object end = done.get(60, TimeUnit.SECONDS);
        long t1 = System.nanoTime();
        if (end instanceof OpsRequest o) {
            assertEquals("Succeed", o.getStatus().phase, () -> kind + " " + ns + ": " + client.getKubernetesSerialization().asJson(o.getStatus()));
        }
        long after = awaitQuiet();
        Map<String, Double> cpu1 = cpuNow();
        into.millis.add((t1 - t0) / 1e6);
        into.samples++;
        AuditLog.Snapshot delta = kube().auditLog().between(before, after);
        delta.entries().stream().filter(AuditLog.Entry::isWrite).forEach(e -> {
            into.writesByUser.merge(e.user(), 1L, Long::sum);
            if (e.user().equals(kind.controller())) {
                into.controllerRows.merge(row(e), 1L, Long::sum);
            }
        });
        cpu1.forEach((p, v) -> into.cpu.merge(p, v - cpu0.getOrDefault(p, 0.0), Double::sum));
    }

    /** Sends the change of {@code kind} to the workload of namespace {@code ns}; the future completes when done. */
    private CompletableFuture<?> start(String ns, Kind kind) {
        return switch (kind) {
            case STS_OUT -> scaleSet(ns, "web", 4);
            case STS_IN -> scaleSet(ns, "web", 3);
            case EDIT_OUT -> editCluster(ns, "edit", 4);
            case EDIT_IN -> editCluster(ns, "edit", 3);
            case OPS_OUT -> opsOn(ns, "ops", out(1));
            case OPS_IN -> opsOn(ns, "ops", in(1));
            case OFFLINE -> opsOn(ns, "ops", offline("ops-broker-1"));
            case ONLINE -> opsOn(ns, "ops", online("ops-broker-1"));
        };
    }

    private CompletableFuture<StatefulSet> scaleSet(String ns, String name, int replicas) {
        StatefulSet s = client.apps().statefulSets().inNamespace(ns).withName(name).patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":" + replicas + "}]");
        return sets.when(ns, name, readySet(replicas, s.getMetadata().getGeneration()));
    }

    private CompletableFuture<Cluster> editCluster(String ns, String name, int replicas) {
        Cluster c = client.resources(Cluster.class).inNamespace(ns).withName(name).patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/spec/componentSpecs/0/replicas\",\"value\":" + replicas + "}]");
        return clusters.when(ns, name, runningCluster(replicas, c.getMetadata().getGeneration()));
    }

    private CompletableFuture<OpsRequest> opsOn(String ns, String cluster, HorizontalScaling h) {
        String name = "op-" + (++opsSeq);
        CompletableFuture<OpsRequest> f = ops.when(ns, name, o -> o.getStatus() != null && TERMINAL.contains(o.getStatus().phase));
        client.resource(OperatorBenchmarkTest.opsRequest(ns, name, cluster, h)).create();
        return f;
    }

    static Predicate<StatefulSet> readySet(int replicas, long generation) {
        return s -> s.getStatus() != null && s.getStatus().getObservedGeneration() != null
                && s.getStatus().getObservedGeneration() >= generation && s.getStatus().getReplicas() != null
                && s.getStatus().getReplicas() == replicas && s.getStatus().getReadyReplicas() != null
                && s.getStatus().getReadyReplicas() == replicas;
    }

    static Predicate<Cluster> runningCluster(int replicas, long generation) {
        return c -> {
            if (c.getStatus() == null || c.getStatus().observedGeneration == null || c.getStatus().observedGeneration < generation
                    || !"Running".equals(c.getStatus().phase)) {
                return false;
            }
            var b = c.getStatus().components.get("broker");
            return b != null && b.replicas != null && b.replicas == replicas && b.readyReplicas != null && b.readyReplicas == replicas;
        };
    }

    private static HorizontalScaling out(int n) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = "broker";
        h.scaleOut = new HorizontalScaling.ScaleOut();
        h.scaleOut.replicaChanges = n;
        return h;
    }

    private static HorizontalScaling in(int n) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = "broker";
        h.scaleIn = new HorizontalScaling.ScaleIn();
        h.scaleIn.replicaChanges = n;
        return h;
    }

    private static HorizontalScaling offline(String instance) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = "broker";
        h.scaleIn = new HorizontalScaling.ScaleIn();
        h.scaleIn.onlineInstancesToOffline = new ArrayList<>(List.of(instance));
        return h;
    }

    private static HorizontalScaling online(String instance) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = "broker";
        h.scaleOut = new HorizontalScaling.ScaleOut();
        h.scaleOut.offlineInstancesToOnline = new ArrayList<>(List.of(instance));
        return h;
    }

    /**
     * A row of the writes table: resource (with subresource), verb and the field manager a patch named, e.g.
     * {@code pods create} or {@code workloads/instancesets apply [ordinal]}.
     */
    static String row(AuditLog.Entry e) {
        return (e.apiGroup().isEmpty() ? "" : e.apiGroup().replaceAll("\\..*", "") + "/") + e.resource() + " "
                + e.verb().name().toLowerCase() + (e.manager().isEmpty() ? "" : " [" + e.manager() + "]");
    }

    private void reportOne() {
        REPORT.append("## One at a time: latency (ms, write → done seen by a watch) and writes per change (audit log)\n\n")
                .append("| change | n | p50 | p95 | p99 | p50 × StatefulSet | p95 × | p99 × | controller writes | × StatefulSet | writes by every user |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Kind k : Kind.values()) {
            Figure f = FIGURES.get(k.name());
            Figure ref = FIGURES.get(k.reference().name());
            Stats s = new Stats(f.millis);
            Stats r = new Stats(ref.millis);
            double w = f.controllerWrites(k.controller());
            double rw = ref.controllerWrites(PEER_USER);
            StringBuilder users = new StringBuilder();
            f.writesByUser.forEach((u, n) -> users.append(String.format("%s %.2f; ", u, n / (double) f.samples)));
            REPORT.append(String.format("| %s | %d | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %s |%n", k.label,
                    s.count(), s.p50(), s.percentile(95), s.percentile(99), s.p50() / r.p50(), s.percentile(95) / r.percentile(95),
                    s.percentile(99) / r.percentile(99), w, w / rw, users.toString().strip()));
        }
        REPORT.append("\n### Controller writes per change, by row (resource, verb)\n\n| row |");
        for (Kind k : Kind.values()) {
            REPORT.append(' ').append(k.name()).append(" |");
        }
        REPORT.append("\n|---|").append("---:|".repeat(Kind.values().length)).append('\n');
        Set<String> rows = new java.util.TreeSet<>();
        FIGURES.values().forEach(f -> rows.addAll(f.controllerRows.keySet()));
        for (String row : rows) {
            REPORT.append("| ").append(row).append(" |");
            for (Kind k : Kind.values()) {
                Figure f = FIGURES.get(k.name());
                REPORT.append(String.format(" %.2f |", f.controllerRows.getOrDefault(row, 0L) / (double) f.samples));
            }
            REPORT.append('\n');
        }
        REPORT.append("\n### CPU per change (ms, from the write until the audit log is quiet, mean)\n\n| process |");
        for (Kind k : Kind.values()) {
            REPORT.append(' ').append(k.name()).append(" |");
        }
        REPORT.append("\n|---|").append("---:|".repeat(Kind.values().length)).append('\n');
        for (String p : FIGURES.get(Kind.STS_OUT.name()).cpu.keySet()) {
            REPORT.append("| ").append(p).append(" |");
            for (Kind k : Kind.values()) {
                Figure f = FIGURES.get(k.name());
                REPORT.append(String.format(" %.1f |", 1000 * f.cpu.getOrDefault(p, 0.0) / f.samples));
            }
            REPORT.append('\n');
        }
        // the operator's informers select Ordinal's pods by label, so during a StatefulSet change this JVM runs only
        // the kubelet and the harness: the difference estimates the operator's own CPU
        REPORT.append("| **operator ≈ test JVM − test JVM of the StatefulSet change** |");
        for (Kind k : Kind.values()) {
            Figure f = FIGURES.get(k.name());
            Figure ref = FIGURES.get(k.reference().name());
            REPORT.append(String.format(" %s |", k.peer ? "–" : String.format("%.1f", 1000 * (f.cpu.getOrDefault("test JVM", 0.0) / f.samples
                    - ref.cpu.getOrDefault("test JVM", 0.0) / ref.samples))));
        }
        REPORT.append("\n| **StatefulSet controller (peer kcm)** |");
        for (Kind k : Kind.values()) {
            Figure f = FIGURES.get(k.name());
            REPORT.append(String.format(" %s |", k.peer ? String.format("%.1f", 1000 * f.cpu.getOrDefault(PEER, 0.0) / f.samples) : "–"));
        }
        REPORT.append("\n\nCPU is read from /proc in ticks of 10 ms, so a single change's figure is a mean of coarse samples.\n\n");
    }

    // ---- Phase many: create N, scale N at once -----------------------------------------------------------------

    @Test
    @Order(3)
    void manyAtOnce() throws Exception {
        if (!PHASES.contains("many")) {
            return;
        }
        for (int i = 0; i < MANY_NAMESPACES; i++) {
            TestKube.createNamespace(client, "many-" + i);
        }
        REPORT.append("## ").append(MANY).append(" at once (").append(MANY_NAMESPACES)
                .append(" namespaces): created → all ready, then all scaled by one at once\n\n")
                .append("| figure | seconds | × StatefulSet | controller writes per workload | × StatefulSet | CPU s: ")
                .append("test JVM (operator + kubelet + harness) / peer kcm / kube-apiserver / etcd | API requests (all users) |\n")
                .append("|---|---:|---:|---:|---:|---|---:|\n");
        Many createSets = many("create " + MANY + " StatefulSets", PEER_USER, i -> {
            String ns = "many-" + (i % MANY_NAMESPACES);
            CompletableFuture<StatefulSet> f = sets.when(ns, "web-" + i, readySet(3, 1));
            client.resource(statefulSet(ns, "web-" + i)).create();
            return f;
        }, null);
        Many createEdit = many("create " + MANY + " Clusters (direct-edit set)", TestKube.OPERATOR_USER, i -> {
            String ns = "many-" + (i % MANY_NAMESPACES);
            CompletableFuture<Cluster> f = clusters.when(ns, "edit-" + i, runningCluster(3, 1));
            client.resource(OperatorBenchmarkTest.cluster(ns, "edit-" + i)).create();
            return f;
        }, createSets);
        many("create " + MANY + " Clusters (ops set, a second sample)", TestKube.OPERATOR_USER, i -> {
            String ns = "many-" + (i % MANY_NAMESPACES);
            CompletableFuture<Cluster> f = clusters.when(ns, "ops-" + i, runningCluster(3, 1));
            client.resource(OperatorBenchmarkTest.cluster(ns, "ops-" + i)).create();
            return f;
        }, createSets);
        Many scaleSets = many("scale " + MANY + " StatefulSets 3 → 4 at once", PEER_USER,
                i -> scaleSet("many-" + (i % MANY_NAMESPACES), "web-" + i, 4), null);
        many("edit " + MANY + " Clusters 3 → 4 at once", TestKube.OPERATOR_USER,
                i -> editCluster("many-" + (i % MANY_NAMESPACES), "edit-" + i, 4), scaleSets);
        many(MANY + " OpsRequests scaleOut 1 at once", TestKube.OPERATOR_USER,
                i -> opsOn("many-" + (i % MANY_NAMESPACES), "ops-" + i, out(1)), scaleSets);
        REPORT.append('\n');
        MANY_ROWS.forEach(REPORT::append);
        REPORT.append('\n');
        writeReport();
    }

    /** The result of one many-at-once figure. */
    record Many(double seconds, double writesPerWorkload) {
    }

    /** Starts {@code MANY} changes from 4 threads, waits for all, reports time, writes by row and CPU. */
    private Many many(String label, String controller, java.util.function.IntFunction<CompletableFuture<?>> one, Many reference)
            throws Exception {
        long before = awaitQuiet();
        ApiServerProfile profile = PROFILE ? new ApiServerProfile(kube().kubeconfig(dev.ordinal.devcluster.ControlPlane.ADMIN,
                "system:masters"), OUT, "apiserver-" + label.replaceAll("[^A-Za-z0-9]+", "-")) : null;
        Map<String, Double> cpu0 = cpuNow();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<CompletableFuture<?>> done = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int i = 0; i < MANY; i++) {
                int n = i;
                sent.add(CompletableFuture.runAsync(() -> done.add(one.apply(n)), pool));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(20, TimeUnit.MINUTES);
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> cpu1 = cpuNow();
        if (profile != null) {
            profile.close();
        }
        long failed = done.stream().map(CompletableFuture::join)
                .filter(o -> o instanceof OpsRequest r && !"Succeed".equals(r.getStatus().phase)).count();
        assertEquals(0, failed, label + ": ops that did not Succeed");
        long after = awaitQuiet();
        AuditLog.Snapshot delta = kube().auditLog().between(before, after);
        Map<String, Long> rows = new TreeMap<>();
        delta.entries().stream().filter(e -> e.isWrite() && e.user().equals(controller)).forEach(e -> rows.merge(row(e), 1L, Long::sum));
        double writes = rows.values().stream().mapToLong(Long::longValue).sum() / (double) MANY;
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu1.forEach((p, v) -> cpu.put(p, v - cpu0.getOrDefault(p, 0.0)));
        REPORT.append(String.format("| %s | %.1f | %s | %.2f | %s | %.0f / %.0f / %.0f / %.0f | %d |%n", label, seconds,
                reference == null ? "1.00" : String.format("%.2f", seconds / reference.seconds()), writes,
                reference == null ? "1.00" : String.format("%.2f", writes / reference.writesPerWorkload()),
                cpu.getOrDefault("test JVM", 0.0), cpu.getOrDefault(PEER, 0.0), cpu.getOrDefault("kube-apiserver", 0.0),
                cpu.getOrDefault("etcd", 0.0), delta.total()));
        StringBuilder b = new StringBuilder("Controller writes per workload, " + label + ": ");
        rows.forEach((r, n) -> b.append(String.format("%s %.2f; ", r, n / (double) MANY)));
        MANY_ROWS.add(b.toString().strip() + "\n\n");
        if (profile != null) {
            Map<String, Long> verbs = new LinkedHashMap<>();
            delta.entries().forEach(e -> verbs.merge(switch (e.verb()) {
                case CREATE -> "create";
                case PATCH, APPLY -> "patch + apply";
                case UPDATE -> "update";
                case DELETE -> "delete";
                case GET -> "get";
                case LIST, WATCH -> "list + watch";
                default -> "other";
            }, 1L, Long::sum));
            MANY_ROWS.add("API server CPU by request kind, " + label + " (requests: every user, from the write to the quiet log; "
                    + "CPU: the profiles taken while the figure ran):\n\n" + profile.table(verbs));
        }
        FIGURES.put("many:" + label, new Figure(label));
        FIGURES.get("many:" + label).millis.add(seconds * 1000);
        return new Many(seconds, writes);
    }

    // ---- Phase trace: where the time goes ----------------------------------------------------------------------

    /** Before the many-at-once phase, so that the traces are not taken beside thousands of stored workloads. */
    @Test
    @Order(2)
    void trace() throws Exception {
        if (!PHASES.contains("trace")) {
            return;
        }
        String ns = "trace";
        createRoundWorkloads(List.of(ns));
        REPORT.append("## Where the time goes: every change in the namespace, as watches deliver it\n\n")
                .append("ms after the write was sent (the harness' own watches; a line is a write's watch event as it reached this JVM).\n\n");
        for (Kind k : Kind.values()) {
            awaitQuiet();
            try (WriteTrace trace = new WriteTrace(client, ns)) {
                Thread.sleep(300);
                trace.restartClock();
                start(ns, k).get(60, TimeUnit.SECONDS);
                Thread.sleep(300);
                REPORT.append("### ").append(k.label).append("\n\n").append(trace.table());
            }
        }
        writeReport();
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------

    /** A StatefulSet of the same shape as OperatorBenchmarkTest's Cluster: 3 pods of one container, one claim each. */
    static StatefulSet statefulSet(String ns, String name) {
        return new StatefulSetBuilder().withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build())
                .withNewSpec().withReplicas(3).withServiceName(name)
                .withSelector(new LabelSelectorBuilder().addToMatchLabels("app", name).build())
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                .withContainers(new ContainerBuilder().withName("kafka").withImage("apache/kafka:3.9.0")
                        .withPorts(new ContainerPortBuilder().withName("broker").withContainerPort(9092).build()).build())
                .endSpec().endTemplate()
                .withVolumeClaimTemplates(new PersistentVolumeClaimBuilder()
                        .withMetadata(new ObjectMetaBuilder().withName("data").build())
                        .withNewSpec().withAccessModes("ReadWriteOnce")
                        .withNewResources().withRequests(Map.of("storage", new Quantity("10Gi"))).endResources()
                        .endSpec().build())
                .endSpec().build();
    }

    /** CPU seconds used so far by this JVM ("test JVM") and by every control-plane process, the peer included. */
    private static Map<String, Double> cpuNow() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("test JVM", ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9);
        out.putAll(ControlPlaneUsage.of(kube()).cpuSeconds());
        return out;
    }

    private static long awaitQuiet() {
        return kube().auditLog().awaitQuiet(QUIET_MILLIS, 30_000).mark();
    }

    private static synchronized void writeReport() {
        Reports.write("peer.md", REPORT);
    }
}
