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

import dev.ordinal.embedded.EmbeddedApiServer;
import dev.ordinal.embedded.RequestCounter.Verb;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** The embedded server's watch and error faults do what the reliability suites rely on. */
class FaultInjectionTest {
    private EmbeddedApiServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = EmbeddedApiServer.start();
        client = server.newClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private static ConfigMap map(String name) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace("faults").endMetadata().build();
    }

    @Test
    void failAfterLetsTheFirstRequestsThroughThenFails() {
        server.faults().failAfter(Verb.CREATE, "configmaps", 1, 2, 409);
        client.resource(map("a")).create();
        assertEquals(409, assertThrows(KubernetesClientException.class, () -> client.resource(map("b")).create()).getCode());
        assertEquals(409, assertThrows(KubernetesClientException.class, () -> client.resource(map("b")).create()).getCode());
        client.resource(map("b")).create();
        assertEquals(2, server.faults().injected());
        assertEquals(0, server.faults().pending());
    }

    @Test
    void goneAnswers410WithReasonGone() {
        server.faults().goneNext(Verb.LIST, "configmaps", 1);
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> client.configMaps().inNamespace("faults").list());
        assertEquals(410, e.getCode());
        assertEquals("Gone", e.getStatus().getReason());
    }

    @Test
    void droppedWatchesReconnectAndA410OnTheWatchMakesTheInformerRelist() {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Set<String> deleted = ConcurrentHashMap.newKeySet();
        SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace("faults").inform(new ResourceEventHandler<>() {
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
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("one") && server.dispatcher().openWatches() > 0);

            // A plain drop: the client reconnects its watch and keeps receiving events.
            long watchesBefore = server.counter().snapshot().count(Verb.WATCH, "configmaps");
            assertTrue(server.dropWatches() >= 1);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.counter().snapshot().count(Verb.WATCH, "configmaps") > watchesBefore);
            client.resource(map("two")).create();
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("two"));

            // A drop answered by 410 Gone: the informer lists again, and a delete made meanwhile is not missed.
            long listsBefore = server.counter().snapshot().count(Verb.LIST, "configmaps");
            server.faults().goneNext(Verb.WATCH, "configmaps", 1);
            server.dispatcher().locked(() -> {
                server.dropWatches();
                return null;
            });
            client.configMaps().inNamespace("faults").withName("one").delete();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertTrue(deleted.contains("one"),
                    () -> server.counter().snapshot() + " pending " + server.faults().pending() + " watching " + informer.isWatching()));
            await().atMost(Duration.ofSeconds(20)).failFast(() -> false)
                    .untilAsserted(() -> assertTrue(server.counter().snapshot().count(Verb.LIST, "configmaps") > listsBefore,
                            () -> server.counter().snapshot() + " pending " + server.faults().pending()));
            assertEquals(0, server.faults().pending(), "the 410 was answered");
            await().atMost(Duration.ofSeconds(20)).until(informer::isWatching);
        } finally {
            informer.close();
        }
    }
}
