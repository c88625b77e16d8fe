package dev.ordinal.testkube;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.ordinal.devcluster.AuditLog.Verb;
import io.fabric8.kubernetes.client.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;

/**
 * A test-only reverse proxy (Vert.x HTTP proxy) between an operator under test and the real kube-apiserver, for the
 * faults a real server does not produce on demand: the Nth matching request answered with a 409, 410 or 5xx
 * Status, and open watches cut. Everything else passes through unchanged, authenticated upstream with the client
 * certificate of the identity it stands for, so the API server's audit log names the operator as usual.
 * <p>
 * The operator talks plain HTTP to {@code http://127.0.0.1:<port>} (loopback only). A rule matches by verb and
 * resource ({@code clusters}, {@code pods/status}; null = any), counted as {@link dev.ordinal.devcluster.AuditLog}
 * counts them.
 */
public final class FaultProxy implements AutoCloseable {

    private record Rule(Verb verb, String resource, int status, AtomicInteger skip, AtomicInteger remaining) {
        boolean matches(Verb v, String r) {
            return (verb == null || verb == v) && (resource == null || resource.equals(r));
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final HttpClient upstream;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    /** Delays: verb and resource of the next request to hold back, and for how long. */
    private record Delay(Verb verb, String resource, long millis) {
    }

    private final List<Delay> delays = new CopyOnWriteArrayList<>();
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicLong injected = new AtomicLong();
    private final Set<HttpConnection> watchConnections = ConcurrentHashMap.newKeySet();

    private FaultProxy(Vertx vertx, HttpServer server, HttpClient upstream) {
        this.vertx = vertx;
        this.server = server;
        this.upstream = upstream;
    }

    /**
     * Starts a proxy on a free loopback port that forwards to {@code target}'s API server with {@code target}'s
     * client certificate.
     */
    public static FaultProxy start(Config target) {
        Vertx vertx = Vertx.vertx();
        java.net.URI api = java.net.URI.create(target.getMasterUrl());
        HttpClient upstream = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true)
                .setTrustOptions(new PemTrustOptions().addCertPath(target.getCaCertFile()))
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(target.getClientCertFile())
                        .setKeyPath(target.getClientKeyFile()))
                .setMaxPoolSize(200).setKeepAlive(true).setIdleTimeout(0));
        HttpProxy proxy = HttpProxy.reverseProxy(upstream).origin(api.getPort(), api.getHost());
        FaultProxy[] self = new FaultProxy[1];
        proxy.addInterceptor(new ProxyInterceptor() {
            @Override
            public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
                return self[0].intercept(context);
            }
        });
        HttpServer server = vertx.createHttpServer().requestHandler(request -> self[0].route(request, proxy));
        try {
            server = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("the fault proxy did not start", e);
        }
        self[0] = new FaultProxy(vertx, server, upstream);
        return self[0];
    }

    /**
     * fabric8 watches over a WebSocket (and falls back to a streamed GET): an upgrade is matched against the rules
     * here, because the HTTP proxy hands upgrades on without its interceptors; everything else goes through them.
     */
    private void route(HttpServerRequest request, HttpProxy proxy) {
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            proxy.handle(request);
            return;
        }
        RequestKind kind = RequestKind.of(request.method().name(), request.uri(), null);
        int status = take(kind.verb(), kind.resource());
        if (status != 0) {
            injected.incrementAndGet();
            if (status == 410) {
                // as the API server does for a watch from a compacted resourceVersion: one ERROR event, then close
                request.toWebSocket().onSuccess(ws -> ws.writeTextMessage(errorEvent(statusJson(410, kind)))
                        .onComplete(done -> ws.close()));
            } else {
                request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                        .end(statusJson(status, kind));
            }
            return;
        }
        if (kind.verb() == Verb.WATCH) {
            track(request.connection());
        }
        proxy.handle(request);
    }

    private void track(HttpConnection c) {
        watchConnections.add(c);
        c.closeHandler(v -> watchConnections.remove(c));
    }

    private static String errorEvent(String status) {
        return "{\"type\":\"ERROR\",\"object\":" + status + "}";
    }

    private static String statusJson(int status, RequestKind kind) {
        String reason = switch (status) {
            case 409 -> "Conflict";
            case 410 -> "Expired";
            case 429 -> "TooManyRequests";
            case 503 -> "ServiceUnavailable";
            default -> "InternalError";
        };
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
                + "\"injected by the test fault proxy: " + kind.verb() + " " + kind.resource() + "\",\"reason\":\""
                + reason + "\",\"code\":" + status + "}";
    }

    private Future<ProxyResponse> intercept(ProxyContext context) {
        var request = context.request();
        String uri = request.getURI();
        String contentType = request.headers().get("Content-Type");
        RequestKind kind = RequestKind.of(request.getMethod().name(), uri, contentType);
        int status = take(kind.verb(), kind.resource());
        if (status != 0) {
            injected.incrementAndGet();
            request.proxiedRequest().handler(b -> {
            }).resume(); // read and drop the body of the refused request
            return Future.succeededFuture(status(context, status, kind));
        }
        if (kind.verb() == Verb.WATCH) {
            track(request.proxiedRequest().connection());
        }
        for (Delay d : delays) {
            if ((d.verb() == null || d.verb() == kind.verb()) && d.resource().equals(kind.resource()) && delays.remove(d)) {
                // hold the request (its body stays unread, buffered by the connection) and send it on later, as a
                // slow network or a busy writer would
                held.incrementAndGet();
                io.vertx.core.Promise<ProxyResponse> answer = io.vertx.core.Promise.promise();
                vertx.setTimer(d.millis(), t -> context.sendRequest().onComplete(r -> {
                    held.decrementAndGet();
                    answer.handle(r);
                }));
                return answer.future();
            }
        }
        return context.sendRequest();
    }

    /**
     * Holds the next request of this verb and resource (e.g. {@code APPLY}, {@code opsrequests/status}) for
     * {@code delay} before sending it on unchanged: what another client does meanwhile reaches the API server first.
     */
    public void delayNext(Verb verb, String resource, java.time.Duration delay) {
        delays.add(new Delay(verb, resource, delay.toMillis()));
    }

    /** Requests held back by {@link #delayNext} right now. */
    public int held() {
        return held.get();
    }

    private static ProxyResponse status(ProxyContext context, int status, RequestKind kind) {
        String json = statusJson(status, kind);
        if (kind.verb() == Verb.WATCH && status == 410) {
            // a streamed watch from a compacted resourceVersion: the stream opens and carries one ERROR event
            json = errorEvent(json) + "\n";
            status = 200;
        }
        return context.request().response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .setBody(Body.body(Buffer.buffer(json)));
    }

    /** The URL the operator under test connects to. */
    public String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** A client configuration that goes through this proxy (no TLS, no credentials: the proxy holds them). */
    public Config clientConfig() {
        Config c = Config.empty();
        c.setMasterUrl(url());
        c.setNamespace("default");
        c.setRequestRetryBackoffLimit(2);
        return c;
    }

    /** Quarkus client properties that send the application's requests through this proxy. */
    public Map<String, String> quarkusProperties() {
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", url(),
                "quarkus.kubernetes-client.namespace", "default",
                "quarkus.kubernetes-client.devservices.enabled", "false",
                "quarkus.operator-sdk.crd.apply", "false");
    }

    /** The next {@code times} requests matching verb and resource answer {@code status}. */
    public void failNext(Verb verb, String resource, int times, int status) {
        failAfter(verb, resource, 0, times, status);
    }

    /** Lets the next {@code skip} matching requests through, then makes the {@code times} after them fail. */
    public void failAfter(Verb verb, String resource, int skip, int times, int status) {
        rules.add(new Rule(verb, resource, status, new AtomicInteger(skip), new AtomicInteger(times)));
    }

    /** 409 Conflict for the next {@code times} matching requests. */
    public void conflictNext(Verb verb, String resource, int times) {
        failNext(verb, resource, times, 409);
    }

    /** 410 Gone for the next {@code times} matching requests (a watch: an ERROR event carrying the 410). */
    public void goneNext(Verb verb, String resource, int times) {
        failNext(verb, resource, times, 410);
    }

    /** Requests answered with an injected fault so far. */
    public long injected() {
        return injected.get();
    }

    /** Faults not yet used up. */
    public int pending() {
        return rules.stream().mapToInt(r -> Math.max(0, r.remaining().get())).sum();
    }

    /** Forgets every fault rule and delay not used up yet. */
    public void clear() {
        rules.clear();
        delays.clear();
    }

    /** Watches open through this proxy now. */
    public int openWatches() {
        return watchConnections.size();
    }

    /** Cuts every open watch, as a network blip or an API server restart does; returns how many. */
    public int dropWatches() {
        List<HttpConnection> open = List.copyOf(watchConnections);
        open.forEach(HttpConnection::close);
        watchConnections.removeAll(open);
        return open.size();
    }

    private int take(Verb verb, String resource) {
        for (Rule r : rules) {
            if (r.matches(verb, resource)) {
                if (r.skip().getAndDecrement() > 0) {
                    return 0;
                }
                int left = r.remaining().getAndDecrement();
                if (left > 0) {
                    if (left == 1) {
                        rules.remove(r);
                    }
                    return r.status();
                }
                rules.remove(r);
            }
        }
        return 0;
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            upstream.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        } finally {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // its threads are daemons
            }
        }
    }
}
