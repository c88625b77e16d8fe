package dev.ordinal.deployment;

import java.util.Optional;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;

/**
 * Leader election for an operator Deployment with more than one replica: only the holder of the Lease
 * {@code ordinal.leader-election.lease-name} in {@code ordinal.leader-election.lease-namespace} (default: the
 * client's namespace, i.e. the pod's own namespace in a cluster) runs the controllers; the others wait as hot
 * standbys. QOSDK looks this bean up at start and honours it in the profiles of
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod by default). A null bean means off.
 */
@Singleton
public class LeaderElection {
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    @Produces
    @Dependent
    @Unremovable
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(name = "ordinal.leader-election.enabled", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "ordinal.leader-election.lease-name", defaultValue = "ordinal-leader") String leaseName,
            @ConfigProperty(name = "ordinal.leader-election.lease-namespace") Optional<String> leaseNamespace,
            @ConfigProperty(name = "ordinal.leader-election.identity") Optional<String> identity) {
        if (!enabled) {
            LOG.info("leader election is off (ordinal.leader-election.enabled=false): run a single replica");
            return null;
        }
        return new LeaderElectionConfiguration(leaseName, leaseNamespace.filter(s -> !s.isBlank()).orElse(null),
                identity.filter(s -> !s.isBlank()).orElse(null));
    }
}
