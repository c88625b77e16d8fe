package dev.ordinal.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ordinal.testkube.Helm;

/**
 * charts/ordinal, checked with the pinned Helm (kube/build-helm.sh) as the build's lint and template step: it lints
 * clean; with its default values it renders the objects {@code kubectl apply -k kubernetes/} installs (less the
 * Namespace, plus Helm's labels); its optional parts render as the files of kubernetes/network-policy and
 * kubernetes/monitoring; its roles are read from kubernetes/rbac, so a rule added there appears in the chart; every
 * value does what docs/install.md's table says; the schema refuses bad values by name; the CRDs carry
 * {@code helm.sh/resource-policy: keep}; the chart's version is the project's.
 */
class HelmChartTest {
    private static final String CHART = Helm.CHART.toString();
    /** The labels the chart adds to kubernetes/'s on every object (and pod template). */
    private static final Set<String> HELM_LABELS = Set.of("helm.sh/chart", "app.kubernetes.io/instance",
            "app.kubernetes.io/managed-by", "app.kubernetes.io/version");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void lintsCleanWithDefaultsAndWithEveryOptionalPartOn() {
        for (List<String> values : List.of(List.<String>of(), everythingOn())) {
            List<String> args = new ArrayList<>(List.of("lint", "--strict", CHART));
            args.addAll(values);
            Helm.Result r = Helm.run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), r::both);
            assertTrue(r.out().contains("1 chart(s) linted, 0 chart(s) failed"), r::both);
        }
    }

    /** The two install paths give the same objects by default: docs/install.md promises that. */
    @Test
    void byDefaultTheChartRendersWhatKustomizeInstallsLessTheNamespace(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(InstallManifestsTest.kubectl() != null, "no kubectl (built or on PATH): kustomize rendering not compared");
        Map<String, ObjectNode> kustomize = byKindAndName(InstallManifestsTest.render(Manifests.ROOT, tmp));
        assertTrue(kustomize.remove("Namespace/ordinal-system") != null, "kustomize installs the namespace");
        Map<String, ObjectNode> chart = byKindAndName(template("ordinal", "ordinal-system"));
        assertEquals(kustomize.keySet(), chart.keySet(), "the same objects");
        for (String key : kustomize.keySet()) {
            assertEquals(kustomize.get(key), withoutHelmMarks(chart.get(key)), key + " differs between charts/ordinal and kubernetes/");
        }
        // the marks that were taken off: Helm's labels everywhere, and keep on the CRDs
        for (ObjectNode o : chart.values()) {
            assertEquals("Helm", o.path("metadata").path("labels").path("app.kubernetes.io/managed-by").asText(), key(o));
        }
    }

    @Test
    void theOptionalPartsRenderAsTheFilesOfKubernetes(@TempDir Path tmp) throws Exception {
        Map<String, ObjectNode> chart = byKindAndName(template("ordinal", "ordinal-system", everythingOn().toArray(String[]::new)));

        ObjectNode serviceMonitor = withoutHelmMarks(chart.get("ServiceMonitor/ordinal"));
        ObjectNode shipped = Manifests.one(Manifests.ROOT.resolve("monitoring/servicemonitor.yaml"), "ServiceMonitor", "ordinal");
        shipped.with("metadata").put("namespace", "ordinal-system");
        assertEquals(shipped, serviceMonitor, "the ServiceMonitor is kubernetes/monitoring/servicemonitor.yaml's");

        ObjectNode reader = withoutHelmMarks(chart.get("ClusterRole/ordinal-metrics-reader"));
        assertEquals(Manifests.one(Manifests.ROOT.resolve("monitoring/metrics-reader-cluster-role.yaml"), "ClusterRole",
                "ordinal-metrics-reader"), reader);
        JsonNode readerBinding = chart.get("ClusterRoleBinding/ordinal-metrics-reader");
        assertEquals("[{\"kind\":\"ServiceAccount\",\"name\":\"prometheus-k8s\",\"namespace\":\"monitoring\"}]",
                readerBinding.path("subjects").toString());
        assertEquals("ordinal-metrics-reader", readerBinding.path("roleRef").path("name").asText());

        JsonNode dashboard = chart.get("ConfigMap/ordinal-dashboard");
        assertEquals("1", dashboard.path("metadata").path("labels").path("grafana_dashboard").asText(), "Grafana's sidecar label");
        assertEquals(JSON.readTree(Files.readString(Manifests.ROOT.resolve("monitoring/ordinal-dashboard.json"))),
                JSON.readTree(dashboard.path("data").path("ordinal-dashboard.json").asText()));

        Assumptions.assumeTrue(InstallManifestsTest.kubectl() != null, "no kubectl: the NetworkPolicy not compared with kustomize's");
        Path copy = tmp.resolve("kubernetes");
        InstallManifestsTest.copyTree(Manifests.ROOT, copy);
        Path kustomization = copy.resolve("kustomization.yaml");
        Files.writeString(kustomization, Files.readString(kustomization)
                .replace(InstallManifestsTest.COMPONENT_COMMENTED, InstallManifestsTest.COMPONENT_ON));
        ObjectNode policy = byKindAndName(InstallManifestsTest.render(copy, tmp)).get("NetworkPolicy/ordinal");
        assertEquals(policy, withoutHelmMarks(chart.get("NetworkPolicy/ordinal")), "the NetworkPolicy is kubernetes/network-policy's");
    }

    /** One source for the rules: the chart's roles are read from kubernetes/rbac (through charts/ordinal/files). */
    @Test
    void aRuleAddedToKubernetesRbacAppearsInTheChartsRole(@TempDir Path tmp) throws Exception {
        for (String link : List.of("crds", "rbac", "monitoring")) {
            Path file = Helm.CHART.resolve("files").resolve(link);
            assertTrue(Files.isSymbolicLink(file), file + " is a link into kubernetes/");
            assertEquals(Manifests.ROOT.resolve(link).toRealPath(), file.toRealPath());
        }
        copyKeepingLinks(Path.of("charts"), tmp.resolve("charts"));
        copyKeepingLinks(Manifests.ROOT, tmp.resolve("kubernetes"));
        Path role = tmp.resolve("kubernetes/rbac/cluster-role.yaml");
        Files.writeString(role, Files.readString(role) + """
                  - apiGroups: [""]
                    resources: [configmaps]
                    verbs: [get]
                """);
        Helm.Result r = Helm.run("template", "ordinal", tmp.resolve("charts/ordinal").toString(), "-n", "ordinal-system",
                "-s", "templates/rbac.yaml");
        assertEquals(0, r.exit(), r::both);
        JsonNode rules = byKindAndName(Manifests.documents(write(tmp, r.out()))).get("ClusterRole/ordinal").path("rules");
        JsonNode last = rules.get(rules.size() - 1);
        assertEquals("{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],\"verbs\":[\"get\"]}", last.toString());
    }

    /** {@code helm package} resolves the links: the archive renders the same objects with no kubernetes/ beside it. */
    @Test
    void thePackagedChartRendersWhatTheDirectoryRenders(@TempDir Path tmp) {
        Helm.Result packaged = Helm.run("package", CHART, "-d", tmp.toString());
        assertEquals(0, packaged.exit(), packaged::both);
        Path archive = tmp.resolve("ordinal-" + Manifests.documents(Helm.CHART.resolve("Chart.yaml")).get(0)
                .path("version").asText() + ".tgz");
        assertTrue(Files.isRegularFile(archive), packaged::both);
        Helm.Result fromArchive = Helm.run("template", "ordinal", archive.toString(), "-n", "ordinal-system");
        assertEquals(0, fromArchive.exit(), fromArchive::both);
        assertFalse(fromArchive.err().contains("symbolic link"), "the archive holds files, not links");
        assertEquals(Helm.run("template", "ordinal", CHART, "-n", "ordinal-system").out(), fromArchive.out());
    }

    @Test
    void theCrdsAreTheCommittedOnesAndAreKeptOnUninstall() {
        List<ObjectNode> crds = template("ordinal", "ordinal-system").stream()
                .filter(d -> d.path("kind").asText().equals("CustomResourceDefinition")).toList();
        Set<String> committed = new TreeSet<>();
        for (Path f : Manifests.yamlFiles(Manifests.CRDS)) {
            committed.add(Manifests.documents(f).get(0).path("metadata").path("name").asText());
        }
        assertEquals(committed, new TreeSet<>(crds.stream().map(c -> c.path("metadata").path("name").asText()).toList()));
        for (ObjectNode crd : crds) {
            assertEquals("keep", crd.path("metadata").path("annotations").path("helm.sh/resource-policy").asText(),
                    "uninstall leaves " + key(crd));
        }
        assertTrue(template("ordinal", "ordinal-system", "--set", "crds.install=false").stream()
                .noneMatch(d -> d.path("kind").asText().equals("CustomResourceDefinition")), "crds.install=false: none");
    }

    @Test
    void everyValueChangesWhatItSays() {
        List<ObjectNode> docs = template("team-ordinal", "data-ops",
                "--set", "image.registry=registry.example.com,image.tag=1.2.3,image.pullPolicy=Always",
                "--set", "replicaCount=2,jvmOptions=-XX:+UseSerialGC -Xmx300m",
                "--set", "resources.requests.memory=256Mi,resources.limits.memory=512Mi",
                "--set", "nodeSelector.disk=ssd,priorityClassName=system-cluster-critical",
                "--set", "podAnnotations.team=data,podLabels.tier=ops",
                "--set-json", "tolerations=[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"ops\",\"effect\":\"NoSchedule\"}]",
                "--set-json", "affinity={\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\",\"values\":[\"a\"]}]}]}}}",
                "--set-json", "podSecurityContext={\"runAsNonRoot\":true,\"runAsUser\":185,\"fsGroup\":185}",
                "--set-json", "extraEnv=[{\"name\":\"ORDINAL_OPS_MAX_QUEUE\",\"value\":\"50\"}]",
                "--set-json", "imagePullSecrets=[{\"name\":\"registry-creds\"}]",
                "--set", "metrics.auth=none,metrics.serviceMonitor.enabled=true,metrics.serviceMonitor.labels.release=prom",
                "--set", "service.port=9090,serviceAccount.annotations.owner=data,tls.secretName=ops-tls",
                "--set", "rbac.kafkaClientSecrets=false");
        Map<String, ObjectNode> byKey = byKindAndName(docs);
        // a release name that contains the chart's name is the name of every object
        assertTrue(byKey.containsKey("Deployment/team-ordinal"), byKey.keySet().toString());
        for (ObjectNode d : docs) {
            String kind = d.path("kind").asText();
            if (!Set.of("CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding").contains(kind)) {
                assertEquals("data-ops", d.path("metadata").path("namespace").asText(), key(d));
            }
            if (kind.endsWith("RoleBinding")) {
                assertEquals("[{\"kind\":\"ServiceAccount\",\"name\":\"team-ordinal\",\"namespace\":\"data-ops\"}]",
                        d.path("subjects").toString(), key(d));
            }
        }
        JsonNode deployment = byKey.get("Deployment/team-ordinal");
        assertEquals(2, deployment.path("spec").path("replicas").asInt());
        JsonNode pod = deployment.path("spec").path("template");
        assertEquals("data", pod.path("metadata").path("annotations").path("team").asText());
        assertEquals("ops", pod.path("metadata").path("labels").path("tier").asText());
        JsonNode spec = pod.path("spec");
        assertEquals("team-ordinal", spec.path("serviceAccountName").asText());
        assertEquals("{\"disk\":\"ssd\"}", spec.path("nodeSelector").toString());
        assertEquals("system-cluster-critical", spec.path("priorityClassName").asText());
        assertEquals("dedicated", spec.path("tolerations").get(0).path("key").asText());
        assertEquals("zone", spec.path("affinity").path("nodeAffinity").path("requiredDuringSchedulingIgnoredDuringExecution")
                .path("nodeSelectorTerms").get(0).path("matchExpressions").get(0).path("key").asText());
        // Helm merges a map value into the default one: seccompProfile stays unless set to null
        assertEquals("{\"fsGroup\":185,\"runAsNonRoot\":true,\"runAsUser\":185,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}",
                spec.path("securityContext").toString());
        assertEquals("[{\"name\":\"registry-creds\"}]", spec.path("imagePullSecrets").toString());
        JsonNode c = spec.path("containers").get(0);
        assertEquals("registry.example.com/ordinal/ordinal-operator:1.2.3", c.path("image").asText());
        assertEquals("Always", c.path("imagePullPolicy").asText());
        assertEquals("{\"limits\":{\"cpu\":\"1\",\"memory\":\"512Mi\"},\"requests\":{\"cpu\":\"100m\",\"memory\":\"256Mi\"}}",
                c.path("resources").toString());
        Map<String, String> env = new TreeMap<>();
        c.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        assertEquals("-XX:+UseSerialGC -Xmx300m", env.get("JDK_JAVA_OPTIONS"));
        assertEquals("none", env.get("ORDINAL_HTTP_AUTH_METRICS"), "metrics.auth=none sets the operator's setting");
        assertEquals("50", env.get("ORDINAL_OPS_MAX_QUEUE"));
        assertEquals("ops-tls", env.get("ORDINAL_HTTP_TLS_SECRET"), "tls.secretName: the operator serves that Secret");
        assertEquals("team-ordinal", env.get("ORDINAL_HTTP_TLS_SERVICE"), "the self-signed certificate names the Service");
        assertEquals("[{\"apiGroups\":[\"\"],\"resourceNames\":[\"ops-tls\"],\"resources\":[\"secrets\"],\"verbs\":[\"get\",\"list\",\"watch\"]}]",
                byKey.get("Role/team-ordinal-serving-certificate").path("rules").toString(), "the operator may read that Secret only");
        assertTrue(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean(), "the container's defaults stay");
        Set<String> clusterRoleResources = new TreeSet<>();
        byKey.get("ClusterRole/team-ordinal").path("rules").forEach(r -> r.path("resources").forEach(x -> clusterRoleResources.add(x.asText())));
        assertFalse(clusterRoleResources.contains("secrets"), "rbac.kafkaClientSecrets=false: no Secret rule: " + clusterRoleResources);
        assertTrue(clusterRoleResources.contains("pods"), "the other rules stay: " + clusterRoleResources);

        JsonNode monitor = byKey.get("ServiceMonitor/team-ordinal");
        assertEquals("prom", monitor.path("metadata").path("labels").path("release").asText());
        assertTrue(monitor.path("spec").path("endpoints").get(0).path("bearerTokenFile").isMissingNode(),
                "metrics.auth=none: Prometheus sends no token");
        assertEquals("{\"serverName\":\"team-ordinal.data-ops.svc\",\"ca\":{\"secret\":{\"name\":\"ops-tls\",\"key\":\"ca.crt\"}}}",
                monitor.path("spec").path("endpoints").get(0).path("tlsConfig").toString(), "verified against the Secret's CA");
        assertEquals(9090, byKey.get("Service/team-ordinal").path("spec").path("ports").get(0).path("port").asInt());
        assertEquals("data", byKey.get("ServiceAccount/team-ordinal").path("metadata").path("annotations").path("owner").asText());

        // another release name gets the chart's name appended; a digest wins over the tag
        Map<String, ObjectNode> other = byKindAndName(template("ops", "ordinal-system", "--set",
                "image.digest=sha256:" + "ab".repeat(32) + ",networkPolicy.enabled=true,networkPolicy.metricsNamespace=prom",
                "--set-json", "networkPolicy.extraFrom=[{\"ipBlock\":{\"cidr\":\"10.0.0.10/32\"}}]"));
        assertEquals("ordinal/ordinal-operator@sha256:" + "ab".repeat(32), other.get("Deployment/ops-ordinal")
                .path("spec").path("template").path("spec").path("containers").get(0).path("image").asText());
        assertEquals("ops-ordinal-leader-election", other.get("RoleBinding/ops-ordinal-leader-election").path("roleRef").path("name").asText());
        JsonNode from = other.get("NetworkPolicy/ops-ordinal").path("spec").path("ingress").get(0).path("from");
        assertEquals("[{\"namespaceSelector\":{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"prom\"}}},"
                + "{\"namespaceSelector\":{\"matchLabels\":{\"ordinal.dev/ops-events-client\":\"true\"}}},"
                + "{\"ipBlock\":{\"cidr\":\"10.0.0.10/32\"}}]", from.toString());

        // an existing ServiceAccount, and no RBAC at all
        Map<String, ObjectNode> byo = byKindAndName(template("ordinal", "ordinal-system", "--set",
                "serviceAccount.create=false,serviceAccount.name=my-operator,rbac.create=false"));
        assertEquals(Set.of("Deployment/ordinal", "Service/ordinal"), byo.keySet().stream()
                .filter(k -> !k.startsWith("CustomResourceDefinition/")).collect(java.util.stream.Collectors.toSet()));
        assertEquals("my-operator", byo.get("Deployment/ordinal").path("spec").path("template").path("spec")
                .path("serviceAccountName").asText());
    }

    @Test
    void theSchemaAndTheTemplatesRefuseBadValuesNamingTheField() {
        Map<String, String> bad = new TreeMap<>(Map.of(
                "replicaCount=-1", "/replicaCount",
                "image.pullPolicy=Sometimes", "/image/pullPolicy",
                "metrics.auth=basic", "/metrics/auth",
                "imagee.tag=1", "'imagee'",
                "service.port=0", "/service/port",
                "metrics.serviceMonitor.interval=soon", "/metrics/serviceMonitor/interval",
                "serviceAccount.create=false", "serviceAccount.name",
                "networkPolicy.enabled=true,networkPolicy.metricsNamespace=,networkPolicy.eventClientNamespaceLabels=null",
                "networkPolicy.enabled"));
        bad.forEach((value, field) -> {
            Helm.Result r = Helm.run("template", "ordinal", CHART, "--set", value);
            assertNotEquals(0, r.exit(), value + " was accepted");
            assertTrue(r.err().contains(field), () -> value + ": the error names " + field + ":\n" + r.both());
        });
    }

    @Test
    void theChartsVersionIsTheProjects() throws IOException {
        Matcher project = Pattern.compile("<artifactId>ordinal</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(project.find(), "pom.xml's version");
        JsonNode chart = Manifests.documents(Helm.CHART.resolve("Chart.yaml")).get(0);
        assertEquals(project.group(1), chart.path("version").asText(), "Chart.yaml version");
        assertEquals(project.group(1), chart.path("appVersion").asText(), "Chart.yaml appVersion");
        assertTrue(Pattern.matches("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?", chart.path("version").asText()),
                "SemVer 2, as Helm requires");
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** {@code helm template <release> charts/ordinal -n <namespace> <more>}, parsed. */
    private static List<ObjectNode> template(String release, String namespace, String... more) {
        List<String> args = new ArrayList<>(List.of("template", release, CHART, "-n", namespace));
        args.addAll(List.of(more));
        Helm.Result r = Helm.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r::both);
        try {
            Path dir = Files.createDirectories(Path.of("target", "helm-home"));
            return Manifests.documents(write(dir, r.out()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path write(Path dir, String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "rendered", ".yaml");
        Files.writeString(file, yaml);
        file.toFile().deleteOnExit();
        return file;
    }

    private static List<String> everythingOn() {
        return List.of("--set", "networkPolicy.enabled=true,metrics.serviceMonitor.enabled=true,metrics.reader.create=true",
                "--set", "metrics.reader.serviceAccounts[0].namespace=monitoring,metrics.reader.serviceAccounts[0].name=prometheus-k8s",
                "--set", "metrics.dashboard.enabled=true");
    }

    private static Map<String, ObjectNode> byKindAndName(List<ObjectNode> docs) {
        Map<String, ObjectNode> out = new TreeMap<>();
        for (ObjectNode d : docs) {
            assertTrue(out.put(key(d), d) == null, "twice: " + key(d));
        }
        return out;
    }

    private static String key(JsonNode d) {
        return d.path("kind").asText() + "/" + d.path("metadata").path("name").asText();
    }

    /** A copy without the labels Helm's charts add and without the CRDs' keep annotation. */
    private static ObjectNode withoutHelmMarks(ObjectNode object) {
        ObjectNode copy = object.deepCopy();
        List<JsonNode> metadatas = List.of(copy.path("metadata"), copy.path("spec").path("template").path("metadata"));
        for (JsonNode meta : metadatas) {
            if (meta.path("labels") instanceof ObjectNode labels) {
                labels.remove(HELM_LABELS);
                if (labels.isEmpty()) {
                    ((ObjectNode) meta).remove("labels");
                }
            }
            if (meta.path("annotations") instanceof ObjectNode annotations) {
                annotations.remove("helm.sh/resource-policy");
                if (annotations.isEmpty()) {
                    ((ObjectNode) meta).remove("annotations");
                }
            }
        }
        return copy;
    }

    /** Copies a tree, recreating symbolic links as links (with the same, relative, targets). */
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
}
