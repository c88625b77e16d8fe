package dev.ordinal.embedded;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A parsed Kubernetes API request path: /api/v1/... or /apis/group/version/..., with query parameters. */
public record ApiPath(String group, String version, String namespace, String plural, String name, String subresource,
        Map<String, String> query, boolean resourcePath) {

    public static ApiPath parse(String rawPath) {
        String p = rawPath;
        Map<String, String> query = new LinkedHashMap<>();
        int q = p.indexOf('?');
        if (q >= 0) {
            for (String kv : p.substring(q + 1).split("&")) {
                if (kv.isEmpty()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(k, v);
            }
            p = p.substring(0, q);
        }
        String[] s = p.replaceAll("^/+", "").replaceAll("/+$", "").split("/");
        int i;
        String group;
        String version;
        if (s.length >= 2 && s[0].equals("api")) {
            group = "";
            version = s[1];
            i = 2;
        } else if (s.length >= 3 && s[0].equals("apis")) {
            group = s[1];
            version = s[2];
            i = 3;
        } else {
            return new ApiPath(null, null, null, null, null, null, query, false);
        }
        String ns = null;
        if (s.length > i + 1 && s[i].equals("namespaces") && s.length > i + 2) {
            ns = s[i + 1];
            i += 2;
        }
        if (s.length <= i) {
            return new ApiPath(group, version, ns, null, null, null, query, false);
        }
        String plural = s[i];
        String name = s.length > i + 1 ? s[i + 1] : null;
        String sub = s.length > i + 2 ? s[i + 2] : null;
        return new ApiPath(group, version, ns, plural, name, sub, query, true);
    }

    /** "pods", or "pods/status" for the subresource. */
    public String resource() {
        if (plural == null) {
            return "";
        }
        return subresource == null ? plural : plural + "/" + subresource;
    }

    public String apiVersion() {
        return group == null || group.isEmpty() ? version : group + "/" + version;
    }

    public boolean isStatus() {
        return "status".equals(subresource);
    }

    public boolean watch() {
        return "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
    }
}
