package dev.ordinal.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.common.InstanceTemplate;
import dev.ordinal.api.common.PvcRetentionPolicy;
import dev.ordinal.api.common.ReplicasLimit;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.ops.HorizontalScaling;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestSpec;
import dev.ordinal.core.InstanceNames;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The story-telling helpers of the integration tests: each test gets its own namespace on the real API server,
 * builds a Kafka-like cluster, runs OpsRequests and waits for what a user would wait for.
 */
final class Fixture {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    static final Duration WAIT = Duration.ofSeconds(20);

    final KubernetesClient client;
    final String ns;

    private Fixture(KubernetesClient client, String ns) {
        this.client = client;
        this.ns = ns;
    }

    /** The shared control plane's simulated kubelet (its per-pod behaviour is keyed by pod name, in every namespace). */
    static dev.ordinal.testkube.TestKube.Kubelet kubelet() {
        return dev.ordinal.testkube.KubeResource.kube().kubelet();
    }

    /** Forgets every per-pod behaviour and puts back the default 50 ms to Ready; for a test's {@code @AfterEach}. */
    static void kubeletBackToNormal() {
        kubelet().reset().readyDelay(Duration.ofMillis(50));
    }

    /** A fixture in a new namespace of its own, {@code <prefix>-<n>}, created on the API server. */
    static Fixture fresh(KubernetesClient client, String prefix) {
        Fixture f = new Fixture(client, prefix + "-" + NAMESPACES.incrementAndGet());
        dev.ordinal.testkube.TestKube.createNamespace(client, f.ns);
        return f;
    }

    // ---- Clusters ---------------------------------------------------------------------------------------

    static ComponentSpec broker(int replicas) {
        ComponentSpec c = new ComponentSpec();
        c.name = "broker";
        c.replicas = replicas;
        c.template = podTemplate();
        c.volumeClaimTemplates = new ArrayList<>(List.of(new PersistentVolumeClaimBuilder()
                .withMetadata(new ObjectMetaBuilder().withName("data").build())
                .withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().withRequests(Map.of("storage", new Quantity("10Gi"))).endResources()
                .endSpec().build()));
        return c;
    }

    static PodTemplateSpec podTemplate() {
        return new PodTemplateSpecBuilder().withNewSpec()
                .withContainers(new ContainerBuilder().withName("kafka").withImage("apache/kafka:3.9.0")
                        .withPorts(new ContainerPortBuilder().withName("broker").withContainerPort(9092).build()).build())
                .endSpec().build();
    }

    static InstanceTemplate template(String name, int replicas) {
        InstanceTemplate t = new InstanceTemplate();
        t.name = name;
        t.replicas = replicas;
        return t;
    }

    static ReplicasLimit limit(int min, int max) {
        return new ReplicasLimit(min, max);
    }

    static PvcRetentionPolicy retention(PvcRetentionPolicy.Retention whenScaled, PvcRetentionPolicy.Retention whenDeleted) {
        return new PvcRetentionPolicy(whenScaled, whenDeleted);
    }

    Cluster createCluster(String name, ComponentSpec... components) {
        return createCluster(name, ClusterSpec.TerminationPolicy.Delete, components);
    }

    Cluster createCluster(String name, ClusterSpec.TerminationPolicy policy, ComponentSpec... components) {
        Cluster cluster = new Cluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        ClusterSpec spec = new ClusterSpec();
        spec.terminationPolicy = policy;
        spec.componentSpecs = new ArrayList<>(List.of(components));
        cluster.setSpec(spec);
        return client.resource(cluster).create();
    }

    /** Creates the cluster and waits until it is Running with every wanted pod Ready. */
    Cluster runningCluster(String name, ComponentSpec... components) {
        createCluster(name, components);
        return awaitClusterPhase(name, "Running");
    }

    Cluster cluster(String name) {
        return client.resources(Cluster.class).inNamespace(ns).withName(name).get();
    }

    ComponentSpec component(String cluster, String component) {
        return cluster(cluster).getSpec().componentSpecs.stream().filter(c -> c.name.equals(component)).findFirst().orElseThrow();
    }

    /** Edits a component the way a user with kubectl edit would (an Update, not an apply). */
    void editComponent(String cluster, String component, Consumer<ComponentSpec> edit) {
        editCluster(cluster, c -> edit.accept(c.getSpec().componentSpecs.stream().filter(s -> s.name.equals(component))
                .findFirst().orElseThrow()));
    }

    /** Read-modify-write with optimistic locking, retried on 409 as kubectl edit users do. */
    void editCluster(String cluster, Consumer<Cluster> edit) {
        retryOnConflict(() -> client.resources(Cluster.class).inNamespace(ns).withName(cluster).edit(c -> {
            edit.accept(c);
            return c;
        }));
    }

