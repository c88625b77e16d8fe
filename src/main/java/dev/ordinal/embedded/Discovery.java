package dev.ordinal.embedded;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.mockwebserver.http.MockResponse;

/**
 * Enough API discovery for kubectl and for clients that look resources up: {@code /version}, {@code /api},
 * {@code /api/v1}, {@code /apis}, {@code /apis/<group>/<version>}. Built-in resources come from a fixed table;
 * custom resources from the CustomResourceDefinitions stored in the server. {@code /openapi/v2} is not served
 * (kubectl needs {@code --validate=false}).
 */
final class Discovery {

    /** A served resource: plural, singular, kind, namespaced, short names. */
    record Res(String group, String version, String plural, String singular, String kind, boolean namespaced,
            List<String> shortNames, boolean status) {
        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }
    }

    private static final List<Res> BUILTIN = List.of(
            new Res("", "v1", "pods", "pod", "Pod", true, List.of("po"), true),
            new Res("", "v1", "services", "service", "Service", true, List.of("svc"), true),
            new Res("", "v1", "configmaps", "configmap", "ConfigMap", true, List.of("cm"), false),
            new Res("", "v1", "secrets", "secret", "Secret", true, List.of(), false),
            new Res("", "v1", "events", "event", "Event", true, List.of("ev"), false),
            new Res("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true,
                    List.of("pvc"), true),
            new Res("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa"), false),
            new Res("", "v1", "endpoints", "endpoints", "Endpoints", true, List.of("ep"), false),
            new Res("", "v1", "namespaces", "namespace", "Namespace", false, List.of("ns"), true),
            new Res("", "v1", "nodes", "node", "Node", false, List.of("no"), true),
            new Res("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, List.of("sts"), true),
            new Res("apps", "v1", "deployments", "deployment", "Deployment", true, List.of("deploy"), true),
            new Res("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, List.of("rs"), true),
            new Res("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, List.of(), false),
            new Res("events.k8s.io", "v1", "events", "event", "Event", true, List.of("ev"), false),
            new Res("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
                    "CustomResourceDefinition", false, List.of("crd", "crds"), true));

    private static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");

    private final SsaDispatcher dispatcher;

    Discovery(SsaDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** The discovery answer for a GET, or null when the path is not a discovery path. */
    MockResponse handle(ApiPath api, String rawPath) {
        String p = SsaDispatcher.stripQuery(rawPath).replaceAll("/+$", "");
        ObjectNode out = FieldPaths.JSON.createObjectNode();
        switch (p) {
            case "/version" -> {
                out.put("major", "1");
                out.put("minor", "30");
                out.put("gitVersion", "v1.30.0+ordinal-embedded");
                out.put("gitCommit", "embedded");
                out.put("gitTreeState", "clean");
                out.put("buildDate", "2026-01-01T00:00:00Z");
                out.put("goVersion", "n/a");
                out.put("compiler", "n/a");
                out.put("platform", "java/any");
                return SsaDispatcher.json(200, out.toString());
            }
            case "/healthz", "/readyz", "/livez" -> {
                return new MockResponse().setResponseCode(200).setBody("ok");
            }
            case "/api" -> {
                out.put("kind", "APIVersions");
                out.putArray("versions").add("v1");
                ObjectNode addr = out.putArray("serverAddressByClientCIDRs").addObject();
                addr.put("clientCIDR", "0.0.0.0/0");
                addr.put("serverAddress", "127.0.0.1");
                return SsaDispatcher.json(200, out.toString());
            }
            case "/apis" -> {
                out.put("kind", "APIGroupList");
                out.put("apiVersion", "v1");
                ArrayNode groups = out.putArray("groups");
                Map<String, List<String>> versions = new LinkedHashMap<>();
                for (Res r : all()) {
                    if (!r.group().isEmpty()) {
                        List<String> vs = versions.computeIfAbsent(r.group(), g -> new ArrayList<>());
                        if (!vs.contains(r.version())) {
                            vs.add(r.version());
                        }
                    }
                }
                versions.forEach((g, vs) -> {
                    ObjectNode gn = groups.addObject();
                    gn.put("name", g);
                    ArrayNode va = gn.putArray("versions");
                    for (String v : vs) {
                        ObjectNode vn = va.addObject();
                        vn.put("groupVersion", g + "/" + v);
                        vn.put("version", v);
                    }
                    gn.set("preferredVersion", va.get(0).deepCopy());
                });
                return SsaDispatcher.json(200, out.toString());
            }
            default -> {
                if (p.startsWith("/openapi")) {
                    return SsaDispatcher.status(404, "NotFound", "the server could not find the requested resource");
                }
                if (api.version() != null && api.plural() == null && api.group() != null) {
                    return resourceList(api.group(), api.version());
                }
                return null;
            }
        }
    }

    private MockResponse resourceList(String group, String version) {
        ObjectNode out = FieldPaths.JSON.createObjectNode();
        out.put("kind", "APIResourceList");
        out.put("apiVersion", "v1");
        out.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = out.putArray("resources");
        boolean any = false;
        for (Res r : all()) {
            if (!r.group().equals(group) || !r.version().equals(version)) {
                continue;
            }
            any = true;
            ObjectNode n = resources.addObject();
            n.put("name", r.plural());
            n.put("singularName", r.singular());
            n.put("namespaced", r.namespaced());
            n.put("kind", r.kind());
            ArrayNode verbs = n.putArray("verbs");
            VERBS.forEach(verbs::add);
            if (!r.shortNames().isEmpty()) {
                ArrayNode sn = n.putArray("shortNames");
                r.shortNames().forEach(sn::add);
            }
            if (r.status()) {
                ObjectNode s = resources.addObject();
                s.put("name", r.plural() + "/status");
                s.put("singularName", "");
                s.put("namespaced", r.namespaced());
                s.put("kind", r.kind());
                s.putArray("verbs").add("get").add("patch").add("update");
            }
        }
        if (!any) {
            return SsaDispatcher.status(404, "NotFound", "the server could not find the requested resource");
        }
        return SsaDispatcher.json(200, out.toString());
    }

    /** The additionalPrinterColumns of a stored CRD's version (empty when none or not a CRD). */
    List<JsonNode> printerColumns(String group, String version, String plural) {
        List<JsonNode> out = new ArrayList<>();
        for (String json : dispatcher.storedObjects()) {
            if (!json.contains("\"CustomResourceDefinition\"") || !json.contains(plural)) {
                continue;
            }
            JsonNode spec = SsaDispatcher.readJson(json).path("spec");
            if (!spec.path("group").asText().equals(group) || !spec.path("names").path("plural").asText().equals(plural)) {
                continue;
            }
            for (JsonNode v : spec.path("versions")) {
                if (v.path("name").asText().equals(version)) {
                    v.path("additionalPrinterColumns").forEach(out::add);
                }
            }
        }
        return out;
    }

    /** Built-ins plus every version of every stored CustomResourceDefinition. */
    List<Res> all() {
        List<Res> out = new ArrayList<>(BUILTIN);
        for (String json : dispatcher.storedObjects()) {
            if (!json.contains("\"CustomResourceDefinition\"")) {
                continue;
            }
            JsonNode crd = SsaDispatcher.readJson(json);
            if (!"CustomResourceDefinition".equals(crd.path("kind").asText())) {
                continue;
            }
            JsonNode spec = crd.path("spec");
            JsonNode names = spec.path("names");
            List<String> shortNames = new ArrayList<>();
            names.path("shortNames").forEach(s -> shortNames.add(s.asText()));
            for (JsonNode v : spec.path("versions")) {
                if (v.has("served") && !v.get("served").asBoolean()) {
                    continue;
                }
                String group = spec.path("group").asText();
                boolean status = v.path("subresources").has("status") || group.endsWith("ordinal.dev");
                out.add(new Res(group, v.path("name").asText(), names.path("plural").asText(),
                        names.path("singular").asText(), names.path("kind").asText(),
                        !"Cluster".equals(spec.path("scope").asText()), shortNames, status));
            }
        }
        return out;
    }
}
