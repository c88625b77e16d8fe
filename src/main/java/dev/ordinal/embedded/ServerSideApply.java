package dev.ordinal.embedded;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Pure server-side-apply and field-ownership logic on Jackson trees, modelled on the Kubernetes documentation
 * ("Server-Side Apply": field management, conflicts, merge strategy).
 * <p>
 * Objects passed in are never mutated; results are fresh copies that carry an updated {@code metadata.managedFields}.
 * The caller (the dispatcher) owns identity metadata (uid, resourceVersion, generation, timestamps).
 * <p>
 * What is tracked: every field except {@code apiVersion}, {@code kind} and {@code metadata} other than labels,
 * annotations, ownerReferences and finalizers. For a resource with a status subresource, a main-resource write
 * tracks everything but {@code status}, a {@code /status} write only {@code status}.
 * Simplifications: entries of the same manager name never conflict with each other (whatever the operation);
 * conflicts are detected on leaf values and on list items the live object lacks.
 */
public final class ServerSideApply {

    public static final String APPLY = "Apply";
    public static final String UPDATE = "Update";

    private static final JsonNodeFactory NF = JsonNodeFactory.instance;

    /** One field conflict: {@code manager} owns {@code path} with another value. */
    public record Conflict(String manager, String apiVersion, List<String> path) {
        public String field() {
            return FieldPaths.toDisplay(path);
        }

        public String message() {
            return "conflict with \"" + manager + "\" using " + apiVersion;
        }
    }

    /** Thrown by {@link #apply} when other managers own fields with different values and force is off. */
    public static final class ConflictException extends RuntimeException {
        private final List<Conflict> conflicts;

        public ConflictException(List<Conflict> conflicts) {
            super(describe(conflicts));
            this.conflicts = List.copyOf(conflicts);
        }

        public List<Conflict> conflicts() {
            return conflicts;
        }

        private static String describe(List<Conflict> conflicts) {
            if (conflicts.size() == 1) {
                Conflict c = conflicts.get(0);
                return "Apply failed with 1 conflict: " + c.message() + ": " + c.field();
            }
            StringBuilder sb = new StringBuilder("Apply failed with " + conflicts.size() + " conflicts: ");
            String last = null;
            for (Conflict c : conflicts) {
                String head = "conflicts with \"" + c.manager() + "\" using " + c.apiVersion() + ":";
                if (!head.equals(last)) {
                    sb.append(last == null ? "" : "\n").append(head);
                    last = head;
                }
                sb.append("\n- ").append(c.field());
            }
            return sb.toString();
        }
    }

    /** One {@code metadata.managedFields} entry. */
    public static final class Entry {
        final String manager;
        final String operation;
        String apiVersion;
        String time;
        final String subresource;
        Set<List<String>> fields;

        Entry(String manager, String operation, String apiVersion, String time, String subresource,
                Set<List<String>> fields) {
            this.manager = manager;
            this.operation = operation;
            this.apiVersion = apiVersion;
            this.time = time;
            this.subresource = subresource == null ? "" : subresource;
            this.fields = fields;
        }

        public String manager() {
            return manager;
        }

        public String operation() {
            return operation;
        }

        public String subresource() {
            return subresource;
        }

        public Set<List<String>> fields() {
            return fields;
        }

        boolean is(String m, String op, String sub) {
            return manager.equals(m) && operation.equals(op) && subresource.equals(sub);
        }

        ObjectNode toJson() {
            ObjectNode n = NF.objectNode();
            n.put("manager", manager);
            n.put("operation", operation);
            if (apiVersion != null) {
                n.put("apiVersion", apiVersion);
            }
            if (time != null) {
                n.put("time", time);
            }
            n.put("fieldsType", "FieldsV1");
            n.set("fieldsV1", FieldPaths.toFieldsV1(fields));
            if (!subresource.isEmpty()) {
                n.put("subresource", subresource);
            }
            return n;
        }
    }

    /** Reads the managedFields of an object (empty list when absent). */
    public static List<Entry> managedFields(JsonNode object) {
        List<Entry> out = new ArrayList<>();
        JsonNode mf = object == null ? null : object.path("metadata").get("managedFields");
        if (mf != null && mf.isArray()) {
            for (JsonNode e : mf) {
                out.add(new Entry(e.path("manager").asText(""), e.path("operation").asText(UPDATE),
                        e.hasNonNull("apiVersion") ? e.get("apiVersion").asText() : null,
                        e.hasNonNull("time") ? e.get("time").asText() : null, e.path("subresource").asText(""),
                        new LinkedHashSet<>(FieldPaths.fromFieldsV1(e.get("fieldsV1")))));
            }
        }
        return out;
    }

