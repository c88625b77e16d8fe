package dev.ordinal.devcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the API server's audit log (one JSON {@code audit.k8s.io/v1} Event per line, level Metadata; a watch counted
 * at stage ResponseStarted, every other request at ResponseComplete) to count requests by user, verb, resource and field manager: the real server's own record of
 * who wrote what, used by tests and benchmarks instead of a counter inside a test double.
 * <p>
 * Verbs are the API server's ({@code get, list, watch, create, update, patch, delete}); a {@code patch} is counted
 * as {@link Verb#APPLY} by a heuristic ({@link #isApply}), since the log does not carry the content type. The log is written just after each response, so callers that count what
 * they just caused take a {@link #mark()} before and read {@link #since(long)} it once the log is quiet
 * ({@link #awaitQuiet}).
 */
public final class AuditLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Request verbs, as counted. */
    public enum Verb {
        GET, LIST, WATCH, CREATE, UPDATE, PATCH, APPLY, DELETE, OTHER
    }

    /**
     * One request. {@code apiGroup} is "" for the core group; {@code resource} is the plural, with
     * {@code /subresource} ({@code pods/status});
     * {@code manager} is "" when the request named no field manager; {@code code} the HTTP status.
     */
    public record Entry(String user, Verb verb, String apiGroup, String resource, String namespace, String name,
            String manager, int code, String uri) {

        /** Create, update, patch, apply or delete. */
        public boolean isWrite() {
            return verb == Verb.CREATE || verb == Verb.UPDATE || verb == Verb.PATCH || verb == Verb.APPLY
                    || verb == Verb.DELETE;
        }
    }

    private final Path file;

    AuditLog(Path file) {
        this.file = file;
    }

    /** A reader of the audit log file {@code file} (written by {@code --audit-log-path}). */
    public static AuditLog of(Path file) {
        return new AuditLog(file);
    }

    /** Every request logged so far. */
    public Snapshot snapshot() {
        return since(0);
    }

    /** A position in the log: {@link #since(long)} reads what was logged after it. */
    public long mark() {
        return sizeOf();
    }

    /** The requests logged after {@code mark} (a value of {@link #mark()}). */
    public Snapshot since(long mark) {
        return between(mark, Long.MAX_VALUE);
    }

    /** The requests logged between two marks. */
    public Snapshot between(long from, long to) {
        long mark = from;
        List<Entry> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return new Snapshot(List.of());
        }
        try (var channel = java.nio.channels.FileChannel.open(file);
                var reader = new java.io.BufferedReader(java.nio.channels.Channels.newReader(
                        channel.position(Math.max(0, mark)), StandardCharsets.UTF_8))) {
            String line;
            long read = mark;
            while ((line = reader.readLine()) != null && read < to) {
                read += line.getBytes(StandardCharsets.UTF_8).length + 1;
                Entry e = parse(line);
                if (e != null) {
                    out.add(e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Snapshot(List.copyOf(out));
    }

    /**
     * Waits until the log has not grown for {@code quietMillis} (at most {@code maxMillis}): what a test caused
     * has been logged once the server is quiet. Returns this log.
     */
    public AuditLog awaitQuiet(long quietMillis, long maxMillis) {
        long deadline = System.currentTimeMillis() + maxMillis;
        long size = -1;
        long stableSince = System.currentTimeMillis();
        while (System.currentTimeMillis() < deadline) {
            long now = sizeOf();
            if (now != size) {
                size = now;
                stableSince = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - stableSince >= quietMillis) {
                break;
            }
            ControlPlane.sleep(20);
        }
        return this;
    }

    private long sizeOf() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    static Entry parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            return null; // a partly written last line
        }
        String stage = n.path("stage").asText();
        boolean watch = "watch".equals(n.path("verb").asText());
        int code = n.path("responseStatus").path("code").asInt(0);
        boolean counted = watch
                ? "ResponseStarted".equals(stage) || ("ResponseComplete".equals(stage) && code >= 400)
                : "ResponseComplete".equals(stage);
        if (!counted) {
            // a watch counts once: when its stream starts, or when it is refused before any stream (403, 429);
            // every other request when it is answered
            return null;
        }
        String uri = n.path("requestURI").asText("");
        String manager = query(uri).getOrDefault("fieldManager", "");
        JsonNode ref = n.path("objectRef");
        String resource = ref.path("resource").asText("");
        String sub = ref.path("subresource").asText("");
        if (!sub.isEmpty()) {
            resource = resource + "/" + sub;
        }
        String verb = n.path("verb").asText("");
        Verb v = switch (verb) {
            case "get" -> Verb.GET;
            case "list" -> Verb.LIST;
            case "watch" -> Verb.WATCH;
            case "create" -> Verb.CREATE;
            case "update" -> Verb.UPDATE;
            case "patch" -> isApply(manager) ? Verb.APPLY : Verb.PATCH;
            case "delete", "deletecollection" -> Verb.DELETE;
            default -> Verb.OTHER;
        };
        return new Entry(n.path("user").path("username").asText(""), v, ref.path("apiGroup").asText(""), resource,
                ref.path("namespace").asText(""), ref.path("name").asText(""), manager, code, uri);
    }

    /**
     * Whether a patch with this field manager is taken for a server-side apply. The audit log at level Metadata
     * does not carry the content type: an apply must name a field manager, Ordinal's merge patches name none, and
     * kubectl's other patches use managers {@code kubectl-edit}, {@code kubectl-patch}, {@code kubectl-label}, … A
     * heuristic, right for the clients of this project's tests.
     */
    static boolean isApply(String manager) {
        return !manager.isEmpty() && !manager.startsWith("kubectl-");
    }

    private static Map<String, String> query(String uri) {
        Map<String, String> out = new TreeMap<>();
        int q = uri.indexOf('?');
        if (q < 0) {
            return out;
        }
        for (String kv : uri.substring(q + 1).split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String val = eq < 0 ? "" : kv.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(val, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The requests logged up to one moment; every query treats a null argument as "any". */
    public record Snapshot(List<Entry> entries) {

        /** Only the requests for which {@code filter} holds. */
        public Snapshot where(Predicate<Entry> filter) {
            return new Snapshot(entries.stream().filter(filter).toList());
        }

        /** Only the requests of {@code user}. */
        public Snapshot byUser(String user) {
            return where(e -> e.user().equals(user));
        }

        /** Only the requests on objects in {@code namespace}. */
        public Snapshot inNamespace(String namespace) {
            return where(e -> e.namespace().equals(namespace));
        }

        /** Requests of this verb on this resource by this field manager. */
        public long count(Verb verb, String resource, String manager) {
            return entries.stream().filter(e -> (verb == null || e.verb() == verb)
                    && (resource == null || e.resource().equals(resource))
                    && (manager == null || e.manager().equals(manager))).count();
        }

        /** Requests of this verb on this resource. */
        public long count(Verb verb, String resource) {
            return count(verb, resource, null);
        }

        /** Requests of this verb. */
        public long count(Verb verb) {
            return count(verb, null, null);
        }

        /** Every request in this snapshot. */
        public long total() {
            return entries.size();
        }

        /** Writes (create, update, patch, apply, delete) on {@code resource} (null = any). */
        public long writes(String resource) {
            return entries.stream().filter(e -> e.isWrite() && (resource == null || e.resource().equals(resource)))
                    .count();
        }

        @Override
        public String toString() {
            Map<String, Long> sorted = new TreeMap<>();
            entries.forEach(e -> sorted.merge(e.user() + " " + e.verb() + " " + e.resource()
                    + (e.manager().isEmpty() ? "" : " [" + e.manager() + "]"), 1L, Long::sum));
            return sorted.toString();
        }
    }
}
