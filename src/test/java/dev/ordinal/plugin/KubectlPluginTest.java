package dev.ordinal.plugin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.common.ReplicasLimit;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.devcluster.ControlPlane;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.Kubectl;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code kubectl ordinal} (plugin/kubectl-ordinal, docs/kubectl-plugin.md) against the real control plane with the
 * operator and the simulated kubelet running: every verb, {@code --wait} following an ops to its end, {@code -o
 * yaml}, and each error with its exit code (0 done, 1 the ops did not Succeed, 2 usage, 3 not found, 4 no
 * permission). The binary is run as a user runs it, with a kubeconfig and {@code -n}.
 */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class KubectlPluginTest {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern CREATED = Pattern.compile("opsrequest\\.operations\\.ordinal\\.dev/(\\S+) created");

    /** The test's own client (an administrator). */
    @KubeResource.Inject
    KubernetesClient client;
    @KubeResource.Inject
    TestKube kube;
    Path admin;
    String ns;

    @BeforeAll
    static void freshTranscript() throws java.io.IOException {
        Files.deleteIfExists(KubectlOrdinal.TRANSCRIPT);
    }

    @BeforeEach
    void namespace() {
        ns = "plugin-" + NAMESPACES.incrementAndGet();
        TestKube.createNamespace(client, ns);
        admin = kube.kubeconfig(ControlPlane.ADMIN, "system:masters");
    }

    @AfterEach
    void kubeletBackToNormal() {
        kube.kubelet().reset();
    }

    // ---- the verbs ----------------------------------------------------------------------------------------

    @Test
    void offlineAndOnlineWithWaitFollowTheOpsToSucceed() throws Exception {
        runningKafka(3);
        KubectlOrdinal.Result off = plugin("offline", "kafka", "kafka-broker-2", "--wait");
        assertEquals(0, off.exit(), off::toString);
        assertTrue(off.out().contains("Succeed 1/1"), off::toString);
        String name = createdName(off);
        assertTrue(name.startsWith("kafka-offline-"), name);
        assertEquals(2, broker().replicas);
        assertEquals(List.of("kafka-broker-2"), broker().offlineInstances);
        awaitPods("kafka-broker-0", "kafka-broker-1");

        KubectlOrdinal.Result on = plugin("online", "kafka", "kafka-broker-2", "--wait", "--timeout-seconds", "120");
        assertEquals(0, on.exit(), on::toString);
        assertTrue(on.out().contains("Succeed 1/1"), on::toString);
        assertEquals(3, broker().replicas);
        assertEquals(List.of(), broker().offlineInstances);
        assertEquals(120, ops(createdName(on)).getSpec().timeoutSeconds, "--timeout-seconds is spec.timeoutSeconds");
        awaitPods("kafka-broker-0", "kafka-broker-1", "kafka-broker-2");
    }

    @Test
    void scaleToAndByAndOpsWatch() throws Exception {
        runningKafka(3);
        KubectlOrdinal.Result to = plugin("scale", "kafka", "broker", "--replicas", "4", "--wait");
        assertEquals(0, to.exit(), to::toString);
        assertEquals(4, broker().replicas);

        KubectlOrdinal.Result down = plugin("scale", "kafka", "broker", "--by", "-2", "--wait");
        assertEquals(0, down.exit(), down::toString);
        assertEquals(2, broker().replicas);
        assertEquals(2, ops(createdName(down)).getSpec().horizontalScaling.get(0).scaleIn.replicaChanges);

        KubectlOrdinal.Result up = plugin("scale", "kafka", "broker", "--by=+1", "--name", "kafka-up-one");
        assertEquals(0, up.exit(), up::toString);
        assertEquals("kafka-up-one", createdName(up));
        assertTrue(up.out().contains("kubectl ordinal ops watch kafka-up-one -n " + ns), up::toString);
        KubectlOrdinal.Result watch = plugin("ops", "watch", "kafka-up-one");
        assertEquals(0, watch.exit(), watch::toString);
        assertTrue(watch.out().lines().anyMatch(l -> l.startsWith("kafka-up-one Succeed 1/1")), watch::toString);
        assertEquals(3, broker().replicas);
    }

    @Test
    void outputYamlPrintsTheOpsInsteadOfCreatingItAndKubectlCanCreateIt() throws Exception {
        runningKafka(3);
        KubectlOrdinal.Result yaml = plugin("offline", "kafka", "kafka-broker-1", "-o", "yaml", "--name", "off-1",
                "--force", "--precondition-deadline-seconds", "30");
        assertEquals(0, yaml.exit(), yaml::toString);
        assertEquals(List.of(), opsNames(), "-o yaml creates nothing");
        OpsRequest printed = client.getKubernetesSerialization().unmarshal(yaml.out(), OpsRequest.class);
        assertEquals("off-1", printed.getMetadata().getName());
        assertEquals(ns, printed.getMetadata().getNamespace());
        assertEquals("kafka", printed.getSpec().clusterName);
        assertEquals(true, printed.getSpec().force);
        assertEquals(30, printed.getSpec().preConditionDeadlineSeconds);
        assertEquals("broker", printed.getSpec().horizontalScaling.get(0).componentName);
        assertEquals(List.of("kafka-broker-1"), printed.getSpec().horizontalScaling.get(0).scaleIn.onlineInstancesToOffline);

        KubectlOrdinal.Result json = plugin("scale", "kafka", "broker", "--replicas", "5", "-o", "json");
        assertEquals(0, json.exit(), json::toString);
        assertEquals(5, client.getKubernetesSerialization().unmarshal(json.out(), OpsRequest.class).getSpec()
                .horizontalScaling.get(0).replicas);
        assertEquals(List.of(), opsNames());

        Path file = Files.writeString(Path.of("target", "plugin-off-1.yaml"), yaml.out());
        Kubectl.Result created = Kubectl.run(admin, "create", "-f", file.toString());
        assertEquals(0, created.exit(), created.output());
        KubectlOrdinal.Result watch = plugin("ops", "watch", "off-1");
        assertEquals(0, watch.exit(), watch::toString);
        assertEquals(List.of("kafka-broker-1"), broker().offlineInstances);
    }

    @Test
    void planPrintsWhatWouldChangeAndChangesNothing() throws Exception {
        runningKafka(3);
        KubectlOrdinal.Result plan = plugin("plan", "offline", "kafka", "kafka-broker-2");
        assertEquals(0, plan.exit(), plan::toString);
        for (String part : List.of("component broker:", "replicas:          3 -> 2", "offlineInstances:  [] -> [kafka-broker-2]",
                "pods to delete:    kafka-broker-2", "nothing was changed")) {
            assertTrue(plan.out().contains(part), () -> "lacks " + part + "\n" + plan);
        }
        assertEquals(3, broker().replicas);
        assertEquals(List.of(), opsNames(), "the dry run is deleted once printed");

        KubectlOrdinal.Result kept = plugin("plan", "scale", "kafka", "broker", "--by", "+2", "--keep");
        assertEquals(0, kept.exit(), kept::toString);
        assertTrue(kept.out().contains("replicas:          3 -> 5"), kept::toString);
        assertTrue(kept.out().contains("pods to create:    kafka-broker-3, kafka-broker-4"), kept::toString);
        assertEquals(1, opsNames().size(), "--keep leaves the dry run");
        OpsRequest dryRun = ops(opsNames().get(0));
        assertEquals(true, dryRun.getSpec().dryRun);
        assertEquals("Succeed", dryRun.getStatus().phase);
        assertEquals(3, broker().replicas);

        KubectlOrdinal.Result online = plugin("plan", "online", "kafka", "kafka-broker-2", "-o", "yaml");
        assertEquals(0, online.exit(), online::toString);
        assertEquals(true, client.getKubernetesSerialization().unmarshal(online.out(), OpsRequest.class).getSpec().dryRun);

        // beyond replicasLimit.max (5): the operator refuses it, and the plan says why
        KubectlOrdinal.Result refused = plugin("plan", "scale", "kafka", "broker", "--replicas", "9");
        assertEquals(1, refused.exit(), refused::toString);
        assertTrue(refused.err().contains("ended Failed: ValidationFailed"), refused::toString);
        assertEquals(3, broker().replicas);
    }

    @Test
    void opsListAndDescribe() throws Exception {
        runningKafka(3);
        assertEquals(0, plugin("scale", "kafka", "broker", "--replicas", "4", "--name", "first", "--wait").exit());
        createCluster("other", 1);
        assertEquals(0, plugin("scale", "other", "broker", "--by", "+1", "--name", "second").exit());

        KubectlOrdinal.Result list = plugin("ops", "list");
        assertEquals(0, list.exit(), list::toString);
        List<String> lines = list.out().lines().toList();
        assertTrue(lines.get(0).matches("NAME\\s+TYPE\\s+CLUSTER\\s+STATUS\\s+PROGRESS\\s+AGE"), list::toString);
        assertTrue(lines.get(1).matches("first\\s+HorizontalScaling\\s+kafka\\s+Succeed\\s+1/1\\s+\\d+s"), list::toString);
        assertTrue(lines.get(2).startsWith("second "), list::toString);

        KubectlOrdinal.Result onlyKafka = plugin("ops", "list", "--cluster", "kafka");
        assertEquals(2, onlyKafka.out().lines().count(), onlyKafka::toString);
        KubectlOrdinal.Result all = KubectlOrdinal.run(admin, "ops", "list", "-A");
        assertTrue(all.out().lines().anyMatch(l -> l.startsWith(ns + " ") && l.contains("first")), all::toString);
        KubectlOrdinal.Result none = KubectlOrdinal.run(admin, "ops", "list", "-n", "default", "--cluster", "nope");
        assertEquals(0, none.exit(), none::toString);
        assertTrue(none.err().contains("no opsrequests in namespace default for cluster nope"), none::toString);

        KubectlOrdinal.Result describe = plugin("ops", "describe", "first");
        assertEquals(0, describe.exit(), describe::toString);
        for (String part : List.of("Name:       first", "Cluster:    kafka", "Request:    broker: replicas 4", "Phase:      Succeed",
                "Progress:   1/1", "Plan:", "replicas:          3 -> 4", "Pods:", "Pod/kafka-broker-3 Succeed", "Conditions:", "Events:")) {
            assertTrue(describe.out().contains(part), () -> "lacks " + part + "\n" + describe);
        }
        KubectlOrdinal.Result asYaml = plugin("ops", "describe", "first", "-o", "yaml");
        assertEquals("Succeed", client.getKubernetesSerialization().unmarshal(asYaml.out(), OpsRequest.class).getStatus().phase);
    }

    @Test
    void aFailingOpsGivesANonZeroExitWithTheReason() throws Exception {
        runningKafka(3);
        kube.kubelet().failPod("kafka-broker-3");
        KubectlOrdinal.Result failed = plugin("scale", "kafka", "broker", "--by", "+1", "--wait");
        assertEquals(1, failed.exit(), failed::toString);
        assertTrue(failed.err().contains("ended Failed: PodFailed"), failed::toString);
        assertTrue(failed.err().contains("kafka-broker-3"), failed::toString);
        KubectlOrdinal.Result watch = plugin("ops", "watch", createdName(failed));
        assertEquals(1, watch.exit(), "watching an ops that ended Failed:\n" + watch);
    }

    @Test
    void cancelEndsAWaitingRunAndTheWaitExitsNonZero() throws Exception {
        runningKafka(3);
        kube.kubelet().neverReady("kafka-broker-3");
        KubectlOrdinal.Running waiting = KubectlOrdinal.start(admin, "-n", ns, "scale", "kafka", "broker", "--by", "+1",
                "--name", "grow", "--wait");
        await().atMost(WAIT).until(() -> ops("grow") != null && ops("grow").getStatus() != null
                && "Running".equals(ops("grow").getStatus().phase));

        KubectlOrdinal.Result cancel = plugin("ops", "cancel", "grow", "--wait");
        assertEquals(0, cancel.exit(), "cancel --wait ends 0 when the ops ends Cancelled:\n" + cancel);
        assertTrue(cancel.out().contains("grow Cancelled"), cancel::toString);
        assertEquals(3, broker().replicas, "the snapshot is back");

        KubectlOrdinal.Result followed = waiting.await(30);
        assertEquals(1, followed.exit(), followed::toString);
        assertTrue(followed.out().contains("grow Running"), followed::toString);
        assertTrue(followed.err().contains("opsrequest grow ended Cancelled: "), followed::toString);

        KubectlOrdinal.Result again = plugin("ops", "cancel", "grow");
        assertEquals(1, again.exit(), again::toString);
        assertTrue(again.err().contains("already ended Cancelled; there is nothing left to cancel"), again::toString);
    }

    @Test
    void waitTimeoutStopsFollowingAndTheOpsGoesOn() throws Exception {
        runningKafka(3);
        kube.kubelet().neverReady("kafka-broker-3");
        KubectlOrdinal.Result r = plugin("scale", "kafka", "broker", "--by", "+1", "--wait", "--wait-timeout", "2s");
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("after --wait-timeout 2s; it goes on"), r::toString);
        assertEquals("Running", ops(createdName(r)).getStatus().phase);
        assertEquals(0, plugin("ops", "cancel", createdName(r)).exit());
    }

    @Test
    void everyVerbHasHelp() throws Exception {
        List<List<String>> verbs = List.of(List.of(), List.of("offline"), List.of("online"), List.of("scale"), List.of("plan"),
                List.of("plan", "offline"), List.of("plan", "online"), List.of("plan", "scale"), List.of("ops"),
                List.of("ops", "list"), List.of("ops", "describe"), List.of("ops", "cancel"), List.of("ops", "watch"));
        for (List<String> verb : verbs) {
            List<String> args = new ArrayList<>(verb);
            args.add("--help");
            KubectlOrdinal.Result help = KubectlOrdinal.run(null, args.toArray(String[]::new));
            assertEquals(0, help.exit(), help::toString);
            String usage = ("kubectl ordinal " + String.join(" ", verb)).strip();
            assertTrue(help.out().contains("Usage:\n  " + usage), () -> "help of " + usage + ":\n" + help);
            assertTrue(help.out().contains("--namespace") && help.out().contains("--kubeconfig"), help::toString);
        }
    }

    // ---- errors -----------------------------------------------------------------------------------------------

    @Test
    void unknownNamesExitThree() throws Exception {
        runningKafka(3);
        KubectlOrdinal.Result cluster = plugin("offline", "nope", "nope-broker-0");
        assertEquals(3, cluster.exit(), cluster::toString);
        assertTrue(cluster.err().contains("cluster \"nope\" not found in namespace " + ns), cluster::toString);

        KubectlOrdinal.Result instance = plugin("offline", "kafka", "kafka-broker-7");
        assertEquals(3, instance.exit(), instance::toString);
        assertTrue(instance.err().contains("cluster kafka has no instance \"kafka-broker-7\" (instances: broker: kafka-broker-0, "
                + "kafka-broker-1, kafka-broker-2)"), instance::toString);
        KubectlOrdinal.Result online = plugin("online", "kafka", "kafka-broker-9");
        assertEquals(3, online.exit(), online::toString);

        KubectlOrdinal.Result component = plugin("scale", "kafka", "zookeeper", "--replicas", "1");
        assertEquals(3, component.exit(), component::toString);
        assertTrue(component.err().contains("cluster kafka has no component \"zookeeper\" (components: broker)"), component::toString);

        for (String verb : List.of("describe", "watch", "cancel")) {
            KubectlOrdinal.Result ops = plugin("ops", verb, "no-such-ops");
            assertEquals(3, ops.exit(), ops::toString);
            assertTrue(ops.err().contains("opsrequest \"no-such-ops\" not found in namespace " + ns), ops::toString);
        }
        KubectlOrdinal.Result plan = plugin("plan", "scale", "nope", "broker", "--replicas", "1");
        assertEquals(3, plan.exit(), plan::toString);
        assertEquals(List.of(), opsNames(), "nothing created for an unknown name");
    }

    @Test
    void noPermissionExitsFour() throws Exception {
        runningKafka(3);
        Path nobody = kube.kubeconfig("plugin-nobody");
        KubectlOrdinal.Result read = KubectlOrdinal.run(nobody, "-n", ns, "offline", "kafka", "kafka-broker-2");
        assertEquals(4, read.exit(), read::toString);
        assertTrue(read.err().contains("no permission to read cluster kafka in namespace " + ns), read::toString);
        assertTrue(read.err().contains("plugin-nobody"), "names the user:\n" + read);
        KubectlOrdinal.Result list = KubectlOrdinal.run(nobody, "-n", ns, "ops", "list");
        assertEquals(4, list.exit(), list::toString);

        // a viewer may read Clusters, InstanceSets and OpsRequests but not create one
        client.rbac().roles().inNamespace(ns).resource(new RoleBuilder().withNewMetadata().withName("ordinal-viewer").endMetadata()
                .withRules(new PolicyRuleBuilder().withApiGroups("apps.ordinal.dev", "workloads.ordinal.dev", "operations.ordinal.dev")
                        .withResources("clusters", "instancesets", "opsrequests").withVerbs("get", "list", "watch").build())
                .build()).create();
        client.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata().withName("ordinal-viewer")
                .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "Role", "ordinal-viewer")
                .addNewSubject().withKind("User").withName("plugin-viewer").withApiGroup("rbac.authorization.k8s.io").endSubject()
                .build()).create();
        Path viewer = kube.kubeconfig("plugin-viewer");
        await().atMost(WAIT).untilAsserted(() -> assertEquals(0, KubectlOrdinal.run(viewer, "-n", ns, "ops", "list").exit()));
        KubectlOrdinal.Result create = KubectlOrdinal.run(viewer, "-n", ns, "offline", "kafka", "kafka-broker-2");
        assertEquals(4, create.exit(), create::toString);
        assertTrue(create.err().contains("no permission to create opsrequest kafka-offline-"), create::toString);
        assertEquals(3, broker().replicas);
        assertEquals(0, KubectlOrdinal.run(viewer, "-n", ns, "offline", "kafka", "kafka-broker-2", "-o", "yaml").exit(),
                "a viewer can still print the ops");
    }

    @Test
    void badUsageExitsTwoAndSendsNothing() throws Exception {
        runningKafka(3);
        Map<List<String>, String> cases = Map.of(
                List.of("scale", "kafka", "broker"), "exactly one of --replicas N and --by ±N",
                List.of("scale", "kafka", "broker", "--replicas", "3", "--by", "1"), "exactly one of --replicas N and --by ±N",
                List.of("scale", "kafka", "broker", "--by", "0"), "--by 0 changes nothing",
                List.of("scale", "kafka", "broker", "--replicas", "-1"), "--replicas -1: must be between 0 and 16384",
                List.of("offline", "kafka"), "needs a cluster and at least one instance",
                List.of("offline", "kafka", "kafka-broker-1", "-o", "xml"), "-o xml: choose yaml or json",
                List.of("frobnicate"), "unknown command \"frobnicate\"",
                List.of("ops", "watch"), "needs the name of an opsrequest",
                List.of("ops", "list", "--bogus"), "unknown flag: --bogus",
                List.of("plan"), "needs a verb: offline, online or scale");
        for (var c : cases.entrySet()) {
            KubectlOrdinal.Result r = plugin(c.getKey().toArray(String[]::new));
            assertEquals(2, r.exit(), () -> c.getKey() + "\n" + r);
            assertTrue(r.err().contains(c.getValue()), () -> c.getKey() + " should say " + c.getValue() + "\n" + r);
        }
        KubectlOrdinal.Result noKubeconfig = KubectlOrdinal.run(Path.of("target", "no-such-kubeconfig"), "ops", "list");
        assertEquals(2, noKubeconfig.exit(), noKubeconfig::toString);
        assertTrue(noKubeconfig.err().contains("no usable kubeconfig"), noKubeconfig::toString);
        assertEquals(List.of(), opsNames());
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** Runs the plugin as the administrator in this test's namespace. */
    private KubectlOrdinal.Result plugin(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-n", ns));
        all.addAll(List.of(args));
        return KubectlOrdinal.run(admin, all.toArray(String[]::new));
    }

    private static String createdName(KubectlOrdinal.Result r) {
        Matcher m = CREATED.matcher(r.out());
        assertTrue(m.find(), () -> "no 'created' line:\n" + r);
        return m.group(1);
    }

    private void runningKafka(int brokers) {
        createCluster("kafka", brokers);
        await().atMost(WAIT).untilAsserted(() -> {
            Cluster c = client.resources(Cluster.class).inNamespace(ns).withName("kafka").get();
            assertEquals("Running", c.getStatus() == null ? null : c.getStatus().phase);
        });
    }

    private void createCluster(String name, int brokers) {
        ComponentSpec broker = new ComponentSpec();
        broker.name = "broker";
        broker.replicas = brokers;
        broker.replicasLimit = new ReplicasLimit(0, 5);
        broker.template = new PodTemplateSpecBuilder().withNewSpec()
                .withContainers(new ContainerBuilder().withName("kafka").withImage("apache/kafka:3.9.0").build()).endSpec().build();
        Cluster cluster = new Cluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
        cluster.setSpec(new ClusterSpec());
        cluster.getSpec().terminationPolicy = ClusterSpec.TerminationPolicy.Delete;
        cluster.getSpec().componentSpecs = new ArrayList<>(List.of(broker));
        client.resource(cluster).create();
    }

    private ComponentSpec broker() {
        return client.resources(Cluster.class).inNamespace(ns).withName("kafka").get().getSpec().componentSpecs.get(0);
    }

    private OpsRequest ops(String name) {
        return client.resources(OpsRequest.class).inNamespace(ns).withName(name).get();
    }

    private List<String> opsNames() {
        return client.resources(OpsRequest.class).inNamespace(ns).list().getItems().stream().map(o -> o.getMetadata().getName())
                .sorted().toList();
    }

    private void awaitPods(String... names) {
        await().atMost(WAIT).untilAsserted(() -> assertEquals(List.of(names), client.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).map(p -> p.getMetadata().getName()).sorted().toList()));
    }
}
