package dev.ordinal.manifests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * Turns the CRDs the build generates (target/kubernetes) into the ones users install (kubernetes/crds).
 * The fabric8 generator has no annotation for two things a real API server needs from Ordinal's CRDs:
 * list-map markers, so server-side apply merges componentSpecs, templates and conditions per key
 * instead of replacing the whole list, and the printer-column order kubectl shows (it sorts them by path).
 */
public final class CrdManifests {
    public static final Path GENERATED = Path.of("target/kubernetes");
    public static final Path COMMITTED = Path.of("kubernetes/crds");
    public static final List<String> NAMES = List.of("clusters.apps.ordinal.dev", "instancesets.workloads.ordinal.dev",
            "opsrequests.operations.ordinal.dev");

    /** kubectl column order per CRD. */
    private static final Map<String, List<String>> COLUMNS = Map.of(
            "clusters.apps.ordinal.dev", List.of("COMPONENTS", "PHASE", "AGE"),
            "instancesets.workloads.ordinal.dev", List.of("DESIRED", "READY", "AGE"),
            "opsrequests.operations.ordinal.dev", List.of("TYPE", "CLUSTER", "STATUS", "PROGRESS", "AGE"));

    /** Property names whose lists are maps keyed by the given field, wherever they occur in a schema. */
    private static final Map<String, String> LIST_MAP_KEYS = Map.of(
            "componentSpecs", "name",
            "instances", "name",
            "conditions", "type");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private CrdManifests() {
    }

    public static String fileName(String crd) {
        return crd + "-v1.yml";
    }

    /** The installable form of a generated CRD, as YAML text. */
    public static String installable(String crd) throws IOException {
        ObjectNode root = (ObjectNode) YAML.readTree(GENERATED.resolve(fileName(crd)).toFile());
        for (JsonNode version : root.path("spec").path("versions")) {
            orderColumns((ObjectNode) version, COLUMNS.get(crd));
            markListMaps(version.path("schema").path("openAPIV3Schema"));
        }
        return YAML.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static void orderColumns(ObjectNode version, List<String> order) {
        JsonNode columns = version.get("additionalPrinterColumns");
        if (columns == null) {
            return;
        }
        List<JsonNode> sorted = new ArrayList<>();
        columns.forEach(sorted::add);
        sorted.sort((a, b) -> Integer.compare(order.indexOf(a.path("name").asText()), order.indexOf(b.path("name").asText())));
        ArrayNode out = version.putArray("additionalPrinterColumns");
        sorted.forEach(out::add);
    }

    private static void markListMaps(JsonNode schema) {
        JsonNode properties = schema.path("properties");
        properties.fields().forEachRemaining(field -> {
            ObjectNode property = (ObjectNode) field.getValue();
            String key = LIST_MAP_KEYS.get(field.getKey());
            if (key != null && "array".equals(property.path("type").asText())
                    && property.path("items").path("properties").has(key)) {
                property.put("x-kubernetes-list-type", "map");
                property.putArray("x-kubernetes-list-map-keys").add(key);
                ObjectNode items = (ObjectNode) property.get("items");
                if (!hasRequired(items, key)) {
                    ArrayNode required = items.has("required") ? (ArrayNode) items.get("required") : items.putArray("required");
                    required.add(key);
                }
            }
            markListMaps(property);
            markListMaps(property.path("items"));
        });
        JsonNode additional = schema.path("additionalProperties");
        if (additional.isObject()) {
            markListMaps(additional);
        }
    }

    private static boolean hasRequired(JsonNode items, String key) {
        for (JsonNode r : items.path("required")) {
            if (key.equals(r.asText())) {
                return true;
            }
        }
        return false;
    }

    /** Rewrites kubernetes/crds from the current build: {@code ./mvnw test -Dordinal.crds.update=true -Dtest=CrdCopyTest}. */
    public static void writeAll() throws IOException {
        Files.createDirectories(COMMITTED);
        for (String crd : NAMES) {
            Files.writeString(COMMITTED.resolve(fileName(crd)), installable(crd));
        }
    }
}
