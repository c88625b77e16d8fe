package dev.ordinal.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ordinal.devcluster.ControlPlane;

/**
 * What {@code kubectl apply --server-side -k kubernetes/} installs: every manifest listed once, an operator pod that runs
 * unprivileged with probes and resource bounds, RBAC bound to its ServiceAccount, a Service the ServiceMonitor
 * can select, and a namespace that one line changes everywhere.
 */
class InstallManifestsTest {
    private static final Path KUSTOMIZATION = Manifests.ROOT.resolve("kustomization.yaml");
    private static final Path NETWORK_POLICY = Manifests.ROOT.resolve("network-policy/network-policy.yaml");
    /** The lines of kustomization.yaml that docs/install.md tells users to uncomment for the NetworkPolicy. */
    static final String COMPONENT_COMMENTED = "# components:\n#   - network-policy\n";
    static final String COMPONENT_ON = "components:\n  - network-policy\n";

    @Test
    void kustomizationListsEveryInstallManifestOnce() throws IOException {
        JsonNode kustomization = Manifests.documents(KUSTOMIZATION).get(0);
        List<String> listed = new ArrayList<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        assertEquals(new TreeSet<>(listed).size(), listed.size(), "listed twice: " + listed);

        Set<String> onDisk = new TreeSet<>();
        for (String dir : List.of("crds", "rbac", "operator")) {
            Manifests.yamlFiles(Manifests.ROOT.resolve(dir)).forEach(f -> onDisk.add(Manifests.ROOT.relativize(f).toString()));
        }
        onDisk.add("namespace.yaml");
        assertEquals(onDisk, new TreeSet<>(listed));
        assertFalse(listed.stream().anyMatch(r -> r.startsWith("monitoring")), "monitoring needs the Prometheus Operator CRDs: optional");
        assertEquals("ordinal-system", kustomization.path("namespace").asText());
    }

    @Test
    void everyInstallManifestHoldsOnlyFieldsKubernetesKnows() {
        var serialization = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
        List<Path> files = new ArrayList<>(List.of(Manifests.ROOT.resolve("namespace.yaml")));
        files.addAll(Manifests.yamlFiles(Manifests.ROOT.resolve("rbac")));
        files.addAll(Manifests.yamlFiles(Manifests.ROOT.resolve("operator")));
        files.add(NETWORK_POLICY);
        for (Path file : files) {
            for (ObjectNode doc : Manifests.documents(file)) {
                Object typed = serialization.unmarshal(doc.toString());
                assertFalse(typed instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource, file + ": unknown kind");
                List<String> unknown = new ArrayList<>();
                UnknownFields.collect(typed, file.getFileName().toString(), unknown);
                assertEquals(List.of(), unknown, file.toString());
            }
        }
    }

    @Test
    void theOperatorPodRunsUnprivilegedWithProbesAndBounds() throws IOException {
        JsonNode pod = deployment().path("spec").path("template").path("spec");
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean(), "pod runAsNonRoot");
        assertEquals("RuntimeDefault", pod.path("securityContext").path("seccompProfile").path("type").asText());
        assertEquals(1, pod.path("containers").size());
        JsonNode c = pod.path("containers").get(0);

        JsonNode sc = c.path("securityContext");
        assertTrue(sc.path("readOnlyRootFilesystem").asBoolean(), "readOnlyRootFilesystem");
        assertTrue(sc.path("runAsNonRoot").asBoolean(), "container runAsNonRoot");
        assertFalse(sc.path("allowPrivilegeEscalation").asBoolean(true), "allowPrivilegeEscalation");
        assertEquals("[\"ALL\"]", sc.path("capabilities").path("drop").toString());
        assertTrue(sc.path("capabilities").path("add").isMissingNode(), "no capability added");
        // a read-only root file system needs a writable /tmp for the JVM
        assertTrue(hasMount(c, "/tmp"), "an emptyDir at /tmp");

