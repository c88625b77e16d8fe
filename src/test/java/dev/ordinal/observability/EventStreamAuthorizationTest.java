package dev.ordinal.observability;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.devcluster.AuditLog.Verb;
import dev.ordinal.testkube.ProjectControlPlaneOnly;
import dev.ordinal.testkube.HttpCallers;
import dev.ordinal.testkube.HttpCallers.Account;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Who may watch (issue 19), on the real API server: the operator authenticates each caller's ServiceAccount token
 * with a TokenReview and authorizes it with SubjectAccessReviews. Two ServiceAccounts with Roles in different
 * namespaces each see only their namespace's events; one without rights is refused its {@code ?namespace=} (403)
 * and sees nothing; no token and a bad token are answered 401 and reach no event; /q/metrics answers the scraper
 * role only; the health probes stay open; an API server that does not answer a review means 503, never "allowed".
 */
@QuarkusTest
@ProjectControlPlaneOnly("reads the API server's audit log and steers the fault proxy")
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class EventStreamAuthorizationTest {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The test's own client (an administrator), not the operator's. */
    @KubeResource.Inject
    KubernetesClient client;

    @KubeResource.Inject
    TestKube kube;

    @Inject
    OpsEventStream stream;

    @TestHTTPResource("/")
    URL root;

    @BeforeAll
    static void needsTheTestControlPlane() {
        Assumptions.assumeFalse(KubeResource.useDevServices(), "uses the test control plane's fault proxy and audit log");
    }

    @Test
    void eachServiceAccountSeesOnlyTheNamespacesItMayRead() throws Exception {
        String a = namespace("authz-a");
        String b = namespace("authz-b");
        String c = namespace("authz-c");
        Account alice = HttpCallers.serviceAccount(client, a, "alice");
        HttpCallers.mayReadOps(client, alice, a);
        Account bob = HttpCallers.serviceAccount(client, b, "bob");
        HttpCallers.mayReadOps(client, bob, b);
        Account carol = HttpCallers.serviceAccount(client, c, "carol");
        Account reader = HttpCallers.reader(client);

        List<OpsEventDto> seenByAlice = new CopyOnWriteArrayList<>();
        List<OpsEventDto> seenByAliceInA = new CopyOnWriteArrayList<>();
        List<OpsEventDto> seenByBob = new CopyOnWriteArrayList<>();
        List<OpsEventDto> seenByCarol = new CopyOnWriteArrayList<>();
        List<OpsEventDto> seenByReader = new CopyOnWriteArrayList<>();
        int before = stream.subscribers();
        try (SseReader r1 = SseReader.open(root, "", alice.authorization(), seenByAlice);
                SseReader r2 = SseReader.open(root, "namespace=" + a, alice.authorization(), seenByAliceInA);
                SseReader r3 = SseReader.open(root, "", bob.authorization(), seenByBob);
                SseReader r4 = SseReader.open(root, "", carol.authorization(), seenByCarol);
                SseReader r5 = SseReader.open(root, "", reader.authorization(), seenByReader)) {
            await().atMost(WAIT).until(() -> stream.subscribers() == before + 5);

            // Ops of clusters that do not exist fail at once: one PhaseChanged each. The all-seeing reader's stream is
            // in publish order, so waiting for each ops there orders them on every stream.
            for (String ns : List.of(a, b, a, b)) {
                createFailingOpsSeenBy(seenByReader, ns, "ops-" + NAMESPACES.incrementAndGet());
            }
            // Carol gets rights in her own namespace only now; an event there reaches her after every earlier one
            // was judged (each stream judges its events in order), so what she holds then is all she will get of them.
            HttpCallers.mayReadOps(client, carol, c);
            createFailingOpsSeenBy(seenByReader, c, "carols-own");
            String lastOfA = createFailingOpsSeenBy(seenByReader, a, "last-of-a");
            String lastOfB = createFailingOpsSeenBy(seenByReader, b, "last-of-b");
            await().atMost(WAIT).until(() -> names(seenByAlice).contains(lastOfA) && names(seenByAliceInA).contains(lastOfA)
                    && names(seenByBob).contains(lastOfB) && names(seenByCarol).contains("carols-own"));

            List<String> ofA = namesIn(seenByReader, a);
            List<String> ofB = namesIn(seenByReader, b);
            assertEquals(3, ofA.stream().distinct().count(), seenByReader.toString());
            assertEquals(ofA, names(seenByAlice), "alice (Role in " + a + "), every namespace asked: only " + a);
            assertEquals(ofA, names(seenByAliceInA), "alice, ?namespace=" + a);
            assertEquals(ofB, names(seenByBob), "bob (Role in " + b + "): only " + b);
            assertEquals(List.of("carols-own"), names(seenByCarol), "carol saw nothing of " + a + " or " + b);
            assertTrue(r1.status() == 200 && r4.status() == 200, "streams answered 200");
        }
        await().atMost(WAIT).until(() -> stream.subscribers() == before);

        // ?namespace= outside the caller's rights: 403, naming user, verbs, resource and namespace.
        for (var refused : List.of(new Object[] { alice, b }, new Object[] { bob, a }, new Object[] { carol, a })) {
            Account who = (Account) refused[0];
            given().header("Authorization", who.authorization()).queryParam("namespace", refused[1])
                    .when().get("/ordinal/ops/events").then().statusCode(403).contentType(containsString("text/plain"))
                    .body(equalTo("user \"" + who.user() + "\" may not get or watch opsrequests.operations.ordinal.dev in namespace \""
                            + refused[1] + "\" (SubjectAccessReview denied)\n"));
        }
        assertEquals(before, stream.subscribers(), "a refused request subscribes to nothing");
    }

    @Test
    void withoutAnAcceptedTokenNothingIsStreamed() {
        int before = stream.subscribers();
        given().queryParam("limit", 1).when().get("/ordinal/ops/events").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .body(allOf(containsString("needs a Kubernetes bearer token"), not(containsString("data:"))));
        given().header("Authorization", "Bearer not-a-token").when().get("/ordinal/ops/events").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .body(allOf(containsString("did not accept the bearer token (TokenReview)"), not(containsString("data:"))));
        given().header("Authorization", "Basic dXNlcjpwYXNz").when().get("/ordinal/ops/events").then().statusCode(401);
        // Bad input is not even looked at before the caller is known.
        given().queryParam("namespace", "Not_A_Namespace").when().get("/ordinal/ops/events").then().statusCode(401);
        given().when().get("/ordinal/anything-else").then().statusCode(401);
        for (String variant : List.of("//ordinal/ops/events", "/ordinal/./ops/events", "/%6frdinal/ops/events", "/x/../ordinal/ops/events")) {
            given().urlEncodingEnabled(false).when().get(variant).then().statusCode(anyOf(equalTo(401), equalTo(404)))
                    .body(not(containsString("data:")));
        }
        assertEquals(before, stream.subscribers(), "no stream was opened");
    }

    @Test
    void metricsAnswerTheScraperRoleOnly() {
        String ns = namespace("authz-metrics");
        Account scraper = HttpCallers.serviceAccount(client, ns, "prometheus");
        HttpCallers.mayScrapeMetrics(client, scraper);
        Account viewer = HttpCallers.serviceAccount(client, ns, "viewer");
        HttpCallers.mayReadOps(client, viewer, ns);

        given().header("Authorization", scraper.authorization()).when().get("/q/metrics").then().statusCode(200)
                .body(containsString("ordinal_ops_events_subscribers"));
        given().header("Authorization", viewer.authorization()).when().get("/q/metrics").then().statusCode(403)
                .body(equalTo("user \"" + viewer.user() + "\" may not get /q/metrics (SubjectAccessReview denied); a ClusterRole"
                        + " like ordinal-metrics-reader grants it (docs/metrics.md)\n"));
        given().when().get("/q/metrics").then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body(not(containsString("ordinal_")));
        given().header("Authorization", "Bearer not-a-token").when().get("/q/metrics").then().statusCode(401);
        // Path variants: guarded the same way, or not served at all.
        given().when().get("/q/metrics/").then().statusCode(401);
        given().when().get("/q//metrics").then().statusCode(anyOf(equalTo(401), equalTo(404))).body(not(containsString("ordinal_")));
        for (String variant : List.of("/q/./metrics", "//q/metrics", "/%71/metrics", "/q/%6detrics", "/q/metrics?x=1", "/q/metrics/x")) {
            given().urlEncodingEnabled(false).when().get(variant).then().statusCode(anyOf(equalTo(401), equalTo(404)))
                    .body(not(containsString("ordinal_")));
        }
        // A scraper may not read ops events.
        given().header("Authorization", scraper.authorization()).queryParam("namespace", ns).when().get("/ordinal/ops/events")
                .then().statusCode(403);
    }

    @Test
    void healthProbesStayOpen() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/health/started").then().statusCode(200);
        given().header("Authorization", "Bearer not-a-token").when().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void anApiServerThatDoesNotAnswerAReviewMeans503NeverAllowed() {
        String ns = namespace("authz-outage");
        Account scraper = HttpCallers.serviceAccount(client, ns, "prometheus");
        HttpCallers.mayScrapeMetrics(client, scraper);
        Account viewer = HttpCallers.serviceAccount(client, ns, "viewer");
        HttpCallers.mayReadOps(client, viewer, ns);

        // The TokenReview answered 503 by the API server (through the fault proxy in front of it): one try, no retry.
        KubeResource.proxy().failNext(Verb.CREATE, "tokenreviews", 1, 503);
        given().header("Authorization", scraper.authorization()).when().get("/q/metrics").then().statusCode(503)
                .body(allOf(containsString("did not answer the TokenReview"), not(containsString("ordinal_"))));
        // A failure is not remembered: the next request is reviewed again.
        given().header("Authorization", scraper.authorization()).when().get("/q/metrics").then().statusCode(200);

        // The SubjectAccessReview of a caller not asked about before answered 500.
        KubeResource.proxy().failNext(Verb.CREATE, "subjectaccessreviews", 1, 500);
        given().header("Authorization", viewer.authorization()).queryParam("namespace", ns).queryParam("limit", 1)
                .when().get("/ordinal/ops/events").then().statusCode(503)
                .body(containsString("did not answer the SubjectAccessReview"));
        assertEquals(0, KubeResource.proxy().pending(), "both faults were met");
    }

    /** A stream of many events costs one review per question and cache period, not one per event. */
    @Test
    void aStreamOfManyEventsAsksTheApiServerOncePerNamespace() {
        String ns = namespace("authz-cache");
        Account viewer = HttpCallers.serviceAccount(client, ns, "viewer");
        HttpCallers.mayReadOps(client, viewer, ns);
        int events = 12;
        AuditLog log = kube.auditLog();
        long reviewsBefore = reviews(log);
        List<OpsEventDto> seen = new CopyOnWriteArrayList<>();
        int subscribers = stream.subscribers();
        try (SseReader r = SseReader.open(root, "namespace=" + ns, viewer.authorization(), seen)) {
            await().atMost(WAIT).until(() -> stream.subscribers() == subscribers + 1);
            for (int i = 0; i < events; i++) {
                createFailingOps(ns, "many-" + i);
            }
            await().atMost(WAIT).untilAsserted(() -> assertEquals(events, names(seen).stream().distinct().count(), seen::toString));
        }
        long reviews = reviews(log.awaitQuiet(500, 10_000)) - reviewsBefore;
        assertTrue(reviews >= 2, "a TokenReview and a SubjectAccessReview at least: " + reviews);
        assertTrue(reviews < events, events + " events cost " + reviews + " reviews");
    }

    /** A stream lives as long as its token: once the API server no longer accepts it, the stream ends. */
    @Test
    void deletingTheServiceAccountEndsItsOpenStream() {
        String ns = namespace("authz-revoked");
        Account frank = HttpCallers.serviceAccount(client, ns, "frank");
        HttpCallers.mayReadOps(client, frank, ns);
        List<OpsEventDto> seen = new CopyOnWriteArrayList<>();
        int before = stream.subscribers();
        try (SseReader r = SseReader.open(root, "namespace=" + ns, frank.authorization(), seen)) {
            await().atMost(WAIT).until(() -> stream.subscribers() == before + 1);
            createFailingOps(ns, "before-deletion");
            await().atMost(WAIT).until(() -> names(seen).contains("before-deletion"));

            client.serviceAccounts().inNamespace(ns).withName("frank").delete();
            // Each event makes the stream look at its token again once the cached answer (10 s) has expired.
            AtomicInteger tick = new AtomicInteger();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                createFailingOps(ns, "tick-" + tick.incrementAndGet());
                return r.completed();
            });
        }
        await().atMost(WAIT).until(() -> stream.subscribers() == before);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static long reviews(AuditLog log) {
        var operator = log.snapshot().byUser(TestKube.OPERATOR_USER);
        return operator.count(Verb.CREATE, "tokenreviews") + operator.count(Verb.CREATE, "subjectaccessreviews");
    }

    private String namespace(String prefix) {
        String ns = prefix + "-" + NAMESPACES.incrementAndGet();
        TestKube.createNamespace(client, ns);
        return ns;
    }

    /** Creates an ops of a cluster that does not exist and waits until {@code seen} holds its (Failed) event. */
    private String createFailingOpsSeenBy(List<OpsEventDto> seen, String ns, String name) {
        createFailingOps(ns, name);
        await().atMost(WAIT).until(() -> seen.stream().anyMatch(e -> ns.equals(e.namespace()) && name.equals(e.opsRequest())));
        return name;
    }

    private void createFailingOps(String ns, String name) {
        OpsRequest ops = client.getKubernetesSerialization().unmarshal("""
                apiVersion: operations.ordinal.dev/v1alpha1
                kind: OpsRequest
                metadata: {name: %s, namespace: %s}
                spec:
                  clusterName: no-such-cluster
                  type: HorizontalScaling
                  horizontalScaling: [{componentName: broker, scaleOut: {replicaChanges: 1}}]
                """.formatted(name, ns), OpsRequest.class);
        client.resource(ops).create();
    }

    private static List<String> names(List<OpsEventDto> events) {
        return events.stream().map(OpsEventDto::opsRequest).toList();
    }

    private static List<String> namesIn(List<OpsEventDto> events, String ns) {
        return events.stream().filter(e -> ns.equals(e.namespace())).map(OpsEventDto::opsRequest).toList();
    }
}
