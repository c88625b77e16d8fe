package dev.ordinal.observability;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import dev.ordinal.access.AccessCache;
import dev.ordinal.access.Bearer;
import dev.ordinal.access.Caller;
import dev.ordinal.access.HttpAccessFilter;
import dev.ordinal.access.HttpAuthConfig;
import dev.ordinal.access.Permission;
import dev.ordinal.access.Reviews.Authentication;
import dev.ordinal.access.Reviews.Decision;
import dev.ordinal.config.OrdinalConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Who may read which ops events: a caller sees the events of a namespace when a SubjectAccessReview allows it
 * {@code get} or {@code watch} on {@code opsrequests.operations.ordinal.dev} there (or in all namespaces), the same
 * rights {@code kubectl get ops -w} needs. Answers come from {@link AccessCache} (10 s), so a stream of many events
 * costs one review per namespace and period.
 * <p>
 * At connection, {@code ?namespace=} outside the caller's rights answers 403. Without it, the stream carries only the
 * events of namespaces the caller may read, each decided when its first event arrives and re-decided once the
 * answer expires: a revoked RoleBinding stops the flow within the cache period. The caller's token is re-checked
 * at each event and, between events, every {@code ordinal.http.auth.stream-recheck} (10 s); once the API server no
 * longer accepts it (expired, ServiceAccount or its Secret deleted), the stream ends, so a revoked token's open
 * stream ends within {@code stream-recheck + cache-ttl} (20 s by default; docs/metrics.md "Who may watch").
 */
@ApplicationScoped
public class OpsEventsAccess {
    static final String GROUP = "operations.ordinal.dev";
    static final String RESOURCE = "opsrequests";

    /** What happens to one event of an authorized stream. */
    enum Verdict {
        DELIVER, WITHHOLD, END
    }

    private record Judged(OpsEventDto event, Verdict verdict) {
    }

    private static final Logger LOG = Logger.getLogger(OpsEventsAccess.class);

    private final AccessCache cache;
    private final boolean enabled;
    private final Duration recheck;

    public OpsEventsAccess(AccessCache cache, OrdinalConfig ordinal) {
        HttpAuthConfig config = ordinal.http().auth();
        this.cache = cache;
        this.enabled = config.events() == HttpAuthConfig.Mode.KUBERNETES;
        this.recheck = config.streamRecheck();
        if (recheck.isNegative() || recheck.isZero()) {
            throw new IllegalArgumentException("ordinal.http.auth.stream-recheck must be positive, was " + recheck);
        }
    }

    /** False with {@code ordinal.http.auth.events=none}: every caller reads every event. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Blocking check at connection. With a namespace, the caller must be allowed there (403 otherwise); without,
     * the cluster-wide answer is fetched so that an unreachable API server answers 503 now.
     *
     * @throws WebApplicationException 401 without a caller, 403 naming user, verbs, resource and namespace, 503 when
     *                                 the API server gave no answer
     */
    public void requireReadable(Bearer bearer, String namespace) {
        if (bearer == null) {
            // The filter answers 401 first; reaching here without a caller means it did not run: never stream then.
            throw failure(401, "this endpoint needs a Kubernetes bearer token (Authorization: Bearer <token>)");
        }
        Decision decision;
        try {
            decision = mayRead(bearer.caller(), namespace == null ? "" : namespace).join();
        } catch (CompletionException e) {
            throw failure(503, "cannot check the caller now, so the request is refused: " + e.getCause().getMessage());
        }
        if (namespace != null && !decision.allowed()) {
            throw failure(403, HttpAccessFilter.forbidden(bearer.caller(),
                    new Permission("get or watch", GROUP, RESOURCE, namespace, null), decision.reason()));
        }
    }

