package dev.ordinal.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.devcluster.ControlPlane;
import dev.ordinal.testkube.Helm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * charts/ordinal on the real node, as docs/install.md ("Install with Helm") tells a user to drive it, in order:
 * <ol>
 * <li>{@code helm install --wait} from the chart with default values (the locally built image): the operator pod is
 * Ready under its real probes and securityContext and takes its Lease in the release namespace.</li>
 * <li>A small Cluster (busybox web servers) comes up and an OpsRequest that scales it out Succeeds.</li>
 * <li>{@code helm upgrade} to a newer chart (a copy whose Cluster CRD gained a category) with changed values: the CRD
 * is upgraded, the operator rolls to a pod with the new values and an offline OpsRequest Succeeds under it.</li>
 * <li>{@code helm uninstall}: the operator and its RBAC go; the CRDs, the Cluster, its pods and the OpsRequests stay.</li>
 * <li>{@code helm install} again: the new operator takes up the kept Cluster, which is then deleted (its finalizer
 * handled by the operator) before a last uninstall; deleting the CRDs by hand removes Ordinal for good.</li>
 * </ol>
 * Runs before KafkaUserStoryIT, which installs with kustomize on the same node, and leaves nothing of its own: the
 * CRDs must go too, since {@code kubectl apply --server-side} refuses CRDs whose {@code .spec.versions} Helm manages
 * ("conflict with helm"; docs/install.md says not to mix the two install paths).
 */
