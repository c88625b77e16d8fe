package dev.ordinal.controller.support;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * The API server's expected refusals (docs/troubleshooting.md "The operator itself"): 403 (forbidden, e.g. RBAC), 404
 * (gone meanwhile), 409 (conflict) and 422 (invalid). They are answers, not failures of the operator: a reconcile that
 * meets one logs one WARN line with the API server's own message, no stack trace, and looks again later (a 409 after
 * half a second, the others after 5 s). Anything else
 * (the API server unreachable, a 500) is thrown, and JOSDK retries it with its back-off and logs it in full.
 */
public final class ApiAnswers {
    /** The HTTP codes that are answers, not faults. */
    static final Set<Integer> EXPECTED = Set.of(403, 404, 409, 422);
    /** How soon a reconcile that met an expected refusal looks again: 403, 404 and 422 do not clear in a moment. */
    public static final Duration RECHECK = Duration.ofSeconds(5);
    /** How soon after a conflict (409): the object changed meanwhile, and the next look usually goes through. */
    public static final Duration CONFLICT_RECHECK = Duration.ofMillis(500);

    private ApiAnswers() {
    }

    /** The expected refusal in {@code e} or its causes, if any. */
    public static Optional<KubernetesClientException> expected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof KubernetesClientException k && EXPECTED.contains(k.getCode())) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The API server's own message, without fabric8's "Failure executing: …" wrapping. */
    public static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    /**
     * Runs one reconcile of {@code resource}: an expected refusal it meets is logged ({@link #warn}) and answered with a
     * look again after {@link #recheck}; any other exception goes to JOSDK (its retry, and its log with the stack trace).
     *
     * @param kind the controller's name for the resource, e.g. "instanceset"
     */
    public static <R extends HasMetadata> UpdateControl<R> reconcile(Logger log, String kind, R resource, Supplier<UpdateControl<R>> once) {
        try {
            return once.get();
        } catch (RuntimeException e) {
            KubernetesClientException refused = expected(e).orElseThrow(() -> e);
            warn(log, kind, resource, refused);
            return UpdateControl.<R> noUpdate().rescheduleAfter(recheck(refused));
        }
    }

    /**
     * Logs an expected refusal met while reconciling {@code resource}: one WARN line, e.g. "instanceset ns/kafka-broker:
     * the API server answered 403: pods "kafka-broker-3" is forbidden: …; looking again in 5000ms".
     *
     * @param kind the controller's name for the resource, e.g. "instanceset"
     */
    public static void warn(Logger log, String kind, HasMetadata resource, KubernetesClientException e) {
        log.warnf("%s %s/%s: the API server answered %d: %s; looking again in %dms", kind, resource.getMetadata().getNamespace(),
                resource.getMetadata().getName(), e.getCode(), message(e), recheck(e).toMillis());
    }

    /** {@link #CONFLICT_RECHECK} for a 409, else {@link #RECHECK}. */
    static Duration recheck(KubernetesClientException e) {
        return e.getCode() == 409 ? CONFLICT_RECHECK : RECHECK;
    }
}
