package dev.ordinal.manifests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec.TerminationPolicy;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.embedded.RequestCounter;
import dev.ordinal.embedded.RequestCounter.Verb;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The committed RBAC (kubernetes/rbac) is exactly what the operator uses. The operator runs the example Kafka
 * cluster and the seed OpsRequests (broker 2 offline, then back), a dry run that expires by TTL, a cluster whose
 * DoNotTerminate policy refuses deletion until changed, and the Kafka cluster is deleted with WipeOut;
 * every request the operator sent (the embedded server's count minus the test's own traffic) must be granted,
 * and every grant must have been used, apart from {@link #GRANTED_BUT_NOT_SEEN_HERE}.
 */
@QuarkusTest
@QuarkusTestResource(value = RecordingApiServerResource.class, restrictToAnnotatedClass = true)
class RbacTest {
    private static final String NS = "rbac-seed";
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Plural → API group of everything Ordinal may touch; an operator request on anything else fails the test. */
    private static final Map<String, String> GROUPS = Map.of(
            "clusters", "apps.ordinal.dev",
            "instancesets", "workloads.ordinal.dev",
            "opsrequests", "operations.ordinal.dev",
            "pods", "", "persistentvolumeclaims", "", "services", "", "events", "",
            "leases", "coordination.k8s.io");

    /**
     * Grants no request of this run can show: leader election is on in the prod profile only (the Lease verbs
     * are the ones JOSDK checks at start), and the finalizers subresources are checked by the
     * OwnerReferencesPermissionEnforcement admission plugin when an owner reference blocks owner deletion.
     */
    static final Set<String> GRANTED_BUT_NOT_SEEN_HERE = Set.of(
            "coordination.k8s.io/leases get", "coordination.k8s.io/leases create", "coordination.k8s.io/leases update",
            "apps.ordinal.dev/clusters/finalizers update", "workloads.ordinal.dev/instancesets/finalizers update");

    @Test
    void theOperatorUsesExactlyTheGrantedVerbs() throws IOException {
        KubernetesClient driver = RecordingApiServerResource.driver();
        driver.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();

        Cluster cluster = load(Manifests.EXAMPLES.resolve("kafka-cluster.yaml"), Cluster.class, driver);
        cluster.getSpec().terminationPolicy = TerminationPolicy.WipeOut;
        driver.resource(cluster).create();
        awaitClusterPhase(driver, "Running");

        runToSucceed(driver, load(Manifests.EXAMPLES.resolve("ops/ops-offline-broker-2.yaml"), OpsRequest.class, driver));
        runToSucceed(driver, load(Manifests.EXAMPLES.resolve("ops/ops-online-broker-2.yaml"), OpsRequest.class, driver));

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

        driver.resources(Cluster.class).inNamespace(NS).withName("kafka").delete();
        await().atMost(WAIT).until(() -> driver.resources(Cluster.class).inNamespace(NS).withName("kafka").get() == null
                && driver.persistentVolumeClaims().inNamespace(NS).withLabel("app.kubernetes.io/instance", "kafka").list().getItems().isEmpty()
                && driver.pods().inNamespace(NS).list().getItems().isEmpty());
        // "guarded" had terminationPolicy Delete: its claim stays, as the policy says
        assertEquals(1, driver.persistentVolumeClaims().inNamespace(NS).withLabel("app.kubernetes.io/instance", "guarded").list().getItems().size());

        Set<String> used = operatorRequests();
        Set<String> granted = granted();

        Set<String> notGranted = new TreeSet<>(used);
        notGranted.removeAll(granted);
        assertEquals(Set.of(), notGranted, "the operator sent requests kubernetes/rbac does not grant");

        Set<String> unused = new TreeSet<>(granted);
        unused.removeAll(used);
        unused.removeAll(GRANTED_BUT_NOT_SEEN_HERE);
        assertEquals(Set.of(), unused, "kubernetes/rbac grants what the operator never used: drop it, or explain it in GRANTED_BUT_NOT_SEEN_HERE");
    }

    @Test
    void productionDoesNotInstallCrds() throws IOException {
        // The test profile lets the operator apply its CRDs; production installs them from kubernetes/crds, which
        // is why RBAC grants nothing on customresourcedefinitions.
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        assertTrue(properties.lines().anyMatch("quarkus.operator-sdk.crd.apply=false"::equals), "prod must keep crd.apply=false");
    }

    /** "group/resource verb" of every request the operator sent, apply counted as patch (and create, see below). */
    private static Set<String> operatorRequests() {
        RequestCounter.Snapshot all = RecordingApiServerResource.server().counter().snapshot();
        RequestCounter.Snapshot test = RecordingApiServerResource.traced().counter().snapshot();
        RequestCounter.Snapshot operator = all.minus(test);
        Set<String> createdByTest = new TreeSet<>();
        test.counts().forEach((k, n) -> {
            if (k.verb() == Verb.CREATE) {
                createdByTest.add(k.resource());
            }
        });
        Set<String> out = new TreeSet<>();
        operator.counts().forEach((k, n) -> {
            if (n <= 0 || k.resource().equals("discovery") || k.resource().startsWith("customresourcedefinitions")) {
                return;
            }
            String plural = k.resource().split("/")[0];
            assertTrue(GROUPS.containsKey(plural), "the operator touched " + k + ", which Ordinal has no business with");
            String resource = GROUPS.get(plural) + "/" + k.resource();
            switch (k.verb()) {
                case GET -> out.add(resource + " get");
                case LIST -> out.add(resource + " list");
                case WATCH -> out.add(resource + " watch");
                case CREATE -> out.add(resource + " create");
                case UPDATE -> out.add(resource + " update");
                case PATCH -> out.add(resource + " patch");
                case DELETE -> out.add(resource + " delete");
                case APPLY -> {
                    out.add(resource + " patch");
                    // A server-side apply that creates its object is authorized as create too. The objects the
                    // operator applies without anyone else creating them (InstanceSets) are created that way.
                    if (!k.resource().contains("/") && !createdByTest.contains(k.resource())) {
                        out.add(resource + " create");
                    }
                }
                default -> out.add(resource + " " + k.verb());
            }
        });
        return out;
    }

    /** "group/resource verb" granted by the ClusterRole and Role in kubernetes/rbac. */
    static Set<String> granted() {
        Set<String> out = new TreeSet<>();
        for (Path file : Manifests.yamlFiles(Manifests.ROOT.resolve("rbac"))) {
            for (JsonNode doc : Manifests.documents(file)) {
                String kind = doc.path("kind").asText();
                if (!kind.equals("ClusterRole") && !kind.equals("Role")) {
                    continue;
                }
                for (JsonNode rule : doc.path("rules")) {
                    for (JsonNode group : rule.path("apiGroups")) {
                        for (JsonNode resource : rule.path("resources")) {
                            for (JsonNode verb : rule.path("verbs")) {
                                out.add(group.asText() + "/" + resource.asText() + " " + verb.asText());
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T load(Path file, Class<T> type, KubernetesClient client) {
        T resource = client.getKubernetesSerialization().convertValue(Manifests.documents(file).get(0), type);
        resource.getMetadata().setNamespace(NS);
        return resource;
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
