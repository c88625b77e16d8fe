package dev.ordinal.testkube;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.support.PodFacts;
import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.devcluster.ControlPlane;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

/**
 * What only a real API server proves, on the run's real control plane: the committed CRDs install and their CEL
 * rules refuse what the spec says, list-map merge under server-side apply, field-manager conflicts a user of
 * {@code kubectl apply --server-side} meets after an ops, ownerReference garbage collection, watch history, and
 * the test tooling itself (audit log counts, fault proxy, kubelet simulator).
 */
@RequiresControlPlane
class RealApiServerTest {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(30);

    static TestKube kube;
    static KubernetesClient admin;
    String ns;

    @BeforeAll
    static void controlPlane() {
        kube = TestKube.shared("rig");
        admin = kube.newAdminClient();
    }

    @AfterAll
    static void close() {
        admin.close();
    }

    private String namespace() {
        ns = "realapi-" + NAMESPACES.incrementAndGet();
        TestKube.createNamespace(admin, ns);
        return ns;
    }

    // ---- the committed CRDs on a real API server ---------------------------------------------------------------

    @Test
    void kubectlShowsTheCommittedPrinterColumnsOfOpsRequests() throws Exception {
        namespace();
        admin.resource(ops("show-columns")).create();
        Kubectl.Result r = kubectl("get", "ops", "-n", ns);
        assertEquals(0, r.exit(), r.output());
        List<String> header = List.of(r.output().lines().findFirst().orElseThrow().trim().split("\\s+"));
        assertEquals(List.of("NAME", "TYPE", "CLUSTER", "STATUS", "PROGRESS", "AGE"), header, r.output());
    }

    @Test
    void anOpsRequestSpecCannotBeEditedExceptToCancelAndCancelCannotBeUndone() {
        namespace();
        admin.resource(ops("immutable")).create();
        var ops = admin.resources(OpsRequest.class).inNamespace(ns).withName("immutable");

        KubernetesClientException edit = assertThrows(KubernetesClientException.class, () -> ops.edit(o -> {
            o.getSpec().clusterName = "another";
            return o;
        }));
        assertEquals(422, edit.getCode());
        assertTrue(edit.getMessage().contains("spec is immutable after creation, except cancel"), edit.getMessage());

        ops.edit(o -> {
            o.getSpec().cancel = true;
            return o;
        });
        KubernetesClientException undo = assertThrows(KubernetesClientException.class, () -> ops.edit(o -> {
            o.getSpec().cancel = false;
            return o;
        }));
        assertEquals(422, undo.getCode());
        assertTrue(undo.getMessage().contains("cancel cannot be undone"), undo.getMessage());
        assertEquals(Boolean.TRUE, ops.get().getSpec().cancel);
    }

