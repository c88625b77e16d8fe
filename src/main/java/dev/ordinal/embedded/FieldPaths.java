package dev.ordinal.embedded;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Field paths in the Kubernetes {@code fieldsV1} vocabulary: {@code f:<field>} for a struct or map member,
 * {@code k:{"name":"broker"}} for an item of a list that is keyed (a "list-map"), {@code v:"x"} for an item of a
 * set-list. A field set is a {@code Set<List<String>>}; helpers convert it from and to the nested JSON form.
 * <p>
 * The schema knowledge (which lists are maps, and by which keys) is a fixed table by field name, see
 * {@link #mergeKeys(String, JsonNode)}.
 */
public final class FieldPaths {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NF = JsonNodeFactory.instance;

    /** Comparator that treats numbers by value (3 == 3L == 3.0) and everything else structurally. */
    static final Comparator<JsonNode> NUMERIC = (a, b) -> {
        if (a.equals(b)) {
            return 0;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return 1;
    };

    private FieldPaths() {
    }

    /** Structural equality with numeric tolerance; null and missing are equal to each other only. */
    public static boolean same(JsonNode a, JsonNode b) {
        if (a == null || a.isMissingNode()) {
            return b == null || b.isMissingNode();
        }
        if (b == null || b.isMissingNode()) {
            return false;
        }
        return a.equals(NUMERIC, b);
    }

    /**
     * The merge keys of a list, by the list's field name, or {@code null} if the list is atomic. A list whose items
     * do not all carry the keys is treated as atomic.
     */
    public static List<String> mergeKeys(String field, JsonNode array) {
        List<String> keys;
        switch (field) {
            case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "componentSpecs",
                    "instances", "containerStatuses", "initContainerStatuses" -> keys = List.of("name");
            case "volumeMounts" -> keys = List.of("mountPath");
            case "volumeDevices" -> keys = List.of("devicePath");
            case "conditions" -> keys = List.of("type");
            case "ownerReferences" -> keys = List.of("uid");
            case "instanceStatus" -> keys = List.of("podName");
            case "volumeClaimTemplates" -> keys = List.of("metadata.name");
            case "ports" -> {
                boolean container = array != null && array.size() > 0 && array.get(0).has("containerPort");
                keys = List.of(container ? "containerPort" : "port");
            }
            default -> {
                return null;
            }
        }
        if (array != null) {
            for (JsonNode item : array) {
                if (!item.isObject()) {
                    return null;
                }
                for (String k : keys) {
                    JsonNode v = valueOfKey(item, k);
                    if (v == null || v.isNull() || v.isContainerNode()) {
                        return null;
                    }
                }
            }
        }
        return keys;
    }

    /** Lists whose scalar items form a set (merged by union). */
    public static boolean isSetList(String field, JsonNode array) {
        if (!"finalizers".equals(field)) {
            return false;
        }
        if (array != null) {
            for (JsonNode item : array) {
                if (item.isContainerNode()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static JsonNode valueOfKey(JsonNode item, String dottedKey) {
        JsonNode n = item;
        for (String part : dottedKey.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        return n;
    }

    /** The path element that names {@code item} in a list keyed by {@code keys}. */
    public static String keyElement(JsonNode item, List<String> keys) {
        ObjectNode key = NF.objectNode();
        for (String k : keys) {
            String[] parts = k.split("\\.");
            ObjectNode holder = key;
            for (int i = 0; i < parts.length - 1; i++) {
                holder = holder.has(parts[i]) ? (ObjectNode) holder.get(parts[i]) : holder.putObject(parts[i]);
            }
            holder.set(parts[parts.length - 1], valueOfKey(item, k));
        }
        return "k:" + key.toString();
    }

    public static String valueElement(JsonNode value) {
        return "v:" + value.toString();
    }

    /** The node at {@code path} in {@code root}, or null. */
    public static JsonNode get(JsonNode root, List<String> path) {
        JsonNode node = root;
        String field = null;
        for (String el : path) {
            if (node == null) {
                return null;
            }
            if (el.startsWith("f:")) {
                field = el.substring(2);
                node = node.isObject() ? node.get(field) : null;
            } else if (el.startsWith("k:")) {
                node = node.isArray() ? findItem((ArrayNode) node, field, el) : null;
            } else if (el.startsWith("v:")) {
                JsonNode wanted = parse(el.substring(2));
                JsonNode found = null;
                if (node.isArray()) {
                    for (JsonNode item : node) {
                        if (same(item, wanted)) {
                            found = item;
                        }
                    }
                }
                node = found;
            } else {
                return null;
            }
        }
        return node;
    }

    static JsonNode findItem(ArrayNode array, String field, String keyEl) {
        int i = indexOfItem(array, field, keyEl);
        return i < 0 ? null : array.get(i);
    }

    static int indexOfItem(ArrayNode array, String field, String keyEl) {
        // The keys depend on the items (ports are keyed by containerPort in pods, by port in services).
        List<String> keys = mergeKeys(field, array);
        if (keys == null) {
            return -1;
        }
        for (int i = 0; i < array.size(); i++) {
            if (keyEl.equals(keyElement(array.get(i), keys))) {
                return i;
            }
        }
        return -1;
    }

    /** Removes the node at {@code path} from {@code root}; returns whether something was removed. */
    public static boolean remove(JsonNode root, List<String> path) {
        if (path.isEmpty()) {
            return false;
        }
        JsonNode parent = get(root, path.subList(0, path.size() - 1));
        String last = path.get(path.size() - 1);
        if (parent == null) {
            return false;
        }
        if (last.startsWith("f:") && parent.isObject()) {
            return ((ObjectNode) parent).remove(last.substring(2)) != null;
        }
        String field = lastField(path.subList(0, path.size() - 1));
        if (last.startsWith("k:") && parent.isArray()) {
            int i = indexOfItem((ArrayNode) parent, field, last);
            if (i >= 0) {
                ((ArrayNode) parent).remove(i);
                return true;
            }
        }
        if (last.startsWith("v:") && parent.isArray()) {
            JsonNode wanted = parse(last.substring(2));
            for (int i = 0; i < parent.size(); i++) {
                if (same(parent.get(i), wanted)) {
                    ((ArrayNode) parent).remove(i);
                    return true;
                }
            }
        }
        return false;
    }

    /** True when the path ends in a key field of a list-map item (e.g. the {@code name} of a container). */
    public static boolean isKeyField(List<String> path) {
        if (path.size() < 2) {
            return false;
        }
        String last = path.get(path.size() - 1);
        String parent = path.get(path.size() - 2);
        if (!last.startsWith("f:") || !parent.startsWith("k:")) {
            return false;
        }
        return parse(parent.substring(2)).has(last.substring(2));
    }

    static String lastField(List<String> path) {
        for (int i = path.size() - 1; i >= 0; i--) {
            if (path.get(i).startsWith("f:")) {
                return path.get(i).substring(2);
            }
        }
        return "";
    }

    /**
     * The field set of an object: every leaf value, and every item of a keyed or set list (with the item's own
     * fields below it). Structs and maps are not members themselves, only their leaves.
     */
    public static Set<List<String>> fieldSet(JsonNode object) {
        Set<List<String>> out = new LinkedHashSet<>();
        if (object != null && object.isObject()) {
            collectObject(object, new ArrayList<>(), out);
        }
        return out;
    }

    private static void collectObject(JsonNode node, List<String> prefix, Set<List<String>> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            List<String> p = append(prefix, "f:" + e.getKey());
            collectValue(e.getKey(), e.getValue(), p, out);
        }
    }

    private static void collectValue(String field, JsonNode value, List<String> p, Set<List<String>> out) {
        if (value.isObject() && value.size() > 0) {
            collectObject(value, p, out);
            return;
        }
        if (value.isArray() && value.size() > 0) {
            List<String> keys = mergeKeys(field, value);
            if (keys != null) {
                for (JsonNode item : value) {
                    List<String> ip = append(p, keyElement(item, keys));
                    out.add(ip);
                    collectObject(item, ip, out);
                }
                return;
            }
            if (isSetList(field, value)) {
                for (JsonNode item : value) {
                    out.add(append(p, valueElement(item)));
                }
                return;
            }
        }
        out.add(p);
    }

    static List<String> append(List<String> prefix, String el) {
        List<String> p = new ArrayList<>(prefix.size() + 1);
        p.addAll(prefix);
        p.add(el);
        return List.copyOf(p);
    }

    public static boolean isPrefix(List<String> prefix, List<String> path) {
        return path.size() >= prefix.size() && path.subList(0, prefix.size()).equals(prefix);
    }

    /** The nested {@code fieldsV1} JSON form of a field set (keys sorted, "." marks a member that has children). */
    public static ObjectNode toFieldsV1(Set<List<String>> set) {
        Comparator<List<String>> cmp = (a, b) -> {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                int c = a.get(i).compareTo(b.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(a.size(), b.size());
        };
        TreeSet<List<String>> sorted = new TreeSet<>(cmp);
        sorted.addAll(set);
        ObjectNode root = NF.objectNode();
        for (List<String> path : sorted) {
            ObjectNode node = root;
            for (String el : path) {
                JsonNode child = node.get(el);
                node = child == null ? node.putObject(el) : (ObjectNode) child;
            }
        }
        for (List<String> path : sorted) {
            ObjectNode node = root;
            for (String el : path) {
                node = (ObjectNode) node.get(el);
            }
            if (node.size() > 0 && !node.has(".")) {
                // keep "." first like the API server does
                ObjectNode copy = node.deepCopy();
                node.removeAll();
                node.putObject(".");
                node.setAll(copy);
            }
        }
        return root;
    }

    /** Parses the nested {@code fieldsV1} JSON form. */
    public static Set<List<String>> fromFieldsV1(JsonNode fieldsV1) {
        Set<List<String>> out = new LinkedHashSet<>();
        if (fieldsV1 != null && fieldsV1.isObject()) {
            parseInto(fieldsV1, new ArrayList<>(), out);
        }
        return out;
    }

    private static void parseInto(JsonNode node, List<String> prefix, Set<List<String>> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (".".equals(e.getKey())) {
                out.add(List.copyOf(prefix));
                continue;
            }
            List<String> p = append(prefix, e.getKey());
            if (e.getValue().size() == 0) {
                out.add(p);
            } else {
                parseInto(e.getValue(), p, out);
            }
        }
    }

    /** Human-readable path as the API server prints it: {@code .spec.componentSpecs[name="broker"].replicas}. */
    public static String toDisplay(List<String> path) {
        StringBuilder sb = new StringBuilder();
        for (String el : path) {
            if (el.startsWith("f:")) {
                sb.append('.').append(el.substring(2));
            } else if (el.startsWith("k:")) {
                JsonNode key = parse(el.substring(2));
                sb.append('[');
                boolean first = true;
                for (Iterator<Map.Entry<String, JsonNode>> it = key.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    sb.append(e.getKey()).append('=').append(e.getValue().toString());
                }
                sb.append(']');
            } else if (el.startsWith("v:")) {
                sb.append("[=").append(el.substring(2)).append(']');
            } else {
                sb.append(el);
            }
        }
        return sb.toString();
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("bad path element value " + json, e);
        }
    }
}
