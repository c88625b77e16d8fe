package dev.ordinal.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** The files under kubernetes/monitoring, read without a cluster: shape, agreement with the app and the Service. */
class MonitoringManifestsTest {
    private static final Path MONITORING = Path.of("kubernetes/monitoring");
    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    @Test
    void theServiceMonitorScrapesOrdinalsMetricsPathOverHttpsOnThePortNamedHttps() throws IOException {
        GenericKubernetesResource sm = YAML.unmarshal(Files.readString(MONITORING.resolve("servicemonitor.yaml")),
                GenericKubernetesResource.class);
        assertEquals("monitoring.coreos.com/v1", sm.getApiVersion());
        assertEquals("ServiceMonitor", sm.getKind());
        assertEquals(Map.of("app.kubernetes.io/name", "ordinal"), sm.get("spec", "selector", "matchLabels"));
        List<Map<String, Object>> endpoints = sm.get("spec", "endpoints");
        assertEquals(1, endpoints.size());
        Map<String, Object> endpoint = endpoints.get(0);
        assertEquals("https", endpoint.get("port"));
        assertEquals("https", endpoint.get("scheme"), "the port serves TLS only");
        assertEquals(Map.of("insecureSkipVerify", true), endpoint.get("tlsConfig"),
                "the default certificate is self-signed in memory: nothing to verify against (the file says why)");
        assertEquals(metricsPath(), endpoint.get("path"), "the path the application serves its metrics on");
        assertEquals(Boolean.TRUE, endpoint.get("honorLabels"), "Ordinal's own namespace label must not be renamed");
        assertEquals("/var/run/secrets/kubernetes.io/serviceaccount/token", endpoint.get("bearerTokenFile"),
                "Prometheus presents its ServiceAccount's token: /q/metrics answers only authorized callers");
    }

    /** The scrapers' ClusterRole grants exactly what the operator asks a SubjectAccessReview for: get on the path. */
    @Test
    void theMetricsReaderRoleGrantsGetOnTheMetricsPath() throws IOException {
        List<HasMetadata> items = load(MONITORING.resolve("metrics-reader-cluster-role.yaml"));
        assertEquals(1, items.size());
        ClusterRole role = (ClusterRole) items.get(0);
        assertEquals("ordinal-metrics-reader", role.getMetadata().getName());
        assertEquals(1, role.getRules().size());
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of(metricsPath()), rule.getNonResourceURLs());
        assertEquals(List.of("get"), rule.getVerbs());
        assertTrue(rule.getResources().isEmpty() && rule.getApiGroups().isEmpty(), "no resource rights");
    }

    /** Once the deployment manifests exist, the Service the ServiceMonitor selects must offer the port it scrapes. */
    @Test
    void anOrdinalServiceInTheManifestsHasThePortTheServiceMonitorScrapes() throws IOException {
        List<Service> selected = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("kubernetes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).toList()) {
                if (file.startsWith("kubernetes/crds")) {
                    continue;
                }
                for (HasMetadata item : load(file)) {
                    if (item instanceof Service s && s.getMetadata().getLabels() != null
                            && "ordinal".equals(s.getMetadata().getLabels().get("app.kubernetes.io/name"))) {
                        selected.add(s);
                    }
                }
            }
        }
        for (Service s : selected) {
            assertTrue(s.getSpec().getPorts().stream().anyMatch(p -> "https".equals(p.getName())),
                    "Service " + s.getMetadata().getName() + " is selected by the ServiceMonitor but has no port named https");
        }
    }

    @Test
    void theDashboardIsWellFormedAndEveryPanelQueriesSomething() throws IOException {
        JsonNode root = new ObjectMapper().readTree(MONITORING.resolve("ordinal-dashboard.json").toFile());
        assertEquals("ordinal-operator", root.path("uid").asText());
        Set<Integer> ids = new HashSet<>();
        int panels = 0;
        for (JsonNode panel : root.path("panels")) {
            assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique: " + panel.path("id"));
            if ("row".equals(panel.path("type").asText())) {
                continue;
            }
            panels++;
            assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), panel.path("title").asText());
            assertFalse(panel.path("targets").isEmpty(), panel.path("title").asText() + " has queries");
            for (JsonNode target : panel.path("targets")) {
                assertFalse(MonitoringFiles.promqlMetricNames(target.path("expr").asText()).isEmpty(),
                        panel.path("title").asText() + ": " + target.path("expr").asText());
            }
        }
        assertTrue(panels >= 10, "panels: " + panels);
    }

    @Test
    void metricNamesAreReadOutOfPromql() {
        assertEquals(List.of("ordinal_ops_duration_seconds_bucket"), MonitoringFiles.promqlMetricNames(
                "histogram_quantile(0.95, sum by (le, phase) (rate(ordinal_ops_duration_seconds_bucket{namespace=~\"$namespace\"}[$__rate_interval])))"));
        assertEquals(List.of("a_sum", "a_count"), MonitoringFiles.promqlMetricNames(
                "sum(rate(a_sum[5m])) / sum without (pod) (rate(a_count{x=\"y\", z!~\"(w)\"}[5m])) > bool 0.5"));
        assertEquals(List.of("up"), MonitoringFiles.promqlMetricNames("up offset 1h and on (job) vector(1)"));
        assertEquals(List.of("ordinal_pods_pending_readiness"), MonitoringFiles.promqlMetricNames(
                "sum(ordinal_pods_pending_readiness) by (cluster, component)"));
    }

    @Test
    void documentedNamesAreTheBacktickedNamesOfTableRows() {
        String md = """
                # Metrics
                `not_in_a_table`
                | name | type |
                |---|---|
                | `ordinal_a_total` | counter, see `ordinal_b` |
                | `ordinal_c_seconds` (`_bucket`, `_count`) | histogram |
                """;
        assertEquals(List.of("ordinal_a_total", "ordinal_c_seconds"), MonitoringFiles.documentedMetricNames(md));
        assertTrue(MonitoringFiles.isDocumented("ordinal_c_seconds_bucket", List.of("ordinal_c_seconds")));
        assertFalse(MonitoringFiles.isDocumented("ordinal_c_total", List.of("ordinal_c_seconds")));
    }

    private static String metricsPath() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        return p.getProperty("quarkus.micrometer.export.prometheus.path");
    }

    private static List<HasMetadata> load(Path file) throws IOException {
        String text = Files.readString(file);
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : text.split("(?m)^---\\s*$")) {
            if (doc.isBlank() || !doc.contains("kind:")) {
                continue;
            }
            Object parsed = YAML.unmarshal(doc);
            if (parsed instanceof HasMetadata h) {
                out.add(h);
            } else if (parsed instanceof List<?> list) {
                list.stream().filter(HasMetadata.class::isInstance).map(HasMetadata.class::cast).forEach(out::add);
            }
        }
        return out;
    }
}
