package dev.ordinal.manifests;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;

import dev.ordinal.embedded.ApiPath;
import dev.ordinal.embedded.RequestCounter;
import dev.ordinal.embedded.RequestCounter.Verb;

/**
 * Clients whose requests are counted on the client side, in the same terms as the embedded server's
 * {@link RequestCounter}: the server counts everybody, these count the test's own traffic (the test driver and
 * the kubelet simulator), so the difference is what the operator asked for.
 */
public final class TracedClients {
    private final RequestCounter counter = new RequestCounter();

    public RequestCounter counter() {
        return counter;
    }

    public KubernetesClient newClient(Config config) {
        Interceptor tracer = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                String raw = request.uri().getRawPath() + (request.uri().getRawQuery() == null ? "" : "?" + request.uri().getRawQuery());
                ApiPath api = ApiPath.parse(raw);
                if (!api.resourcePath()) {
                    counter.record(Verb.GET, "discovery", "");
                    return;
                }
                String contentType = request instanceof StandardHttpRequest s ? s.getContentType() : request.header("Content-Type");
                counter.record(verbOf(request.method(), api, contentType), api.resource(), api.query().getOrDefault("fieldManager", ""));
            }
        };
        return new KubernetesClientBuilder().withConfig(config)
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("ordinal-test-trace", tracer)).build();
    }

    /** The embedded server's classification of a request (SsaDispatcher.verbOf). */
    static Verb verbOf(String method, ApiPath api, String contentType) {
        return switch (method) {
            case "GET" -> api.watch() ? Verb.WATCH : api.name() == null ? Verb.LIST : Verb.GET;
            case "POST" -> Verb.CREATE;
            case "PUT" -> Verb.UPDATE;
            case "PATCH" -> contentType != null && contentType.startsWith("application/apply-patch") ? Verb.APPLY : Verb.PATCH;
            case "DELETE" -> Verb.DELETE;
            default -> Verb.OTHER;
        };
    }
}
