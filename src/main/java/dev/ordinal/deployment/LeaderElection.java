package dev.ordinal.deployment;

import java.util.Optional;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.ordinal.config.OrdinalConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;

/**
 * Leader election for an operator Deployment with more than one replica: only the holder of the Lease
 * {@code ordinal.leader-election.lease-name} in {@code ordinal.leader-election.lease-namespace} runs the controllers;
 * the others wait as hot standbys. QOSDK looks this bean up at start and honours it in the profiles of
 * {@code quarkus.operator-sdk.activate-leader-election-for-profiles} (prod by default). A null bean means off.
 * <p>
 * The Lease namespace is {@code POD_NAMESPACE} in a Pod (the Deployment sets it from the downward API), else the
 * client's namespace (the kubeconfig context's, when the jar runs outside a cluster). When neither is known, the
 * operator runs without election and says so in one WARN line, instead of failing to start.
 * <p>
 * Losing the Lease while running ends the process (exit status 1), as JOSDK does by default, so that the pod restarts
 * as a standby. JOSDK calls {@code System.exit} itself on the thread that reports the loss, and on SIGTERM that is
 * Quarkus's shutdown hook (the operator gives the Lease up while stopping): {@code System.exit} inside a shutdown
 * hook blocks for ever, so a leading operator never exited on SIGTERM and was killed after the grace period. Here
 * the exit is asked for from a separate daemon thread: outside a shutdown it ends the JVM, during one it waits
 * harmlessly while the shutdown completes.
 */
@Singleton
public class LeaderElection {
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    @Produces
    @Dependent
    @Unremovable
    LeaderElectionConfiguration leaderElection(OrdinalConfig config, KubernetesClient client) {
        OrdinalConfig.LeaderElection election = config.leaderElection();
        return configure(election.enabled(), election.leaseName(), election.leaseNamespace(), election.identity(),
                client.getNamespace());
    }

    /**
     * The election to run: null when off. {@code clientNamespace} (may be null) is used when no Lease namespace is
     * configured; a blank identity leaves JOSDK's generated one.
     */
    LeaderElectionConfiguration configure(boolean enabled, String leaseName, Optional<String> leaseNamespace,
            Optional<String> identity, String clientNamespace) {
        if (!enabled) {
            LOG.info("leader election is off (ordinal.leader-election.enabled=false): run a single replica");
            return null;
        }
        Optional<String> namespace = leaseNamespace.filter(s -> !s.isBlank())
                .or(() -> Optional.ofNullable(clientNamespace).filter(s -> !s.isBlank()));
        if (namespace.isEmpty()) {
            LOG.warn("leader election is off: no namespace for the Lease (outside a Pod set POD_NAMESPACE, "
                    + "ordinal.leader-election.lease-namespace or a namespace in the kubeconfig context); run a single "
                    + "replica, or set one of those to turn it on");
            return null;
        }
        return new LeaderElectionConfiguration(leaseName, namespace.get(),
                LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, identity.filter(s -> !s.isBlank()).orElse(null),
                new LeaderCallbacks(() -> {
                }, LeaderElection::exitAfterLosingTheLease, leader -> {
                }), false);
    }

    /** Ends the process with status 1 from a daemon thread, so that a JVM already shutting down is not blocked. */
    static void exitAfterLosingTheLease() {
        LOG.info("no longer the leader: exiting so that this pod restarts as a standby");
        Thread exit = new Thread(() -> System.exit(1), "ordinal-exit-after-lease-loss");
        exit.setDaemon(true);
        exit.start();
    }
}
