package dev.ordinal.observability;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.ordinal.config.OrdinalConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Readiness: the Kubernetes API server answers {@code GET /version} within {@code ordinal.health.api-server.timeout}
 * (default 2 s). The answer is kept for {@code ordinal.health.api-server.cache} (default 2 s) so that frequent
 * probes cost the API server one cheap request per period. The request goes through the operator's own client
 * (same URL, credentials and TLS) but without its retries: an unreachable server must show now, not after the
 * client's back-off.
 */
@Readiness
@ApplicationScoped
public class ApiServerReadiness implements AsyncHealthCheck {
    static final String NAME = "Kubernetes API server reachable";

    private final KubernetesClient client;
    private final HttpClient http;
    private final Duration timeout;
    private final Uni<HealthCheckResponse> probe;

    public ApiServerReadiness(KubernetesClient client, OrdinalConfig config) {
        Duration cache = config.health().apiServer().cache();
        this.client = client;
        this.timeout = config.health().apiServer().timeout();
        this.http = client.getHttpClient().newBuilder()
                .tag(new RequestConfigBuilder(client.getConfiguration().getRequestConfig()).withRequestRetryBackoffLimit(0).build())
                .build();
        this.probe = Uni.createFrom().deferred(this::ask).memoize().atLeast(cache);
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return probe;
    }

    private Uni<HealthCheckResponse> ask() {
        String url = versionUrl();
        var request = http.newHttpRequestBuilder().uri(url).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, String.class))
                .ifNoItem().after(timeout).fail()
                .map(response -> answer(url, response))
                .onFailure().recoverWithItem(e -> HealthCheckResponse.named(NAME).down().withData("url", url)
                        .withData("error", e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()))
                        .build());
    }

    private static HealthCheckResponse answer(String url, HttpResponse<String> response) {
        var builder = HealthCheckResponse.named(NAME).withData("url", url).withData("status", response.code());
        return (response.isSuccessful() ? builder.up() : builder.down()).build();
    }

    private String versionUrl() {
        String master = client.getConfiguration().getMasterUrl();
        return (master.endsWith("/") ? master : master + "/") + "version";
    }
}
