package dev.ordinal.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.devcluster.AuditLog.Verb;
import dev.ordinal.testkube.RequiresControlPlane;

/**
 * Watches are cut, answered 410 Gone, or the whole API server restarts while an ops runs: the informers list again,
 * the ops sees every pod transition that happened meanwhile, and readiness is true again once they are back.
 * (Readiness does NOT turn false during a short outage: fabric8 keeps an informer "watching" while its watch
 * manager reconnects; see docs/reliability.md.)
 */
@RequiresControlPlane
class WatchLossTest {
    private static final Duration OUTAGE_WAIT = Duration.ofSeconds(30);
    private Rig rig;
    private OrdinalProcess ordinal;

    @BeforeEach
    void start() {
        rig = Rig.start("watch");
        ordinal = rig.startOrdinal();
        await().atMost(OUTAGE_WAIT).until(ordinal::ready);
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    @Test
    void droppedWatchesDuringAnOpsAreReconnected() {
        rig.runningCluster("kafka", 3);
        rig.createOps("out-3", "kafka", Rig.scaleOut(3));
        int dropped = 0;
        for (int i = 0; i < 5; i++) {
            await().atMost(OUTAGE_WAIT).until(() -> rig.proxy.openWatches() > 0);
            // Every other cut, the reconnect is answered 410 (what the server answers once the resourceVersion is
            // compacted): the informers relist instead of missing events. The other cuts reconnect from the
            // resourceVersion they had, which the real server replays.
            if (i % 2 == 0) {
                rig.proxy.goneNext(Verb.WATCH, null, rig.proxy.openWatches());
            }
            dropped += rig.proxy.dropWatches();
            sleep(150);
        }
        assertTrue(dropped >= 5, "watches were open and cut: " + dropped);
        rig.awaitOps("out-3", "Succeed");
        rig.awaitReadyPods(Rig.names("kafka", 0, 1, 2, 3, 4, 5));
        assertEquals(6, rig.component("kafka").replicas);
        rig.proxy.clear();
    }

    @Test
    void aPodBecomesReadyWhileWatchesAreDown_theRelistAfter410SeesIt() {
        rig.runningCluster("kafka", 3);
        rig.kubelet.neverReady("kafka-broker-3");
        rig.createOps("out-1", "kafka", Rig.scaleOut(1));
        await().atMost(OUTAGE_WAIT).until(() -> rig.pod("kafka-broker-3") != null && "Running".equals(rig.opsPhase("out-1")));

        // Outage: every watch is cut and every new watch refused.
        rig.proxy.failNext(Verb.WATCH, null, 1_000_000, 503);
        rig.proxy.dropWatches();
        await().atMost(OUTAGE_WAIT).until(() -> rig.proxy.openWatches() == 0);

        // The transition the operator must not miss happens during the outage.
        rig.kubelet.healthy("kafka-broker-3");
        await().atMost(OUTAGE_WAIT).until(() -> rig.ready("kafka-broker-3"));
        assertEquals("Running", rig.opsPhase("out-1"), "nothing could be seen yet");

        // The server comes back with its watch history gone: every watch is answered 410 once, so informers relist.
        rig.proxy.clear();
        rig.proxy.goneNext(Verb.WATCH, null, 50);
        long listsBefore = rig.auditMark();
        await().atMost(OUTAGE_WAIT).until(ordinal::ready);
        rig.awaitOps("out-1", "Succeed");
        // a namespaced informer lists in the rig's namespace; the audit log records it there
        assertTrue(rig.operatorRequestsSince(listsBefore).count(Verb.LIST, "pods") > 0, "pods were listed again");
        rig.proxy.clear();
    }

    @Test
    void apiServerRestartMidOps_opsEndsSucceed() {
        rig.runningCluster("kafka", 3);
        rig.createOps("offline-1", "kafka", Rig.offline("kafka-broker-1"));
        rig.awaitOps("offline-1", "Succeed");
        rig.createOps("online-1-out-1", "kafka", Rig.scaleOut(2, "kafka-broker-1"));
        await().atMost(OUTAGE_WAIT).until(() -> !"Pending".equals(String.valueOf(rig.opsPhase("online-1-out-1"))));

        rig.kube.stopApiServer();
        sleep(1_000);
        rig.kube.restartApiServer();

        await().atMost(OUTAGE_WAIT).until(ordinal::ready);
        rig.awaitOps("online-1-out-1", "Succeed");
        rig.awaitReadyPods(Rig.names("kafka", 0, 1, 2, 3));
        assertEquals(4, rig.component("kafka").replicas);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
