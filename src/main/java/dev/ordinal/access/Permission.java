package dev.ordinal.access;

/**
 * What a SubjectAccessReview asks: a verb on a resource (API group, plural, namespace; an empty namespace means
 * every namespace) or on a non-resource URL path such as {@code /q/metrics}.
 *
 * @param verb      the Kubernetes verb, e.g. {@code get}, {@code watch}
 * @param group     the resource's API group (null for a non-resource URL)
 * @param resource  the resource's plural (null for a non-resource URL)
 * @param namespace the namespace, "" for all namespaces (null for a non-resource URL)
 * @param path      the non-resource URL path (null for a resource)
 */
public record Permission(String verb, String group, String resource, String namespace, String path) {

    /** {@code verb} on {@code resource.group} in {@code namespace} ("" = in every namespace). */
    public static Permission resource(String verb, String group, String resource, String namespace) {
        return new Permission(verb, group, resource, namespace == null ? "" : namespace, null);
    }

    /** {@code verb} on the non-resource URL {@code path}, as RBAC's {@code nonResourceURLs} grant it. */
    public static Permission nonResource(String verb, String path) {
        return new Permission(verb, null, null, null, path);
    }

    public boolean isResource() {
        return path == null;
    }

    /** For messages: {@code get opsrequests.operations.ordinal.dev in namespace "a"}, {@code get /q/metrics}. */
    @Override
    public String toString() {
        if (!isResource()) {
            return verb + " " + path;
        }
        return verb + " " + resource + (group.isEmpty() ? "" : "." + group)
                + (namespace.isEmpty() ? " in all namespaces" : " in namespace \"" + namespace + "\"");
    }
}
