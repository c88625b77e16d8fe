package dev.ordinal.embedded;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterStatus;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.embedded.RequestCounter.Verb;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The client-server contract Ordinal relies on, exercised with the fabric8 client against the embedded server:
 * cases follow the Kubernetes server-side apply documentation.
 */
class EmbeddedApiServerTest {

    static EmbeddedApiServer server;
    static KubernetesClient client;
    static KubeletSimulator kubelet;
    static int seq;
    String name;

    @BeforeAll
    static void start() {
        server = EmbeddedApiServer.start();
        client = server.client();
        for (Class<? extends CustomResource<?, ?>> type : List.of(Cluster.class, InstanceSet.class, OpsRequest.class)) {
            client.apiextensions().v1().customResourceDefinitions()
                    .resource(CustomResourceDefinitionContext.v1CRDFromCustomResourceType(type).build()).create();
        }
        kubelet = new KubeletSimulator(server.newClient()).inNamespace("default").readyDelay(Duration.ZERO).start();
    }

    @AfterAll
    static void stop() {
        kubelet.stop();
        server.close();
    }

    @BeforeEach
    void freshName() {
        name = "kafka" + (++seq);
        server.faults().clear();
    }

    private GenericKubernetesResource cluster(String specYaml) {
        String yaml = "apiVersion: apps.ordinal.dev/v1\nkind: Cluster\nmetadata:\n  name: " + name
                + "\n  namespace: default\nspec:\n" + specYaml.indent(2);
        return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    }

    private GenericKubernetesResource apply(String manager, GenericKubernetesResource r) {
        return client.resource(r).fieldManager(manager).serverSideApply();
    }

    private GenericKubernetesResource forceApply(String manager, GenericKubernetesResource r) {
        return client.resource(r).fieldManager(manager).forceConflicts().serverSideApply();
    }

    private GenericKubernetesResource get() {
        return client.genericKubernetesResources("apps.ordinal.dev/v1", "Cluster").inNamespace("default")
                .withName(name).get();
    }

    @SuppressWarnings("unchecked")
    private static Object replicas(GenericKubernetesResource r, int i) {
        List<Map<String, Object>> cs = (List<Map<String, Object>>) ((Map<String, Object>) r.getAdditionalProperties()
                .get("spec")).get("componentSpecs");
        return cs.get(i).get("replicas");
    }

    private static String rv(GenericKubernetesResource r) {
        return r.getMetadata().getResourceVersion();
    }

    @Test
    void applyCreatesWhenAbsent() {
        GenericKubernetesResource r = apply("ordinal-ops", cluster("componentSpecs:\n- name: broker\n  replicas: 3"));
        assertNotNull(r.getMetadata().getUid());
        assertEquals(1L, r.getMetadata().getGeneration());
        ManagedFieldsEntry mf = r.getMetadata().getManagedFields().get(0);
        assertEquals("ordinal-ops", mf.getManager());
        assertEquals("Apply", mf.getOperation());
        assertEquals(3, replicas(get(), 0));
    }

    @Test
    void sameManagerUpdatesAndPrunes() {
        apply("a", cluster("terminationPolicy: Delete\ncomponentSpecs:\n- name: broker\n  replicas: 3"));
        GenericKubernetesResource r = apply("a", cluster("componentSpecs:\n- name: broker\n  replicas: 5"));
        assertEquals(5, replicas(r, 0));
        assertFalse(((Map<?, ?>) get().getAdditionalProperties().get("spec")).containsKey("terminationPolicy"));
        assertEquals(2L, r.getMetadata().getGeneration());
    }

    @Test
    void conflictIs409WithCausesAndForceMovesOwnership() {
        apply("kubectl", cluster("componentSpecs:\n- name: broker\n  replicas: 3"));
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> apply("ordinal-ops", cluster("componentSpecs:\n- name: broker\n  replicas: 4")));
        assertEquals(409, e.getCode());
        Status status = e.getStatus();
        assertEquals("Conflict", status.getReason());
        assertEquals(".spec.componentSpecs[name=\"broker\"].replicas", status.getDetails().getCauses().get(0).getField());
        assertTrue(status.getMessage().contains("conflict with \"kubectl\""), status.getMessage());
        assertEquals(3, replicas(get(), 0), "a rejected apply changes nothing");

