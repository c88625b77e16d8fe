package dev.ordinal.observability;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.ordinal.api.common.Condition;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.config.OrdinalConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * The in-process bus behind {@code GET /ordinal/ops/events}. The ops controller hands over every OpsRequest status
 * it wrote; the stream compares it with the last status it saw of that ops and publishes one
 * {@link OpsEventDto#PHASE_CHANGED} per phase change and one {@link OpsEventDto#PROGRESS_STEP} per pod whose
 * progress status changed.
 * <p>
 * Each subscriber has its own bounded buffer ({@code ordinal.ops.events.buffer}, default 256). A subscriber that
 * reads slower than ops change loses the oldest buffered events, never blocks the controller, and the loss is
 * counted in {@code ordinal_ops_events_dropped_total}.
 */
@Startup
@ApplicationScoped
public class OpsEventStream {
    /** How many ops the diff remembers; older entries (ops deleted before they ended) are forgotten first. */
    private static final int REMEMBERED_OPS = 4096;

    private record Seen(String phase, Map<String, String> steps) {
    }

    private final int capacity;
    private final List<Sink> sinks = new CopyOnWriteArrayList<>();
    private final Map<String, Seen> seen = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > REMEMBERED_OPS;
        }
    };
    private final Counter dropped;
    private final Counter published;

    /** The operator's stream: {@code ordinal.ops.events.buffer} events per subscriber. */
    @Inject
    public OpsEventStream(MeterRegistry registry, OrdinalConfig config) {
        this(registry, config.ops().events().buffer());
    }

    /**
     * @param capacity events buffered per subscriber
     * @throws IllegalArgumentException for a capacity below 1
     */
    public OpsEventStream(MeterRegistry registry, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("ordinal.ops.events.buffer must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.dropped = Counter.builder("ordinal_ops_events_dropped")
                .description("Ops events discarded because a slow /ordinal/ops/events subscriber's buffer was full")
                .register(registry);
        this.published = Counter.builder("ordinal_ops_events_published")
                .description("Ops events (phase changes and progress steps) published to the event stream")
                .register(registry);
        Gauge.builder("ordinal_ops_events_subscribers", sinks, List::size)
                .description("Open /ordinal/ops/events streams").strongReference(true).register(registry);
    }

    // ---- Producer side -------------------------------------------------------------------------------------

    /** The ops controller wrote this status; publishes what changed since the last status seen of this ops. */
    public void statusWritten(OpsRequest ops) {
        List<OpsEventDto> events = diff(ops);
        events.forEach(this::publish);
    }

    /** Publishes one event to every subscriber whose filter matches it. */
    public void publish(OpsEventDto event) {
        published.increment();
        for (Sink sink : sinks) {
            sink.offer(event);
        }
    }

    private List<OpsEventDto> diff(OpsRequest ops) {
        OpsRequestStatus status = ops.getStatus();
        if (status == null || status.phase == null) {
            return List.of();
        }
        Map<String, String> steps = new LinkedHashMap<>();
        Map<String, OpsRequestStatus.ProgressDetail> details = new LinkedHashMap<>();
        status.components.values().forEach(c -> c.progressDetails.forEach(d -> {
            steps.put(d.objectKey, d.status);
            details.put(d.objectKey, d);
        }));
        String key = key(ops);
        Seen before;
        synchronized (seen) {
            before = seen.get(key);
            seen.put(key, new Seen(status.phase, steps));
        }
        String now = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        List<OpsEventDto> out = new ArrayList<>();
        // Progress first: the pods' changes happened before the phase they lead to (e.g. the last pod, then Succeed).
        details.forEach((objectKey, d) -> {
            String was = before == null ? null : before.steps().get(objectKey);
            if (!Objects.equals(was, d.status)) {
                out.add(new OpsEventDto(now, OpsEventDto.PROGRESS_STEP, ns(ops), cluster(ops), ops.getMetadata().getName(),
                        type(ops), status.phase, null, status.progress, objectKey, d.status, null, d.message));
            }
        });
        if (before == null || !before.phase().equals(status.phase)) {
            Condition why = explanation(status);
            out.add(new OpsEventDto(now, OpsEventDto.PHASE_CHANGED, ns(ops), cluster(ops), ops.getMetadata().getName(),
                    type(ops), status.phase, before == null ? null : before.phase(), status.progress, null, null,
                    why == null ? null : why.reason, why == null ? null : why.message));
        }
        return out;
    }

    /** The condition that says why the ops is in its phase: the phase's own, else the queue's or the progress'. */
    private static Condition explanation(OpsRequestStatus status) {
        Condition own = find(status.conditions, status.phase);
        if (own != null) {
            return own;
        }
        return find(status.conditions, "Pending".equals(status.phase) ? "WaitForProgressing" : "Progressing");
    }

    private static Condition find(List<Condition> conditions, String type) {
        return conditions == null ? null : conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
    }

    private static String key(OpsRequest ops) {
        String uid = ops.getMetadata().getUid();
        return uid != null ? uid : ns(ops) + "/" + ops.getMetadata().getName();
    }

    private static String ns(OpsRequest ops) {
        return ops.getMetadata().getNamespace();
    }

    private static String cluster(OpsRequest ops) {
        return ops.getSpec() == null ? null : ops.getSpec().clusterName;
    }

    private static String type(OpsRequest ops) {
        return ops.getSpec() == null || ops.getSpec().type == null ? null : ops.getSpec().type.name();
    }

    // ---- Consumer side -------------------------------------------------------------------------------------

    /**
     * A stream of the events published from now on.
     *
     * @param namespace only events of this namespace (null: all)
     * @param cluster   only events of OpsRequests of this cluster (null: all)
     * @param limit     complete the stream after this many events (0: never)
     */
    public Multi<OpsEventDto> subscribe(String namespace, String cluster, long limit) {
        return Multi.createFrom().emitter(emitter -> {
            Sink sink = new Sink(emitter, namespace, cluster, limit);
            sinks.add(sink);
            emitter.onTermination(() -> sinks.remove(sink));
            emitter.onRequest(n -> sink.drain());
            sink.drain();
        }, BackPressureStrategy.ERROR);
    }

    /** Open subscriptions. */
    public int subscribers() {
        return sinks.size();
    }

    /** One subscriber: a filter, a bounded buffer that drops its oldest item when full, and a demand-driven drain. */
    private final class Sink {
        private final MultiEmitter<? super OpsEventDto> emitter;
        private final String namespace;
        private final String cluster;
        private final long limit;
        private final ArrayDeque<OpsEventDto> buffer = new ArrayDeque<>();
        private final AtomicInteger wip = new AtomicInteger();
        private long emitted;
        private boolean completed;

        Sink(MultiEmitter<? super OpsEventDto> emitter, String namespace, String cluster, long limit) {
            this.emitter = emitter;
            this.namespace = namespace;
            this.cluster = cluster;
            this.limit = limit;
        }

        void offer(OpsEventDto event) {
            if ((namespace != null && !namespace.equals(event.namespace())) || (cluster != null && !cluster.equals(event.cluster()))) {
                return;
            }
            synchronized (buffer) {
                if (buffer.size() == capacity) {
                    buffer.pollFirst();
                    dropped.increment();
                }
                buffer.addLast(event);
            }
            drain();
        }

        /** Emits buffered events while there is demand; one thread drains at a time, the others leave a mark. */
        void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                while (!emitter.isCancelled() && emitter.requested() > 0 && (limit == 0 || emitted < limit)) {
                    OpsEventDto next;
                    synchronized (buffer) {
                        next = buffer.pollFirst();
                    }
                    if (next == null) {
                        break;
                    }
                    emitter.emit(next);
                    emitted++;
                }
                if (limit > 0 && emitted >= limit && !completed) {
                    completed = true;
                    sinks.remove(this);
                    emitter.complete();
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }
    }
}
