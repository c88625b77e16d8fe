package dev.ordinal.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The structural part of a committed CRD's openAPIV3Schema, checked the way the API server checks it before an
 * object is stored: type, required, enum, minimum/maximum, maxItems, maxLength, pattern, int-or-string. Unknown
 * fields are pruned by a real server, not rejected, so they are not errors here. CEL rules
 * ({@code x-kubernetes-validations}) are NOT evaluated: {@link #celRules()} lists them for the docs.
 */
final class CrdSchema {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final JsonNode root;

    private CrdSchema(JsonNode root) {
        this.root = root;
    }

    static CrdSchema load(String file) {
        try {
            JsonNode crd = YAML.readTree(Path.of("kubernetes", "crds", file).toFile());
            return new CrdSchema(crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CrdSchema opsRequests() {
        return load("opsrequests.operations.ordinal.dev-v1.yml");
    }

    static CrdSchema clusters() {
        return load("clusters.apps.ordinal.dev-v1.yml");
    }

    /** Every violation, as "path: reason"; empty when the object would be stored. */
    List<String> validate(JsonNode object) {
        List<String> errors = new ArrayList<>();
        check(root, object, "", errors);
        return errors;
    }

    List<String> celRules() {
        List<String> rules = new ArrayList<>();
        collectRules(root, rules);
        return rules;
    }

    private static void collectRules(JsonNode schema, List<String> out) {
        schema.path("x-kubernetes-validations").forEach(r -> out.add(r.path("rule").asText()));
        schema.path("properties").forEach(p -> collectRules(p, out));
        if (schema.has("items")) {
            collectRules(schema.get("items"), out);
        }
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (value == null || value.isNull()) {
            return;
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                errors.add(path + ": must be an integer or a string");
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> {
                if (!value.isObject()) {
                    errors.add(path + ": must be an object");
                    return;
                }
                for (JsonNode req : schema.path("required")) {
                    if (!value.has(req.asText()) || value.get(req.asText()).isNull()) {
                        errors.add(path + "." + req.asText() + ": Required value");
                    }
                }
                JsonNode props = schema.path("properties");
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                    var field = it.next();
                    if (props.has(field.getKey())) {
                        check(props.get(field.getKey()), field.getValue(), path + "." + field.getKey(), errors);
                    } else if (schema.has("additionalProperties") && schema.get("additionalProperties").isObject()) {
                        check(schema.get("additionalProperties"), field.getValue(), path + "." + field.getKey(), errors);
                    }
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    errors.add(path + ": must be an array");
                    return;
                }
                if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
                    errors.add(path + ": must have at most " + schema.get("maxItems").asInt() + " items, has " + value.size());
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(schema.path("items"), value.get(i), path + "[" + i + "]", errors);
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    errors.add(path + ": must be an integer");
                    return;
                }
                bounds(schema, value, path, errors);
            }
            case "number" -> {
                if (!value.isNumber()) {
                    errors.add(path + ": must be a number");
                    return;
                }
                bounds(schema, value, path, errors);
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    errors.add(path + ": must be a boolean");
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    errors.add(path + ": must be a string");
                    return;
                }
                String s = value.asText();
                if (schema.has("maxLength") && s.length() > schema.get("maxLength").asInt()) {
                    errors.add(path + ": may not be longer than " + schema.get("maxLength").asInt());
                }
                if (schema.has("pattern") && !s.matches(schema.get("pattern").asText())) {
                    errors.add(path + ": must match " + schema.get("pattern").asText());
                }
                if (schema.has("enum")) {
                    boolean found = false;
                    for (JsonNode e : schema.get("enum")) {
                        found |= e.asText().equals(s);
                    }
                    if (!found) {
                        errors.add(path + ": Unsupported value \"" + s + "\"");
                    }
                }
            }
            default -> {
                // untyped (preserve-unknown-fields): anything goes
            }
        }
    }

    private static void bounds(JsonNode schema, JsonNode value, String path, List<String> errors) {
        double v = value.asDouble();
        if (schema.has("minimum") && v < schema.get("minimum").asDouble()) {
            errors.add(path + ": must be greater than or equal to " + schema.get("minimum").asText());
        }
        if (schema.has("maximum") && v > schema.get("maximum").asDouble()) {
            errors.add(path + ": must be less than or equal to " + schema.get("maximum").asText());
        }
    }
}
