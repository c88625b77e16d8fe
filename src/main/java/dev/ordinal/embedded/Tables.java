package dev.ordinal.embedded;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Server-side tables ({@code Accept: application/json;as=Table;g=meta.k8s.io;v=v1}) so {@code kubectl get} prints
 * useful columns: the CRD's additionalPrinterColumns (simple {@code .a.b} JSON paths) for custom resources,
 * READY/STATUS/RESTARTS for pods, NAME and AGE for everything else.
 */
final class Tables {

    private record Column(String name, String type, String jsonPath) {
    }

    private final Discovery discovery;

    Tables(Discovery discovery) {
        this.discovery = discovery;
    }

    static boolean wantsTable(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    /** Converts a GET answer (an object or a list) into a meta.k8s.io/v1 Table. */
    String toTable(ApiPath api, String body) {
        JsonNode n = SsaDispatcher.readJson(body);
        List<JsonNode> items = new ArrayList<>();
        if (n.has("items")) {
            n.get("items").forEach(items::add);
        } else {
            items.add(n);
        }
        List<Column> columns = columns(api);
        ObjectNode table = FieldPaths.JSON.createObjectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata").put("resourceVersion", n.path("metadata").path("resourceVersion").asText(""));
        ArrayNode defs = table.putArray("columnDefinitions");
        for (Column c : columns) {
            ObjectNode d = defs.addObject();
            d.put("name", c.name());
            d.put("type", c.type().equals("date") ? "string" : c.type());
            d.put("format", c.name().equals("Name") ? "name" : "");
            d.put("description", "");
            d.put("priority", 0);
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode item : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Column c : columns) {
                cells.add(cell(item, c));
            }
            ObjectNode obj = row.putObject("object");
            obj.put("kind", "PartialObjectMetadata");
            obj.put("apiVersion", "meta.k8s.io/v1");
            obj.set("metadata", item.path("metadata").deepCopy());
        }
        return table.toString();
    }

    private List<Column> columns(ApiPath api) {
        List<Column> cols = new ArrayList<>();
        cols.add(new Column("Name", "string", ".metadata.name"));
        if ("pods".equals(api.plural()) && "".equals(api.group())) {
            cols.add(new Column("Ready", "string", "#ready"));
            cols.add(new Column("Status", "string", "#status"));
            cols.add(new Column("Restarts", "integer", "#restarts"));
        } else {
            for (JsonNode pc : discovery.printerColumns(api.group(), api.version(), api.plural())) {
                cols.add(new Column(pc.path("name").asText(), pc.path("type").asText("string"),
                        pc.path("jsonPath").asText()));
            }
        }
        if (cols.stream().noneMatch(c -> c.name().equalsIgnoreCase("Age"))) {
            cols.add(new Column("Age", "date", ".metadata.creationTimestamp"));
        }
        return cols;
    }

    private static JsonNode cell(JsonNode item, Column c) {
        switch (c.jsonPath()) {
            case "#ready" -> {
                JsonNode cs = item.path("status").path("containerStatuses");
                int total = item.path("spec").path("containers").size();
                int ready = 0;
                for (JsonNode s : cs) {
                    ready += s.path("ready").asBoolean() ? 1 : 0;
                }
                return FieldPaths.JSON.getNodeFactory().textNode(ready + "/" + total);
            }
            case "#status" -> {
                if (item.path("metadata").hasNonNull("deletionTimestamp")) {
                    return FieldPaths.JSON.getNodeFactory().textNode("Terminating");
                }
                for (JsonNode s : item.path("status").path("containerStatuses")) {
                    String reason = s.path("state").path("waiting").path("reason").asText("");
                    if (!reason.isEmpty()) {
                        return FieldPaths.JSON.getNodeFactory().textNode(reason);
                    }
                }
                return FieldPaths.JSON.getNodeFactory().textNode(item.path("status").path("phase").asText("Pending"));
            }
            case "#restarts" -> {
                int r = 0;
                for (JsonNode s : item.path("status").path("containerStatuses")) {
                    r += s.path("restartCount").asInt();
                }
                return FieldPaths.JSON.getNodeFactory().numberNode(r);
            }
            default -> {
                JsonNode v = item;
                for (String part : c.jsonPath().replaceAll("^\\.", "").split("\\.")) {
                    v = v == null ? null : v.get(part);
                }
                if (v == null || v.isNull()) {
                    return FieldPaths.JSON.getNodeFactory().nullNode();
                }
                if (c.type().equals("date")) {
                    return FieldPaths.JSON.getNodeFactory().textNode(age(v.asText()));
                }
                return v.isContainerNode() ? FieldPaths.JSON.getNodeFactory().textNode(v.toString()) : v;
            }
        }
    }

    static String age(String timestamp) {
        try {
            Duration d = Duration.between(Instant.parse(timestamp), Instant.now());
            long s = Math.max(0, d.getSeconds());
            if (s < 120) {
                return s + "s";
            }
            if (s < 7200) {
                return (s / 60) + "m";
            }
            if (s < 172800) {
                return (s / 3600) + "h";
            }
            return (s / 86400) + "d";
        } catch (RuntimeException e) {
            return timestamp;
        }
    }
}
