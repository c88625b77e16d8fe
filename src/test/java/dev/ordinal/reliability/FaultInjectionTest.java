package dev.ordinal.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.devcluster.AuditLog.Verb;
import dev.ordinal.testkube.FaultProxy;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * The fault proxy in front of the real API server does what the reliability suites rely on: injected statuses,
 * cut watches that reconnect, and a 410 on a watch that makes an informer list again. Requests that reached the
 * server are counted from its audit log (user {@value #USER}).
 */
@RequiresControlPlane
class FaultInjectionTest {
    private static final String USER = "fault-injection-test";
    private static final java.util.concurrent.atomic.AtomicInteger NAMESPACES = new java.util.concurrent.atomic.AtomicInteger();
    private TestKube kube;
    private FaultProxy server;
    private KubernetesClient client;
    private String ns;
    private long mark;

    @BeforeEach
    void start() {
        kube = TestKube.shared("rig");
        ns = "faults-" + NAMESPACES.incrementAndGet();
        try (KubernetesClient admin = kube.newAdminClient()) {
            TestKube.createNamespace(admin, ns);
        }
        server = FaultProxy.start(kube.config(USER, "system:masters"));
        client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(server.clientConfig()).build();
        mark = kube.auditLog().mark();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private ConfigMap map(String name) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata().build();
    }

    /** What reached the API server from this test's client, from the audit log. */
    private AuditLog.Snapshot served() {
        return kube.auditLog().since(mark).inNamespace(ns).byUser(USER);
    }

    @Test
    void failAfterLetsTheFirstRequestsThroughThenFails() {
        server.failAfter(Verb.CREATE, "configmaps", 1, 2, 409);
        client.resource(map("a")).create();
        assertEquals(409, assertThrows(KubernetesClientException.class, () -> client.resource(map("b")).create()).getCode());
        assertEquals(409, assertThrows(KubernetesClientException.class, () -> client.resource(map("b")).create()).getCode());
        client.resource(map("b")).create();
        assertEquals(2, server.injected());
        assertEquals(0, server.pending());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(2, served().count(Verb.CREATE, "configmaps"),
                "only the two creates that passed reached the server"));
    }

    @Test
    void goneAnswers410WithReasonExpired() {
        server.goneNext(Verb.LIST, "configmaps", 1);
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> client.configMaps().inNamespace(ns).list());
        assertEquals(410, e.getCode());
        assertEquals("Expired", e.getStatus().getReason(), "as the API server says it for a compacted version");
    }

    @Test
    void droppedWatchesReconnectAndA410OnTheWatchMakesTheInformerRelist() {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Set<String> deleted = ConcurrentHashMap.newKeySet();
        SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(ns).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ConfigMap m) {
                seen.add(m.getMetadata().getName());
            }

            @Override
            public void onUpdate(ConfigMap o, ConfigMap m) {
                seen.add(m.getMetadata().getName());
            }

            @Override
            public void onDelete(ConfigMap m, boolean unknownFinalState) {
                deleted.add(m.getMetadata().getName());
            }
        });
        try {
            client.resource(map("one")).create();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("one") && server.openWatches() > 0);

            // A plain drop: the client reconnects its watch and keeps receiving events.
            assertTrue(server.dropWatches() >= 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openWatches() > 0);
            client.resource(map("two")).create();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("two"));

            // A drop answered by 410 Gone: the informer lists again, and a delete made meanwhile is not missed.
            long listsBefore = served().count(Verb.LIST, "configmaps");
            server.goneNext(Verb.WATCH, "configmaps", 1);
            server.dropWatches();
            try (KubernetesClient admin = kube.newAdminClient()) {
                admin.configMaps().inNamespace(ns).withName("one").delete();
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertTrue(deleted.contains("one"),
                    () -> served() + " pending " + server.pending() + " watching " + informer.isWatching()));
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertTrue(served().count(Verb.LIST, "configmaps") > listsBefore,
                            () -> served() + " pending " + server.pending()));
            assertEquals(0, server.pending(), "the 410 was answered");
            await().atMost(Duration.ofSeconds(20)).until(informer::isWatching);
        } finally {
            informer.close();
        }
    }
}
