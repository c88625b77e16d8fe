package dev.ordinal.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The Lease the Deployment's RBAC grants is the one the operator elects on; off means no election at all. */
class LeaderElectionTest {
    private final LeaderElection producer = new LeaderElection();

    @Test
    void onByDefaultWithTheLeaseOfTheOperatorsNamespace() {
        var config = producer.leaderElection(true, "ordinal-leader", Optional.of("data-ops"), Optional.of("ordinal-7c9f-x2"));
        assertEquals("ordinal-leader", config.getLeaseName());
        assertEquals(Optional.of("data-ops"), config.getLeaseNamespace());
        assertEquals(Optional.of("ordinal-7c9f-x2"), config.getIdentity());
    }

    @Test
    void blankNamespaceAndIdentityFallBackToJosdkDefaults() {
        // ${POD_NAMESPACE:} outside a pod: JOSDK then takes the client's namespace and a generated identity
        var config = producer.leaderElection(true, "ordinal-leader", Optional.of(" "), Optional.empty());
        assertEquals(Optional.empty(), config.getLeaseNamespace());
        assertEquals(Optional.empty(), config.getIdentity());
    }

    @Test
    void offProducesNoConfiguration() {
        assertNull(producer.leaderElection(false, "ordinal-leader", Optional.empty(), Optional.empty()));
    }
}
