package dev.ordinal.embedded;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.zjsonpatch.JsonPatch;

/** The non-apply patch flavours: JSON merge patch (RFC 7386), a strategic merge patch approximation, JSON patch. */
public final class Patches {

    private Patches() {
    }

    /** RFC 7386: objects merge recursively, null deletes, everything else replaces. */
    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        return merge(target, patch, false);
    }

    /**
     * Strategic merge patch as far as Ordinal and kubectl need it: like a merge patch, but lists with a known merge
     * key (see {@link FieldPaths#mergeKeys}) merge item by item, an item carrying {@code "$patch": "delete"} is removed,
     * finalizers merge as a set, and other {@code $} directives are dropped.
     */
    public static JsonNode strategicMergePatch(JsonNode target, JsonNode patch) {
        return merge(target, patch, true);
    }

    public static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
        return JsonPatch.apply(patch, target);
    }

    private static JsonNode merge(JsonNode target, JsonNode patch, boolean strategic) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy()
                : FieldPaths.JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode pv = e.getValue();
            if (strategic && name.startsWith("$")) {
                continue;
            }
            if (pv.isNull()) {
                result.remove(name);
                continue;
            }
            JsonNode tv = result.get(name);
            if (pv.isObject()) {
                result.set(name, merge(tv, pv, strategic));
            } else if (strategic && pv.isArray() && tv != null && tv.isArray()) {
                result.set(name, mergeList(name, (ArrayNode) tv, (ArrayNode) pv));
            } else {
                result.set(name, strategic ? strip(pv) : pv.deepCopy());
            }
        }
        return result;
    }

    private static JsonNode mergeList(String name, ArrayNode target, ArrayNode patch) {
        List<String> keys = FieldPaths.mergeKeys(name, patch);
        if (keys != null && keys.equals(FieldPaths.mergeKeys(name, target))) {
            ArrayNode out = target.deepCopy();
            for (JsonNode item : patch) {
                String keyEl = FieldPaths.keyElement(item, keys);
                int i = FieldPaths.indexOfItem(out, name, keyEl);
                boolean delete = "delete".equals(item.path("$patch").asText());
                if (delete) {
                    if (i >= 0) {
                        out.remove(i);
                    }
                } else if (i >= 0) {
                    out.set(i, merge(out.get(i), item, true));
                } else {
                    out.add(strip(item));
                }
            }
            return out;
        }
        if (FieldPaths.isSetList(name, patch) && FieldPaths.isSetList(name, target)) {
            ArrayNode out = target.deepCopy();
            for (JsonNode item : patch) {
                boolean present = false;
                for (JsonNode t : out) {
                    present |= FieldPaths.same(t, item);
                }
                if (!present) {
                    out.add(item.deepCopy());
                }
            }
            return out;
        }
        return strip(patch);
    }

    private static JsonNode strip(JsonNode n) {
        JsonNode c = n.deepCopy();
        stripInPlace(c);
        return c;
    }

    private static void stripInPlace(JsonNode n) {
        if (n.isObject()) {
            ((ObjectNode) n).properties().removeIf(e -> e.getKey().startsWith("$"));
            n.forEach(Patches::stripInPlace);
        } else if (n.isArray()) {
            n.forEach(Patches::stripInPlace);
        }
    }
}
