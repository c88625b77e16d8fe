package dev.ordinal.reliability;

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
import dev.ordinal.api.ops.HorizontalScaling;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestSpec;
import dev.ordinal.controller.support.PodFacts;
import dev.ordinal.core.InstanceNames;
import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.testkube.FaultProxy;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The reliability suites' test bed, without Quarkus, on the run's real control plane ({@link TestKube} "rig", with
 * Ordinal's committed CRDs and the simulated kubelet): each test gets its own namespace, a {@link FaultProxy} its
 * Ordinal processes talk through (as user {@value TestKube#OPERATOR_USER}), and starts and stops those processes
 * at will. The processes watch only the test's two namespaces, so tests never see each other's objects.
 */
final class Rig implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    final TestKube kube;
    final TestKube.Kubelet kubelet;
    final FaultProxy proxy;
    final KubernetesClient client;
    final String ns;
    /** A second namespace of this test's own ({@code <ns>-elsewhere}), also watched by its Ordinal processes. */
    final String otherNs;
    /** The audit log's position when this rig was made: what came after is this test's. */
    final long startMark;
    private final List<OrdinalProcess> processes = new ArrayList<>();
    private int started;

    private Rig(TestKube kube, String ns) {
        this.kube = kube;
        this.kubelet = kube.kubelet();
        this.client = kube.newAdminClient();
        this.ns = ns;
        this.otherNs = ns + "-elsewhere";
        TestKube.createNamespace(client, ns);
        TestKube.createNamespace(client, otherNs);
        this.proxy = FaultProxy.start(kube.config(TestKube.OPERATOR_USER, "system:masters"));
        this.startMark = kube.auditLog().mark();
    }

    static Rig start(String prefix) {
        TestKube kube = TestKube.shared("rig");
        kube.kubelet().reset().readyDelay(Duration.ofMillis(20));
        return new Rig(kube, prefix + "-" + NAMESPACES.incrementAndGet());
    }

    /** A position in the API server's audit log. */
    long auditMark() {
        return kube.auditLog().mark();
    }

    /** The operators' requests in this rig's namespace since {@code mark}, from the API server's audit log. */
    AuditLog.Snapshot operatorRequestsSince(long mark) {
        return kube.auditLog().awaitQuiet(300, 5000).since(mark).inNamespace(ns).byUser(TestKube.OPERATOR_USER);
    }

    // ---- operator processes ------------------------------------------------------------------------------------

    OrdinalProcess startOrdinal() {
        OrdinalProcess p = OrdinalProcess.start(this, "ordinal-" + (++started));
        processes.add(p);
        return p;
    }

    OrdinalProcess startOrdinal(OrdinalProcess p) {
        processes.add(p);
        return p;
    }

    /** Stops a process the way a crash does for the API server: its watches and caches are gone. */
    void stop(OrdinalProcess p) {
        processes.remove(p);
        p.close();
    }

    int processesStarted() {
        return started;
    }

    @Override
    public void close() {
        for (OrdinalProcess p : List.copyOf(processes)) {
            try {
                p.close();
            } catch (RuntimeException e) {
                // already stopped
            }
        }
        kubelet.reset();
        proxy.close();
        try {
            client.namespaces().withName(ns).delete();
            client.namespaces().withName(otherNs).delete();
        } catch (RuntimeException e) {
            // best effort: the namespaces are this test's alone
        }
        client.close();
    }

    // ---- builders (copied in spirit from it/Fixture, kept small) -----------------------------------------------

    static ComponentSpec broker(int replicas) {
        ComponentSpec c = new ComponentSpec();
        c.name = "broker";
        c.replicas = replicas;
        c.template = new PodTemplateSpecBuilder().withNewSpec()
                .withContainers(new ContainerBuilder().withName("kafka").withImage("apache/kafka:3.9.0").build())
                .endSpec().build();
        c.volumeClaimTemplates = new ArrayList<>(List.of(new PersistentVolumeClaimBuilder()
                .withMetadata(new ObjectMetaBuilder().withName("data").build())
                .withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().withRequests(Map.of("storage", new Quantity("1Gi"))).endResources()
                .endSpec().build()));
        return c;
    }

    Cluster newCluster(String name, ComponentSpec... components) {
        Cluster cluster = new Cluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        ClusterSpec spec = new ClusterSpec();
        spec.terminationPolicy = ClusterSpec.TerminationPolicy.Delete;
        spec.componentSpecs = new ArrayList<>(List.of(components));
        cluster.setSpec(spec);
        return cluster;
    }

    Cluster createCluster(String name, ComponentSpec... components) {
        return client.resource(newCluster(name, components)).create();
    }

    Cluster runningCluster(String name, int replicas) {
        createCluster(name, broker(replicas));
        awaitClusterPhase(name, "Running");
        return cluster(name);
    }

    Cluster cluster(String name) {
        return client.resources(Cluster.class).inNamespace(ns).withName(name).get();
    }

    long generation(String cluster) {
        return cluster(cluster).getMetadata().getGeneration();
    }

    ComponentSpec component(String cluster) {
        return cluster(cluster).getSpec().componentSpecs.get(0);
    }

    void awaitClusterPhase(String name, String phase) {
        await().atMost(WAIT).untilAsserted(() -> {
            Cluster c = cluster(name);
            assertEquals(phase, c == null || c.getStatus() == null ? null : c.getStatus().phase, () -> "cluster " + name);
        });
    }

    static HorizontalScaling scaleOut(int replicaChanges, String... online) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = "broker";
        h.scaleOut = new HorizontalScaling.ScaleOut();
        h.scaleOut.replicaChanges = replicaChanges;
        h.scaleOut.offlineInstancesToOnline = new ArrayList<>(List.of(online));
        return h;
    }

    static HorizontalScaling online(String... names) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = "broker";
        h.scaleOut = new HorizontalScaling.ScaleOut();
        h.scaleOut.offlineInstancesToOnline = new ArrayList<>(List.of(names));
        return h;
    }

    static HorizontalScaling offline(String... names) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = "broker";
        h.scaleIn = new HorizontalScaling.ScaleIn();
        h.scaleIn.onlineInstancesToOffline = new ArrayList<>(List.of(names));
        return h;
    }

    static HorizontalScaling scaleIn(int replicaChanges) {
        HorizontalScaling h = new HorizontalScaling();
        h.componentName = "broker";
        h.scaleIn = new HorizontalScaling.ScaleIn();
        h.scaleIn.replicaChanges = replicaChanges;
        return h;
    }

    OpsRequest newOps(String name, String cluster, Consumer<OpsRequestSpec> tweak, HorizontalScaling... entries) {
        OpsRequest ops = new OpsRequest();
        ops.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        OpsRequestSpec spec = new OpsRequestSpec();
        spec.clusterName = cluster;
        spec.type = OpsRequestSpec.OpsType.HorizontalScaling;
        spec.horizontalScaling = new ArrayList<>(List.of(entries));
        tweak.accept(spec);
        ops.setSpec(spec);
        return ops;
    }

    OpsRequest createOps(String name, String cluster, HorizontalScaling... entries) {
        return client.resource(newOps(name, cluster, s -> {
        }, entries)).create();
    }

    OpsRequest ops(String name) {
        return client.resources(OpsRequest.class).inNamespace(ns).withName(name).get();
    }

    String opsPhase(String name) {
        OpsRequest o = ops(name);
        return o == null || o.getStatus() == null ? null : o.getStatus().phase;
    }

    OpsRequest awaitOps(String name, String phase) {
        await().atMost(WAIT).untilAsserted(() -> assertEquals(phase, opsPhase(name), () -> "ops " + name + " status: "
                + client.getKubernetesSerialization().asJson(ops(name) == null ? null : ops(name).getStatus()) + "\n" + state()));
        return ops(name);
    }

    /** Cluster, InstanceSet and pod state of this namespace, for failure messages. */
    String state() {
        var json = client.getKubernetesSerialization();
        StringBuilder b = new StringBuilder();
        client.resources(Cluster.class).inNamespace(ns).list().getItems().forEach(c -> b.append("cluster ")
                .append(c.getMetadata().getName()).append(" gen ").append(c.getMetadata().getGeneration()).append(" spec ")
                .append(json.asJson(c.getSpec().componentSpecs.stream().map(x -> x.name + " replicas=" + x.replicas
                        + " offline=" + x.offlineInstances).toList()))
                .append(' ').append(json.asJson(c.getStatus())).append('\n'));
        client.resources(dev.ordinal.api.instanceset.InstanceSet.class).inNamespace(ns).list().getItems()
                .forEach(s -> b.append("instanceset ").append(s.getMetadata().getName()).append(" gen ")
                        .append(s.getMetadata().getGeneration()).append(" replicas=").append(s.getSpec().replicas)
                        .append(' ').append(json.asJson(s.getStatus())).append('\n'));
        pods().forEach(p -> b.append("pod ").append(p.getMetadata().getName()).append(" ready=")
                .append(PodFacts.isReady(p)).append('\n'));
        return b.toString();
    }

    /** Sets spec.cancel the way a user does: read-modify-write, retried on 409 (the operator writes status). */
    void cancel(String name) {
        retryOnConflict(() -> client.resources(OpsRequest.class).inNamespace(ns).withName(name).edit(o -> {
            o.getSpec().cancel = true;
            return o;
        }));
    }

    /** Edits a Cluster as {@code kubectl edit} does: read, modify, PUT; read again on 409 (the operator writes status). */
    void editCluster(String name, java.util.function.UnaryOperator<Cluster> edit) {
        retryOnConflict(() -> client.resources(Cluster.class).inNamespace(ns).withName(name).edit(edit));
    }

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

    // ---- pods ----------------------------------------------------------------------------------------------------

    List<Pod> pods() {
        return client.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).collect(Collectors.toList());
    }

    List<String> podNames() {
        List<String> names = pods().stream().map(p -> p.getMetadata().getName()).collect(Collectors.toCollection(ArrayList::new));
        names.sort(InstanceNames.ORDER);
        return names;
    }

    Map<String, String> podUids() {
        return pods().stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p.getMetadata().getUid()));
    }

    Pod pod(String name) {
        return client.pods().inNamespace(ns).withName(name).get();
    }

    boolean ready(String pod) {
        Pod p = pod(pod);
        return p != null && PodFacts.isReady(p);
    }

    static List<String> names(String cluster, int... ordinals) {
        List<String> out = new ArrayList<>();
        for (int o : ordinals) {
            out.add(cluster + "-broker-" + o);
        }
        return out;
    }

    void awaitReadyPods(List<String> wanted) {
        List<String> sorted = new ArrayList<>(wanted);
        sorted.sort(InstanceNames.ORDER);
        await().atMost(WAIT).untilAsserted(() -> {
            assertEquals(sorted, podNames());
            for (String n : sorted) {
                assertEquals(true, ready(n), n + " ready");
            }
        });
    }
}