    @Test
    void aReplicasLimitWhoseMinExceedsItsMaxIsRefused() {
        namespace();
        Cluster c = cluster("limits", """
                - name: broker
                  replicas: 3
                  replicasLimit: {min: 5, max: 2}
                """);
        KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> admin.resource(c).create());
        assertEquals(422, e.getCode());
        assertTrue(e.getMessage().contains("replicasLimit.min must not exceed replicasLimit.max"), e.getMessage());
        assertNull(admin.resources(Cluster.class).inNamespace(ns).withName("limits").get(), "nothing stored");
    }

    // ---- server-side apply -----------------------------------------------------------------------------------

    @Test
    void componentSpecsMergeByNameUnderServerSideApply() {
        namespace();
        admin.resource(cluster("merge", """
                - name: broker
                  replicas: 3
                """)).fieldManager("team-brokers").serverSideApply();
        admin.resource(cluster("merge", """
                - name: controller
                  replicas: 1
                """)).fieldManager("team-controllers").serverSideApply();
        Cluster merged = admin.resources(Cluster.class).inNamespace(ns).withName("merge").get();
        assertEquals(List.of("broker", "controller"), merged.getSpec().componentSpecs.stream().map(c -> c.name).sorted()
                .toList(), "each manager's component kept: the list is a map keyed by name");
    }

    /** docs/gitops.md: after an ops the ordinal-ops field manager owns replicas and offlineInstances. */
    @Test
    void aUsersServerSideApplyAfterAnOpsConflictsOnReplicas() throws Exception {
        namespace();
        Path manifest = Files.createTempFile("cluster", ".yaml");
        Files.writeString(manifest, admin.getKubernetesSerialization().asYaml(cluster("gitops", """
                - name: broker
                  replicas: 3
                """)));
        Kubectl.Result first = kubectl("apply", "--server-side", "-f", manifest.toString());
        assertEquals(0, first.exit(), first.output());

        // What the ops controller's one apply does for "take gitops-broker-2 offline" (field manager ordinal-ops).
        admin.resource(cluster("gitops", """
                - name: broker
                  replicas: 2
                  offlineInstances: [gitops-broker-2]
                """)).fieldManager("ordinal-ops").forceConflicts().serverSideApply();

        Kubectl.Result again = kubectl("apply", "--server-side", "-f", manifest.toString());
        Files.delete(manifest);
        assertNotEquals(0, again.exit(), "the user's re-apply must not silently undo the ops: " + again.output());
        assertTrue(again.output().contains("conflict") && again.output().contains("ordinal-ops")
                && again.output().contains("replicas"), again.output());
        assertEquals(2, admin.resources(Cluster.class).inNamespace(ns).withName("gitops").get()
                .getSpec().componentSpecs.get(0).replicas, "the ops' replicas stand");
    }

    // ---- kube-controller-manager -----------------------------------------------------------------------------

    @Test
    void theGarbageCollectorDeletesTheDependentsOfADeletedOwner() {
        namespace();
        ConfigMap owner = admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("owner").endMetadata().build()).create();
        admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("dependent")
                .addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap").withName("owner")
                .withUid(owner.getMetadata().getUid()).endOwnerReference().endMetadata().build()).create();
        admin.configMaps().inNamespace(ns).withName("owner").delete();
        await().atMost(WAIT).until(() -> admin.configMaps().inNamespace(ns).withName("dependent").get() == null);
    }

    // ---- watch history ----------------------------------------------------------------------------------------

    @Test
    void aWatchFromAnOlderResourceVersionReplaysWhatHappenedSince() throws Exception {
        namespace();
        String from = createdAndEditedThreeTimes("history");
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Watch w = watchSteps("history", from, seen, new java.util.concurrent.CompletableFuture<>())) {
            await().atMost(WAIT).until(() -> seen.size() >= 3);
        }
        assertEquals(List.of("MODIFIED 1", "MODIFIED 2", "MODIFIED 3"), seen);
    }

    /**
     * A resourceVersion whose history etcd has compacted is answered 410 Gone (the API server restarted, so its
     * watch cache cannot serve it either): what makes informers list again after a long disconnection.
     */
    @Test
    void aWatchFromACompactedResourceVersionIsAnswered410Gone() throws Exception {
        namespace();
        String from = createdAndEditedThreeTimes("compacted");
        assertTrue(kube.compactEtcd() > Long.parseLong(from), "compacted past the watch's resourceVersion");
        kube.restartApiServer();
        java.util.concurrent.CompletableFuture<WatcherException> closed = new java.util.concurrent.CompletableFuture<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Watch w = watchSteps("compacted", from, seen, closed)) {
            WatcherException gone = closed.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(gone.isHttpGone(), "410 Gone: " + gone.getMessage());
        } catch (KubernetesClientException e) {
            assertEquals(410, e.getCode(), e.getMessage()); // refused when the watch opens
        }
        assertEquals(List.of(), seen, "nothing replayed from a compacted history");
    }

    // ---- the test tooling on the real server --------------------------------------------------------------------

    @Test
    void theAuditLogCountsRequestsByUserVerbResourceAndFieldManager() {
        namespace();
        AuditLog audit = kube.auditLog();
        long mark = audit.mark();
        admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("counted")
                .endMetadata().build()).fieldManager("counting-test").serverSideApply();
        admin.configMaps().inNamespace(ns).withName("counted").get();
        await().atMost(WAIT).untilAsserted(() -> {
            AuditLog.Snapshot s = audit.since(mark).inNamespace(ns).byUser(ControlPlane.ADMIN);
            assertEquals(1, s.count(AuditLog.Verb.APPLY, "configmaps", "counting-test"), s::toString);
            assertEquals(1, s.count(AuditLog.Verb.GET, "configmaps"), s::toString);
            assertEquals(1, s.writes("configmaps"), s::toString);
        });
    }

    @Test
    void theFaultProxyAnswersTheInjectedStatusAndPassesEverythingElse() {
        namespace();
        try (FaultProxy proxy = FaultProxy.start(kube.config("proxied-user", "system:masters"));
                KubernetesClient viaProxy = new KubernetesClientBuilder().withConfig(proxy.clientConfig()).build()) {
            proxy.conflictNext(AuditLog.Verb.CREATE, "configmaps", 1);
            ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("through-proxy").withNamespace(ns)
                    .endMetadata().build();
            KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                    () -> viaProxy.resource(cm).create());
            assertEquals(409, refused.getCode());
            assertEquals(1, proxy.injected());
            assertNotNull(viaProxy.resource(cm).create(), "the next create passes through");
            await().atMost(WAIT).untilAsserted(() -> assertEquals(1, kube.auditLog().snapshot().inNamespace(ns)
                    .byUser("proxied-user").count(AuditLog.Verb.CREATE, "configmaps"),
                    "only the request that passed reached the API server, as the proxy's identity"));
        }
    }

    @Test
    void theKubeletSimulatorMakesPodsReadyAndHoldsBackNamedOnes() {
        namespace();
        kube.kubelet().neverReady("held-back");
        try {
            for (String name : List.of("runs", "held-back")) {
                admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                        .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec()
                        .build()).create();
            }
            await().atMost(WAIT).untilAsserted(() -> {
                assertTrue(PodFacts.isReady(admin.pods().inNamespace(ns).withName("runs").get()));
                Pod held = admin.pods().inNamespace(ns).withName("held-back").get();
                assertEquals("Running", held.getStatus().getPhase());
                assertFalse(PodFacts.isReady(held));
            });
            admin.pods().inNamespace(ns).withName("runs").delete();
            await().atMost(WAIT).until(() -> admin.pods().inNamespace(ns).withName("runs").get() == null);
        } finally {
            kube.kubelet().reset();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    /** Creates ConfigMap {@code name} with data step=0, sets step to 1, 2, 3; returns the created resourceVersion. */
    private String createdAndEditedThreeTimes(String name) {
        var cm = admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(name).endMetadata().addToData("step", "0").build()).create();
        for (int i = 1; i <= 3; i++) {
            String step = String.valueOf(i);
            admin.configMaps().inNamespace(ns).withName(name).edit(c -> {
                c.getData().put("step", step);
                return c;
            });
        }
        return cm.getMetadata().getResourceVersion();
    }

    /** Watches ConfigMap {@code name} from {@code from}: each event as "ACTION step" into {@code seen}. */
    private Watch watchSteps(String name, String from, List<String> seen,
            java.util.concurrent.CompletableFuture<WatcherException> closed) {
        return admin.configMaps().inNamespace(ns).withName(name).withResourceVersion(from).watch(new Watcher<ConfigMap>() {
            @Override
            public void eventReceived(Action action, ConfigMap c) {
                seen.add(action + " " + c.getData().get("step"));
            }

            @Override
            public void onClose(WatcherException cause) {
                closed.complete(cause);
            }
        });
    }

    private GenericKubernetesResource ops(String name) {
        return admin.getKubernetesSerialization().unmarshal("""
                apiVersion: operations.ordinal.dev/v1alpha1
                kind: OpsRequest
                metadata: {name: %s, namespace: %s}
                spec:
                  clusterName: kafka
                  type: HorizontalScaling
                  horizontalScaling:
                    - componentName: broker
                      scaleIn: {replicaChanges: 1}
                """.formatted(name, ns), GenericKubernetesResource.class);
    }

    private Cluster cluster(String name, String componentsYaml) {
        String indented = componentsYaml.lines().map(l -> "    " + l).reduce("", (a, b) -> a + b + "\n");
        return admin.getKubernetesSerialization().unmarshal("""
                apiVersion: apps.ordinal.dev/v1
                kind: Cluster
                metadata: {name: %s, namespace: %s}
                spec:
                  terminationPolicy: Delete
                  componentSpecs:
                %s""".formatted(name, ns, indented), Cluster.class);
    }

    private Kubectl.Result kubectl(String... args) throws IOException, InterruptedException {
        return Kubectl.run(kube.kubeconfig(ControlPlane.ADMIN, "system:masters"), args);
    }
}
