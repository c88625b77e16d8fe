package dev.ordinal.controller.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.client.utils.Serialization;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;

/**
 * How the ops controller tells KRaft controllers of a static quorum from brokers (docs/scaling-rules.md §8): on the
 * example Cluster, the controllers are recognised and the brokers are not.
 */
class OpsViewTest {
    private static ComponentSpec component(Cluster cluster, String name) {
        return cluster.getSpec().componentSpecs.stream().filter(c -> c.name.equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theExamplesControllersAreAStaticQuorumAndItsBrokersAreNot() throws Exception {
        Cluster cluster = Serialization.unmarshal(Files.readString(Path.of("kubernetes/examples/kafka-cluster.yaml")), Cluster.class);
        assertEquals("its pods are KRaft controllers of a static quorum (container kafka sets KAFKA_PROCESS_ROLES=controller"
                + " and KAFKA_CONTROLLER_QUORUM_VOTERS)", OpsView.kraftStaticQuorum(component(cluster, "controller")));
        assertNull(OpsView.kraftStaticQuorum(component(cluster, "broker")), "brokers set the voters too, but are no controllers");
        assertEquals(OpsView.kraftStaticQuorum(component(cluster, "controller")), OpsView.live(cluster).components().get("controller").staticQuorum());

        ComponentSpec combined = component(cluster, "broker");
        combined.template.getSpec().getContainers().get(0).getEnv().stream().filter(e -> e.getName().equals("KAFKA_PROCESS_ROLES"))
                .forEach(e -> e.setValue("broker, controller"));
        assertEquals("its pods are KRaft controllers of a static quorum (container kafka sets KAFKA_PROCESS_ROLES=broker,"
                + " controller and KAFKA_CONTROLLER_QUORUM_VOTERS)", OpsView.kraftStaticQuorum(combined), "combined mode counts");
        combined.template.getSpec().getContainers().get(0).getEnv().removeIf(e -> e.getName().equals("KAFKA_CONTROLLER_QUORUM_VOTERS"));
        combined.template.getSpec().getContainers().get(0).getEnv().add(new EnvVar("KAFKA_CONTROLLER_QUORUM_BOOTSTRAP_SERVERS", "x:9093", null));
        assertNull(OpsView.kraftStaticQuorum(combined), "a dynamic quorum names no voters");
    }
}