    /**
     * {@code events}, less those the bearer may not read; ends when the token is no longer accepted, checked at each
     * event and every {@code ordinal.http.auth.stream-recheck} between events.
     *
     * @param namespace the stream's {@code ?namespace=} (null: every namespace)
     */
    public Multi<OpsEventDto> authorized(Multi<OpsEventDto> events, Bearer bearer, String namespace, long limit) {
        Multi<Long> ticks = Multi.createFrom().ticks().startingAfter(recheck).every(recheck);
        return authorized(events, e -> verdict(bearer, e.namespace(), namespace == null), ticks, () -> tokenVerdict(bearer), limit)
                .onFailure().invoke(e -> LOG.warnf("closed the ops event stream of %s: %s", bearer.caller().user(),
                        e instanceof CompletionException && e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
    }

    /**
     * The authorization stage of a stream, in event order: each event is judged (asynchronously, one at a time),
     * delivered or withheld, and the stream completes at the first {@link Verdict#END}, or after {@code limit}
     * delivered events (0 = no limit). Each item of {@code ticks} asks {@code recheck} between events (ticks that come
     * while a judgement runs are dropped); its {@link Verdict#END} ends the stream too, and a recheck that fails (the
     * API server did not answer) changes nothing: the next tick asks again. A failed judgement of an event fails the
     * stream (that event cannot be delivered unchecked).
     */
    static Multi<OpsEventDto> authorized(Multi<OpsEventDto> events, Function<OpsEventDto, Uni<Verdict>> judge, Multi<?> ticks,
            Supplier<Uni<Verdict>> recheck, long limit) {
        Multi<Optional<OpsEventDto>> signals = Multi.createBy().merging().streams(events.map(Optional::of),
                ticks.onOverflow().drop().map(t -> Optional.<OpsEventDto>empty()));
        Multi<OpsEventDto> delivered = signals
                .onItem().transformToUniAndConcatenate(s -> s.isPresent()
                        ? judge.apply(s.get()).map(v -> new Judged(s.get(), v))
                        : recheck.get().onFailure().recoverWithItem(Verdict.WITHHOLD)
                                .map(v -> new Judged(null, v == Verdict.END ? Verdict.END : Verdict.WITHHOLD)))
                .select().first(j -> j.verdict() != Verdict.END)
                .select().where(j -> j.verdict() == Verdict.DELIVER)
                .map(Judged::event);
        return limit > 0 ? delivered.select().first(limit) : delivered;
    }

    /** END once the API server no longer accepts the bearer's token as the same caller, else DELIVER. */
    private Uni<Verdict> tokenVerdict(Bearer bearer) {
        return Uni.createFrom().completionStage(() -> cache.authenticate(bearer.token()))
                .map(authentication -> stillTheSame(authentication, bearer.caller()) ? Verdict.DELIVER : Verdict.END);
    }

    private Uni<Verdict> verdict(Bearer bearer, String namespace, boolean everyNamespace) {
        return Uni.createFrom().completionStage(() -> cache.authenticate(bearer.token()))
                .chain(authentication -> stillTheSame(authentication, bearer.caller())
                        ? Uni.createFrom().completionStage(() -> mayReadEvent(bearer.caller(), namespace, everyNamespace))
                        : Uni.createFrom().item(Verdict.END));
    }

    private static boolean stillTheSame(Authentication authentication, Caller caller) {
        return authentication.authenticated() && authentication.caller().equals(caller);
    }

    /**
     * A stream of every namespace first asks about all namespaces, so that a cluster-wide reader costs one review
     * whatever the number of namespaces; a stream of one namespace asks about that one only (RBAC's answer there
     * includes cluster-wide grants).
     */
    private CompletableFuture<Verdict> mayReadEvent(Caller caller, String namespace, boolean everyNamespace) {
        CompletableFuture<Decision> all = everyNamespace ? mayRead(caller, "") : CompletableFuture.completedFuture(new Decision(false, ""));
        return all.thenCompose(everywhere -> everywhere.allowed() || namespace == null
                ? CompletableFuture.completedFuture(everywhere.allowed() ? Verdict.DELIVER : Verdict.WITHHOLD)
                : mayRead(caller, namespace).thenApply(d -> d.allowed() ? Verdict.DELIVER : Verdict.WITHHOLD));
    }

    /** get, else watch, on OpsRequests in {@code namespace} ("" = all namespaces). */
    private CompletableFuture<Decision> mayRead(Caller caller, String namespace) {
        return cache.authorize(caller, Permission.resource("get", GROUP, RESOURCE, namespace))
                .thenCompose(get -> get.allowed() ? CompletableFuture.completedFuture(get)
                        : cache.authorize(caller, Permission.resource("watch", GROUP, RESOURCE, namespace))
                                .thenApply(watch -> watch.allowed() ? watch : new Decision(false, join(get.reason(), watch.reason()))));
    }

    private static String join(String a, String b) {
        return a.isBlank() ? b : b.isBlank() || a.equals(b) ? a : a + "; " + b;
    }

    private static WebApplicationException failure(int status, String message) {
        Response.ResponseBuilder response = Response.status(status).type(MediaType.TEXT_PLAIN_TYPE).entity(message + "\n");
        if (status == 401) {
            response.header("WWW-Authenticate", "Bearer");
        }
        return new WebApplicationException(response.build());
    }
}