    /**
     * The part of an object whose fields are managed in the given scope: drops apiVersion, kind, identity metadata,
     * and status (main scope of a resource with a status subresource) or everything but status (status scope).
     */
    public static ObjectNode managedView(JsonNode object, boolean statusScope, boolean hasStatusSubresource) {
        ObjectNode view = NF.objectNode();
        if (object == null) {
            return view;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("apiVersion") || name.equals("kind")) {
                continue;
            }
            boolean isStatus = name.equals("status");
            if (statusScope) {
                if (isStatus) {
                    view.set(name, e.getValue().deepCopy());
                }
                continue;
            }
            if (isStatus && hasStatusSubresource) {
                continue;
            }
            if (name.equals("metadata")) {
                ObjectNode md = NF.objectNode();
                for (String f : List.of("labels", "annotations", "ownerReferences", "finalizers")) {
                    if (e.getValue().has(f)) {
                        md.set(f, e.getValue().get(f).deepCopy());
                    }
                }
                if (md.size() > 0) {
                    view.set("metadata", md);
                }
                continue;
            }
            view.set(name, e.getValue().deepCopy());
        }
        return view;
    }

    /**
     * Server-side apply of {@code applied} by {@code manager} onto {@code live} (null = the object does not exist).
     *
     * @return the merged object with updated managedFields
     * @throws ConflictException when another manager owns a field with a different value and {@code force} is off
     */
    public ObjectNode apply(ObjectNode live, ObjectNode applied, String manager, boolean force, boolean statusScope,
            boolean hasStatusSubresource, String apiVersion, String now) {
        Objects.requireNonNull(manager, "fieldManager is required for apply");
        String sub = statusScope ? "status" : "";
        ObjectNode base = live == null ? skeleton(applied) : live.deepCopy();
        List<Entry> entries = managedFields(base);

        ObjectNode appliedView = managedView(applied, statusScope, hasStatusSubresource);
        Set<List<String>> newSet = FieldPaths.fieldSet(appliedView);

        // 1. conflicts with other managers
        List<Conflict> conflicts = new ArrayList<>();
        for (Entry e : entries) {
            if (e.manager.equals(manager)) {
                continue;
            }
            for (List<String> p : newSet) {
                if (!e.fields.contains(p)) {
                    continue;
                }
                JsonNode liveValue = FieldPaths.get(base, p);
                boolean leaf = !hasChildren(newSet, p);
                boolean differs = leaf ? !FieldPaths.same(liveValue, FieldPaths.get(appliedView, p)) : liveValue == null;
                if (differs) {
                    conflicts.add(new Conflict(e.manager, e.apiVersion == null ? apiVersion : e.apiVersion, p));
                }
            }
        }
        if (!conflicts.isEmpty()) {
            if (!force) {
                throw new ConflictException(conflicts);
            }
            for (Conflict c : conflicts) {
                for (Entry e : entries) {
                    if (!e.manager.equals(manager)) {
                        e.fields.remove(c.path());
                    }
                }
            }
        }

        // 2. merge the applied configuration into the live object
        ObjectNode result = base;
        mergeInto(result, appliedView);

        // 3. prune what this manager applied before and omits now, unless someone else owns it
        Entry mine = null;
        for (Entry e : entries) {
            if (e.is(manager, APPLY, sub)) {
                mine = e;
            }
        }
        if (mine != null) {
            List<List<String>> removed = new ArrayList<>();
            for (List<String> p : mine.fields) {
                if (!newSet.contains(p)) {
                    removed.add(p);
                }
            }
            removed.sort(Comparator.comparingInt((List<String> p) -> p.size()).reversed());
            for (List<String> p : removed) {
                if (!ownedByOthers(entries, manager, p) && !FieldPaths.isKeyField(p)) {
                    FieldPaths.remove(result, p);
                }
            }
            mine.fields = new LinkedHashSet<>(newSet);
            mine.apiVersion = apiVersion;
            mine.time = now;
        } else {
            entries.add(new Entry(manager, APPLY, apiVersion, now, sub, new LinkedHashSet<>(newSet)));
        }
        writeManagedFields(result, entries);
        return result;
    }

    /**
     * A non-apply write (create, PUT, merge/strategic/JSON patch) by {@code manager}: the manager takes ownership of
     * every field whose value it changed or added (taking it away from others, no conflicts), and fields the write
     * removed leave every manager's set.
     *
     * @param live    the object before the write (null on create)
     * @param updated the object after the write (managedFields are ignored and recomputed)
     */
    public ObjectNode update(ObjectNode live, ObjectNode updated, String manager, boolean statusScope,
            boolean hasStatusSubresource, String apiVersion, String now) {
        String sub = statusScope ? "status" : "";
        ObjectNode result = updated.deepCopy();
        List<Entry> entries = managedFields(live);
        ObjectNode oldView = managedView(live, statusScope, hasStatusSubresource);
        ObjectNode newView = managedView(result, statusScope, hasStatusSubresource);
        Set<List<String>> oldSet = FieldPaths.fieldSet(oldView);
        Set<List<String>> newSet = FieldPaths.fieldSet(newView);

        for (List<String> gone : oldSet) {
            if (!newSet.contains(gone)) {
                for (Entry e : entries) {
                    e.fields.removeIf(p -> FieldPaths.isPrefix(gone, p));
                }
            }
        }
        Set<List<String>> changed = new LinkedHashSet<>();
        for (List<String> p : newSet) {
            JsonNode before = FieldPaths.get(oldView, p);
            boolean leaf = !hasChildren(newSet, p);
            if (before == null || (leaf && !FieldPaths.same(before, FieldPaths.get(newView, p)))) {
                changed.add(p);
            }
        }
        if (!changed.isEmpty()) {
            for (Entry e : entries) {
                if (!e.manager.equals(manager)) {
                    e.fields.removeAll(changed);
                }
            }
            Entry mine = null;
            for (Entry e : entries) {
                if (e.is(manager, UPDATE, sub)) {
                    mine = e;
                }
            }
            if (mine == null) {
                entries.add(new Entry(manager, UPDATE, apiVersion, now, sub, new LinkedHashSet<>(changed)));
            } else {
                mine.fields.addAll(changed);
                mine.apiVersion = apiVersion;
                mine.time = now;
            }
        }
        writeManagedFields(result, entries);
        return result;
    }

    /** apiVersion, kind, name and namespace of an object: the start of an object created by apply. */
    static ObjectNode skeleton(ObjectNode applied) {
        ObjectNode base = NF.objectNode();
        for (String f : List.of("apiVersion", "kind")) {
            if (applied.has(f)) {
                base.set(f, applied.get(f).deepCopy());
            }
        }
        ObjectNode md = base.putObject("metadata");
        for (String f : List.of("name", "namespace", "generateName")) {
            if (applied.path("metadata").has(f)) {
                md.set(f, applied.get("metadata").get(f).deepCopy());
            }
        }
        return base;
    }

    private static boolean hasChildren(Set<List<String>> set, List<String> p) {
        for (List<String> q : set) {
            if (q.size() > p.size() && FieldPaths.isPrefix(p, q)) {
                return true;
            }
        }
        return false;
    }

    private static boolean ownedByOthers(List<Entry> entries, String manager, List<String> path) {
        for (Entry e : entries) {
            if (e.manager.equals(manager)) {
                continue;
            }
            for (List<String> q : e.fields) {
                if (FieldPaths.isPrefix(path, q)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void writeManagedFields(ObjectNode object, List<Entry> entries) {
        ArrayNode mf = NF.arrayNode();
        for (Entry e : entries) {
            if (!e.fields.isEmpty()) {
                mf.add(e.toJson());
            }
        }
        ObjectNode md = object.has("metadata") && object.get("metadata").isObject() ? (ObjectNode) object.get("metadata")
                : object.putObject("metadata");
        if (mf.isEmpty()) {
            md.remove("managedFields");
        } else {
            md.set("managedFields", mf);
        }
    }

    /** Merges {@code src} into {@code target}: structs recursively, keyed lists by key, set lists by union. */
    static void mergeInto(ObjectNode target, JsonNode src) {
        for (Iterator<Map.Entry<String, JsonNode>> it = src.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode sv = e.getValue();
            JsonNode tv = target.get(name);
            if (sv.isObject() && tv != null && tv.isObject()) {
                mergeInto((ObjectNode) tv, sv);
            } else if (sv.isArray() && tv != null && tv.isArray()) {
                List<String> keys = FieldPaths.mergeKeys(name, sv);
                if (keys != null && keys.equals(FieldPaths.mergeKeys(name, tv))) {
                    ArrayNode ta = (ArrayNode) tv;
                    for (JsonNode item : sv) {
                        JsonNode existing = FieldPaths.findItem(ta, name, FieldPaths.keyElement(item, keys));
                        if (existing != null) {
                            mergeInto((ObjectNode) existing, item);
                        } else {
                            ta.add(item.deepCopy());
                        }
                    }
                } else if (FieldPaths.isSetList(name, sv) && FieldPaths.isSetList(name, tv)) {
                    ArrayNode ta = (ArrayNode) tv;
                    for (JsonNode item : sv) {
                        boolean present = false;
                        for (JsonNode t : ta) {
                            present |= FieldPaths.same(t, item);
                        }
                        if (!present) {
                            ta.add(item.deepCopy());
                        }
                    }
                } else {
                    target.set(name, sv.deepCopy());
                }
            } else {
                target.set(name, sv.deepCopy());
            }
        }
    }

    /**
     * True when two objects are equal once the managedFields timestamps are ignored: such a write is a no-op and
     * must not bump the resourceVersion nor emit a watch event.
     */
    public static boolean sameIgnoringTimes(JsonNode a, JsonNode b) {
        return FieldPaths.same(withoutTimes(a), withoutTimes(b));
    }

    private static JsonNode withoutTimes(JsonNode n) {
        JsonNode c = n.deepCopy();
        JsonNode mf = c.path("metadata").get("managedFields");
        if (mf != null && mf.isArray()) {
            for (JsonNode e : mf) {
                ((ObjectNode) e).remove("time");
            }
        }
        return c;
    }
}
