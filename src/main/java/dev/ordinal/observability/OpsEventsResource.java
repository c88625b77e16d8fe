package dev.ordinal.observability;

import java.util.regex.Pattern;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestStreamElementType;

import dev.ordinal.access.Bearer;
import dev.ordinal.access.HttpAccessFilter;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /ordinal/ops/events}: Server-Sent Events, one JSON {@link OpsEventDto} per OpsRequest phase change and
 * progress step, from the moment of connection (no replay). Query parameters: {@code namespace}, {@code cluster}
 * (filters, both optional) and {@code limit} (close after that many events; default 0 = stay open).
 * <p>
 * Only for callers Kubernetes authorizes ({@link OpsEventsAccess}): {@link HttpAccessFilter} has authenticated the
 * bearer token before this runs (401 otherwise); here {@code ?namespace=} outside the caller's rights answers 403
 * and the stream carries only events of namespaces the caller may read. Blocking, because the check at connection
 * asks the API server.
 */
@Path("/ordinal/ops/events")
public class OpsEventsResource {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private final OpsEventStream stream;
    private final OpsEventsAccess access;

    public OpsEventsResource(OpsEventStream stream, OpsEventsAccess access) {
        this.stream = stream;
        this.access = access;
    }

    @GET
    @Blocking
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<OpsEventDto> events(@RestQuery String namespace, @RestQuery String cluster, @RestQuery String limit,
            RoutingContext request) {
        if (namespace != null && !DNS_LABEL.matcher(namespace).matches()) {
            throw badRequest("namespace: \"" + namespace + "\" is not a Kubernetes namespace name (lowercase RFC 1123 label, at most 63 characters)");
        }
        if (cluster != null && !DNS_SUBDOMAIN.matcher(cluster).matches()) {
            throw badRequest("cluster: \"" + cluster + "\" is not a Kubernetes object name (lowercase RFC 1123 subdomain, at most 253 characters)");
        }
        long max = limit(limit);
        if (!access.enabled()) {
            return stream.subscribe(namespace, cluster, max);
        }
        Bearer bearer = request.get(HttpAccessFilter.BEARER);
        access.requireReadable(bearer, namespace);
        return access.authorized(stream.subscribe(namespace, cluster, 0), bearer, namespace, max);
    }

    private static long limit(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        try {
            long limit = Long.parseLong(text);
            if (limit >= 0) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw badRequest("limit: \"" + text + "\" must be 0 (no limit) or a positive number of events");
    }

    private static WebApplicationException badRequest(String message) {
        return new WebApplicationException(Response.status(Response.Status.BAD_REQUEST).type(MediaType.TEXT_PLAIN_TYPE)
                .entity(message + "\n").build());
    }
}
