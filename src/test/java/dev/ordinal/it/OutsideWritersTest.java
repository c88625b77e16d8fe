package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.offline;
import static dev.ordinal.it.Fixture.scale;
import static dev.ordinal.it.Fixture.scaleOut;
import static dev.ordinal.it.Fixture.template;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.ops.HorizontalScaling;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.devcluster.ControlPlane;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.Kubectl;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Spec amendment §7b "an ops' change must still stand" (issue #27 A), on the real API server with kubectl: an ops is
 * Succeed only while the Cluster still carries what it wrote; when another writer (a GitOps sync, {@code kubectl
 * apply}, an edit) changes those fields, the ops ends Failed {@code OverwrittenByAnotherWriter}, naming the field, both
 * values and that writer, while it runs, not only at its end (docs/gitops.md).
 */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class OutsideWritersTest {
    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;
    Path manifest;

    @BeforeEach
    void namespace() throws Exception {
        f = Fixture.fresh(client, "writers");
        manifest = Files.createTempFile("cluster", ".yaml");
    }

    @AfterEach
    void cleanUp() throws Exception {
        Fixture.kubeletBackToNormal();
        Files.deleteIfExists(manifest);
    }

    /** The user's manifest of a Cluster {@code name} with 3 brokers, as kept in Git. */
    private void writeManifest(String name) throws Exception {
        Files.writeString(manifest, """
                apiVersion: apps.ordinal.dev/v1
                kind: Cluster
                metadata: {name: %s, namespace: %s}
                spec:
                  terminationPolicy: Delete
                  componentSpecs:
                    - name: broker
                      replicas: 3
                      offlineInstances: []
                      template: {spec: {containers: [{name: kafka, image: "apache/kafka:3.9.0"}]}}
                      volumeClaimTemplates:
                        - metadata: {name: data}
                          spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
                """.formatted(name, f.ns));
    }

    private Kubectl.Result kubectl(String... args) throws Exception {
        Kubectl.Result r = Kubectl.run(KubeResource.kube().kubeconfig(ControlPlane.ADMIN, "system:masters"), args);
        assertEquals(0, r.exit(), r.output());
        return r;
    }

    private static String failedMessage(OpsRequest ops) {
        return Conditions.find(ops.getStatus().conditions, "Failed").message;
    }

    /** The example: Argo CD's self-heal (a client-side re-apply) while an offline waits for its pod to go. */
    @Test
    void anOfflineUndoneByAKubectlApplyOfTheSameManifestFailsWhileRunningNamingFieldsValuesAndWriter() throws Exception {
        writeManifest("ow");
        kubectl("apply", "-f", manifest.toString());
        f.awaitClusterPhase("ow", "Running");
        f.holdPod("ow-broker-1", true);
        f.createOps("off", "ow", offline("broker", "ow-broker-1"));
        await().atMost(Fixture.WAIT).until(() -> "Running".equals(f.opsPhase("off"))
                && f.pod("ow-broker-1").getMetadata().getDeletionTimestamp() != null);

        kubectl("apply", "-f", manifest.toString());
        OpsRequest ops = f.awaitOps("off", "Failed");
        assertNotNull(f.pod("ow-broker-1"), "judged while Running: the pod still lingers");
        var failed = Conditions.find(ops.getStatus().conditions, "Failed");
        assertEquals("OverwrittenByAnotherWriter", failed.reason);
        assertTrue(failed.message.contains("spec.componentSpecs[broker].replicas: this ops wrote 2, the Cluster now has 3 (written by "
                + "kubectl-client-side-apply)"), failed.message);
        assertTrue(failed.message.contains("spec.componentSpecs[broker].offlineInstances: this ops wrote [ow-broker-1], the Cluster now"
                + " has [] (written by kubectl-client-side-apply)"), failed.message);
        assertEquals("0/1", ops.getStatus().progress, "not Succeed 1/1");
        assertTrue(f.events("OpsRequest", "off").stream().anyMatch(e -> "OverwrittenByAnotherWriter".equals(e.getReason())
                && "Warning".equals(e.getType()) && e.getMessage().equals(failed.message)), "an Event says the same");

        f.holdPod("ow-broker-1", false);
        f.awaitReadyPods("ow-broker-0", "ow-broker-1", "ow-broker-2");
        assertEquals("Failed", f.opsPhase("off"), "an ended ops stays ended");
    }

    @Test
    void aScaleOutUndoneByAForcedServerSideApplyFailsNamingKubectl() throws Exception {
        writeManifest("ss");
        kubectl("apply", "--server-side", "-f", manifest.toString());
        f.awaitClusterPhase("ss", "Running");
        Fixture.kubelet().neverReady("ss-broker-3");
        f.createOps("out", "ss", scaleOut("broker", 1));
        await().atMost(Fixture.WAIT).until(() -> "Running".equals(f.opsPhase("out")) && f.pod("ss-broker-3") != null);

        kubectl("apply", "--server-side", "--force-conflicts", "-f", manifest.toString());
        OpsRequest ops = f.awaitOps("out", "Failed");
        assertEquals("OverwrittenByAnotherWriter", Conditions.find(ops.getStatus().conditions, "Failed").reason);
        assertTrue(failedMessage(ops).contains("spec.componentSpecs[broker].replicas: this ops wrote 4, the Cluster now has 3 (written by"
                + " kubectl)"), failedMessage(ops));
        assertEquals("Aborted", ops.getStatus().components.get("broker").progressDetails.get(0).status);
    }

    @Test
    void aTemplatesReplicasChangedByAnEditFailTheOpsThatWroteThem() {
        ComponentSpec b = broker(2);
        b.instances = new ArrayList<>(List.of(template("hot", 1)));
        f.runningCluster("te", b);
        Fixture.kubelet().neverReady("te-broker-hot-1");
        HorizontalScaling hot = scale("broker");
        hot.scaleOut = new HorizontalScaling.ScaleOut();
        hot.scaleOut.instances = new ArrayList<>(List.of(new HorizontalScaling.InstanceReplicaChange()));
        hot.scaleOut.instances.get(0).name = "hot";
        hot.scaleOut.instances.get(0).replicaChanges = 1;
        f.createOps("hot", "te", hot);
        await().atMost(Fixture.WAIT).until(() -> "Running".equals(f.opsPhase("hot")) && f.pod("te-broker-hot-1") != null);

        // kubectl edit: the template back to 1 and replicas back to 2, as a PUT by another field manager
        Cluster edited = f.cluster("te");
        ComponentSpec spec = edited.getSpec().componentSpecs.get(0);
        spec.replicas = 2;
        spec.instances.get(0).replicas = 1;
        client.resources(Cluster.class).inNamespace(f.ns).withName("te").patch(new PatchContext.Builder()
                .withPatchType(PatchType.JSON_MERGE).withFieldManager("kubectl-edit").build(),
                client.getKubernetesSerialization().asJson(java.util.Map.of("spec", edited.getSpec())));

        OpsRequest ops = f.awaitOps("hot", "Failed");
        assertTrue(failedMessage(ops).contains("spec.componentSpecs[broker].instances[hot].replicas: this ops wrote 2, the Cluster now"
                + " has 1 (written by kubectl-edit)"), failedMessage(ops));
        assertTrue(failedMessage(ops).contains("spec.componentSpecs[broker].replicas: this ops wrote 3, the Cluster now has 2 (written"
                + " by kubectl-edit)"), failedMessage(ops));
        f.awaitReadyPods("te-broker-0", "te-broker-hot-0");
    }

    @Test
    void aChangeToAFieldTheOpsDidNotWriteLeavesItAlone() {
        f.runningCluster("un", broker(3));
        Fixture.kubelet().neverReady("un-broker-3");
        f.createOps("out", "un", scaleOut("broker", 1));
        await().atMost(Fixture.WAIT).until(() -> "Running".equals(f.opsPhase("out")) && f.pod("un-broker-3") != null);
        f.editCluster("un", c -> c.getSpec().terminationPolicy = ClusterSpec.TerminationPolicy.WipeOut);
        await().pollDelay(java.time.Duration.ofSeconds(2)).atMost(Fixture.WAIT).until(() -> true);
        assertEquals("Running", f.opsPhase("out"), "another field, another writer: the ops' change stands");
        Fixture.kubelet().healthy("un-broker-3");
        f.awaitOps("out", "Succeed");
    }
}
