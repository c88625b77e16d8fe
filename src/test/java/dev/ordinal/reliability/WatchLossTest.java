package dev.ordinal.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.embedded.RequestCounter.Verb;

/**
 * Watches are cut, answered 410 Gone, or the whole API server restarts while an ops runs: the informers list again,
 * the ops sees every pod transition that happened meanwhile, and readiness is true again once they are back.
 * (Readiness does NOT turn false during a short outage: fabric8 keeps an informer "watching" while its watch
 * manager reconnects; see docs/reliability.md.)
 */
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
            await().atMost(OUTAGE_WAIT).until(() -> rig.server.dispatcher().openWatches() > 0);
            // The mock keeps no watch history, so a reconnect from an old resourceVersion is answered 410 (as a
            // real server does once that version is compacted): the informers relist instead of missing events.
            rig.server.faults().goneNext(Verb.WATCH, null, rig.server.dispatcher().openWatches());
            dropped += rig.server.dropWatches();
            sleep(150);
        }
        assertTrue(dropped >= 5, "watches were open and cut: " + dropped);
        rig.awaitOps("out-3", "Succeed");
        rig.awaitReadyPods(Rig.names("kafka", 0, 1, 2, 3, 4, 5));
        assertEquals(6, rig.component("kafka").replicas);
        rig.server.faults().clear();
    }

    @Test
    void aPodBecomesReadyWhileWatchesAreDown_theRelistAfter410SeesIt() {
        rig.runningCluster("kafka", 3);
        rig.kubelet.neverReady("kafka-broker-3");
        rig.createOps("out-1", "kafka", Rig.scaleOut(1));
        await().atMost(OUTAGE_WAIT).until(() -> rig.pod("kafka-broker-3") != null && "Running".equals(rig.opsPhase("out-1")));

        // Outage: every watch is cut and every new watch refused.
        rig.server.faults().failNext(Verb.WATCH, null, 1_000_000, 503);
        rig.server.dropWatches();
        await().atMost(OUTAGE_WAIT).until(() -> rig.server.counter().snapshot().count(Verb.WATCH) > 0
                && rig.server.dispatcher().openWatches() == 0);

        // The transition the operator must not miss happens during the outage.
        rig.kubelet.healthy("kafka-broker-3");
        await().atMost(OUTAGE_WAIT).until(() -> rig.ready("kafka-broker-3"));
        assertEquals("Running", rig.opsPhase("out-1"), "nothing could be seen yet");

        // The server comes back with its watch history gone: every watch is answered 410 once, so informers relist.
        rig.server.faults().clear();
        rig.server.faults().goneNext(Verb.WATCH, null, 50);
        long listsBefore = rig.server.counter().snapshot().count(Verb.LIST, "pods");
        await().atMost(OUTAGE_WAIT).until(ordinal::ready);
        rig.awaitOps("out-1", "Succeed");
        assertTrue(rig.server.counter().snapshot().count(Verb.LIST, "pods") > listsBefore, "pods were listed again");
        rig.server.faults().clear();
    }

    @Test
    void apiServerRestartMidOps_opsEndsSucceed() {
        rig.runningCluster("kafka", 3);
        rig.createOps("offline-1", "kafka", Rig.offline("kafka-broker-1"));
        rig.awaitOps("offline-1", "Succeed");
        rig.createOps("online-1-out-1", "kafka", Rig.scaleOut(2, "kafka-broker-1"));
        await().atMost(OUTAGE_WAIT).until(() -> !"Pending".equals(String.valueOf(rig.opsPhase("online-1-out-1"))));

        rig.server.stop();
        sleep(1_000);
        rig.server.restart();

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
