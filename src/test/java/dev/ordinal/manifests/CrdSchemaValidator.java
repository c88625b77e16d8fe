package dev.ordinal.manifests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks a custom resource against its CRD's openAPIV3Schema the way the API server's structural validation
 * would: types, required fields, enums, numeric bounds, lengths, patterns, list uniqueness. It is stricter than
 * the server in one way: a field the schema does not know (and does not preserve) is an error here, where the
 * server would silently prune it, because in an example it is a typo. CEL rules
 * ({@code x-kubernetes-validations}) are not evaluated.
 */
public final class CrdSchemaValidator {
    private final List<JsonNode> crds;

    public CrdSchemaValidator(List<JsonNode> crds) {
        this.crds = crds;
    }

    public static CrdSchemaValidator fromDirectory(Path dir) {
        List<JsonNode> crds = new ArrayList<>();
        Manifests.yamlFiles(dir).forEach(f -> Manifests.documents(f).stream()
                .filter(d -> "CustomResourceDefinition".equals(d.path("kind").asText())).forEach(crds::add));
        return new CrdSchemaValidator(crds);
    }

    /** The errors of one resource; empty when it is valid. A resource no CRD serves is an error too. */
    public List<String> validate(JsonNode resource) {
        List<String> errors = new ArrayList<>();
        String apiVersion = resource.path("apiVersion").asText();
        String kind = resource.path("kind").asText();
        JsonNode schema = schemaFor(apiVersion, kind);
        if (schema == null) {
            errors.add("no CRD in kubernetes/crds serves " + apiVersion + " " + kind);
            return errors;
        }
        JsonNode meta = resource.path("metadata");
        if (!meta.path("name").isTextual() || meta.path("name").asText().isEmpty()) {
            errors.add("metadata.name: required");
        }
        check(schema, resource, "", errors, true);
        return errors;
    }

    private JsonNode schemaFor(String apiVersion, String kind) {
        for (JsonNode crd : crds) {
            JsonNode spec = crd.path("spec");
            if (!kind.equals(spec.path("names").path("kind").asText())) {
                continue;
            }
            for (JsonNode v : spec.path("versions")) {
                if ((spec.path("group").asText() + "/" + v.path("name").asText()).equals(apiVersion) && v.path("served").asBoolean(true)) {
                    return v.path("schema").path("openAPIV3Schema");
                }
            }
        }
        return null;
    }