@RequiresRealNode
@Order(2)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmChartIT {
    private static final String RELEASE = "ordinal";
    private static final String OPERATOR_NS = "ordinal-helm";
    private static final String NS = "helm-demo";
    private static final String CLUSTER = "web";
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final List<String> CRDS = List.of("clusters.apps.ordinal.dev", "instancesets.workloads.ordinal.dev",
            "opsrequests.operations.ordinal.dev");

    private static KubernetesClient client;
    private static Path kubeconfig;
    private static String firstOperatorPod;

    @BeforeAll
    static void connect() {
        client = TestNode.admin();
        kubeconfig = TestNode.shared().controlPlane().kubeconfig(ControlPlane.ADMIN, "system:masters");
        NodeKubectl.ok("create", "namespace", NS);
    }

    /** Whatever a failed step left: no release, no Cluster with a finalizer nobody will handle, no CRDs, no namespaces. */
    @AfterAll
    static void cleanUp() {
        if (client == null) {
            return;
        }
        try {
            helm("uninstall", RELEASE, "-n", OPERATOR_NS, "--ignore-not-found", "--wait");
            for (String kind : List.of("clusters.apps.ordinal.dev", "instancesets.workloads.ordinal.dev")) {
                for (String name : NodeKubectl.run("-n", NS, "get", kind, "-o", "name").output().lines().toList()) {
                    if (name.contains("/")) {
                        NodeKubectl.run("-n", NS, "patch", name, "--type=merge", "-p", "{\"metadata\":{\"finalizers\":null}}");
                    }
                }
            }
            NodeKubectl.run("delete", "namespace", NS, OPERATOR_NS, "--ignore-not-found", "--wait=true", "--timeout=120s");
            List<String> deleteCrds = new java.util.ArrayList<>(List.of("delete", "crd", "--ignore-not-found", "--timeout=120s"));
            deleteCrds.addAll(CRDS);
            NodeKubectl.run(deleteCrds.toArray(String[]::new));
        } finally {
            client.close();
        }
    }

    @Test
    @Order(1)
    void helmInstallWithDefaultValuesStartsTheOperatorReadyWithItsLeaseAndTheKeptCrds() {
        Helm.Result r = helm("install", RELEASE, Helm.CHART.toString(), "-n", OPERATOR_NS, "--create-namespace",
                "--wait", "--timeout", "4m");
        assertEquals(0, r.exit(), r::both);
        assertTrue(r.out().contains("STATUS: deployed"), r::both);

        Pod pod = operatorPod();
        assertTrue(isReady(pod), "the operator pod passed its readiness probe");
        assertEquals("ordinal/ordinal-operator:0.1.0-SNAPSHOT", pod.getSpec().getContainers().get(0).getImage());
        assertEquals(Boolean.TRUE, pod.getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem());
        await().atMost(WAIT).untilAsserted(() -> {
            Lease lease = client.leases().inNamespace(OPERATOR_NS).withName("ordinal-leader").get();
            assertNotNull(lease, "the operator took its Lease in the release namespace");
            assertEquals(pod.getMetadata().getName(), lease.getSpec().getHolderIdentity());
        });
        firstOperatorPod = pod.getMetadata().getName();
        for (String name : CRDS) {
            CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
            assertNotNull(crd, name);
            assertEquals("keep", crd.getMetadata().getAnnotations().get("helm.sh/resource-policy"), name);
            assertEquals(RELEASE, crd.getMetadata().getAnnotations().get("meta.helm.sh/release-name"), name);
        }
        assertNotNull(client.rbac().clusterRoles().withName("ordinal").get());
    }

    @Test
    @Order(2)
    void aClusterComesUpAndAScaleOutOpsSucceeds() {
        NodeKubectl.apply("helm-web-cluster", """
                apiVersion: apps.ordinal.dev/v1
                kind: Cluster
                metadata: {name: %s, namespace: %s}
                spec:
                  terminationPolicy: WipeOut
                  componentSpecs:
                    - name: http
                      replicas: 1
                      offlineInstances: []
                      template:
                        spec:
                          terminationGracePeriodSeconds: 1
                          securityContext: {runAsUser: 1000, runAsGroup: 1000}
                          containers:
                            - name: httpd
                              image: ordinal.local/busybox:1.35
                              command: ["httpd", "-f", "-p", "8000", "-h", "/"]
                              ports: [{containerPort: 8000}]
                              readinessProbe: {tcpSocket: {port: 8000}, periodSeconds: 1}
                              resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 32Mi}}
                """.formatted(CLUSTER, NS));
        awaitCluster("http 1/1");
        applyOps("web-scale-out", "scaleOut: {replicaChanges: 1}");
        awaitOps("web-scale-out", "Succeed");
        awaitCluster("http 2/2");
        assertTrue(isReady(client.pods().inNamespace(NS).withName("web-http-1").get()), "web-http-1 is Ready");
    }

    @Test
    @Order(3)
    void helmUpgradeToANewerChartUpgradesTheCrdsRollsTheOperatorWithTheNewValuesAndOpsStillSucceed() throws IOException {
        // the next release of the chart: a newer version whose Cluster CRD gained the category "ordinal"
        Path next = Path.of("target", "helm-next").toAbsolutePath();
        deleteTree(next);
        copyKeepingLinks(Path.of("charts"), next.resolve("charts"));
        copyKeepingLinks(Path.of("kubernetes"), next.resolve("kubernetes"));
        Path chartYaml = next.resolve("charts/ordinal/Chart.yaml");
        Files.writeString(chartYaml, Files.readString(chartYaml).replace("version: 0.1.0-SNAPSHOT", "version: 0.1.1-test"));
        Path crd = next.resolve("kubernetes/crds/clusters.apps.ordinal.dev-v1.yml");
        String crdYaml = Files.readString(crd);
        assertTrue(crdYaml.contains("  names:\n    kind: Cluster\n"), "the Cluster CRD's names");
        Files.writeString(crd, crdYaml.replace("  names:\n    kind: Cluster\n", "  names:\n    categories:\n    - ordinal\n    kind: Cluster\n"));

        Helm.Result r = helm("upgrade", RELEASE, next.resolve("charts/ordinal").toString(), "-n", OPERATOR_NS,
                "--set", "resources.requests.memory=512Mi,podAnnotations.upgraded=yes",
                "--set-json", "extraEnv=[{\"name\":\"ORDINAL_OPS_MAX_QUEUE\",\"value\":\"30\"}]",
                "--wait", "--timeout", "4m");
        assertEquals(0, r.exit(), r::both);
        assertTrue(r.out().contains("REVISION: 2"), r::both);

        CustomResourceDefinition upgraded = client.apiextensions().v1().customResourceDefinitions()
                .withName("clusters.apps.ordinal.dev").get();
        assertEquals(List.of("ordinal"), upgraded.getSpec().getNames().getCategories(), "the CRD was upgraded with the chart");
        assertEquals("ordinal-0.1.1-test", upgraded.getMetadata().getLabels().get("helm.sh/chart"));

        await().atMost(WAIT).untilAsserted(() -> {
            Pod pod = operatorPod();
            assertNotEquals(firstOperatorPod, pod.getMetadata().getName(), "a new operator pod");
            assertTrue(isReady(pod));
            assertEquals("yes", pod.getMetadata().getAnnotations().get("upgraded"));
            var c = pod.getSpec().getContainers().get(0);
            assertEquals("512Mi", c.getResources().getRequests().get("memory").toString());
            assertTrue(c.getEnv().stream().anyMatch(e -> e.getName().equals("ORDINAL_OPS_MAX_QUEUE") && "30".equals(e.getValue())));
        });
        applyOps("web-offline-1", "scaleIn: {onlineInstancesToOffline: [web-http-1]}");
        awaitOps("web-offline-1", "Succeed");
        await().atMost(WAIT).until(() -> client.pods().inNamespace(NS).withName("web-http-1").get() == null);
        awaitCluster("http 1/1");
    }

    @Test
    @Order(4)
    void helmUninstallRemovesTheOperatorAndKeepsTheCrdsTheClusterAndItsOps() {
        Helm.Result r = helm("uninstall", RELEASE, "-n", OPERATOR_NS, "--wait", "--timeout", "2m");
        assertEquals(0, r.exit(), r::both);
        assertTrue(r.both().contains("kept due to the resource policy"), () -> "helm says what it kept:\n" + r.both());

        await().atMost(WAIT).until(() -> client.pods().inNamespace(OPERATOR_NS).withLabel("app.kubernetes.io/name", "ordinal")
                .list().getItems().isEmpty());
        assertNull(client.apps().deployments().inNamespace(OPERATOR_NS).withName("ordinal").get());
        assertNull(client.serviceAccounts().inNamespace(OPERATOR_NS).withName("ordinal").get());
        assertNull(client.rbac().clusterRoles().withName("ordinal").get());
        assertNull(client.rbac().clusterRoleBindings().withName("ordinal").get());
        for (String name : CRDS) {
            assertNotNull(client.apiextensions().v1().customResourceDefinitions().withName(name).get(), name + " is kept");
        }
        Cluster kept = client.resources(Cluster.class).inNamespace(NS).withName(CLUSTER).get();
        assertNotNull(kept, "the Cluster is kept");
        assertNull(kept.getMetadata().getDeletionTimestamp());
        assertTrue(isReady(client.pods().inNamespace(NS).withName("web-http-0").get()), "its pod keeps running");
        assertEquals(Set.of("web-scale-out", "web-offline-1"), Set.copyOf(client.resources(OpsRequest.class).inNamespace(NS)
                .list().getItems().stream().map(o -> o.getMetadata().getName()).toList()), "the OpsRequests are kept");
    }

    @Test
    @Order(5)
    void helmInstallAgainTakesUpTheKeptClusterWhichThenDeletesCleanlyAndDeletingTheCrdsRemovesOrdinalForGood() {
        Helm.Result r = helm("install", RELEASE, Helm.CHART.toString(), "-n", OPERATOR_NS, "--wait", "--timeout", "4m");
        assertEquals(0, r.exit(), () -> "a new install over the kept CRDs:\n" + r.both());
        assertTrue(isReady(operatorPod()));
        applyOps("web-scale-out-again", "scaleOut: {replicaChanges: 1}");
        awaitOps("web-scale-out-again", "Succeed");
        awaitCluster("http 2/2");

        NodeKubectl.ok("-n", NS, "delete", "ops", "--all");
        NodeKubectl.ok("-n", NS, "delete", "cluster", CLUSTER, "--wait=true", "--timeout=180s");
        await().atMost(WAIT).until(() -> client.pods().inNamespace(NS).list().getItems().isEmpty());
        Helm.Result gone = helm("uninstall", RELEASE, "-n", OPERATOR_NS, "--wait", "--timeout", "2m");
        assertEquals(0, gone.exit(), gone::both);

        // docs/install.md "Uninstall": the CRDs go only when deleted by hand
        List<String> deleteCrds = new java.util.ArrayList<>(List.of("delete", "crd", "--timeout=120s"));
        deleteCrds.addAll(CRDS);
        NodeKubectl.ok(deleteCrds.toArray(String[]::new));
        NodeKubectl.ok("delete", "namespace", OPERATOR_NS, NS, "--timeout=120s");
        for (String name : CRDS) {
            assertNull(client.apiextensions().v1().customResourceDefinitions().withName(name).get(), name + " is gone");
        }
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    private static Helm.Result helm(String... args) {
        return Helm.run(kubeconfig, 360, args);
    }

    private static void applyOps(String name, String change) {
        NodeKubectl.apply(name, """
                apiVersion: operations.ordinal.dev/v1alpha1
                kind: OpsRequest
                metadata: {name: %s, namespace: %s}
                spec:
                  clusterName: %s
                  type: HorizontalScaling
                  timeoutSeconds: 240
                  horizontalScaling:
                    - componentName: http
                      %s
                """.formatted(name, NS, CLUSTER, change));
    }

    private static void awaitCluster(String summary) {
        await().atMost(WAIT).untilAsserted(() -> {
            Cluster c = client.resources(Cluster.class).inNamespace(NS).withName(CLUSTER).get();
            assertNotNull(c.getStatus(), "Cluster web has a status");
            assertEquals("Running", c.getStatus().phase, () -> "Cluster web: " + c.getStatus().phase + " " + c.getStatus().componentSummary);
            assertEquals(summary, c.getStatus().componentSummary);
        });
    }

    private static void awaitOps(String name, String expected) {
        await().atMost(WAIT).untilAsserted(() -> {
            OpsRequest o = client.resources(OpsRequest.class).inNamespace(NS).withName(name).get();
            String phase = o == null || o.getStatus() == null ? null : o.getStatus().phase;
            assertTrue(phase == null || !Set.of("Failed", "Aborted", "Cancelled").contains(phase) || phase.equals(expected),
                    () -> name + " ended " + phase + ": " + o.getStatus().conditions);
            assertEquals(expected, phase, name);
        });
    }

    private static Pod operatorPod() {
        List<Pod> pods = client.pods().inNamespace(OPERATOR_NS).withLabel("app.kubernetes.io/name", "ordinal").list()
                .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
        assertEquals(1, pods.size(), () -> "one operator pod: " + pods.stream().map(p -> p.getMetadata().getName()).toList());
        return pods.get(0);
    }

    private static boolean isReady(Pod pod) {
        return pod != null && pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Copies a tree, recreating symbolic links as links (charts/ordinal/files links into kubernetes/). */
    private static void copyKeepingLinks(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isSymbolicLink(f)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(f));
                } else if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}
