package dev.ordinal.observability;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.devcluster.AuditLog.Verb;
import dev.ordinal.testkube.ProjectControlPlaneOnly;
import dev.ordinal.testkube.HttpCallers;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The observability endpoints against the running operator: the ops event stream while real OpsRequests run, the
 * meters they leave in /q/metrics, the health checks, and the monitoring files that depend on those names.
 * Shares the application (and the real control plane) of the other scenario tests; each test uses its own
 * namespace.
 */
@QuarkusTest
@ProjectControlPlaneOnly("reads the API server's audit log and steers the fault proxy")
@QuarkusTestResource(KubeResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RequiresControlPlane
class ObservabilityEndpointsTest {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where the /q/metrics text taken in the middle of a scaling ops is kept (quoted in docs/metrics.md). */
    static final Path METRICS_DURING_OPS = Path.of("target", "metrics-during-scaling-ops.txt");
    /** The events the story's client received, as the stream sent them (quoted in docs/metrics.md). */
    static final Path EVENTS_DURING_OPS = Path.of("target", "ops-events-during-scaling.txt");

    /** Set by the scaling story (run first); the meter checks need its series and run it if it has not run. */
    private static volatile boolean scalingStoryRan;

    /** The test's own client (an administrator), not the operator's. */
    @KubeResource.Inject
    KubernetesClient client;

    @Inject
    OpsEventStream stream;

    @TestHTTPResource("/")
    URL root;

    @BeforeAll
    static void needsTheTestControlPlane() {
        Assumptions.assumeFalse(KubeResource.useDevServices(),
                "uses the test control plane's fault proxy and kubelet simulator");
    }

    // ---- The story: a cluster scales in and out while a client watches the stream ---------------------------

    @Test
    @Order(1)
    void aClientWatchesTwoScalingOpsRunAndTheMetersCountThem() throws Exception {
        String ns = namespace("obs-story");
        createFromExample(Path.of("kubernetes/examples/kafka-cluster.yaml"), ns);
        awaitClusterPhase(ns, "kafka", "Running");
        PrometheusText before = metrics();

        List<OpsEventDto> events = new CopyOnWriteArrayList<>();
        try (SseReader reader = SseReader.open(root, "namespace=" + ns + "&cluster=kafka", reader().authorization(), events)) {
            await().atMost(WAIT).until(() -> stream.subscribers() >= 1);

            // 1. Take broker 2 offline; the first Cluster apply is answered 409 and retried.
            KubeResource.proxy().conflictNext(Verb.APPLY, "clusters", 1);
            createFromExample(Path.of("kubernetes/examples/ops/ops-offline-broker-2.yaml"), ns);
            awaitEvent(events, "kafka-offline-broker-2", OpsEventDto.PHASE_CHANGED, "Succeed");

            // 2. Bring it back, holding the pod un-Ready so the ops is caught mid-way.
            KubeResource.kube().kubelet().neverReady("kafka-broker-2");
            try {
                createFromExample(Path.of("kubernetes/examples/ops/ops-online-broker-2.yaml"), ns);
                await().atMost(WAIT).untilAsserted(() -> assertTrue(events.stream().anyMatch(e -> "kafka-online-broker-2".equals(e.opsRequest())
                        && "Pod/kafka-broker-2".equals(e.objectKey()) && "Processing".equals(e.status())),
                        () -> "events: " + events + "\nops: " + client.getKubernetesSerialization().asJson(
                                client.resources(OpsRequest.class).inNamespace(ns).withName("kafka-online-broker-2").get())
                                + "\npods: " + client.pods().inNamespace(ns).list().getItems().stream()
                                        .map(p -> p.getMetadata().getName() + " " + p.getStatus()).toList()));
                await().atMost(WAIT).until(() -> metrics().sum("ordinal_pods_pending_readiness",
                        Map.of("namespace", ns, "cluster", "kafka", "component", "broker")) == 1.0);
                PrometheusText during = metrics();
                Files.createDirectories(METRICS_DURING_OPS.getParent());
                Files.writeString(METRICS_DURING_OPS, during.text());
                assertEquals(2.0, during.sum("ordinal_ops_transitions_total", Map.of("namespace", ns, "phase", "Running",
                        "cluster", "kafka", "type", "HorizontalScaling")),
                        "both ops entered Running once:\n" + during.lines("ordinal_ops_transitions_total", Map.of("namespace", ns)));
            } finally {
                KubeResource.kube().kubelet().healthy("kafka-broker-2");
            }
            awaitEvent(events, "kafka-online-broker-2", OpsEventDto.PHASE_CHANGED, "Succeed");
        }
        await().atMost(WAIT).until(() -> stream.subscribers() == 0);

        // The stream: only this namespace and cluster; each ops Creating → Running → Succeed; every pod step.
        for (OpsEventDto e : events) {
            assertEquals(ns, e.namespace(), e.toString());
            assertEquals("kafka", e.cluster(), e.toString());
            assertEquals("HorizontalScaling", e.type(), e.toString());
        }
        assertEquals(List.of("Creating", "Running", "Succeed"), startedPhases(events, "kafka-offline-broker-2"));
        assertEquals(List.of("Creating", "Running", "Succeed"), startedPhases(events, "kafka-online-broker-2"));
        assertEquals("Succeed", steps(events, "kafka-offline-broker-2").get(steps(events, "kafka-offline-broker-2").size() - 1));
        assertEquals(List.of("Processing", "Succeed"), steps(events, "kafka-online-broker-2").stream()
                .filter(s -> !"Pending".equals(s)).toList());
        OpsEventDto end = events.stream().filter(e -> "kafka-online-broker-2".equals(e.opsRequest()) && "Succeed".equals(e.phase())
                && OpsEventDto.PHASE_CHANGED.equals(e.kind())).findFirst().orElseThrow();
        assertEquals("Running", end.previousPhase());
        assertEquals("1/1", end.progress());

        // The meters: this namespace's series are exact; the cluster-write counters are global, so compare deltas.
        PrometheusText after = metrics();
        Map<String, String> here = Map.of("namespace", ns, "cluster", "kafka", "type", "HorizontalScaling");
        assertEquals(2.0, after.sum("ordinal_ops_transitions_total", with(here, "phase", "Succeed")));
        assertEquals(2.0, after.sum("ordinal_ops_transitions_total", with(here, "phase", "Creating")));
        assertEquals(2.0, after.sum("ordinal_ops_duration_seconds_count", with(here, "phase", "Succeed")));
        assertEquals(2.0, after.sum("ordinal_ops_queue_wait_seconds_count", Map.of("namespace", ns, "cluster", "kafka")));
        assertTrue(after.sum("ordinal_scaling_decisions_total", here) >= 2.0, after.lines("ordinal_scaling_decisions_total", here));
        assertEquals(0.0, after.sum("ordinal_pods_pending_readiness", Map.of("namespace", ns, "component", "broker")));
        Map<String, String> clusters = Map.of("resource", "clusters");
        assertEquals(1.0, delta(before, after, "ordinal_ssa_conflicts_retried_total", clusters));
        assertEquals(1.0, delta(before, after, "ordinal_ssa_writes_total", with(clusters, "result", "conflict")));
        assertEquals(2.0, delta(before, after, "ordinal_ssa_writes_total", with(clusters, "result", "ok")));
        assertEquals(0.0, delta(before, after, "ordinal_ssa_writes_total", with(clusters, "result", "error")));
        assertTrue(delta(before, after, "ordinal_ssa_writes_total", Map.of("resource", "instancesets", "result", "ok")) >= 2.0,
                "the broker InstanceSet was applied once per ops");
        assertTrue(after.sum("ordinal_ops_events_published_total", Map.of()) >= events.size());
        StringBuilder lines = new StringBuilder();
        for (OpsEventDto e : events) {
            lines.append("data:").append(JSON.writeValueAsString(e)).append("\n\n");
        }
        Files.writeString(EVENTS_DURING_OPS, lines);
        scalingStoryRan = true;
    }

    // ---- The stream over plain HTTP (rest-assured): filters, limit, bad input --------------------------------

    @Test
    void theStreamSendsOnlyMatchingEventsAndClosesAfterLimit() throws Exception {
        String a = namespace("obs-filter");
        String b = namespace("obs-filter");
        int subscribersBefore = stream.subscribers();
        String authorization = reader().authorization();
        CompletableFuture<Response> response = CompletableFuture.supplyAsync(() -> given().header("Authorization", authorization)
                .queryParam("namespace", b).queryParam("cluster", "c1").queryParam("limit", 1)
                .when().get("/ordinal/ops/events").andReturn());
        await().atMost(WAIT).until(() -> stream.subscribers() > subscribersBefore);

        // Ops for clusters that do not exist fail at once: one PhaseChanged each, in namespace/cluster a/c1, b/c2, b/c1.
        createOps(a, "wrong-namespace", "c1");
        awaitOpsPhase(a, "wrong-namespace", "Failed");
        createOps(b, "wrong-cluster", "c2");
        awaitOpsPhase(b, "wrong-cluster", "Failed");
        createOps(b, "the-one", "c1");

        Response r = response.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        r.then().statusCode(200).contentType(startsWith("text/event-stream"));
        List<OpsEventDto> got = parse(r.asString());
        assertEquals(1, got.size(), r.asString());
        assertEquals("the-one", got.get(0).opsRequest());
        assertEquals(OpsEventDto.PHASE_CHANGED, got.get(0).kind());
        assertEquals("Failed", got.get(0).phase());
        assertTrue(got.get(0).message().contains("c1"), got.get(0).message());
    }

    @Test
    void badQueryParametersAreRejectedWithAReadableMessage() {
        String authorization = reader().authorization();
        given().header("Authorization", authorization).queryParam("namespace", "Not_A_Namespace").when().get("/ordinal/ops/events")
                .then().statusCode(400).body(containsString("namespace: \"Not_A_Namespace\" is not a Kubernetes namespace name"));
        given().header("Authorization", authorization).queryParam("cluster", "UPPER").when().get("/ordinal/ops/events")
                .then().statusCode(400).body(containsString("cluster: \"UPPER\""));
        given().header("Authorization", authorization).queryParam("limit", -1).when().get("/ordinal/ops/events")
                .then().statusCode(400).body(containsString("limit: \"-1\" must be 0 (no limit) or a positive number"));
        given().header("Authorization", authorization).queryParam("limit", "many").when().get("/ordinal/ops/events")
                .then().statusCode(400).body(containsString("limit: \"many\""));
    }

    // ---- Health ----------------------------------------------------------------------------------------------

    @Test
    void livenessAndReadinessReportOrdinalsChecks() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems(OperatorLiveness.NAME))
                .body("checks.find { it.name == '" + OperatorLiveness.NAME + "' }.data.opsrequest", equalTo("event loop running"));
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems(ApiServerReadiness.NAME, InformersReadiness.NAME))
                .body("checks.find { it.name == '" + InformersReadiness.NAME + "' }.data.cluster", equalTo("synced"))
                .body("checks.find { it.name == '" + ApiServerReadiness.NAME + "' }.data.status", equalTo(200));
        given().when().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
    }

    // ---- Metrics, their documentation, and the dashboard -----------------------------------------------------

    @Test
    void everyOrdinalMeterIsDocumentedAndEveryDocumentedMeterIsExposed() throws Exception {
        ensureScalingStoryRan();
        List<String> documented = MonitoringFiles.documentedMetricNames(Files.readString(Path.of("docs/metrics.md")));
        var exposed = metrics().seriesNames();
        assertTrue(documented.size() >= 10, "docs/metrics.md lists metric names in backticks in its tables: " + documented);
        for (String name : documented) {
            if (name.startsWith("ordinal_")) {
                assertTrue(exposed.contains(name) || exposed.contains(name + "_count"), name + " is documented but not in /q/metrics");
            }
        }
        for (String series : exposed) {
            if (series.startsWith("ordinal_") || series.startsWith("reconciliations_")) {
                assertTrue(MonitoringFiles.isDocumented(series, documented), series + " is in /q/metrics but not in docs/metrics.md");
            }
        }
        // The header Prometheus sends, then the classic text format on its own.
        given().header("Authorization", reader().authorization())
                .accept("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1").when().get("/q/metrics").then().statusCode(200)
                .body(containsString("# TYPE ordinal_ops_transitions"), containsString("ordinal_ops_transitions_total{"));
        given().header("Authorization", reader().authorization()).accept("text/plain").when().get("/q/metrics")
                .then().statusCode(200).contentType(startsWith("text/plain"))
                .body(containsString("ordinal_ops_transitions_total{"), containsString("ordinal_pods_pending_readiness{"));
    }

    @Test
    void theDashboardQueriesOnlyMetricsThatExist() throws Exception {
        ensureScalingStoryRan();
        List<String> queried = MonitoringFiles.dashboardMetricNames(Path.of("kubernetes/monitoring/ordinal-dashboard.json"));
        assertTrue(queried.size() >= 8, "the dashboard queries Ordinal's meters: " + queried);
        var exposed = metrics().seriesNames();
        List<String> missing = queried.stream().filter(n -> !exposed.contains(n)).toList();
        assertEquals(List.of(), missing, "queried by the dashboard but absent from /q/metrics");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** A caller allowed to read every namespace's ops events and to scrape /q/metrics. */
    private HttpCallers.Account reader() {
        return HttpCallers.reader(client);
    }

    private void ensureScalingStoryRan() throws Exception {
        if (!scalingStoryRan) {
            aClientWatchesTwoScalingOpsRunAndTheMetersCountThem();
        }
    }

    private PrometheusText metrics() {
        return new PrometheusText(given().header("Authorization", reader().authorization()).when().get("/q/metrics")
                .then().statusCode(200).extract().asString());
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, Map<String, String> labels) {
        return after.sum(name, labels) - before.sum(name, labels);
    }

    private static Map<String, String> with(Map<String, String> labels, String key, String value) {
        var out = new java.util.HashMap<>(labels);
        out.put(key, value);
        return out;
    }

    /** A new namespace of this test's own on the API server. */
    private String namespace(String prefix) {
        String ns = prefix + "-" + NAMESPACES.incrementAndGet();
        dev.ordinal.testkube.TestKube.createNamespace(client, ns);
        return ns;
    }

    private void createFromExample(Path file, String ns) throws IOException {
        try (var in = Files.newInputStream(file)) {
            for (HasMetadata item : client.load(in).items()) {
                item.getMetadata().setNamespace(ns);
                // The online ops is created the moment the offline one reports Succeed, with the default
                // preConditionDeadlineSeconds 0: it fails (PreConditionFailed, "cluster kafka is Updating") if an ops
                // ever ends on a stale, pre-apply view of the Cluster. That happened before the ops controller fed its
                // own apply into the clusters cache.
                client.resource(dev.ordinal.testkube.NoKafka.withoutScaleInGuard(item)).create();
            }
        }
    }

    private void createOps(String ns, String name, String cluster) {
        OpsRequest ops = client.getKubernetesSerialization().unmarshal("""
                apiVersion: operations.ordinal.dev/v1alpha1
                kind: OpsRequest
                metadata: {name: %s, namespace: %s}
                spec:
                  clusterName: %s
                  type: HorizontalScaling
                  horizontalScaling: [{componentName: broker, scaleOut: {replicaChanges: 1}}]
                """.formatted(name, ns, cluster), OpsRequest.class);
        client.resource(ops).create();
    }

    private void awaitOpsPhase(String ns, String name, String phase) {
        await().atMost(WAIT).until(() -> {
            OpsRequest o = client.resources(OpsRequest.class).inNamespace(ns).withName(name).get();
            return o != null && o.getStatus() != null && phase.equals(o.getStatus().phase);
        });
    }

    private void awaitClusterPhase(String ns, String name, String phase) {
        await().atMost(WAIT).until(() -> {
            Cluster c = client.resources(Cluster.class).inNamespace(ns).withName(name).get();
            return c != null && c.getStatus() != null && phase.equals(c.getStatus().phase);
        });
    }

    private static void awaitEvent(List<OpsEventDto> events, String ops, String kind, String phase) {
        await().atMost(WAIT).until(() -> events.stream()
                .anyMatch(e -> ops.equals(e.opsRequest()) && kind.equals(e.kind()) && phase.equals(e.phase())));
    }

    /** The phases an ops entered, after an optional first Pending (it may wait for the Cluster to settle). */
    private static List<String> startedPhases(List<OpsEventDto> events, String ops) {
        List<String> phases = events.stream().filter(e -> ops.equals(e.opsRequest()) && OpsEventDto.PHASE_CHANGED.equals(e.kind()))
                .map(OpsEventDto::phase).toList();
        return !phases.isEmpty() && "Pending".equals(phases.get(0)) ? phases.subList(1, phases.size()) : phases;
    }

    private static List<String> steps(List<OpsEventDto> events, String ops) {
        return events.stream().filter(e -> ops.equals(e.opsRequest()) && OpsEventDto.PROGRESS_STEP.equals(e.kind()))
                .map(OpsEventDto::status).toList();
    }

    static List<OpsEventDto> parse(String sse) throws IOException {
        List<OpsEventDto> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data:")) {
                out.add(JSON.readValue(line.substring(5).trim(), OpsEventDto.class));
            }
        }
        return out;
    }
}
