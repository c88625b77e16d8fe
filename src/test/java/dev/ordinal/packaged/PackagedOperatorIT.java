package dev.ordinal.packaged;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.ordinal.access.tls.TestCertificates;
import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.manifests.OperatorServiceAccount;
import dev.ordinal.manifests.RbacRules;
import dev.ordinal.testkube.HttpCallers;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.config.SSLConfig;

/**
 * The packaged operator (target/quarkus-app/quarkus-run.jar; the native executable with -Dnative), in the prod
 * profile, on a real control plane holding the CRDs from kubernetes/crds, running as the ServiceAccount ordinal
 * bound to kubernetes/rbac with leader election on ({@link PackagedApiServerResource}): it takes its Lease, becomes
 * ready, runs the example Kafka cluster and the seed scenario from kubernetes/examples exactly as a user applies
 * them, serves its metrics and its ops event stream only to callers Kubernetes authorizes (TokenReview,
 * SubjectAccessReview); the API server's RBAC authorizer refused none of its requests, and its audit log shows only
 * requests the installed RBAC grants. One boot for the whole class.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedApiServerResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RequiresControlPlane
class PackagedOperatorIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The namespace of the HTTP callers' ServiceAccounts. */
    private static final String CALLERS = "packaged-callers";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static KubernetesClient client;

    /** The test's own client, an administrator: its requests are not the operator's. Callers trust the Secret's CA. */
    @BeforeAll
    static void connect() {
        client = PackagedApiServerResource.kube().newAdminClient();
        RestAssured.config = RestAssured.config().sslConfig(SSLConfig.sslConfig().trustStore(TestCertificates.trustStore(PackagedApiServerResource.AUTHORITY.caCertificate())));
    }

    @AfterAll
    static void disconnect() {
        client.close();
    }

    @Test
    @Order(1)
    void becomesLiveAndReady() {
        await().atMost(WAIT).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/started").then().statusCode(200);
    }

    @Test
    @Order(2)
    void holdsTheLeaseInItsNamespace() {
        // Leader election as the Deployment runs it: Lease ordinal-leader in the operator's namespace, granted by
        // the Role in kubernetes/rbac (JOSDK checks it with a SelfSubjectRulesReview first).
        await().atMost(WAIT).untilAsserted(() -> {
            Lease lease = client.leases().inNamespace(OperatorServiceAccount.NAMESPACE).withName("ordinal-leader").get();
            assertEquals(PackagedApiServerResource.IDENTITY, lease == null ? null : lease.getSpec().getHolderIdentity());
        });
    }

    @Test
    @Order(3)
    void runsTheExampleClusterAndTheSeedScenario() throws Exception {
        client.resource(example("kafka-cluster.yaml", Cluster.class)).create();
        awaitClusterPhase("Running");
        assertEquals(6, client.pods().inNamespace("default").list().getItems().size());
        String claimUid = claim("data-kafka-broker-2").getMetadata().getUid();

        runToSucceed(example("ops/ops-offline-broker-2.yaml", OpsRequest.class));
        Cluster afterOffline = cluster();
        var broker = afterOffline.getSpec().componentSpecs.stream().filter(c -> c.name.equals("broker")).findFirst().orElseThrow();
        assertEquals(2, broker.replicas);
        assertEquals(List.of("kafka-broker-2"), broker.offlineInstances);
        await().atMost(WAIT).until(() -> client.pods().inNamespace("default").withName("kafka-broker-2").get() == null);

        runToSucceed(example("ops/ops-online-broker-2.yaml", OpsRequest.class));
        broker = cluster().getSpec().componentSpecs.stream().filter(c -> c.name.equals("broker")).findFirst().orElseThrow();
        assertEquals(3, broker.replicas);
        assertEquals(List.of(), broker.offlineInstances);
        awaitClusterPhase("Running");
        assertEquals(claimUid, claim("data-kafka-broker-2").getMetadata().getUid(), "broker 2 came back on its own claim");
    }

    @Test
    @Order(4)
    void servesPrometheusMetricsOfWhatItDidToTheScraperRoleOnly() {
        HttpCallers.Account scraper = HttpCallers.serviceAccount(client, CALLERS, "prometheus");
        HttpCallers.mayScrapeMetrics(client, scraper);
        given().header("Authorization", scraper.authorization()).get("/q/metrics").then().statusCode(200)
                .body(containsString("ordinal_ops_transitions"))
                .body(containsString("ordinal_ssa_writes"))
                .body(containsString("reconciliations_"));
        given().get("/q/metrics").then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body(not(containsString("ordinal_")));
        HttpCallers.Account outsider = HttpCallers.serviceAccount(client, CALLERS, "outsider");
        given().header("Authorization", outsider.authorization()).get("/q/metrics").then().statusCode(403)
                .body(containsString("may not get /q/metrics"));
    }

    /** The packaged jar does what EventStreamAuthorizationTest shows, as the ServiceAccount kubernetes/rbac binds. */
    @Test
    @Order(5)
    void streamsOpsEventsOnlyToCallersKubernetesAuthorizes() throws Exception {
        HttpCallers.Account watcher = HttpCallers.serviceAccount(client, CALLERS, "watcher");
        HttpCallers.mayReadOps(client, watcher, "default");
        HttpCallers.Account outsider = HttpCallers.serviceAccount(client, CALLERS, "outsider");
        given().get("/ordinal/ops/events").then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .body(not(containsString("data:")));
        given().header("Authorization", "Bearer not-a-token").get("/ordinal/ops/events").then().statusCode(401);
        given().header("Authorization", outsider.authorization()).queryParam("namespace", "default").get("/ordinal/ops/events")
                .then().statusCode(403).body(containsString("user \"" + outsider.user()
                        + "\" may not get or watch opsrequests.operations.ordinal.dev in namespace \"default\""));
        given().header("Authorization", watcher.authorization()).queryParam("namespace", CALLERS).get("/ordinal/ops/events")
                .then().statusCode(403);

        // The watcher's stream of its namespace: the first event of a dry run created there.
        String scrape = HttpCallers.reader(client).authorization();
        double subscribers = subscribers(scrape);
        CompletableFuture<String> stream = CompletableFuture.supplyAsync(() -> given()
                .header("Authorization", watcher.authorization()).queryParam("namespace", "default").queryParam("limit", 1)
                .get("/ordinal/ops/events").then().statusCode(200).extract().asString());
        await().atMost(WAIT).until(() -> subscribers(scrape) > subscribers);
        OpsRequest dryRun = example("ops/ops-offline-broker-2.yaml", OpsRequest.class);
        dryRun.getMetadata().setName("watched-dry-run");
        dryRun.getSpec().dryRun = true;
        client.resource(dryRun).create();
        String events = stream.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(events.contains("\"namespace\":\"default\"") && events.contains("\"opsRequest\":\"watched-dry-run\""), events);
    }

    private static double subscribers(String authorization) {
        String metrics = given().header("Authorization", authorization).get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("ordinal_ops_events_subscribers ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
                .findFirst().orElseThrow();
    }

    /**
     * HTTPS only (docs/install.md "TLS"): a scraper that trusts the CA it was given verifies the certificate of the
     * Secret and reads metrics; plain HTTP gets nothing; a renewed Secret (another CA here, so that a client of the
     * old one can tell) is served from the next handshake on, without a restart.
     */
    @Test
    @Order(6)
    void servesHttpsOnlyWithTheCertificateOfTheSecretAndPicksUpItsRenewal() throws Exception {
        assertEquals("https", URI.create(RestAssured.baseURI).getScheme(), "the operator listens with TLS only: " + RestAssured.baseURI);
        HttpCallers.Account scraper = HttpCallers.serviceAccount(client, CALLERS, "prometheus");
        HttpCallers.mayScrapeMetrics(client, scraper);
        URI metrics = URI.create("https://localhost:" + RestAssured.port + "/q/metrics");
        HttpRequest scrape = HttpRequest.newBuilder(metrics).header("Authorization", scraper.authorization()).build();

        HttpClient verifying = client(PackagedApiServerResource.AUTHORITY);
        HttpResponse<String> answer = verifying.send(scrape, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode());
        assertTrue(answer.body().contains("ordinal_ops_transitions"));
        X509Certificate served = (X509Certificate) answer.sslSession().orElseThrow().getPeerCertificates()[0];
        assertEquals(List.of(List.of(2, "localhost")), List.copyOf(served.getSubjectAlternativeNames()), "the Secret's certificate");

        // Plain HTTP on the same port: no metrics (the TLS port does not speak it), and no plain port was opened.
        HttpRequest plain = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/q/metrics"))
                .header("Authorization", scraper.authorization()).timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> refused = HttpClient.newHttpClient().send(plain, HttpResponse.BodyHandlers.ofString());
            assertTrue(refused.statusCode() >= 400 && !refused.body().contains("ordinal_"), "plain HTTP answered " + refused.statusCode());
        } catch (java.io.IOException expected) {
            // the TLS port closed the connection
        }

        // cert-manager renews the Secret: another key, from another CA
        TestCertificates renewedCa = TestCertificates.authority("packaged-it-ca-2");
        client.secrets().inNamespace(OperatorServiceAccount.NAMESPACE)
                .resource(PackagedApiServerResource.tlsSecret(renewedCa, renewedCa.issue("localhost"))).serverSideApply();
        HttpClient renewed = client(renewedCa);
        await().atMost(WAIT).ignoreExceptions().until(() -> renewed.send(scrape, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        assertThrows(javax.net.ssl.SSLHandshakeException.class, () -> client(PackagedApiServerResource.AUTHORITY).send(scrape,
                HttpResponse.BodyHandlers.ofString()), "the old certificate is no longer served");

        // and back to a certificate of the first CA, which the other tests' callers trust
        client.secrets().inNamespace(OperatorServiceAccount.NAMESPACE).resource(
                PackagedApiServerResource.tlsSecret(PackagedApiServerResource.AUTHORITY, PackagedApiServerResource.AUTHORITY.issue("localhost")))
                .serverSideApply();
        await().atMost(WAIT).ignoreExceptions().until(() -> verifying.send(scrape, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        given().get("/q/health/live").then().statusCode(200);
    }

    /**
     * A token revoked while its stream is open ends the stream within {@code ordinal.http.auth.stream-recheck +
     * cache-ttl} of the API server refusing it (docs/metrics.md "Who may watch"), with no event needed: the
     * ServiceAccount is deleted, and the API server refuses its tokens once its own token cache lets go (up to 10 s,
     * kube-apiserver's success cache), which the test watches with TokenReviews of its own.
     */
    @Test
    @Order(7)
    void aRevokedTokensOpenStreamEndsWithinTheDocumentedBound() throws Exception {
        HttpCallers.Account watcher = HttpCallers.serviceAccount(client, CALLERS, "revoked-watcher");
        HttpCallers.mayReadOps(client, watcher, "default");
        String scrape = HttpCallers.reader(client).authorization();
        double subscribers = subscribers(scrape);
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + RestAssured.port + "/ordinal/ops/events?namespace=default"))
                .header("Authorization", watcher.authorization()).build();
        CompletableFuture<HttpResponse<Void>> stream = client(PackagedApiServerResource.AUTHORITY).sendAsync(request,
                HttpResponse.BodyHandlers.discarding());
        await().atMost(WAIT).until(() -> subscribers(scrape) > subscribers);
        assertFalse(stream.isDone(), "the stream is open");

        client.serviceAccounts().inNamespace(CALLERS).withName(watcher.name()).delete();
        String token = watcher.authorization().substring("Bearer ".length());
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> client.authentication().v1().tokenReviews()
                .create(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build()).getStatus().getAuthenticated() != Boolean.TRUE);
        long refused = System.nanoTime();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> stream.isDone() || subscribers(scrape) <= subscribers);
        Duration took = Duration.ofNanos(System.nanoTime() - refused);
        assertEquals(200, stream.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode(), "the response ended, with no event sent");
        Duration bound = Duration.ofSeconds(PackagedApiServerResource.STREAM_RECHECK_SECONDS + PackagedApiServerResource.CACHE_TTL_SECONDS);
        // the bound, plus two seconds for the checks' own round trips on a loaded machine
        assertTrue(took.compareTo(bound.plusSeconds(2)) <= 0, "the stream ended " + took + " after the API server refused the token, bound " + bound);
    }

    @Test
    @Order(8)
    void sentOnlyRequestsTheInstalledRbacGrants() {
        // Still running: JOSDK exits the process when it cannot renew its Lease.
        given().get("/q/health/live").then().statusCode(200);
        // Every request of the ServiceAccount's user is the packaged operator's: the test and the kubelet simulator
        // use identities of their own.
        AuditLog.Snapshot operator = PackagedApiServerResource.kube().auditLog().awaitQuiet(500, 10_000).snapshot()
                .byUser(OperatorServiceAccount.USER);
        assertEquals(List.of(), operator.where(e -> e.code() == 403).entries(),
                "the API server refused requests of the packaged operator");
        // The prod profile installs no CRDs (users apply kubernetes/crds): not even a read of them.
        assertEquals(List.of(), operator.where(e -> e.resource().startsWith("customresourcedefinitions")).entries(),
                "requests on CustomResourceDefinitions");
        Set<String> used = RbacRules.used(operator);
        // Leader election: the Lease read, created, and renewed (fabric8's LeaseLock renews with a JSON merge patch).
        // Its HTTP callers: tokens reviewed, rights asked.
        assertTrue(used.containsAll(Set.of("workloads.ordinal.dev/instancesets create",
                "coordination.k8s.io/leases get", "coordination.k8s.io/leases create", "coordination.k8s.io/leases patch",
                "authentication.k8s.io/tokenreviews create", "authorization.k8s.io/subjectaccessreviews create",
                "/secrets get", "/secrets watch")),
                "traffic seen: " + used);
        assertEquals(Set.of(), RbacRules.notGranted(used), "requests kubernetes/rbac does not grant");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** An HTTP client that trusts {@code ca} only, and checks the host name. */
    private static HttpClient client(TestCertificates ca) {
        return HttpClient.newBuilder().sslContext(TestCertificates.trusting(ca.caCertificate())).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T example(String file, Class<T> type) throws Exception {
        JsonNode doc = YAML.readTree(Path.of("kubernetes", "examples").resolve(file).toFile());
        T resource = dev.ordinal.testkube.NoKafka.withoutScaleInGuard(client.getKubernetesSerialization().convertValue(doc, type));
        if (resource instanceof OpsRequest ops) {
            // the Cluster cache of the packaged operator may lag the Running phase just read here
            ops.getSpec().preConditionDeadlineSeconds = 30;
        }
        return resource;
    }

    private static Cluster cluster() {
        return client.resources(Cluster.class).inNamespace("default").withName("kafka").get();
    }

    private static PersistentVolumeClaim claim(String name) {
        return client.persistentVolumeClaims().inNamespace("default").withName(name).get();
    }

    private static void awaitClusterPhase(String phase) {
        await().atMost(WAIT).untilAsserted(() -> {
            Cluster c = cluster();
            assertEquals(phase, c == null || c.getStatus() == null ? null : c.getStatus().phase);
        });
    }

    private static void runToSucceed(OpsRequest ops) {
        client.resource(ops).create();
        await().atMost(WAIT).untilAsserted(() -> {
            OpsRequest o = client.resources(OpsRequest.class).inNamespace("default").withName(ops.getMetadata().getName()).get();
            assertEquals("Succeed", o.getStatus() == null ? null : o.getStatus().phase,
                    () -> client.getKubernetesSerialization().asJson(o.getStatus()));
        });
    }
}
