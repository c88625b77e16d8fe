package dev.ordinal.controller.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The namespaces in which the API server has refused a create because they are being deleted (403, cause
 * {@code NamespaceTerminating}; docs/troubleshooting.md). A namespace being deleted never accepts a create again, so
 * the controllers stop creating there at once instead of retrying into the same refusal, and the ops running there
 * end ({@code NamespaceTerminating}).
 * <p>
 * Nothing here reads the Namespace itself (the operator's ClusterRole grants no access to namespaces): a mark holds for
 * the objects that existed when it was made. An object created later (a namespace of the same name made again once the
 * old one is gone) is not affected; a mark is also forgotten after {@link #FORGET_AFTER}, after which one create
 * would find out again.
 */
@Singleton
public class TerminatingNamespaces {
    private static final Logger LOG = Logger.getLogger(TerminatingNamespaces.class);
    /** Kubernetes' status cause of a create refused in a namespace being deleted. */
    static final String CAUSE = "NamespaceTerminating";
    /** How long a mark holds at most. */
    static final Duration FORGET_AFTER = Duration.ofMinutes(10);
    /** Objects created this long after a mark still count as made before it (creation timestamps have whole seconds, clocks differ). */
    static final Duration CLOCK_SLACK = Duration.ofSeconds(5);

    private final Clock clock;
    private final Map<String, Mark> marks = new ConcurrentHashMap<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    /** When a namespace was found terminating, and what the API server said. */
    private record Mark(Instant at, String message) {
    }

    @Inject
    public TerminatingNamespaces() {
        this(Clock.systemUTC());
    }

    /** @param clock the time marks are made and judged at */
    public TerminatingNamespaces(Clock clock) {
        this.clock = clock;
    }

    /** Whether {@code e} is the API server's refusal to create in a namespace that is being deleted. */
    public static boolean isNamespaceTerminating(KubernetesClientException e) {
        if (e.getCode() != 403 || e.getStatus() == null) {
            return false;
        }
        var details = e.getStatus().getDetails();
        boolean cause = details != null && details.getCauses() != null
                && details.getCauses().stream().anyMatch(c -> CAUSE.equals(c.getReason()) || CAUSE.equals(c.getField()));
        String message = e.getStatus().getMessage();
        return cause || (message != null && message.contains("because it is being terminated"));
    }

    /**
     * Records that the API server refused a create in {@code namespace} because it is being deleted: one WARN line (no
     * stack trace; it is an expected answer), and the listeners are told.
     *
     * @param apiMessage the API server's message
     */
    public void terminating(String namespace, String apiMessage) {
        Mark fresh = new Mark(clock.instant(), apiMessage);
        Mark before = marks.put(namespace, fresh);
        if (before == null || expired(before)) {
            LOG.warnf("namespace %s is being deleted: the API server refuses to create anything in it (%s); Ordinal creates nothing"
                    + " there any more and ends the OpsRequests running there", namespace, apiMessage);
            listeners.forEach(l -> l.accept(namespace));
        }
    }

    /** Whether {@code object}'s namespace was found terminating after {@code object} was made. */
    public boolean isTerminating(HasMetadata object) {
        return reason(object).isPresent();
    }

    /** The API server's message, when {@code object}'s namespace was found terminating after {@code object} was made. */
    public Optional<String> reason(HasMetadata object) {
        Mark mark = marks.get(object.getMetadata().getNamespace());
        if (mark == null || expired(mark)) {
            return Optional.empty();
        }
        Instant created = created(object);
        return created != null && created.isAfter(mark.at().plus(CLOCK_SLACK)) ? Optional.empty() : Optional.of(mark.message());
    }

    /** Calls {@code listener} with each namespace newly found terminating. */
    public void onTerminating(Consumer<String> listener) {
        listeners.add(listener);
    }

    private boolean expired(Mark mark) {
        return !clock.instant().isBefore(mark.at().plus(FORGET_AFTER));
    }

    private static Instant created(HasMetadata object) {
        try {
            String at = object.getMetadata().getCreationTimestamp();
            return at == null ? null : Instant.parse(at);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
