package dev.ordinal.access;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.ordinal.access.HttpAuthConfig.Mode;
import dev.ordinal.access.Reviews.Authentication;
import dev.ordinal.config.OrdinalConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The gate in front of the operator's HTTP routes (a Quarkus Vert.x filter, so it runs before RESTEasy and before
 * Micrometer's {@code /q/metrics} route alike). As kube-rbac-proxy and controller-runtime's metrics server do, it
 * authenticates the caller's bearer token with a TokenReview and authorizes it with a SubjectAccessReview
 * (Kubernetes "Webhook token authentication" and "Authorization" docs):
 * <ul>
 * <li>{@code /q/metrics}: {@code get} on the non-resource URL {@code /q/metrics}, as RBAC's {@code nonResourceURLs}
 * grant it (ClusterRole {@code ordinal-metrics-reader} in kubernetes/monitoring). HEAD counts as get; any other
 * method is asked as its lower-cased name, as controller-runtime does.</li>
 * <li>{@code /ordinal/...} (the ops event stream): authentication only; the caller ({@link Bearer}) is left in the
 * request under {@link #BEARER}, and the endpoint decides per namespace.</li>
 * <li>everything else, the health probes included: open.</li>
 * </ul>
 * Answers: 401 with {@code WWW-Authenticate: Bearer} when the token is missing or not accepted, 403 naming the user
 * and the permission, 503 when the API server gives no answer (never allowed then). Bodies are one plain-text line.
 * {@code ordinal.http.auth.events} / {@code ordinal.http.auth.metrics} = {@code none} open a path.
 */
@ApplicationScoped
public class HttpAccessFilter {
    /** The RoutingContext key of the authenticated {@link Bearer}. */
    public static final String BEARER = "ordinal.access.bearer";
    /** Everything under this path needs a token (the ops event stream lives here). */
    public static final String ORDINAL_PREFIX = "/ordinal";
    /** After Quarkus' own filters (CORS etc. use higher priorities), before any route. */
    private static final int PRIORITY = 10;
    private static final Logger LOG = Logger.getLogger(HttpAccessFilter.class);
    private static final String NEEDS_TOKEN = "this endpoint needs a Kubernetes bearer token: Authorization: Bearer <token> "
            + "(e.g. from kubectl create token <serviceaccount>)";

    private final AccessCache cache;
    private final HttpAuthConfig config;
    private final String metricsPath;

    private enum Guard {
        OPEN, METRICS, ORDINAL
    }

    /** What to do with a request once reviewed: pass it on (with its bearer) or answer it. */
    private record Outcome(Bearer bearer, int status, String message) {
        static Outcome pass(Bearer bearer) {
            return new Outcome(bearer, 0, null);
        }

        static Outcome answer(int status, String message) {
            return new Outcome(null, status, message);
        }
    }

    public HttpAccessFilter(AccessCache cache, OrdinalConfig ordinal,
            @ConfigProperty(name = "quarkus.micrometer.export.prometheus.path", defaultValue = "/q/metrics") String metricsPath) {
        this.cache = cache;
        this.config = ordinal.http().auth();
        this.metricsPath = metricsPath;
    }

    void register(@Observes Filters filters) {
        filters.register(this::handle, PRIORITY);
    }

    void announce(@Observes StartupEvent start) {
        LOG.infof("HTTP access: %s %s, %s %s, /q/health open (ordinal.http.auth.*)", ORDINAL_PREFIX + "/ops/events",
                describe(config.events()), metricsPath, describe(config.metrics()));
        if (config.events() == Mode.NONE && LaunchMode.current() == LaunchMode.DEVELOPMENT) {
            LOG.info("dev mode: plain HTTP on localhost, no TLS (the prod profile serves HTTPS only); the ops event stream "
                    + "and /q/metrics take no token; "
                    + "-Dordinal.http.auth.events=kubernetes -Dordinal.http.auth.metrics=kubernetes to try authorization");
        } else if (config.events() == Mode.NONE) {
            LOG.warnf("ordinal.http.auth.events=none: the ops event stream answers anyone who reaches the port, "
                    + "with the events of every namespace");
        }
    }

    private static String describe(Mode mode) {
        return mode == Mode.NONE ? "open to anyone who reaches the port" : "Kubernetes bearer token (TokenReview, SubjectAccessReview)";
    }

    private void handle(RoutingContext rc) {
        Guard guard = guard(rc.normalizedPath());
        if (guard == Guard.OPEN) {
            rc.next();
            return;
        }
        String token = bearerToken(rc.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            respond(rc, Outcome.answer(401, NEEDS_TOKEN));
            return;
        }
        Context context = rc.vertx().getOrCreateContext();
        String method = rc.request().method().name();
        rc.request().pause();
        cache.authenticate(token)
                .thenCompose(authentication -> decide(guard, token, authentication, method))
                .whenComplete((outcome, error) -> context.runOnContext(v -> {
                    rc.request().resume();
                    respond(rc, error == null ? outcome : unavailable(rc, error));
                }));
    }

    private CompletableFuture<Outcome> decide(Guard guard, String token, Authentication authentication, String method) {
        if (!authentication.authenticated()) {
            return CompletableFuture.completedFuture(Outcome.answer(401,
                    "the Kubernetes API server did not accept the bearer token (TokenReview): " + authentication.error()));
        }
        Bearer bearer = new Bearer(token, authentication.caller());
        if (guard == Guard.ORDINAL) {
            return CompletableFuture.completedFuture(Outcome.pass(bearer));
        }
        Permission permission = Permission.nonResource(verb(method), metricsPath);
        return cache.authorize(bearer.caller(), permission).thenApply(decision -> decision.allowed() ? Outcome.pass(bearer)
                : Outcome.answer(403, forbidden(bearer.caller(), permission, decision.reason())
                        + "; a ClusterRole like ordinal-metrics-reader grants it (docs/metrics.md)"));
    }

    /** The 403 sentence: who, what, and the authorizers' reason when they gave one. */
    public static String forbidden(Caller caller, Permission permission, String reason) {
        return "user \"" + caller.user() + "\" may not " + permission + " (SubjectAccessReview denied"
                + (reason == null || reason.isBlank() ? "" : ": " + reason) + ")";
    }

    private static Outcome unavailable(RoutingContext rc, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        LOG.warnf("%s %s answered 503: %s", rc.request().method(), rc.normalizedPath(), cause.getMessage());
        return Outcome.answer(503, "cannot check the caller now, so the request is refused: " + cause.getMessage());
    }

    private void respond(RoutingContext rc, Outcome outcome) {
        if (outcome.bearer() != null) {
            rc.put(BEARER, outcome.bearer());
            rc.next();
            return;
        }
        if (rc.response().ended() || rc.response().closed()) {
            return;
        }
        if (outcome.status() == 401) {
            rc.response().putHeader("WWW-Authenticate", "Bearer");
        }
        rc.response().setStatusCode(outcome.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=UTF-8")
                .end(outcome.message() + "\n");
    }

    private Guard guard(String path) {
        if (config.metrics() == Mode.KUBERNETES && under(path, metricsPath)) {
            return Guard.METRICS;
        }
        if (config.events() == Mode.KUBERNETES && under(path, ORDINAL_PREFIX)) {
            return Guard.ORDINAL;
        }
        return Guard.OPEN;
    }

    private static boolean under(String path, String prefix) {
        return path != null && (path.equals(prefix) || path.startsWith(prefix + "/"));
    }

    /** The token of an {@code Authorization: Bearer <token>} header (scheme case-insensitive, RFC 6750), else null. */
    static String bearerToken(String header) {
        if (header == null || header.length() <= 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** The SubjectAccessReview verb of an HTTP method on a non-resource URL (HEAD reads as GET). */
    static String verb(String method) {
        return "HEAD".equals(method) ? "get" : method.toLowerCase(java.util.Locale.ROOT);
    }
}