        GenericKubernetesResource r = forceApply("ordinal-ops", cluster("componentSpecs:\n- name: broker\n  replicas: 4"));
        assertEquals(4, replicas(r, 0));
        // kubectl now conflicts in turn
        KubernetesClientException back = assertThrows(KubernetesClientException.class,
                () -> apply("kubectl", cluster("componentSpecs:\n- name: broker\n  replicas: 3")));
        assertEquals(409, back.getCode());
        assertTrue(back.getStatus().getMessage().contains("\"ordinal-ops\""));
    }

    @Test
    void equalValuesShareOwnership() {
        apply("a", cluster("componentSpecs:\n- name: broker\n  replicas: 3"));
        GenericKubernetesResource r = apply("b", cluster("componentSpecs:\n- name: broker\n  replicas: 3"));
        assertEquals(2, r.getMetadata().getManagedFields().size());
    }

    @Test
    void twoManagersOwnDifferentComponents() {
        apply("a", cluster("componentSpecs:\n- name: broker\n  replicas: 3"));
        apply("b", cluster("componentSpecs:\n- name: controller\n  replicas: 1"));
        GenericKubernetesResource r = apply("a", cluster("componentSpecs:\n- name: broker\n  replicas: 2"));
        assertEquals(2, replicas(r, 0));
        assertEquals(1, replicas(r, 1));
    }

    @Test
    void statusApplyTouchesOnlyStatusAndKeepsGeneration() {
        Cluster c = new Cluster();
        c.getMetadata().setName(name);
        c.getMetadata().setNamespace("default");
        c.setSpec(new dev.ordinal.api.cluster.ClusterSpec());
        Cluster created = client.resource(c).fieldManager("user").serverSideApply();
        long gen = created.getMetadata().getGeneration();

        // what JOSDK does for UpdateControl.patchStatus: SSA on /status, forced, its own field manager
        Cluster forStatus = new Cluster();
        forStatus.getMetadata().setName(name);
        forStatus.getMetadata().setNamespace("default");
        forStatus.setStatus(new ClusterStatus());
        forStatus.getStatus().phase = "Running";
        Cluster patched = client.resource(forStatus).subresource("status").patch(new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("cluster").withForce(true).build());
        assertEquals("Running", patched.getStatus().phase);
        assertEquals(gen, patched.getMetadata().getGeneration(), "status writes do not bump generation");
        assertNotEquals(created.getMetadata().getResourceVersion(), patched.getMetadata().getResourceVersion());
        assertNotNull(patched.getSpec(), "spec untouched by the status write");

        // a main-resource apply cannot change status
        Cluster sneaky = client.resources(Cluster.class).withName(name).get();
        sneaky.getMetadata().setManagedFields(null);
        sneaky.getMetadata().setResourceVersion(null);
        sneaky.getStatus().phase = "Hacked";
        Cluster after = client.resource(sneaky).fieldManager("user").forceConflicts().serverSideApply();
        assertEquals("Running", after.getStatus().phase);
    }

    @Test
    void noOpApplyChangesNothingAndEmitsNoEvent() throws Exception {
        GenericKubernetesResource first = apply("a", cluster("componentSpecs:\n- name: broker\n  replicas: 3"));
        List<String> events = new CopyOnWriteArrayList<>();
        try (Watch w = client.genericKubernetesResources("apps.ordinal.dev/v1", "Cluster").inNamespace("default")
                .withName(name).watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, GenericKubernetesResource resource) {
                        events.add(action + " " + rv(resource));
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
            await().until(() -> !events.isEmpty()); // the initial ADDED
            GenericKubernetesResource same = apply("a", cluster("componentSpecs:\n- name: broker\n  replicas: 3"));
            assertEquals(rv(first), rv(same), "no-op apply keeps resourceVersion");
            GenericKubernetesResource changed = apply("a", cluster("componentSpecs:\n- name: broker\n  replicas: 4"));
            await().until(() -> events.contains("MODIFIED " + rv(changed)));
            assertEquals(List.of("ADDED " + rv(first), "MODIFIED " + rv(changed)), events);
        }
    }

    @Test
    void staleResourceVersionIs409ForPutAndPatch() {
        apply("a", cluster("componentSpecs:\n- name: broker\n  replicas: 3"));
        GenericKubernetesResource stale = get();
        apply("a", cluster("componentSpecs:\n- name: broker\n  replicas: 4"));
        KubernetesClientException put = assertThrows(KubernetesClientException.class,
                () -> client.resource(stale).update());
        assertEquals(409, put.getCode());
        KubernetesClientException patch = assertThrows(KubernetesClientException.class, () -> client.resource(stale)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"resourceVersion\":\""
                        + rv(stale) + "\"},\"spec\":{\"terminationPolicy\":\"Delete\"}}"));
        assertEquals(409, patch.getCode());
        // an up-to-date PUT works and is recorded as an Update; without fieldManager the user agent names it
        GenericKubernetesResource fresh = get();
        fresh.getAdditionalProperties().put("spec", Map.of("terminationPolicy", "WipeOut"));
        GenericKubernetesResource updated = client.resource(fresh).update();
        assertTrue(updated.getMetadata().getManagedFields().stream()
                .anyMatch(m -> m.getManager().startsWith("fabric8") && m.getOperation().equals("Update")),
                String.valueOf(updated.getMetadata().getManagedFields()));
    }

    @Test
    void mergePatchIsRecordedAsUpdate() {
        apply("a", cluster("componentSpecs:\n- name: broker\n  replicas: 3"));
        GenericKubernetesResource r = client.genericKubernetesResources("apps.ordinal.dev/v1", "Cluster")
                .inNamespace("default").withName(name).patch(new PatchContext.Builder()
                        .withPatchType(PatchType.JSON_MERGE).withFieldManager("patcher").build(),
                        "{\"spec\":{\"terminationPolicy\":\"Delete\"}}");
        assertEquals("Delete", ((Map<?, ?>) r.getAdditionalProperties().get("spec")).get("terminationPolicy"));
        assertTrue(r.getMetadata().getManagedFields().stream().anyMatch(m -> m.getManager().equals("patcher")));
    }

    @Test
    void requestCounterCountsByVerbResourceAndManager() {
        RequestCounter.Snapshot before = server.counter().snapshot();
        apply("counted", cluster("componentSpecs:\n- name: broker\n  replicas: 3"));
        get();
        RequestCounter.Snapshot d = server.counter().snapshot().minus(before);
        assertEquals(1, d.count(Verb.APPLY, "clusters", "counted"));
        assertEquals(1, d.count(Verb.GET, "clusters"));
        assertEquals(1, d.writes("clusters"));
    }

    @Test
    void injectedFaultsAnswerTheNextMatchingRequests() {
        server.faults().conflictNext(Verb.APPLY, "clusters", 1);
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> apply("a", cluster("componentSpecs: []")));
        assertEquals(409, e.getCode());
        assertNull(get(), "the faulted request never reached the store");
        apply("a", cluster("componentSpecs: []"));
        assertNotNull(get());
        // the client retries 5xx answers (backoff limit 2 in EmbeddedApiServer#config), so fail more than that
        server.faults().failNext(Verb.GET, "clusters", 5, 500);
        KubernetesClientException e500 = assertThrows(KubernetesClientException.class, this::get);
        assertEquals(500, e500.getCode());
        server.faults().clear();
        assertNotNull(get());
    }

    @Test
    void restartKeepsTheStore() {
        apply("a", cluster("componentSpecs: []"));
        server.restart();
        assertNotNull(get());
    }

    @Test
    void discoveryListsBuiltinsAndStoredCrds() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String apis = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/apis")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(apis.contains("apps.ordinal.dev/v1"), apis);
        String group = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/apis/apps.ordinal.dev/v1")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(group.contains("\"clusters/status\""), group);
    }

    private Pod pod(String podName) {
        return client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(podName)
                .endMetadata().withNewSpec().addNewContainer().withName("kafka").withImage("kafka:3").endContainer()
                .endSpec().build()).create();
    }

    private static boolean ready(Pod p) {
        return p != null && p.getStatus() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private Pod live(String podName) {
        return client.pods().inNamespace("default").withName(podName).get();
    }

    @Test
    void kubeletMakesPodsReady() {
        pod(name + "-0");
        await().until(() -> ready(live(name + "-0")));
        Pod p = live(name + "-0");
        assertEquals("Running", p.getStatus().getPhase());
        assertEquals(1L, p.getMetadata().getGeneration(), "status does not bump a pod's generation");
        assertTrue(p.getMetadata().getManagedFields().stream()
                .anyMatch(m -> m.getManager().equals("kubelet") && "status".equals(m.getSubresource())));
    }

    @Test
    void kubeletFailsAndHoldsBackNamedPods() {
        kubelet.failPod(name + "-bad").neverReady(name + "-slow");
        pod(name + "-bad");
        pod(name + "-slow");
        await().ignoreExceptions().until(() -> live(name + "-bad").getStatus().getContainerStatuses().size() == 1);
        Pod bad = live(name + "-bad");
        assertEquals("ImagePullBackOff",
                bad.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason());
        assertFalse(ready(bad));
        await().ignoreExceptions().until(() -> "Running".equals(live(name + "-slow").getStatus().getPhase()));
        assertFalse(ready(live(name + "-slow")));
        kubelet.healthy(name + "-slow");
        await().until(() -> ready(live(name + "-slow")));
    }

    @Test
    void deletionGraceKeepsPodTerminatingThenRemovesIt() {
        kubelet.deletionGrace(Duration.ofMillis(200));
        try {
            pod(name + "-0");
            await().until(() -> live(name + "-0").getMetadata().getFinalizers().contains(KubeletSimulator.FINALIZER));
            client.pods().inNamespace("default").withName(name + "-0").delete();
            Pod terminating = live(name + "-0");
            assertTrue(terminating == null || terminating.getMetadata().getDeletionTimestamp() != null);
            await().until(() -> live(name + "-0") == null);
        } finally {
            kubelet.deletionGrace(null);
        }
    }

    @Test
    void deletingAnOwnerDeletesItsDependents() {
        GenericKubernetesResource owner = apply("a", cluster("componentSpecs: []"));
        Pod dependent = client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata()
                .withName(name + "-owned").addNewOwnerReference().withApiVersion("apps.ordinal.dev/v1")
                .withKind("Cluster").withName(name).withUid(owner.getMetadata().getUid()).withController(true)
                .endOwnerReference().endMetadata().withNewSpec().addNewContainer().withName("c").withImage("i")
                .endContainer().endSpec().build()).create();
        pod(name + "-free");
        client.resource(owner).delete();
        await().until(() -> live(dependent.getMetadata().getName()) == null);
        assertNotNull(live(name + "-free"), "objects without the owner's uid stay");
    }

    @Test
    void putAndPatchRespectTheStatusSubresource() {
        Cluster c = new Cluster();
        c.getMetadata().setName(name);
        c.getMetadata().setNamespace("default");
        c.setSpec(new dev.ordinal.api.cluster.ClusterSpec());
        client.resource(c).fieldManager("user").serverSideApply();

        Cluster withStatus = client.resources(Cluster.class).withName(name).get();
        withStatus.setStatus(new ClusterStatus());
        withStatus.getStatus().phase = "Creating";
        withStatus.getSpec().terminationPolicy = null;
        Cluster afterMainPut = client.resource(withStatus).update();
        assertNull(afterMainPut.getStatus(), "PUT on the main resource ignores status");

        Cluster statusPut = client.resources(Cluster.class).withName(name).get();
        statusPut.setStatus(new ClusterStatus());
        statusPut.getStatus().phase = "Creating";
        long gen = statusPut.getMetadata().getGeneration();
        Cluster afterStatusPut = client.resource(statusPut).updateStatus();
        assertEquals("Creating", afterStatusPut.getStatus().phase);
        assertEquals(gen, afterStatusPut.getMetadata().getGeneration());

        Cluster patched = client.resources(Cluster.class).withName(name).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Running\"},\"spec\":{\"terminationPolicy\":\"WipeOut\"}}");
        assertEquals("Running", patched.getStatus().phase);
        assertNull(patched.getSpec().terminationPolicy, "a /status patch cannot change spec");
    }
}
