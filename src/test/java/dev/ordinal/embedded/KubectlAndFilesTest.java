package dev.ordinal.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ordinal.api.cluster.Cluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Loading YAML files into the server, and the kubectl commands docs/embedded-api-server.md promises. */
class KubectlAndFilesTest {

    static EmbeddedApiServer server;
    @TempDir
    static Path tmp;

    static final String CLUSTER_YAML = """
            apiVersion: apps.ordinal.dev/v1
            kind: Cluster
            metadata:
              name: %s
              namespace: default
            spec:
              terminationPolicy: Delete
              componentSpecs:
              - name: broker
                replicas: %d
            """;

    @BeforeAll
    static void start() throws IOException {
        server = EmbeddedApiServer.start();
        Files.writeString(tmp.resolve("clusters.apps.ordinal.dev-v1.yml"), Serialization.asYaml(
                CustomResourceDefinitionContext.v1CRDFromCustomResourceType(Cluster.class).build()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void applyDirectoryLoadsCrdsThenObjects() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("examples"));
        Files.copy(tmp.resolve("clusters.apps.ordinal.dev-v1.yml"), dir.resolve("00-crd.yml"));
        Files.writeString(dir.resolve("10-cluster.yaml"), CLUSTER_YAML.formatted("from-file", 3));
        List<HasMetadata> applied = server.applyDirectory(dir);
        assertEquals(2, applied.size());
        Cluster c = server.client().resources(Cluster.class).inNamespace("default").withName("from-file").get();
        assertNotNull(c);
        assertEquals(EmbeddedApiServer.FIELD_MANAGER, c.getMetadata().getManagedFields().get(0).getManager());
    }

    private static String kubectl(Path kubeconfig, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", args) + " -> " + out);
        return out;
    }

    @Test
    void kubectlGetApplyDeleteWork() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl is not installed");
        server.applyFile(tmp.resolve("clusters.apps.ordinal.dev-v1.yml"));
        Path kubeconfig = server.writeKubeconfig(tmp.resolve("kubeconfig"));

        assertTrue(kubectl(kubeconfig, null, "get", "crd").contains("clusters.apps.ordinal.dev"));
        assertTrue(kubectl(kubeconfig, CLUSTER_YAML.formatted("kafka", 3), "apply", "--validate=false", "-f", "-")
                .contains("created"));
        // second client-side apply: kubectl computes a merge patch against last-applied-configuration
        kubectl(kubeconfig, CLUSTER_YAML.formatted("kafka", 4), "apply", "--validate=false", "-f", "-");
        assertEquals("4", kubectl(kubeconfig, null, "get", "clusters", "kafka", "-o",
                "jsonpath={.spec.componentSpecs[0].replicas}").trim());
        kubectl(kubeconfig, CLUSTER_YAML.formatted("kafka", 5), "apply", "--server-side", "--force-conflicts",
                "--validate=false", "-f", "-");
        Cluster c = server.client().resources(Cluster.class).inNamespace("default").withName("kafka").get();
        assertEquals(5, c.getSpec().componentSpecs.get(0).replicas);
        assertTrue(c.getMetadata().getManagedFields().stream().anyMatch(m -> m.getManager().equals("kubectl")
                && m.getOperation().equals("Apply")), String.valueOf(c.getMetadata().getManagedFields()));

        kubectl(kubeconfig, null, "run", "p1", "--image=nginx");
        String pods = kubectl(kubeconfig, null, "get", "pods");
        assertTrue(pods.contains("p1") && pods.contains("READY") && pods.contains("STATUS"), pods);
        assertTrue(pods.contains("0/1") && pods.contains("Pending"), "server-side table cells: " + pods);
        kubectl(kubeconfig, null, "delete", "pod", "p1");
        kubectl(kubeconfig, null, "delete", "clusters", "kafka");
        assertNull(server.client().resources(Cluster.class).inNamespace("default").withName("kafka").get());
    }
}
