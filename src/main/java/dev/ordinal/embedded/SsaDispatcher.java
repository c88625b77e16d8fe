package dev.ordinal.embedded;

import java.lang.reflect.Field;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.ordinal.embedded.RequestCounter.Verb;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * A {@link KubernetesCrudDispatcher} that answers writes the way a real API server does for what Ordinal relies on:
 * server-side apply ({@code application/apply-patch+yaml}) with field ownership, conflicts and pruning
 * ({@link ServerSideApply}); managedFields {@code Update} entries for POST/PUT/PATCH; optimistic concurrency on
 * {@code metadata.resourceVersion}; status subresource isolation; generation bumps on spec changes only; no-op writes
 * that change nothing. Reads, lists, watches and deletes stay with the CRUD dispatcher, whose store and watch
 * listeners every write here goes through, so informers see every change.
 * <p>
 * It also counts requests ({@link RequestCounter}), injects faults ({@link FaultInjector}) and serves discovery
 * ({@link Discovery}).
 */
public class SsaDispatcher extends KubernetesCrudDispatcher {

    private static final Logger LOG = Logger.getLogger(SsaDispatcher.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final java.util.Set<String> BUILTIN_WITH_STATUS = java.util.Set.of("pods", "statefulsets",
            "deployments", "replicasets", "daemonsets", "services", "persistentvolumeclaims", "persistentvolumes",
            "namespaces", "nodes", "jobs", "cronjobs", "poddisruptionbudgets", "horizontalpodautoscalers",
            "customresourcedefinitions");

    private final ServerSideApply ssa = new ServerSideApply();
    private final RequestCounter counter = new RequestCounter();
    private final FaultInjector faults = new FaultInjector();
    private final Discovery discovery = new Discovery(this);
    private final Tables tables = new Tables(discovery);
    private final ReadWriteLock lock;
    private final java.util.Set<OpenWatch> openWatches = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public SsaDispatcher() {
        this.lock = parentLock();
    }

    /** The CRUD dispatcher guards its store with a private lock; writes here must hold the same one. */
    private ReadWriteLock parentLock() {
        try {
            Field f = KubernetesCrudDispatcher.class.getDeclaredField("lock");
            f.setAccessible(true);
            return (ReadWriteLock) f.get(this);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debugf("no access to the CRUD dispatcher's lock (%s); using an own lock", e);
            return new ReentrantReadWriteLock();
        }
    }

    public RequestCounter counter() {
        return counter;
    }

    public FaultInjector faults() {
        return faults;
    }

    /**
     * Closes every open watch connection, as an API server does when it restarts or times a watch out; clients
     * reconnect from their last resourceVersion. Returns how many were closed.
     */
    public int dropWatches() {
        int n = 0;
        for (OpenWatch w : java.util.List.copyOf(openWatches)) {
            if (w.close()) {
                n++;
            }
        }
        return n;
    }

    /** Watch connections open now. */
    public int openWatches() {
        return openWatches.size();
    }

    /** Runs {@code action} holding the store's write lock (for direct store access from tools). */
    public <T> T locked(Supplier<T> action) {
        Lock w = lock.writeLock();
        w.lock();
        try {
            return action.get();
        } finally {
            w.unlock();
        }
    }

    /** A copy of every stored object as JSON strings (for discovery and tooling). */
    java.util.List<String> storedObjects() {
        Lock r = lock.readLock();
        r.lock();
        try {
            return new java.util.ArrayList<>(map.values());
        } finally {
            r.unlock();
        }
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        String method = request.getMethod();
        ApiPath api = ApiPath.parse(path);
        if ("GET".equals(method) && !api.resourcePath()) {
            MockResponse d = discovery.handle(api, path);
            if (d != null) {
                counter.record(Verb.GET, "discovery", "");
                return d;
            }
        }
        String contentType = request.getHeader("Content-Type");
        Verb verb = verbOf(method, api, contentType);
        String manager = api.query().getOrDefault("fieldManager", "");
        counter.record(verb, api.resource(), manager);
        int fault = faults.take(verb, api.resource());
        if (fault == 410 && verb == Verb.WATCH) {
            return expiredWatch();
        }
        if (fault > 0) {
            return status(fault, reasonOf(fault), "injected fault for " + verb + " " + api.resource());
        }
        if ("POST".equals(method) && api.resource() != null && api.resource().startsWith("selfsubject")) {
            return selfReview(api, request.getUtf8Body());
        }
        try {
            return switch (method) {
                case "GET" -> get(api, path, request.getHeader("Accept"));
                case "POST" -> write(() -> create(api, path, request.getUtf8Body(), request.getHeader("User-Agent")));
                case "PUT" -> write(() -> replace(api, path, request.getUtf8Body(), request.getHeader("User-Agent")));
                case "PATCH" -> write(() -> patch(api, path, contentType, request.getUtf8Body(),
                        request.getHeader("User-Agent")));
                case "DELETE" -> write(() -> handleDelete(path));
                default -> status(405, "MethodNotAllowed", method + " is not supported");
            };
        } catch (ApiException e) {
            return status(e.code, e.reason, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf(e, "embedded API server failed on %s %s", method, path);
            return status(500, "InternalError", String.valueOf(e.getMessage()));
        }
    }

    private MockResponse get(ApiPath api, String path, String accept) {
        MockResponse r = handleGet(path);
        if (api.watch() && r.getWebSocketListener() != null) {
            return r.withWebSocketUpgrade(new OpenWatch(r.getWebSocketListener(), openWatches));
        }
        if (api.watch() || !Tables.wantsTable(accept) || r.code() != 200 || r.getBody() == null) {
            return r;
        }
        String body = r.getBody().readUtf8();
        if (!body.startsWith("{")) {
            return json(200, body);
        }
        return json(200, tables.toTable(api, body));
    }

    static Verb verbOf(String method, ApiPath api, String contentType) {
        return switch (method) {
            case "GET" -> api.watch() ? Verb.WATCH : api.name() == null ? Verb.LIST : Verb.GET;
            case "POST" -> Verb.CREATE;
            case "PUT" -> Verb.UPDATE;
            case "PATCH" -> contentType != null && contentType.startsWith("application/apply-patch") ? Verb.APPLY
                    : Verb.PATCH;
            case "DELETE" -> Verb.DELETE;
            default -> Verb.OTHER;
        };
    }

    private MockResponse write(Supplier<MockResponse> action) {
        return locked(action);
    }

    // ---- POST ----------------------------------------------------------------------------------------------

    private MockResponse create(ApiPath api, String path, String body, String userAgent) {
        ObjectNode obj = parseObject(body);
        ObjectNode md = metadata(obj);
        if (!md.hasNonNull("name")) {
            if (md.hasNonNull("generateName")) {
                md.put("name", md.get("generateName").asText() + randomSuffix());
            } else {
                throw new ApiException(422, "Invalid", "metadata.name: Required value: name or generateName is required");
            }
        }
        if (api.namespace() != null) {
            md.put("namespace", api.namespace());
        }
        String itemPath = stripQuery(path) + "/" + md.get("name").asText();
        AttributeSet key = getKey(itemPath);
        if (findResource(key) != null) {
            throw new ApiException(409, "AlreadyExists",
                    api.plural() + " \"" + md.get("name").asText() + "\" already exists");
        }
        boolean statusSub = hasStatusSubresource(api, itemPath);
        if (statusSub) {
            obj.remove("status");
        }
        md.remove("resourceVersion");
        md.remove("managedFields");
        String manager = manager(api, userAgent);
        ObjectNode result = ssa.update(null, obj, manager, false, statusSub, apiVersionOf(obj, api), now());
        return store(api, itemPath, key, null, null, result, statusSub, 201);
    }

    // ---- PUT -----------------------------------------------------------------------------------------------

    private MockResponse replace(ApiPath api, String path, String body, String userAgent) {
        ObjectNode incoming = parseObject(body);
        AttributeSet key = getKey(path);
        Map.Entry<AttributeSet, String> entry = findResource(key);
        if (entry == null) {
            throw notFound(api);
        }
        ObjectNode live = (ObjectNode) readJson(entry.getValue());
        checkResourceVersion(live, incoming);
        return writeUpdated(api, path, key, entry, live, incoming, manager(api, userAgent));
    }

    // ---- PATCH ---------------------------------------------------------------------------------------------

    private MockResponse patch(ApiPath api, String path, String contentType, String body, String userAgent) {
        String ct = contentType == null ? "application/json-patch+json" : contentType.split(";")[0].trim();
        if (ct.equals("application/apply-patch+yaml") || ct.equals("application/apply-patch+json")) {
            return apply(api, path, body);
        }
        AttributeSet key = getKey(path);
        Map.Entry<AttributeSet, String> entry = findResource(key);
        if (entry == null) {
            throw notFound(api);
        }
        ObjectNode live = (ObjectNode) readJson(entry.getValue());
        JsonNode patch = readJson(body);
        JsonNode patched;
        switch (ct) {
            case "application/merge-patch+json" -> patched = Patches.mergePatch(live, patch);
            case "application/strategic-merge-patch+json" -> patched = Patches.strategicMergePatch(live, patch);
            case "application/json-patch+json" -> {
                try {
                    patched = Patches.jsonPatch(live, patch);
                } catch (RuntimeException e) {
                    throw new ApiException(422, "Invalid", "the JSON patch could not be applied: " + e.getMessage());
                }
            }
            default -> throw new ApiException(415, "UnsupportedMediaType", "unsupported patch type " + ct);
        }
        if (!patched.isObject()) {
            throw new ApiException(422, "Invalid", "the patch did not produce an object");
        }
        if (!ct.equals("application/json-patch+json")) {
            // a resourceVersion in a merge patch body is a precondition
            checkResourceVersion(live, (ObjectNode) patch);
        } else {
            checkResourceVersion(live, (ObjectNode) patched);
        }
        return writeUpdated(api, path, key, entry, live, (ObjectNode) patched, manager(api, userAgent));
    }

    /** Shared tail of PUT and non-apply PATCH: scope the change, record ownership, store. */
    private MockResponse writeUpdated(ApiPath api, String path, AttributeSet key, Map.Entry<AttributeSet, String> entry,
            ObjectNode live, ObjectNode incoming, String manager) {
        boolean statusSub = hasStatusSubresource(api, path);
        ObjectNode candidate;
        if (api.isStatus()) {
            candidate = live.deepCopy();
            if (incoming.has("status")) {
                candidate.set("status", incoming.get("status").deepCopy());
            } else {
                candidate.remove("status");
            }
            // metadata changes other than via the main resource are ignored on /status
        } else {
            candidate = incoming.deepCopy();
            if (statusSub) {
                if (live.has("status")) {
                    candidate.set("status", live.get("status").deepCopy());
                } else {
                    candidate.remove("status");
                }
            }
            preserveIdentity(live, candidate);
        }
        ObjectNode result = ssa.update(live, candidate, manager, api.isStatus(), statusSub, apiVersionOf(live, api),
                now());
        return store(api, path, key, entry, live, result, statusSub, 200);
    }

    // ---- server-side apply ---------------------------------------------------------------------------------

    private MockResponse apply(ApiPath api, String path, String body) {
        String manager = api.query().get("fieldManager");
        if (manager == null || manager.isBlank()) {
            throw new ApiException(422, "Invalid",
                    "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        }
        boolean force = "true".equals(api.query().get("force"));
        ObjectNode applied = parseObject(body);
        JsonNode appliedName = applied.path("metadata").get("name");
        if (appliedName == null || !appliedName.asText().equals(api.name())) {
            throw new ApiException(400, "BadRequest", "the name of the object (" + appliedName
                    + ") does not match the name on the URL (" + api.name() + ")");
        }
        if (!applied.hasNonNull("apiVersion") || !applied.hasNonNull("kind")) {
            throw new ApiException(400, "BadRequest", "apiVersion and kind are required for apply");
        }
        AttributeSet key = getKey(path);
        Map.Entry<AttributeSet, String> entry = findResource(key);
        ObjectNode live = entry == null ? null : (ObjectNode) readJson(entry.getValue());
        if (live == null && api.isStatus()) {
            throw notFound(api);
        }
        if (live != null) {
            checkResourceVersion(live, applied);
        }
        if (api.namespace() != null) {
            metadata(applied).put("namespace", api.namespace());
        }
        boolean statusSub = hasStatusSubresource(api, path);
        ObjectNode result;
        try {
            result = ssa.apply(live, applied, manager, force, api.isStatus(), statusSub, applied.get("apiVersion").asText(),
                    now());
        } catch (ServerSideApply.ConflictException e) {
            return conflictStatus(api, e);
        }
        if (live == null) {
            String itemPath = stripQuery(path);
            return store(api, itemPath, key, null, null, result, statusSub, 201);
        }
        return store(api, path, key, entry, live, result, statusSub, 200);
    }

    // ---- storing -------------------------------------------------------------------------------------------

    private MockResponse store(ApiPath api, String path, AttributeSet key, Map.Entry<AttributeSet, String> entry,
            ObjectNode live, ObjectNode result, boolean statusSub, int code) {
        ObjectNode md = metadata(result);
        if (live != null && ServerSideApply.sameIgnoringTimes(live, result)) {
            return json(200, live.toString());
        }
        if (live == null) {
            md.put("uid", UUID.randomUUID().toString());
            md.put("creationTimestamp", now());
            md.put("generation", 1);
            if (api.namespace() != null) {
                md.put("namespace", api.namespace());
            }
        } else {
            JsonNode lm = live.get("metadata");
            for (String f : new String[] { "uid", "creationTimestamp", "generation", "deletionTimestamp",
                    "deletionGracePeriodSeconds", "namespace", "name" }) {
                if (lm.has(f)) {
                    md.set(f, lm.get(f).deepCopy());
                }
            }
            if (specChanged(live, result, statusSub)) {
                md.put("generation", lm.path("generation").asLong(1) + 1);
            }
        }
        md.put("resourceVersion", String.valueOf(requestResourceVersion()));
        String json = result.toString();
        GenericKubernetesResource resource = Serialization.unmarshal(json, GenericKubernetesResource.class);
        if (resource.isMarkedForDeletion() && resource.getFinalizers().isEmpty()) {
            processEvent(path, key, entry == null ? null : entry.getKey(), null, null);
            return json(200, json);
        }
        processEvent(path, key, entry == null ? null : entry.getKey(), resource, json);
        return json(code, json);
    }

    /**
     * Garbage collection by ownerReferences: when an object leaves the store, its dependents (objects whose
     * {@code metadata.ownerReferences} name its uid) are deleted too, always with background semantics (the owner is
     * gone first; dependents with finalizers get a deletionTimestamp and stay until their finalizers are removed).
     * {@code propagationPolicy: Orphan} is not honoured.
     */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
            GenericKubernetesResource resource, String newState) {
        String removedUid = null;
        if (newState == null && oldAttributes != null) {
            String existing = map.get(oldAttributes);
            if (existing != null) {
                removedUid = readJson(existing).path("metadata").path("uid").asText(null);
            }
        }
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        if (removedUid != null && gcEnabled) {
            collectDependents(path, removedUid);
        }
    }

    private volatile boolean gcEnabled = true;

    /** Turns ownerReference garbage collection on or off (on by default). */
    public void setGarbageCollection(boolean enabled) {
        this.gcEnabled = enabled;
    }

    private void collectDependents(String path, String ownerUid) {
        for (Map.Entry<AttributeSet, String> e : new java.util.ArrayList<>(map.entrySet())) {
            if (!e.getValue().contains(ownerUid)) {
                continue;
            }
            ObjectNode dep = (ObjectNode) readJson(e.getValue());
            boolean owned = false;
            for (JsonNode ref : dep.path("metadata").path("ownerReferences")) {
                owned |= ownerUid.equals(ref.path("uid").asText());
            }
            if (!owned || !map.containsKey(e.getKey())) {
                continue;
            }
            ObjectNode md = metadata(dep);
            if (md.path("finalizers").size() == 0) {
                processEvent(path, e.getKey(), e.getKey(), null, null);
            } else if (!md.hasNonNull("deletionTimestamp")) {
                md.put("deletionTimestamp", now());
                md.put("resourceVersion", String.valueOf(requestResourceVersion()));
                String json = dep.toString();
                super.processEvent(path, e.getKey(), e.getKey(),
                        Serialization.unmarshal(json, GenericKubernetesResource.class), json);
            }
        }
    }

    /** Anything but metadata (and status, for resources with a status subresource) changed. */
    static boolean specChanged(JsonNode before, JsonNode after, boolean statusSub) {
        ObjectNode a = before.deepCopy();
        ObjectNode b = after.deepCopy();
        for (ObjectNode n : new ObjectNode[] { a, b }) {
            n.remove("metadata");
            if (statusSub) {
                n.remove("status");
            }
        }
        return !FieldPaths.same(a, b);
    }

    private static void preserveIdentity(ObjectNode live, ObjectNode candidate) {
        ObjectNode md = metadata(candidate);
        JsonNode lm = live.get("metadata");
        for (String f : new String[] { "uid", "creationTimestamp", "generation", "deletionTimestamp",
                "deletionGracePeriodSeconds", "namespace", "name", "managedFields", "resourceVersion" }) {
            if (lm.has(f)) {
                md.set(f, lm.get(f).deepCopy());
            } else {
                md.remove(f);
            }
        }
    }

    private static void checkResourceVersion(ObjectNode live, ObjectNode incoming) {
        JsonNode rv = incoming.path("metadata").get("resourceVersion");
        if (rv != null && !rv.isNull() && !rv.asText().isEmpty()) {
            String current = live.path("metadata").path("resourceVersion").asText();
            if (!rv.asText().equals(current)) {
                throw new ApiException(409, "Conflict", "Operation cannot be fulfilled on "
                        + live.path("kind").asText() + " \"" + live.path("metadata").path("name").asText()
                        + "\": the object has been modified; please apply your changes to the latest version and try again");
            }
        }
    }

    boolean hasStatusSubresource(ApiPath api, String path) {
        if (api.group() != null && (api.group().equals("ordinal.dev") || api.group().endsWith(".ordinal.dev"))) {
            return true;
        }
        if (api.group() != null && (api.group().isEmpty() || api.group().equals("apps") || api.group().equals("batch")
                || api.group().equals("apiextensions.k8s.io") || api.group().equals("policy")
                || api.group().equals("autoscaling")) && BUILTIN_WITH_STATUS.contains(api.plural())) {
            return true;
        }
        try {
            return isStatusSubresourceEnabledForResource(stripQuery(path));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String manager(ApiPath api, String userAgent) {
        String m = api.query().get("fieldManager");
        if (m != null && !m.isBlank()) {
            return m;
        }
        if (userAgent != null && !userAgent.isBlank()) {
            // like the API server: the user agent up to the first '/'
            int slash = userAgent.indexOf('/');
            return slash > 0 ? userAgent.substring(0, slash) : userAgent;
        }
        return "unknown";
    }

    private static String apiVersionOf(JsonNode obj, ApiPath api) {
        return obj != null && obj.hasNonNull("apiVersion") ? obj.get("apiVersion").asText() : api.apiVersion();
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    static ObjectNode metadata(ObjectNode obj) {
        JsonNode md = obj.get("metadata");
        return md != null && md.isObject() ? (ObjectNode) md : obj.putObject("metadata");
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String randomSuffix() {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append(alphabet.charAt(ThreadLocalRandom.current().nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    static String stripQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    static JsonNode readJson(String body) {
        if (body == null || body.isBlank()) {
            throw new ApiException(400, "BadRequest", "empty body");
        }
        try {
            return FieldPaths.JSON.readTree(body);
        } catch (Exception jsonError) {
            try {
                return YAML.readTree(body);
            } catch (Exception yamlError) {
                throw new ApiException(400, "BadRequest", "body is neither JSON nor YAML: " + yamlError.getMessage());
            }
        }
    }

    private static ObjectNode parseObject(String body) {
        JsonNode n = readJson(body);
        if (!n.isObject()) {
            throw new ApiException(400, "BadRequest", "body must be an object");
        }
        return (ObjectNode) n;
    }

    private static ApiException notFound(ApiPath api) {
        return new ApiException(404, "NotFound", api.plural() + " \"" + api.name() + "\" not found");
    }

    private static String reasonOf(int code) {
        return switch (code) {
            case 409 -> "Conflict";
            case 404 -> "NotFound";
            case 410 -> "Gone";
            case 429 -> "TooManyRequests";
            case 503 -> "ServiceUnavailable";
            default -> code >= 500 ? "InternalError" : "BadRequest";
        };
    }

    static MockResponse json(int code, String body) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
    }

    static MockResponse status(int code, String reason, String message) {
        ObjectNode s = statusNode(code, reason, message);
        return json(code, s.toString());
    }

    private static ObjectNode statusNode(int code, String reason, String message) {
        ObjectNode s = FieldPaths.JSON.createObjectNode();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", message);
        s.put("reason", reason);
        s.put("code", code);
        return s;
    }

    private static MockResponse conflictStatus(ApiPath api, ServerSideApply.ConflictException e) {
        ObjectNode s = statusNode(409, "Conflict", e.getMessage());
        ObjectNode details = s.putObject("details");
        details.put("name", api.name());
        details.put("group", api.group());
        details.put("kind", api.plural());
        ArrayNode causes = details.putArray("causes");
        for (ServerSideApply.Conflict c : e.conflicts()) {
            ObjectNode cause = causes.addObject();
            cause.put("reason", "FieldManagerConflict");
            cause.put("message", c.message());
            cause.put("field", c.field());
        }
        return json(409, s.toString());
    }

    /**
     * What an API server answers a watch from a compacted resourceVersion: the stream opens, carries one ERROR event
     * with a 410 Status, and closes. Clients must list again (an HTTP 410 on the upgrade is only retried).
     */
    private static MockResponse expiredWatch() {
        return new MockResponse().withWebSocketUpgrade(new io.fabric8.mockwebserver.http.WebSocketListener() {
            @Override
            public void onOpen(io.fabric8.mockwebserver.http.WebSocket webSocket, io.fabric8.mockwebserver.http.Response response) {
                ObjectNode event = FieldPaths.JSON.createObjectNode();
                event.put("type", "ERROR");
                event.set("object", statusNode(410, "Expired", "too old resource version (injected fault)"));
                webSocket.send(event.toString());
                webSocket.close(1000, "resource version expired");
            }
        });
    }

    /**
     * The embedded server has no RBAC: a self access review is allowed, a self rules review lists every verb on
     * everything (JOSDK asks one before it campaigns for a leader-election Lease).
     */
    private static MockResponse selfReview(ApiPath api, String body) {
        ObjectNode review = parseObject(body);
        ObjectNode status = review.putObject("status");
        if (api.resource().equals("selfsubjectrulesreviews")) {
            ObjectNode rule = status.putArray("resourceRules").addObject();
            rule.putArray("verbs").add("*");
            rule.putArray("apiGroups").add("*");
            rule.putArray("resources").add("*");
            status.putArray("nonResourceRules");
            status.put("incomplete", false);
        } else {
            status.put("allowed", true);
        }
        return json(201, review.toString());
    }

    /** The CRUD dispatcher's watch listener, plus the socket it serves so that {@link #dropWatches()} can cut it. */
    private static final class OpenWatch extends io.fabric8.mockwebserver.http.WebSocketListener {
        private final io.fabric8.mockwebserver.http.WebSocketListener delegate;
        private final java.util.Set<OpenWatch> open;
        private volatile io.fabric8.mockwebserver.http.WebSocket socket;

        OpenWatch(io.fabric8.mockwebserver.http.WebSocketListener delegate, java.util.Set<OpenWatch> open) {
            this.delegate = delegate;
            this.open = open;
        }

        boolean close() {
            var s = socket;
            open.remove(this);
            return s != null && s.close(1000, "watch closed by the embedded API server");
        }

        @Override
        public void onOpen(io.fabric8.mockwebserver.http.WebSocket webSocket, io.fabric8.mockwebserver.http.Response response) {
            socket = webSocket;
            open.add(this);
            delegate.onOpen(webSocket, response);
        }

        @Override
        public void onMessage(io.fabric8.mockwebserver.http.WebSocket webSocket, String text) {
            delegate.onMessage(webSocket, text);
        }

        @Override
        public void onClosing(io.fabric8.mockwebserver.http.WebSocket webSocket, int code, String reason) {
            open.remove(this);
            delegate.onClosing(webSocket, code, reason);
        }

        @Override
        public void onClosed(io.fabric8.mockwebserver.http.WebSocket webSocket, int code, String reason) {
            open.remove(this);
            delegate.onClosed(webSocket, code, reason);
        }

        @Override
        public void onFailure(io.fabric8.mockwebserver.http.WebSocket webSocket, Throwable t, io.fabric8.mockwebserver.http.Response response) {
            open.remove(this);
            delegate.onFailure(webSocket, t, response);
        }
    }

    /** A failure answered as a Kubernetes Status. */
    static final class ApiException extends RuntimeException {
        final int code;
        final String reason;

        ApiException(int code, String reason, String message) {
            super(message);
            this.code = code;
            this.reason = reason;
        }
    }
}
