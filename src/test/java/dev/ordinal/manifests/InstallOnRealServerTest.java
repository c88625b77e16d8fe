package dev.ordinal.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ordinal.devcluster.ControlPlane;
import dev.ordinal.testkube.Kubectl;
import dev.ordinal.testkube.Kubectl.Result;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * {@code kubectl apply --server-side -k kubernetes/}, as docs/install.md tells users, with the kubectl built with
 * the control plane against the run's real API server ({@link TestKube#shared} "rig"): the server's validation
 * accepts every object (CRDs, namespace, RBAC, Deployment, Service) and stores them as kustomize renders them.
 * The Deployment never gets pods (this control plane runs no Deployment controller, scheduler or kubelet).
 */
@RequiresControlPlane
class InstallOnRealServerTest {
    private static final String NS = OperatorServiceAccount.NAMESPACE;

    static TestKube kube;
    static KubernetesClient admin;

    @BeforeAll
    static void controlPlane() {
        kube = TestKube.shared("rig");
        admin = kube.newAdminClient();
    }

    @AfterAll
    static void close() {
        admin.close();
    }

    @Test
    void kubectlApplyServerSideOfTheKustomizationIsAcceptedByTheApiServer() throws Exception {
        // TestKube installed kubernetes/crds with field manager "kubectl", the manager kubectl applies with too, so
        // the CRDs are re-applied without conflict: no --force-conflicts (a conflict would fail this test, as it
        // would fail a user's re-install).
        Result r = kubectl("apply", "--server-side", "-k", Manifests.ROOT.toString());
        assertEquals(0, r.exit(), r.output());
        for (String object : List.of(
                "customresourcedefinition.apiextensions.k8s.io/clusters.apps.ordinal.dev",
                "customresourcedefinition.apiextensions.k8s.io/instancesets.workloads.ordinal.dev",
                "customresourcedefinition.apiextensions.k8s.io/opsrequests.operations.ordinal.dev",
                "namespace/ordinal-system", "serviceaccount/ordinal",
                "clusterrole.rbac.authorization.k8s.io/ordinal", "clusterrolebinding.rbac.authorization.k8s.io/ordinal",
                "role.rbac.authorization.k8s.io/ordinal-leader-election",
                "rolebinding.rbac.authorization.k8s.io/ordinal-leader-election",
                "deployment.apps/ordinal", "service/ordinal")) {
            assertTrue(r.output().contains(object + " serverside-applied"), object + " not applied:\n" + r.output());
        }

        Deployment deployment = admin.apps().deployments().inNamespace(NS).withName("ordinal").get();
        assertNotNull(deployment, "the Deployment is stored");
        assertEquals("ordinal/ordinal-operator:0.1.0-SNAPSHOT",
                deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage(), "kustomize's image");
        assertEquals("ordinal", deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertNotNull(admin.services().inNamespace(NS).withName("ordinal").get(), "the Service is stored");
        assertNotNull(admin.serviceAccounts().inNamespace(NS).withName("ordinal").get(), "the ServiceAccount is stored");
        ClusterRoleBinding clusterBinding = admin.rbac().clusterRoleBindings().withName("ordinal").get();
        RoleBinding binding = admin.rbac().roleBindings().inNamespace(NS).withName("ordinal-leader-election").get();
        assertEquals(NS, clusterBinding.getSubjects().get(0).getNamespace(), "ClusterRoleBinding subject");
        assertEquals(NS, binding.getSubjects().get(0).getNamespace(), "RoleBinding subject");

        // Applying the same manifests again meets no field-manager conflict and changes nothing.
        Result again = kubectl("apply", "--server-side", "-k", Manifests.ROOT.toString());
        assertEquals(0, again.exit(), again.output());
        assertEquals(deployment.getMetadata().getResourceVersion(),
                admin.apps().deployments().inNamespace(NS).withName("ordinal").get().getMetadata().getResourceVersion(),
                "the Deployment is unchanged by the second apply");
    }

    /** The optional NetworkPolicy, switched on as docs/install.md says, is accepted and stored as written. */
    @Test
    void theNetworkPolicyComponentIsAcceptedByTheApiServer(@TempDir Path tmp) throws Exception {
        Path copy = tmp.resolve("kubernetes");
        try (Stream<Path> files = Files.walk(Manifests.ROOT)) {
            for (Path f : files.toList()) {
                Path target = copy.resolve(Manifests.ROOT.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        Path kustomization = copy.resolve("kustomization.yaml");
        String text = Files.readString(kustomization);
        assertTrue(text.contains(InstallManifestsTest.COMPONENT_COMMENTED));
        Files.writeString(kustomization, text.replace(InstallManifestsTest.COMPONENT_COMMENTED, InstallManifestsTest.COMPONENT_ON));

        Result r = kubectl("apply", "--server-side", "-k", copy.toString());
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("networkpolicy.networking.k8s.io/ordinal serverside-applied"), r.output());
        NetworkPolicy stored = admin.network().v1().networkPolicies().inNamespace(NS).withName("ordinal").get();
        assertNotNull(stored, "the NetworkPolicy is stored");
        assertEquals("ordinal", stored.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/name"));
        assertEquals(List.of("Ingress"), stored.getSpec().getPolicyTypes());
        assertEquals("https", stored.getSpec().getIngress().get(0).getPorts().get(0).getPort().getStrVal());
        assertEquals(2, stored.getSpec().getIngress().get(0).getFrom().size());
    }

    /** The built kubectl as the administrator, as a user installing Ordinal runs it. */
    private static Result kubectl(String... args) throws IOException, InterruptedException {
        return Kubectl.run(kube.kubeconfig(ControlPlane.ADMIN, "system:masters"), args);
    }
}
