package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static dev.ordinal.it.Fixture.online;
import static dev.ordinal.it.Fixture.offline;
import static dev.ordinal.it.Fixture.scaleOut;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.common.PodManagementPolicy;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Issue #32, item 1 (docs/scaling-rules.md §6): a pod that runs but has not yet passed its readiness probe is
 * starting, not unhealthy, for its start budget ({@code ordinal.status.pod-start-deadline}, 2 s in the tests'
 * profile), as a real kubelet reports every pod that takes a while to start. So a cluster being created, a scale-out
 * and an online never pass through Abnormal; a pod still not Ready after its budget does turn its component Abnormal.
 * Every phase the Cluster's status ever shows is recorded from a watch, so a short-lived Abnormal is seen too.
 */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class StartingPodsTest {
    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "starting");
    }

    @AfterEach
    void kubeletBackToNormal() {
        Fixture.kubeletBackToNormal();
    }

    /** Every "cluster phase / broker phase" the Cluster's status shows from now on, and when Abnormal was first seen. */
    private final class Phases implements AutoCloseable {
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());
        volatile Instant firstAbnormal;
        volatile WatcherException lost;
        final Watch watch;

        Phases(String cluster) {
            watch = client.resources(Cluster.class).inNamespace(f.ns).withName(cluster).watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Cluster c) {
                    if (c.getStatus() != null && c.getStatus().phase != null) {
                        var broker = c.getStatus().components.get("broker");
                        String entry = c.getStatus().phase + "/" + (broker == null ? null : broker.phase);
                        if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(entry)) {
                            seen.add(entry);
                        }
                        if (firstAbnormal == null && entry.contains("Abnormal")) {
                            firstAbnormal = Instant.now();
                        }
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                    lost = cause;
                }
            });
        }

        boolean anyAbnormal() {
            assertNull(lost, "the watch of the Cluster's phases broke, so they were not all seen");
            synchronized (seen) {
                return seen.stream().anyMatch(s -> s.contains("Abnormal"));
            }
        }

        @Override
        public void close() {
            watch.close();
        }
    }

    @Test
    void podsThatRunBeforeTheyPassTheirReadinessProbeNeverMakeTheClusterAbnormal() {
        // Running 0.5 s before Ready: well within the 2 s budget, which counts from the container's start as the
        // kubelet reports it, in whole seconds (so at least 1 s of the budget is left), and long enough for the
        // operator to see the pod Running and not Ready
        Fixture.kubelet().startingFor(Duration.ofMillis(500));
        var spec = broker(3);
        spec.podManagementPolicy = PodManagementPolicy.OrderedReady;
        f.createCluster("sa", spec);
        try (Phases phases = new Phases("sa")) {
            f.awaitClusterPhase("sa", "Running");
            f.createOps("out", "sa", scaleOut("broker", 2));
            f.awaitOps("out", "Succeed");
            f.createOps("off", "sa", offline("broker", "sa-broker-4"));
            f.awaitOps("off", "Succeed");
            f.createOps("on", "sa", online("broker", "sa-broker-4"));
            f.awaitOps("on", "Succeed");
            f.awaitClusterPhase("sa", "Running");
            assertFalse(phases.anyAbnormal(), () -> "phases seen: " + phases.seen);
            assertTrue(phases.seen.stream().anyMatch(s -> s.endsWith("/Updating")),
                    () -> "the starting pods were seen as an update under way: " + phases.seen);
        }
    }

    @Test
    void aPodStillNotReadyAfterItsStartBudgetTurnsItsComponentAbnormal() {
        f.runningCluster("sb", broker(3));
        Fixture.kubelet().neverReady("sb-broker-3");
        try (Phases phases = new Phases("sb")) {
            f.createOps("out", "sb", scaleOut("broker", 1));
            Cluster abnormal = f.awaitClusterPhase("sb", "Abnormal");
            String message = abnormal.getStatus().components.get("broker").message.get("Pod/sb-broker-3");
            assertTrue(message.startsWith("not Ready: "), message);
            // unhealthy only once its budget (2 s from its container's start) has passed, not as soon as it ran
            Instant started = Instant.parse(f.pod("sb-broker-3").getStatus().getContainerStatuses().get(0).getState()
                    .getRunning().getStartedAt());
            assertTrue(!phases.firstAbnormal.isBefore(started.plusMillis(1900)),
                    () -> "Abnormal at " + phases.firstAbnormal + ", the container started at " + started + ": " + phases.seen);
            assertFalse(phases.seen.isEmpty());
            assertNull(phases.lost);
        }
    }
}
