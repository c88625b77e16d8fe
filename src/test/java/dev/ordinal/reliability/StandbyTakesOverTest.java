package dev.ordinal.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;

/**
 * Two Ordinal processes with distinct identities share one Lease: only the holder reconciles; when it stops, the
 * other acquires the Lease and finishes the work.
 */
@RequiresControlPlane
class StandbyTakesOverTest {
    private static final String LEASE = "ordinal-leader";
    private Rig rig;

    @BeforeEach
    void start() {
        rig = Rig.start("leader");
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    private OrdinalProcess process(String identity) {
        var election = new LeaderElectionConfiguration(LEASE, rig.ns, Duration.ofSeconds(3), Duration.ofSeconds(2),
                Duration.ofMillis(400), identity, null, false);
        return rig.startOrdinal(OrdinalProcess.start(rig, identity, election, OrdinalProcess.DEFAULT_TIMEOUT));
    }

    private String holder() {
        Lease lease = rig.client.leases().inNamespace(rig.ns).withName(LEASE).get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    @Test
    void onlyTheLeaderReconcilesAndTheOtherTakesOverWhenItStops() {
        OrdinalProcess a = process("ordinal-a");
        await().atMost(Rig.WAIT).until(() -> "ordinal-a".equals(holder()));
        OrdinalProcess b = process("ordinal-b");

        rig.runningCluster("kafka", 3);
        rig.createOps("offline-1", "kafka", Rig.offline("kafka-broker-1"));
        rig.awaitOps("offline-1", "Succeed");
        assertEquals("ordinal-a", holder());
        assertEquals(0, b.reconciles(), "the standby reconciled nothing");
        long aBefore = a.reconciles();
        assertEquals(true, aBefore > 0);

        rig.stop(a);
        await().atMost(Rig.WAIT).until(() -> "ordinal-b".equals(holder()));
        rig.createOps("online-1", "kafka", Rig.online("kafka-broker-1"));
        rig.awaitOps("online-1", "Succeed");
        rig.awaitReadyPods(Rig.names("kafka", 0, 1, 2));
        assertEquals(aBefore, a.reconciles(), "the stopped leader did nothing more");
        await().atMost(Rig.WAIT).until(() -> b.reconciles() > 0);
    }
}
