package dev.ordinal.testkube;

import dev.ordinal.devcluster.AuditLog.Verb;

/**
 * What an API request is, from its method, URI and content type, in the terms of
 * {@link dev.ordinal.devcluster.AuditLog}: verb and resource (plural, {@code pods/status} for a subresource).
 * {@code /api/v1/namespaces/ns/pods/p/status} is {@code pods/status}; a namespaced object's path and a
 * cluster-scoped one are both understood; discovery paths have resource "".
 */
record RequestKind(Verb verb, String resource, String name) {

    static RequestKind of(String method, String uri, String contentType) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? "" : uri.substring(q + 1);
        String[] p = path.replaceAll("^/+", "").split("/");
        int i;
        if (p.length >= 2 && p[0].equals("api")) {
            i = 2;
        } else if (p.length >= 3 && p[0].equals("apis")) {
            i = 3;
        } else {
            return new RequestKind(method.equals("GET") ? Verb.GET : Verb.OTHER, "", null);
        }
        boolean namespaceSubresource = p.length == i + 3 && p[i].equals("namespaces")
                && (p[i + 2].equals("status") || p[i + 2].equals("finalize"));
        if (!namespaceSubresource && p.length > i + 2 && p[i].equals("namespaces")) {
            i += 2; // namespaces/<ns>/<resource>...; but namespaces/<ns>/status and /finalize are the namespace's own
        }
        String resource = p.length > i ? p[i] : "";
        String name = p.length > i + 1 ? p[i + 1] : null;
        if (p.length > i + 2) {
            resource = resource + "/" + p[i + 2];
        }
        boolean watch = query.matches("(^|.*&)watch=(true|1)(&.*|$)");
        Verb verb = switch (method) {
            case "GET" -> watch ? Verb.WATCH : name == null ? Verb.LIST : Verb.GET;
            case "POST" -> Verb.CREATE;
            case "PUT" -> Verb.UPDATE;
            case "PATCH" -> contentType != null && contentType.startsWith("application/apply-patch") ? Verb.APPLY
                    : Verb.PATCH;
            case "DELETE" -> Verb.DELETE;
            default -> Verb.OTHER;
        };
        return new RequestKind(verb, resource, name);
    }
}
