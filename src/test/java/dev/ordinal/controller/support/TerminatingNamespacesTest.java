package dev.ordinal.controller.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** {@link TerminatingNamespaces}: which refusal marks a namespace, and which objects the mark holds for. */
class TerminatingNamespacesTest {
    private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");

    private static ConfigMap object(String namespace, Instant created) {
        return new ConfigMapBuilder().withNewMetadata().withName("x").withNamespace(namespace).withCreationTimestamp(created.toString())
                .endMetadata().build();
    }

    private static KubernetesClientException refused(int code, String message, String cause) {
        var status = new StatusBuilder().withCode(code).withMessage(message).withReason("Forbidden");
        if (cause != null) {
            status.withNewDetails().addNewCause().withReason(cause).withField("metadata.namespace").endCause().endDetails();
        }
        return new KubernetesClientException(status.build());
    }

    @Test
    void onlyTheRefusalOfANamespaceBeingDeletedCounts() {
        assertTrue(TerminatingNamespaces.isNamespaceTerminating(refused(403, "pods \"a\" is forbidden: unable to create new content in"
                + " namespace t because it is being terminated", "NamespaceTerminating")));
        assertTrue(TerminatingNamespaces.isNamespaceTerminating(refused(403, "unable to create new content in namespace t because it is"
                + " being terminated", null)), "older API servers give the message only");
        assertFalse(TerminatingNamespaces.isNamespaceTerminating(refused(403, "pods is forbidden: User \"x\" cannot create", null)),
                "RBAC refusals are no namespace deletion");
        assertFalse(TerminatingNamespaces.isNamespaceTerminating(refused(409, "already exists", null)));
    }

    @Test
    void aMarkHoldsForObjectsMadeBeforeItAndOnlyInItsNamespace() {
        var clock = new MutableClock(T0);
        var namespaces = new TerminatingNamespaces(clock);
        List<String> told = new ArrayList<>();
        namespaces.onTerminating(told::add);
        namespaces.terminating("t", "being terminated");
        namespaces.terminating("t", "being terminated");
        assertEquals(List.of("t"), told, "listeners hear of a namespace once");
        assertEquals(Optional.of("being terminated"), namespaces.reason(object("t", T0.minusSeconds(3600))));
        assertFalse(namespaces.isTerminating(object("other", T0.minusSeconds(3600))));
        assertFalse(namespaces.isTerminating(object("t", T0.plus(TerminatingNamespaces.CLOCK_SLACK).plusSeconds(1))),
                "made later: a namespace of the same name made again");
        clock.now = T0.plus(TerminatingNamespaces.FORGET_AFTER);
        assertFalse(namespaces.isTerminating(object("t", T0.minusSeconds(3600))), "forgotten: one create finds out again");
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
