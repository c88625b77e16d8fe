package dev.ordinal.controller.support;

import java.time.Duration;
import java.util.Optional;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * The one way the three controllers write the status of their own resource (docs/ops-controller.md "Status writes"):
 * <ol>
 * <li>compare the wanted status with the one the reconcile observed, ignoring conditions' transition times: equal
 * means nothing to write;</li>
 * <li>hold back a transitional status for the settle window ({@link SettleWindow});</li>
 * <li>server-side apply the whole status (the primary's status field manager) with the resourceVersion the decision
 * was made on, so that a status decided on a copy that is no longer current is refused (409) instead of written over
 * a newer state or a spec change whose event it would hide;</li>
 * <li>answer a 409 as {@link Outcome.Stale}: read again and decide again.</li>
 * </ol>
 */
@Singleton
public class StatusWriter {
    /** How soon a reconcile whose status write was refused as stale runs again, on the version the cache has then. */
    public static final Duration STALE_RECHECK = Duration.ofMillis(100);
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private final SettleWindow settle;

    /** @param settle the operator's one settle window, shared by the three controllers */
    public StatusWriter(SettleWindow settle) {
        this.settle = settle;
    }

    /** What became of a status write. */
    public sealed interface Outcome<R> {
        /** The wanted status is the observed one: nothing written. */
        record Unchanged<R>() implements Outcome<R> {
        }

        /** A transitional status younger than the settle window: nothing written; reconcile again after {@code rest}. */
        record HeldBack<R>(Duration rest) implements Outcome<R> {
        }

        /** Written; {@code saved} is the resource as the API server answered, with the status written. */
        record Written<R>(R saved) implements Outcome<R> {
        }

        /** Refused (409): the resource changed since it was observed. Nothing written; read it again and decide again. */
        record Stale<R>() implements Outcome<R> {
        }

        /** When the caller must reconcile again for this outcome's sake, if at all. */
        default Optional<Duration> recheck() {
            if (this instanceof HeldBack<R> held) {
                return Optional.of(held.rest());
            }
            return this instanceof Stale<R> ? Optional.of(STALE_RECHECK) : Optional.empty();
        }
    }

    /**
     * Writes {@code next} as the status of {@code observed}, unless it says what the observed status says.
     *
     * @param observed     the resource as this reconcile observed it: its status is compared, its resourceVersion is
     *                     the write's precondition
     * @param next         the whole status wanted
     * @param transitional whether {@code next} describes a state about to change (held back for the settle window)
     * @param context      the reconcile's context (its resource operations write and cache the primary)
     * @throws KubernetesClientException for a refusal other than 409
     */
    public <R extends CustomResource<?, S>, S> Outcome<R> write(R observed, S next, boolean transitional, Context<R> context) {
        Object key = SettleWindow.key(observed);
        if (same(observed.getStatus(), next)) {
            if (!transitional) {
                settle.forget(key);
            }
            return new Outcome.Unchanged<>();
        }
        Optional<Duration> hold = settle.holdBack(key, transitional);
        if (hold.isPresent()) {
            return new Outcome.HeldBack<>(hold.get());
        }
        R body = emptyLike(observed);
        body.setMetadata(new ObjectMetaBuilder().withName(observed.getMetadata().getName())
                .withNamespace(observed.getMetadata().getNamespace())
                .withResourceVersion(observed.getMetadata().getResourceVersion()).build());
        body.setStatus(next);
        R saved;
        try {
            saved = context.resourceOperations().serverSideApplyPrimaryStatus(body);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return new Outcome.Stale<>();
            }
            throw e;
        }
        if (saved.getStatus() == null) {
            saved.setStatus(next);
        }
        return new Outcome.Written<>(saved);
    }

    /** Forgets {@code resource}'s settle window (it is being deleted). */
    public void forget(CustomResource<?, ?> resource) {
        settle.forget(SettleWindow.key(resource));
    }

    /**
     * Whether two statuses say the same, ignoring the {@code lastTransitionTime} of their conditions: compared as JSON
     * trees, so the order of map keys (the API server sorts them) does not matter, the order of lists does.
     */
    public static boolean same(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        return withoutTransitionTimes(JSON.convertValue(a, JsonNode.class))
                .equals(withoutTransitionTimes(JSON.convertValue(b, JsonNode.class)));
    }

    private static JsonNode withoutTransitionTimes(JsonNode status) {
        JsonNode conditions = status.path("conditions");
        if (conditions.isArray()) {
            conditions.forEach(c -> {
                if (c instanceof ObjectNode o) {
                    o.remove("lastTransitionTime");
                }
            });
        }
        return status;
    }

    @SuppressWarnings("unchecked")
    private static <R> R emptyLike(R resource) {
        try {
            return (R) resource.getClass().getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no empty " + resource.getClass().getSimpleName() + " to write a status with", e);
        }
    }
}
