package dev.ordinal.manifests;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec.TerminationPolicy;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.testkube.ProjectControlPlaneOnly;
import dev.ordinal.testkube.HttpCallers;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The committed RBAC (kubernetes/rbac) is exactly what the operator uses, proven by the real API server's RBAC
 * authorizer: the operator runs as the ServiceAccount ordinal bound to kubernetes/rbac ({@link RbacKubeResource}).
 * It runs the example Kafka cluster and the seed OpsRequests (broker 2 offline, then back), a dry run that expires
 * by TTL, a cluster whose DoNotTerminate policy refuses deletion until changed, and the Kafka cluster is deleted
 * with WipeOut; a scraper reads /q/metrics and is refused the ops events of the namespace, which the operator
 * decides with a TokenReview and SubjectAccessReviews. No request of the ServiceAccount may have been refused
 * (403); every request it made (the audit log's entries of its user) must be granted, and every grant must have
 * been used, apart from {@link #GRANTED_BUT_NOT_SEEN_HERE}.
 */
@QuarkusTest
@ProjectControlPlaneOnly("runs the operator as its ServiceAccount (a client certificate of the project's CA) and reads the audit log")
@QuarkusTestResource(value = RbacKubeResource.class, restrictToAnnotatedClass = true)
@RequiresControlPlane
class RbacTest {
    private static final String NS = "rbac-seed";
    private static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * Grants no request of this run can show. Leases: QOSDK activates leader election in the prod profile only
     * (quarkus.operator-sdk.activate-leader-election-for-profiles), so the test-profile operator never touches its
     * Lease; PackagedOperatorIT runs the prod jar with leader election on and sees get, create and patch used
     * (fabric8's LeaseLock renews with a merge patch), and no request refused. Lease update is used by no request:
     * JOSDK requires it (with get and create) in the SelfSubjectRulesReview it asks before it starts. Finalizers
     * subresources: the OwnerReferencesPermissionEnforcement admission plugin (off by default, and off on this API
     * server) asks the authorizer for them inside the request that sets an owner reference blocking owner
     * deletion; that check is no request of its own, so no audit log shows it. Secrets: the test profile serves plain
 * HTTP; PackagedOperatorIT names the Secret ordinal-tls and sees the one Secret read and watched. (The ClusterRole's
     * get on Secrets, for the Kafka client Secret of a TLS/SASL scale-in guard, is used by the story below.)
     */
    static final Set<String> GRANTED_BUT_NOT_SEEN_HERE = Set.of(
            "coordination.k8s.io/leases get", "coordination.k8s.io/leases create", "coordination.k8s.io/leases update",
            "coordination.k8s.io/leases patch",
            "apps.ordinal.dev/clusters/finalizers update", "workloads.ordinal.dev/instancesets/finalizers update",
            "/secrets list", "/secrets watch");

    @Test
    void theOperatorUsesExactlyTheGrantedVerbs() throws IOException {
        TestKube kube = TestKube.shared("quarkus");
        try (KubernetesClient driver = kube.newAdminClient()) {
            runTheStory(driver);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("the story did not complete; requests of the operator the API server refused: "
                    + operatorRequests(kube).where(r -> r.code() == 403).entries(), e);
        }

        AuditLog.Snapshot operator = operatorRequests(kube);
        assertTrue(operator.total() > 0, "no request of " + OperatorServiceAccount.USER + " in the audit log");
        assertEquals(List.of(), operator.where(e -> e.code() == 403).entries(), "the API server refused requests of the operator");

        Set<String> used = RbacRules.used(operator);
        assertTrue(used.contains("workloads.ordinal.dev/instancesets create"), "traffic seen: " + used);
        assertEquals(Set.of(), RbacRules.notGranted(used), "the operator sent requests kubernetes/rbac does not grant");

        Set<String> unused = new TreeSet<>(RbacRules.granted());
        unused.removeAll(used);
        unused.removeAll(GRANTED_BUT_NOT_SEEN_HERE);
        assertEquals(Set.of(), unused, "kubernetes/rbac grants what the operator never used: drop it, or explain it in GRANTED_BUT_NOT_SEEN_HERE");
    }

    /**
     * Every request of the ServiceAccount so far: it is this application's operator only (the test's driver is an
     * administrator, the kubelet simulator a user of its own), so all its audit entries are the operator's.
     */
    private static AuditLog.Snapshot operatorRequests(TestKube kube) {
        return kube.auditLog().awaitQuiet(500, 10_000).snapshot().byUser(OperatorServiceAccount.USER);
    }

    private void runTheStory(KubernetesClient driver) {
        TestKube.createNamespace(driver, NS);

        Cluster cluster = load(Manifests.EXAMPLES.resolve("kafka-cluster.yaml"), Cluster.class, driver);
        cluster.getSpec().terminationPolicy = TerminationPolicy.WipeOut;
        driver.resource(cluster).create();
        awaitClusterPhase(driver, "Running");

        runToSucceed(driver, load(Manifests.EXAMPLES.resolve("ops/ops-offline-broker-2.yaml"), OpsRequest.class, driver));
        runToSucceed(driver, load(Manifests.EXAMPLES.resolve("ops/ops-online-broker-2.yaml"), OpsRequest.class, driver));
        callTheHttpPort(driver);

        // An ops the Cluster does not allow is refused only on what the API server holds: the operator reads the
        // Cluster once (get) before it fails the ops, in case its cache lags a change the user just made.
        OpsRequest invalid = load(Manifests.EXAMPLES.resolve("ops/ops-offline-broker-2.yaml"), OpsRequest.class, driver);
        invalid.getMetadata().setName("offline-a-broker-that-is-not-there");
        invalid.getSpec().horizontalScaling.get(0).scaleIn.onlineInstancesToOffline = List.of("kafka-broker-7");
        driver.resource(invalid).create();
        await().atMost(WAIT).until(() -> {
            OpsRequest o = driver.resources(OpsRequest.class).inNamespace(NS).withName(invalid.getMetadata().getName()).get();
            return o.getStatus() != null && "Failed".equals(o.getStatus().phase);
        });

        // A dry run that deletes itself one second after it ends (ttlSecondsAfterSucceed).
        OpsRequest dryRun = load(Manifests.EXAMPLES.resolve("ops/ops-offline-broker-2.yaml"), OpsRequest.class, driver);
        dryRun.getMetadata().setName("dry-run-with-ttl");
        dryRun.getSpec().dryRun = true;
        dryRun.getSpec().ttlSecondsAfterSucceed = 1;
        driver.resource(dryRun).create();
        await().atMost(WAIT).until(() -> driver.resources(OpsRequest.class).inNamespace(NS).withName("dry-run-with-ttl").get() == null);

        // A cluster that refuses deletion until its policy is changed.
        Cluster guarded = load(Manifests.EXAMPLES.resolve("kafka-cluster.yaml"), Cluster.class, driver);
        guarded.getMetadata().setName("guarded");
        guarded.getSpec().terminationPolicy = TerminationPolicy.DoNotTerminate;
        guarded.getSpec().componentSpecs.removeIf(c -> !c.name.equals("broker"));
        guarded.getSpec().componentSpecs.get(0).replicas = 1;
        driver.resource(guarded).create();
        await().atMost(WAIT).until(() -> phase(driver, "guarded").equals("Running"));
        driver.resources(Cluster.class).inNamespace(NS).withName("guarded").delete();
        await().atMost(WAIT).until(() -> {
            Cluster c = driver.resources(Cluster.class).inNamespace(NS).withName("guarded").get();
            return c.getStatus().conditions.stream().anyMatch(k -> k.type.equals("Terminating") && "DoNotTerminate".equals(k.reason));
        });
        driver.resources(Cluster.class).inNamespace(NS).withName("guarded").edit(c -> {
            c.getSpec().terminationPolicy = TerminationPolicy.Delete;
            return c;
        });
        await().atMost(WAIT).until(() -> driver.resources(Cluster.class).inNamespace(NS).withName("guarded").get() == null);

        // A guard over TLS: the operator reads the Kafka client Secret named by scaleInGuard.kafka.clientSecret with one get
        // (ClusterRole), then finds no Kafka there and the ops fails at its precondition deadline, naming the Secret.
        driver.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("kafka-client").withNamespace(NS)
                .endMetadata().addToStringData("security.protocol", "SSL").build()).create();
        Cluster tls = load(Manifests.EXAMPLES.resolve("kafka-cluster.yaml"), Cluster.class, driver);
        tls.getMetadata().setName("tlsguard");
        tls.getSpec().componentSpecs.removeIf(c -> !c.name.equals("broker"));
        tls.getSpec().componentSpecs.get(0).replicas = 2;
        tls.getSpec().componentSpecs.get(0).scaleInGuard = new dev.ordinal.api.cluster.ScaleInGuardSpec();
        tls.getSpec().componentSpecs.get(0).scaleInGuard.kafka = new dev.ordinal.api.cluster.ScaleInGuardSpec.KafkaScaleInGuard("127.0.0.1:1", 100);
        tls.getSpec().componentSpecs.get(0).scaleInGuard.kafka.clientSecret = "kafka-client";
        driver.resource(tls).create();
        await().atMost(WAIT).until(() -> phase(driver, "tlsguard").equals("Running"));
        OpsRequest offline = load(Manifests.EXAMPLES.resolve("ops/ops-offline-broker-2.yaml"), OpsRequest.class, driver);
        offline.getMetadata().setName("tls-offline");
        offline.getSpec().clusterName = "tlsguard";
        offline.getSpec().preConditionDeadlineSeconds = 2;
        offline.getSpec().horizontalScaling.get(0).scaleIn.onlineInstancesToOffline = List.of("tlsguard-broker-1");
        driver.resource(offline).create();
        await().atMost(WAIT).untilAsserted(() -> {
            OpsRequest o = driver.resources(OpsRequest.class).inNamespace(NS).withName("tls-offline").get();
            var failed = o.getStatus() == null ? null : dev.ordinal.controller.support.Conditions.find(o.getStatus().conditions, "Failed");
            assertEquals("ScaleInGuardUnavailable", failed == null ? null : failed.reason);
            assertTrue(failed.message.contains("Kafka at 127.0.0.1:1 (client settings from Secret " + NS + "/kafka-client) gave no answer"),
                    "the Secret was read: " + failed.message);
        });
        driver.resources(Cluster.class).inNamespace(NS).withName("tlsguard").delete();
        await().atMost(WAIT).until(() -> driver.resources(Cluster.class).inNamespace(NS).withName("tlsguard").get() == null);

        // Names taken by objects made by hand: a create answered "already exists" is followed by one get, to tell
        // the set's own object (a stale cache) from someone else's, and nothing is adopted.
        driver.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName("taken3-broker-headless")
                .withNamespace(NS).endMetadata().withNewSpec().addNewPort().withPort(9092).endPort().endSpec().build()).create();
        driver.resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder().withNewMetadata().withName("data-taken-broker-0")
                .withNamespace(NS).endMetadata().withNewSpec().withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endSpec().build()).create();
        driver.resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("taken2-broker-0").withNamespace(NS)
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build()).create();
        for (String name : List.of("taken", "taken2", "taken3")) {
            Cluster taken = load(Manifests.EXAMPLES.resolve("kafka-cluster.yaml"), Cluster.class, driver);
            taken.getMetadata().setName(name);
            taken.getSpec().componentSpecs.removeIf(c -> !c.name.equals("broker"));
            taken.getSpec().componentSpecs.get(0).replicas = 1;
            if (name.equals("taken2")) {
                taken.getSpec().componentSpecs.get(0).volumeClaimTemplates = new java.util.ArrayList<>();
                taken.getSpec().componentSpecs.get(0).template.getSpec().getContainers().forEach(c -> c.setVolumeMounts(new java.util.ArrayList<>()));
            }
            driver.resource(taken).create();
            await().atMost(WAIT).until(() -> {
                var set = driver.resources(dev.ordinal.api.instanceset.InstanceSet.class).inNamespace(NS).withName(name + "-broker").get();
                return set != null && set.getStatus() != null && set.getStatus().conditions.stream()
                        .anyMatch(k -> k.type.equals("Ready") && "NameTaken".equals(k.reason));
            });
            driver.resource(taken).delete();
        }
        await().atMost(WAIT).until(() -> driver.resources(Cluster.class).inNamespace(NS).list().getItems().stream()
                .noneMatch(c -> c.getMetadata().getName().startsWith("taken")));
        driver.pods().inNamespace(NS).withName("taken2-broker-0").delete();
        driver.services().inNamespace(NS).withName("taken3-broker-headless").delete();
        driver.persistentVolumeClaims().inNamespace(NS).withName("data-taken-broker-0").delete();

        driver.resources(Cluster.class).inNamespace(NS).withName("kafka").delete();
        // WipeOut: the operator deletes the claims too (they go once kube-controller-manager's claim-protection
        // controller sees no pod using them).
        await().atMost(WAIT).until(() -> driver.resources(Cluster.class).inNamespace(NS).withName("kafka").get() == null
                && claims(driver, "kafka").isEmpty()
                && driver.pods().inNamespace(NS).list().getItems().isEmpty());
        // "guarded" had terminationPolicy Delete: its claim stays, as the policy says
        List<PersistentVolumeClaim> kept = claims(driver, "guarded");
        assertEquals(1, kept.size());
        assertNull(kept.get(0).getMetadata().getDeletionTimestamp(), "the claim of \"guarded\" is not being deleted");

    }

    /**
     * A Prometheus-like caller: its token is reviewed (TokenReview), its right to /q/metrics and to the ops events of
     * {@value #NS} asked (SubjectAccessReview), by the operator as its ServiceAccount.
     */
    private static void callTheHttpPort(KubernetesClient driver) {
        HttpCallers.Account scraper = HttpCallers.serviceAccount(driver, NS, "scraper");
        HttpCallers.mayScrapeMetrics(driver, scraper);
        given().header("Authorization", scraper.authorization()).when().get("/q/metrics").then().statusCode(200);
        given().header("Authorization", scraper.authorization()).queryParam("namespace", NS).when().get("/ordinal/ops/events")
                .then().statusCode(403);
    }

    @Test
    void productionDoesNotInstallCrds() throws IOException {
        // Production installs the CRDs from kubernetes/crds, which is why RBAC grants nothing on
        // customresourcedefinitions (the test profile may apply them; RbacKubeResource turns that off).
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        assertTrue(properties.lines().anyMatch("quarkus.operator-sdk.crd.apply=false"::equals), "prod must keep crd.apply=false");
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T load(Path file, Class<T> type, KubernetesClient client) {
        T resource = dev.ordinal.testkube.NoKafka.withoutScaleInGuard(
                client.getKubernetesSerialization().convertValue(Manifests.documents(file).get(0), type));
        resource.getMetadata().setNamespace(NS);
        return resource;
    }

    private static List<PersistentVolumeClaim> claims(KubernetesClient driver, String cluster) {
        return driver.persistentVolumeClaims().inNamespace(NS).withLabel("app.kubernetes.io/instance", cluster).list().getItems();
    }

    private static String phase(KubernetesClient driver, String name) {
        Cluster c = driver.resources(Cluster.class).inNamespace(NS).withName(name).get();
        return c == null || c.getStatus() == null ? "" : String.valueOf(c.getStatus().phase);
    }

    private static void awaitClusterPhase(KubernetesClient driver, String phase) {
        await().atMost(WAIT).untilAsserted(() -> {
            Cluster c = driver.resources(Cluster.class).inNamespace(NS).withName("kafka").get();
            assertEquals(phase, c.getStatus() == null ? null : c.getStatus().phase);
        });
    }

    private static void runToSucceed(KubernetesClient driver, OpsRequest ops) {
        // The ops controller's Cluster cache may lag the Running phase the test just read; give the precondition
        // some slack instead of the example's 0 s (an immediate PreConditionFailed is not what this test is about).
        ops.getSpec().preConditionDeadlineSeconds = 30;
        driver.resource(ops).create();
        await().atMost(WAIT).untilAsserted(() -> {
            OpsRequest o = driver.resources(OpsRequest.class).inNamespace(NS).withName(ops.getMetadata().getName()).get();
            assertEquals("Succeed", o.getStatus() == null ? null : o.getStatus().phase,
                    () -> driver.getKubernetesSerialization().asJson(o.getStatus()));
        });
    }
}
