package dev.ordinal.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Re-applying an object whose keyed list items carry numeric keys (ports by containerPort) changes nothing. */
class ListMapReapplyTest {

    @Test
    void reapplyingContainerPortsIsANoOp() {
        try (EmbeddedApiServer server = EmbeddedApiServer.start()) {
            Pod pod = new PodBuilder().withNewMetadata().withName("p").withNamespace("x").withLabels(Map.of("a", "b")).endMetadata()
                    .withNewSpec().withContainers(new ContainerBuilder().withName("kafka").withImage("apache/kafka:3.9.0")
                            .withPorts(new ContainerPortBuilder().withName("broker").withContainerPort(9092).build()).build())
                    .endSpec().build();
            Pod first = server.client().resource(pod).fieldManager("ordinal").forceConflicts().serverSideApply();
            Pod second = server.client().resource(pod).fieldManager("ordinal").forceConflicts().serverSideApply();
            assertEquals(1, second.getSpec().getContainers().get(0).getPorts().size(), "ports merged by containerPort, not appended");
            assertEquals(first.getMetadata().getResourceVersion(), second.getMetadata().getResourceVersion(), "no change, no new resourceVersion");
        }
    }
}