        assertEquals("/q/health/live", c.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/ready", c.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/started", c.path("startupProbe").path("httpGet").path("path").asText());
        // HTTPS only: the probes too (the kubelet does not verify their certificate), on the port the prod profile serves
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertEquals("https", c.path(probe).path("httpGet").path("port").asText(), probe);
            assertEquals("HTTPS", c.path(probe).path("httpGet").path("scheme").asText(), probe);
        }
        assertEquals(1, c.path("ports").size(), "one port, no plain HTTP one");
        assertEquals("https", c.path("ports").get(0).path("name").asText());
        assertEquals(8443, c.path("ports").get(0).path("containerPort").asInt());
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        assertTrue(properties.contains("quarkus.http.ssl-port=8443"), "the container port is the HTTPS port");
        assertTrue(properties.contains("%prod.quarkus.http.insecure-requests=disabled"), "no plain HTTP in the prod profile");
        assertTrue(properties.contains("%prod.quarkus.http.tls-configuration-name=ordinal-https"), "the prod profile serves TLS");

        for (String kind : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                assertTrue(c.path("resources").path(kind).hasNonNull(resource), "resources." + kind + "." + resource);
            }
        }
        assertTrue(env(c).contains("POD_NAMESPACE") && env(c).contains("POD_NAME"), "downward API for the Lease: " + env(c));
    }

    /**
     * The Deployment runs the image's JVM options (one set, documented in docs/benchmarks.md "Footprint"), and the
     * heap they allow leaves room in the memory limit for what is not heap (metaspace or AOT cache, code, threads).
     */
    @Test
    void deploymentRunsTheImagesJvmOptionsAndItsHeapFitsTheLimit() throws IOException {
        JsonNode c = deployment().path("spec").path("template").path("spec").path("containers").get(0);
        String deploymentOptions = null;
        for (JsonNode e : c.path("env")) {
            if ("JDK_JAVA_OPTIONS".equals(e.path("name").asText())) {
                deploymentOptions = e.path("value").asText().trim().replaceAll("\\s+", " ");
            }
        }
        java.util.regex.Matcher image = java.util.regex.Pattern.compile("(?m)^ENV JDK_JAVA_OPTIONS=\"([^\"]*)\"")
                .matcher(Files.readString(Path.of("src", "main", "docker", "Dockerfile.jvm")));
        assertTrue(image.find(), "Dockerfile.jvm sets JDK_JAVA_OPTIONS");
        assertEquals(image.group(1), deploymentOptions, "the Deployment's JDK_JAVA_OPTIONS are the image's");

        java.util.regex.Matcher percent = java.util.regex.Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(deploymentOptions);
        assertTrue(percent.find(), "the heap follows the memory limit");
        String limit = c.path("resources").path("limits").path("memory").asText();
        assertTrue(limit.endsWith("Mi"), "limit in Mi: " + limit);
        long limitMi = Long.parseLong(limit.substring(0, limit.length() - 2));
        long heapMi = limitMi * Long.parseLong(percent.group(1)) / 100;
        assertTrue(limitMi - heapMi >= 384, "at least 384 MiB besides a " + heapMi + " MiB heap in " + limit);
    }

    @Test
    void rbacIsBoundToTheOperatorsServiceAccount() throws IOException {
        JsonNode deployment = deployment();
        String account = deployment.path("spec").path("template").path("spec").path("serviceAccountName").asText();
        Manifests.one(Manifests.ROOT.resolve("rbac/service-account.yaml"), "ServiceAccount", account);

        JsonNode clusterBinding = Manifests.one(Manifests.ROOT.resolve("rbac/cluster-role-binding.yaml"), "ClusterRoleBinding", "ordinal");
        JsonNode binding = Manifests.one(Manifests.ROOT.resolve("rbac/leader-election-role-binding.yaml"), "RoleBinding", "ordinal-leader-election");
        JsonNode certificate = Manifests.one(Manifests.ROOT.resolve("rbac/serving-certificate-role-binding.yaml"), "RoleBinding",
                "ordinal-serving-certificate");
        for (JsonNode b : List.of(clusterBinding, binding, certificate)) {
            assertEquals(1, b.path("subjects").size());
            assertEquals("ServiceAccount", b.path("subjects").get(0).path("kind").asText());
            assertEquals(account, b.path("subjects").get(0).path("name").asText());
            String role = b.path("roleRef").path("name").asText();
            String kind = b.path("roleRef").path("kind").asText();
            Path file = kind.equals("ClusterRole") ? Manifests.ROOT.resolve("rbac/cluster-role.yaml")
                    : b == certificate ? Manifests.ROOT.resolve("rbac/serving-certificate-role.yaml") : Manifests.ROOT.resolve("rbac/leader-election-role.yaml");
            Manifests.one(file, kind, role);
        }
        // the Lease rules are namespaced (a Role), not cluster-wide
        assertFalse(RbacRules.granted().stream().anyMatch(g -> g.startsWith("coordination.k8s.io/") && clusterRoleGrants().contains(g)));
        // Secrets cluster-wide: get only (the Kafka client Secrets of scale-in guards, read by name at each check), never
        // list or watch (a cache of every Secret) and no write
        assertEquals(Set.of("/secrets get"), clusterRoleGrants().stream().filter(g -> g.startsWith("/secrets ")).collect(java.util.stream.Collectors.toSet()));
        // the Lease name the operator uses is the one documented with the Role
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        assertTrue(properties.contains("ordinal.leader-election.lease-name=ordinal-leader"));
        assertTrue(properties.contains("ordinal.leader-election.lease-namespace=${POD_NAMESPACE:}"));
    }

    @Test
    void theServiceSelectsTheOperatorPodOnPortHttps() {
        JsonNode service = Manifests.one(Manifests.ROOT.resolve("operator/service.yaml"), "Service", "ordinal");
        assertEquals("ordinal", service.path("metadata").path("labels").path("app.kubernetes.io/name").asText());
        JsonNode port = service.path("spec").path("ports").get(0);
        assertEquals("https", port.path("name").asText());
        assertEquals(8443, port.path("port").asInt());
        JsonNode podLabels = deployment().path("spec").path("template").path("metadata").path("labels");
        service.path("spec").path("selector").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), podLabels.path(e.getKey()).asText(), "selector " + e.getKey()));
        deployment().path("spec").path("selector").path("matchLabels").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), podLabels.path(e.getKey()).asText(), "matchLabels " + e.getKey()));
    }

    @Test
    void oneLineChangesTheNamespaceEverywhere(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(kubectl() != null, "no kubectl (built or on PATH): kustomize rendering not checked");
        Path copy = tmp.resolve("kubernetes");
        copyTree(Manifests.ROOT, copy);
        Path kustomization = copy.resolve("kustomization.yaml");
        Files.writeString(kustomization, Files.readString(kustomization).replace("\nnamespace: ordinal-system\n", "\nnamespace: data-ops\n"));
        assertInstalledInto("data-ops", render(copy, tmp));
        assertInstalledInto("ordinal-system", render(Manifests.ROOT, tmp));
    }

    @Test
    void anOverlayChangesNamespaceAndImage(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(kubectl() != null, "no kubectl (built or on PATH): kustomize rendering not checked");
        copyTree(Manifests.ROOT, tmp.resolve("kubernetes"));
        Path overlay = Files.createDirectories(tmp.resolve("my-install"));
        // the overlay docs/install.md shows
        Files.writeString(overlay.resolve("kustomization.yaml"), String.join("\n",
                "apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "namespace: data-ops",
                "resources:", "  - ../kubernetes", "images:", "  - name: ordinal/ordinal-operator",
                "    newName: registry.example.com/ordinal-operator", "    newTag: \"1.0\"", ""));
        List<ObjectNode> docs = render(overlay, tmp);
        assertInstalledInto("data-ops", docs);
        assertEquals("registry.example.com/ordinal-operator:1.0", container(docs).path("image").asText());
    }

    @Test
    void theNativeOverlayKeepsEverythingButImageAndBounds(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(kubectl() != null, "no kubectl (built or on PATH): kustomize rendering not checked");
        List<ObjectNode> docs = render(Path.of("native", "deploy"), tmp);
        assertInstalledInto("ordinal-system", docs);
        JsonNode c = container(docs);
        assertTrue(c.path("image").asText().endsWith("-native"), c.path("image").asText());
        assertEquals("[\"-Xmx128m\"]", c.path("args").toString());
        assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
    }

    /**
     * The optional NetworkPolicy (docs/install.md): absent by default; uncommenting the component in
     * kustomization.yaml, or naming it in an overlay of another namespace, adds one policy that lets only the
     * scraper's namespace and labelled client namespaces reach the operator pod's port named http.
     */
    @Test
    void theNetworkPolicyComponentIsOptionalAndGuardsThePortNamedHttp(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(kubectl() != null, "no kubectl (built or on PATH): kustomize rendering not checked");
        assertTrue(Files.readString(KUSTOMIZATION).contains(COMPONENT_COMMENTED), "the component's lines, commented out");

        Path copy = tmp.resolve("kubernetes");
        copyTree(Manifests.ROOT, copy);
        Path kustomization = copy.resolve("kustomization.yaml");
        Files.writeString(kustomization, Files.readString(kustomization).replace(COMPONENT_COMMENTED, COMPONENT_ON));
        List<ObjectNode> withPolicy = render(copy, tmp);
        assertEquals(render(Manifests.ROOT, tmp).size() + 1, withPolicy.size(), "the component adds one object");
        assertNetworkPolicy(withPolicy, "ordinal-system");

        Path overlay = Files.createDirectories(tmp.resolve("my-install"));
        Files.writeString(overlay.resolve("kustomization.yaml"), String.join("\n",
                "apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "namespace: data-ops",
                "resources:", "  - ../kubernetes", "components:", "  - ../kubernetes/network-policy", ""));
        Files.writeString(kustomization, Files.readString(kustomization).replace(COMPONENT_ON, COMPONENT_COMMENTED));
        assertNetworkPolicy(render(overlay, tmp), "data-ops");
    }

    private static void assertNetworkPolicy(List<ObjectNode> docs, String ns) {
        List<ObjectNode> policies = docs.stream().filter(d -> d.path("kind").asText().equals("NetworkPolicy")).toList();
        assertEquals(1, policies.size(), "one NetworkPolicy");
        JsonNode policy = policies.get(0);
        assertEquals(ns, policy.path("metadata").path("namespace").asText());
        JsonNode pod = docs.stream().filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow()
                .path("spec").path("template");
        policy.path("spec").path("podSelector").path("matchLabels").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), pod.path("metadata").path("labels").path(e.getKey()).asText(),
                        "the policy selects the operator pod: " + e.getKey()));
        assertEquals("[\"Ingress\"]", policy.path("spec").path("policyTypes").toString(), "egress stays open (API server)");
        JsonNode rules = policy.path("spec").path("ingress");
        assertEquals(1, rules.size());
        String containerPort = pod.path("spec").path("containers").get(0).path("ports").get(0).path("name").asText();
        assertEquals("[{\"port\":\"" + containerPort + "\",\"protocol\":\"TCP\"}]", rules.get(0).path("ports").toString());
        Set<String> from = new TreeSet<>();
        rules.get(0).path("from").forEach(peer -> from.add(peer.toString()));
        assertEquals(Set.of("{\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"monitoring\"}}}",
                "{\"namespaceSelector\":{\"matchLabels\":{\"ordinal.dev/ops-events-client\":\"true\"}}}"), from);
    }

    static List<ObjectNode> render(Path dir, Path tmp) throws Exception {
        Process p = new ProcessBuilder(kubectl(), "kustomize", dir.toString()).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        Path rendered = Files.createTempFile(tmp, "rendered", ".yaml");
        Files.writeString(rendered, out);
        return Manifests.documents(rendered);
    }

    private static JsonNode container(List<ObjectNode> docs) {
        return docs.stream().filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow()
                .path("spec").path("template").path("spec").path("containers").get(0);
    }

    /** Every namespaced object and every binding subject in {@code ns}; the complete set of kinds. */
    private static void assertInstalledInto(String ns, List<ObjectNode> docs) {
        Set<String> kinds = new TreeSet<>();
        for (ObjectNode d : docs) {
            String kind = d.path("kind").asText();
            kinds.add(kind);
            JsonNode meta = d.path("metadata");
            switch (kind) {
                case "Namespace" -> assertEquals(ns, meta.path("name").asText());
                case "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding" -> assertTrue(meta.path("namespace").isMissingNode(), kind);
                default -> assertEquals(ns, meta.path("namespace").asText(), kind + " " + meta.path("name").asText());
            }
            if (kind.endsWith("RoleBinding")) {
                assertEquals(ns, d.path("subjects").get(0).path("namespace").asText(), kind + " subject");
            }
        }
        assertEquals(Set.of("ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "Deployment", "Namespace", "Role",
                "RoleBinding", "Service", "ServiceAccount"), kinds);
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static JsonNode deployment() {
        return Manifests.one(Manifests.ROOT.resolve("operator/deployment.yaml"), "Deployment", "ordinal");
    }

    private static Set<String> clusterRoleGrants() {
        Set<String> out = new TreeSet<>();
        for (JsonNode rule : Manifests.one(Manifests.ROOT.resolve("rbac/cluster-role.yaml"), "ClusterRole", "ordinal").path("rules")) {
            rule.path("apiGroups").forEach(g -> rule.path("resources").forEach(r -> rule.path("verbs")
                    .forEach(v -> out.add(g.asText() + "/" + r.asText() + " " + v.asText()))));
        }
        return out;
    }

    private static boolean hasMount(JsonNode container, String path) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (path.equals(m.path("mountPath").asText())) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> env(JsonNode container) {
        Set<String> names = new TreeSet<>();
        container.path("env").forEach(e -> names.add(e.path("name").asText()));
        return names;
    }

    /** The kubectl built with the control plane (kube/build-control-plane.sh), else one on PATH, else null. */
    static String kubectl() {
        Path built = ControlPlane.binaryDir().resolve("kubectl");
        if (Files.isExecutable(built)) {
            return built.toString();
        }
        String path = System.getenv("PATH");
        return path == null ? null : Stream.of(path.split(java.io.File.pathSeparator)).map(d -> Path.of(d, "kubectl"))
                .filter(Files::isExecutable).map(Path::toString).findFirst().orElse(null);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
