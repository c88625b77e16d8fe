package dev.ordinal.testkube;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ordinal.devcluster.AuditLog;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A peer kube-controller-manager (the StatefulSet controller the benchmark compares Ordinal with) runs on the run's
 * control plane as its own user, does its controller's work, and is gone once stopped.
 */
@RequiresControlPlane
class PeerControllerManagerTest {
    private static final String PEER = "kcm-peer-test";
    private static final String USER = "peer-test-controller";
    static TestKube kube;
    static KubernetesClient admin;

    @BeforeAll
    static void controlPlane() {
        kube = TestKube.shared("rig");
        admin = kube.newAdminClient();
    }

    @AfterAll
    static void close() {
        kube.stopPeerControllerManager(PEER);
        admin.close();
    }

    @Test
    void peerRunsItsControllerAsItsOwnUserAndStops() {
        String ns = "peer-kcm";
        TestKube.createNamespace(admin, ns);
        long mark = kube.auditLog().mark();
        long pid = kube.startPeerControllerManager(PEER, USER, List.of("--controllers=statefulset-controller"));
        assertTrue(pid > 0, "the peer's pid");
        assertEquals(pid, kube.pids().get(PEER));

        admin.resource(new StatefulSetBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(2).withServiceName("web")
                .withSelector(new LabelSelectorBuilder().addToMatchLabels("app", "web").build())
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .withContainers(new ContainerBuilder().withName("c").withImage("example/c:1").build()).endSpec().endTemplate()
                .endSpec().build()).create();
        // OrderedReady: the second pod comes only once the simulated kubelet made the first Ready
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            StatefulSet s = admin.apps().statefulSets().inNamespace(ns).withName("web").get();
            return s.getStatus() != null && Integer.valueOf(2).equals(s.getStatus().getReadyReplicas());
        });
        AuditLog.Snapshot peerWrites = kube.auditLog().awaitQuiet(150, 10_000).since(mark).byUser(USER).inNamespace(ns);
        assertEquals(2, peerWrites.count(AuditLog.Verb.CREATE, "pods"), peerWrites::toString);

        kube.stopPeerControllerManager(PEER);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the peer process is gone");
        assertFalse(kube.pids().containsKey(PEER));
    }
}
