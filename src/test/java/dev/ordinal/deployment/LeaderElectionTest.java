package dev.ordinal.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;

/** The Lease the Deployment's RBAC grants is the one the operator elects on; off means no election at all. */
class LeaderElectionTest {
    private final LeaderElection producer = new LeaderElection();

    @Test
    void onByDefaultWithTheLeaseOfTheOperatorsNamespace() {
        var config = producer.configure(true, "ordinal-leader", Optional.of("data-ops"), Optional.of("ordinal-7c9f-x2"), "default");
        assertEquals("ordinal-leader", config.getLeaseName());
        assertEquals(Optional.of("data-ops"), config.getLeaseNamespace());
        assertEquals(Optional.of("ordinal-7c9f-x2"), config.getIdentity());
    }

    @Test
    void losingTheLeaseExitsFromOrdinalsOwnCallbackNotFromJosdksShutdownHookCall() {
        // JOSDK's own exit runs System.exit on the thread reporting the loss, which on SIGTERM is the shutdown hook
        var config = producer.configure(true, "ordinal-leader", Optional.of("data-ops"), Optional.empty(), "default");
        assertFalse(config.isExitOnStopLeading(), "JOSDK must not call System.exit itself");
        assertTrue(config.getLeaderCallbacks().isPresent(), "Ordinal's callback exits instead");
        assertEquals(LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE, config.getLeaseDuration());
    }

    @Test
    void outsideAPodTheLeaseGoesToTheKubeconfigNamespaceWithAGeneratedIdentity() {
        // ${POD_NAMESPACE:} is blank outside a pod (java -jar with a kubeconfig): the client's namespace is used
        var config = producer.configure(true, "ordinal-leader", Optional.of(" "), Optional.empty(), "team-a");
        assertEquals(Optional.of("team-a"), config.getLeaseNamespace());
        assertEquals(Optional.empty(), config.getIdentity());
    }

    @Test
    void noNamespaceAnywhereTurnsElectionOffInsteadOfFailingTheStart() {
        assertNull(producer.configure(true, "ordinal-leader", Optional.of(""), Optional.empty(), null));
        assertNull(producer.configure(true, "ordinal-leader", Optional.empty(), Optional.empty(), " "));
    }

    @Test
    void offProducesNoConfiguration() {
        assertNull(producer.configure(false, "ordinal-leader", Optional.empty(), Optional.empty(), "default"));
    }
}