    private void check(JsonNode schema, JsonNode value, String path, List<String> errors, boolean root) {
        String at = path.isEmpty() ? "<root>" : path;
        if (value == null || value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                errors.add(at + ": null is not allowed");
            }
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                errors.add(at + ": must be an integer or a string, not " + value);
            }
            return;
        }
        if (schema.has("anyOf")) {
            boolean any = false;
            for (JsonNode alt : schema.path("anyOf")) {
                List<String> altErrors = new ArrayList<>();
                check(alt, value, path, altErrors, false);
                any |= altErrors.isEmpty();
            }
            if (!any) {
                errors.add(at + ": matches none of anyOf");
            }
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> checkObject(schema, value, path, errors, root);
            case "array" -> checkArray(schema, value, path, errors);
            case "string" -> checkString(schema, value, at, errors);
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    errors.add(at + ": must be an integer, not " + value);
                } else {
                    checkBounds(schema, value, at, errors);
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    errors.add(at + ": must be a number, not " + value);
                } else {
                    checkBounds(schema, value, at, errors);
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    errors.add(at + ": must be true or false, not " + value);
                }
            }
            default -> {
                // no type: anything goes (e.g. preserved unknown fields)
            }
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode e : schema.path("enum")) {
                listed |= e.equals(value);
            }
            if (!listed) {
                errors.add(at + ": " + value + " is not one of " + schema.path("enum"));
            }
        }
    }

    private void checkObject(JsonNode schema, JsonNode value, String path, List<String> errors, boolean root) {
        String at = path.isEmpty() ? "<root>" : path;
        if (!value.isObject()) {
            errors.add(at + ": must be an object, not " + value);
            return;
        }
        for (JsonNode required : schema.path("required")) {
            if (!value.has(required.asText())) {
                errors.add(join(path, required.asText()) + ": required");
            }
        }
        JsonNode properties = schema.path("properties");
        boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        JsonNode additional = schema.get("additionalProperties");
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            String name = field.getKey();
            String fieldPath = join(path, name);
            if (properties.has(name)) {
                check(properties.get(name), field.getValue(), fieldPath, errors, false);
            } else if (root && Set.of("apiVersion", "kind", "metadata").contains(name)) {
                continue;
            } else if (additional != null && additional.isObject()) {
                check(additional, field.getValue(), fieldPath, errors, false);
            } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
                errors.add(fieldPath + ": unknown field (the API server would drop it)");
            }
        }
        if (schema.has("minProperties") && value.size() < schema.path("minProperties").asInt()) {
            errors.add(at + ": fewer than " + schema.path("minProperties").asInt() + " properties");
        }
        if (schema.has("maxProperties") && value.size() > schema.path("maxProperties").asInt()) {
            errors.add(at + ": more than " + schema.path("maxProperties").asInt() + " properties");
        }
    }

    private void checkArray(JsonNode schema, JsonNode value, String path, List<String> errors) {
        String at = path.isEmpty() ? "<root>" : path;
        if (!value.isArray()) {
            errors.add(at + ": must be a list, not " + value);
            return;
        }
        if (schema.has("minItems") && value.size() < schema.path("minItems").asInt()) {
            errors.add(at + ": fewer than " + schema.path("minItems").asInt() + " items");
        }
        if (schema.has("maxItems") && value.size() > schema.path("maxItems").asInt()) {
            errors.add(at + ": more than " + schema.path("maxItems").asInt() + " items");
        }
        JsonNode items = schema.path("items");
        for (int i = 0; i < value.size(); i++) {
            check(items, value.get(i), path + "[" + i + "]", errors, false);
        }
        String listType = schema.path("x-kubernetes-list-type").asText("");
        if (listType.equals("set")) {
            Set<JsonNode> seen = new HashSet<>();
            value.forEach(v -> {
                if (!seen.add(v)) {
                    errors.add(at + ": duplicate " + v + " in a set");
                }
            });
        } else if (listType.equals("map")) {
            Set<List<String>> keys = new HashSet<>();
            for (JsonNode item : value) {
                List<String> key = new ArrayList<>();
                schema.path("x-kubernetes-list-map-keys").forEach(k -> key.add(item.path(k.asText()).asText()));
                if (!keys.add(key)) {
                    errors.add(at + ": two items with the key " + key);
                }
            }
        }
    }

    private static void checkString(JsonNode schema, JsonNode value, String at, List<String> errors) {
        if (!value.isTextual()) {
            errors.add(at + ": must be a string, not " + value);
            return;
        }
        String s = value.asText();
        if (schema.has("minLength") && s.length() < schema.path("minLength").asInt()) {
            errors.add(at + ": shorter than " + schema.path("minLength").asInt());
        }
        if (schema.has("maxLength") && s.length() > schema.path("maxLength").asInt()) {
            errors.add(at + ": longer than " + schema.path("maxLength").asInt());
        }
        if (schema.has("pattern") && !Pattern.compile(schema.path("pattern").asText()).matcher(s).find()) {
            errors.add(at + ": " + s + " does not match " + schema.path("pattern").asText());
        }
    }

    private static void checkBounds(JsonNode schema, JsonNode value, String at, List<String> errors) {
        double v = value.asDouble();
        if (schema.has("minimum") && v < schema.path("minimum").asDouble()) {
            errors.add(at + ": " + value + " is below the minimum " + schema.path("minimum").asDouble());
        }
        if (schema.has("maximum") && v > schema.path("maximum").asDouble()) {
            errors.add(at + ": " + value + " is above the maximum " + schema.path("maximum").asDouble());
        }
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