    /** A read-modify-write as a user does it: the controllers write status concurrently, so a 409 means read again. */
    private static void retryOnConflict(Runnable edit) {
        for (int attempt = 1;; attempt++) {
            try {
                edit.run();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    Cluster awaitClusterPhase(String name, String phase) {
        await().atMost(WAIT).untilAsserted(() -> {
            Cluster c = cluster(name);
            assertEquals(phase, c == null || c.getStatus() == null ? null : c.getStatus().phase,
                    () -> "cluster " + name + " status: " + (c == null ? "absent" : client.getKubernetesSerialization().asJson(c.getStatus())));
        });
        return cluster(name);
    }

    /** Cluster and InstanceSet status of this namespace, for failure messages. */
    String clusterState() {
        var json = client.getKubernetesSerialization();
        StringBuilder b = new StringBuilder();
        client.resources(Cluster.class).inNamespace(ns).list().getItems().forEach(c -> b.append("cluster ")
                .append(c.getMetadata().getName()).append(" gen ").append(c.getMetadata().getGeneration()).append(' ')
                .append(json.asJson(c.getStatus())).append('\n'));
        client.resources(InstanceSet.class).inNamespace(ns).list().getItems().forEach(s -> b.append("instanceset ")
                .append(s.getMetadata().getName()).append(" gen ").append(s.getMetadata().getGeneration()).append(' ')
                .append(json.asJson(s.getStatus())).append('\n'));
        return b.toString();
    }

    InstanceSet instanceSet(String name) {
        return client.resources(InstanceSet.class).inNamespace(ns).withName(name).get();
    }

    // ---- Pods and claims --------------------------------------------------------------------------------

    List<String> podNames() {
        List<String> names = client.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .map(p -> p.getMetadata().getName()).collect(Collectors.toCollection(ArrayList::new));
        names.sort(InstanceNames.ORDER);
        return names;
    }

    Pod pod(String name) {
        return client.pods().inNamespace(ns).withName(name).get();
    }

    /** Waits until exactly these pods exist and are Ready. */
    void awaitReadyPods(String... names) {
        List<String> wanted = new ArrayList<>(List.of(names));
        wanted.sort(InstanceNames.ORDER);
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals(wanted, podNames());
            for (String n : names) {
                Pod p = pod(n);
                assertEquals(true, p != null && dev.ordinal.controller.support.PodFacts.isReady(p), n + " ready");
            }
        });
    }

    /** The finalizer tests put on a pod or claim to keep it Terminating as long as they want. */
    static final String HOLD = "test.ordinal.dev/hold";

    /** Puts {@link #HOLD} on {@code object} ({@code on}) or takes it off: while it is there, a deleted object lingers Terminating. */
    static <T extends io.fabric8.kubernetes.api.model.HasMetadata> void hold(io.fabric8.kubernetes.client.dsl.Resource<T> object, boolean on) {
        object.edit(o -> {
            if (on) {
                o.getMetadata().getFinalizers().add(HOLD);
            } else {
                o.getMetadata().getFinalizers().remove(HOLD);
            }
            return o;
        });
    }

    /** {@link #hold} on pod {@code name} of this namespace. */
    void holdPod(String name, boolean on) {
        hold(client.pods().inNamespace(ns).withName(name), on);
    }

    PersistentVolumeClaim claim(String name) {
        return client.persistentVolumeClaims().inNamespace(ns).withName(name).get();
    }

    String claimUid(String name) {
        PersistentVolumeClaim c = claim(name);
        return c == null ? null : c.getMetadata().getUid();
    }

    // ---- OpsRequests ------------------------------------------------------------------------------------

    static HorizontalScaling scale(String component) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = component;
        return h;
    }

    static HorizontalScaling offline(String component, String... names) {
        HorizontalScaling h = scale(component);
        h.scaleIn = new HorizontalScaling.ScaleIn();
        h.scaleIn.onlineInstancesToOffline = new ArrayList<>(List.of(names));
        return h;
    }

    static HorizontalScaling online(String component, String... names) {
        HorizontalScaling h = scale(component);
        h.scaleOut = new HorizontalScaling.ScaleOut();
        h.scaleOut.offlineInstancesToOnline = new ArrayList<>(List.of(names));
        return h;
    }

    static HorizontalScaling scaleOut(String component, Integer replicaChanges, String... online) {
        HorizontalScaling h = online(component, online);
        h.scaleOut.replicaChanges = replicaChanges;
        return h;
    }

    static HorizontalScaling scaleIn(String component, Integer replicaChanges, String... offline) {
        HorizontalScaling h = offline(component, offline);
        h.scaleIn.replicaChanges = replicaChanges;
        return h;
    }

    OpsRequest createOps(String name, String cluster, HorizontalScaling... entries) {
        return createOps(name, cluster, spec -> {
        }, entries);
    }

    OpsRequest createOps(String name, String cluster, Consumer<OpsRequestSpec> tweak, HorizontalScaling... entries) {
        OpsRequest ops = new OpsRequest();
        ops.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        OpsRequestSpec spec = new OpsRequestSpec();
        spec.clusterName = cluster;
        spec.type = OpsRequestSpec.OpsType.HorizontalScaling;
        spec.horizontalScaling = new ArrayList<>(List.of(entries));
        tweak.accept(spec);
        ops.setSpec(spec);
        return client.resource(ops).create();
    }

    OpsRequest ops(String name) {
        return client.resources(OpsRequest.class).inNamespace(ns).withName(name).get();
    }

    String opsPhase(String name) {
        OpsRequest o = ops(name);
        return o == null || o.getStatus() == null ? null : o.getStatus().phase;
    }

    OpsRequest awaitOps(String name, String phase) {
        return awaitOps(name, phase, WAIT);
    }

    OpsRequest awaitOps(String name, String phase, Duration atMost) {
        await().atMost(atMost).untilAsserted(() -> assertEquals(phase, opsPhase(name), () -> "ops " + name + " status: "
                + client.getKubernetesSerialization().asJson(ops(name) == null ? null : ops(name).getStatus()) + "\n" + clusterState()));
        return ops(name);
    }

    void cancel(String name) {
        retryOnConflict(() -> client.resources(OpsRequest.class).inNamespace(ns).withName(name).edit(o -> {
            o.getSpec().cancel = true;
            return o;
        }));
    }

    /** The Events of one object, asked for the way {@code kubectl describe} asks (field selector on involvedObject). */
    List<Event> events(String kind, String name) {
        return client.v1().events().inNamespace(ns).withField("involvedObject.kind", kind)
                .withField("involvedObject.name", name).list().getItems();
    }
}
