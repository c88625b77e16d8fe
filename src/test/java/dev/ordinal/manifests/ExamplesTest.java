package dev.ordinal.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.controller.support.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Every example under kubernetes/examples is what a user may apply as is: each document passes its CRD's schema,
 * its pod templates hold only fields Kubernetes knows, and the Kafka cluster's KRaft wiring is consistent with
 * the names Ordinal gives pods and Services.
 */
class ExamplesTest {
    private static final CrdSchemaValidator VALIDATOR = CrdSchemaValidator.fromDirectory(Manifests.CRDS);
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @Test
    void everyExampleDocumentPassesItsCrdSchema() {
        List<Path> files = Manifests.yamlFiles(Manifests.EXAMPLES);
        assertTrue(files.size() >= 3, "examples: " + files);
        for (Path file : files) {
            List<ObjectNode> docs = Manifests.documents(file);
            assertFalse(docs.isEmpty(), file + " holds no document");
            for (ObjectNode doc : docs) {
                assertEquals(List.of(), VALIDATOR.validate(doc), file + ": " + doc.path("metadata").path("name").asText());
            }
        }
    }

    @Test
    void theValidatorRejectsWhatTheApiServerWould() {
        ObjectNode cluster = kafka();
        assertEquals(List.of(), VALIDATOR.validate(cluster));
        assertRejected(cluster, c -> broker(c).put("replicas", "three"), "componentSpecs[1].replicas: must be an integer");
        assertRejected(cluster, c -> broker(c).put("replicas", -1), "is below the minimum");
        assertRejected(cluster, c -> ((ObjectNode) c.path("spec")).put("terminationPolicy", "Destroy"), "is not one of");
        assertRejected(cluster, c -> broker(c).put("replica", 3), "componentSpecs[1].replica: unknown field");
        assertRejected(cluster, c -> broker(c).put("name", "Broker_1"), "does not match");
        assertRejected(cluster, c -> ((ArrayNode) c.path("spec").path("componentSpecs")).add(broker(c).deepCopy()),
                "two items with the key [broker]");
        assertRejected(cluster, c -> c.put("apiVersion", "apps.ordinal.dev/v2"), "no CRD in kubernetes/crds serves");

        ObjectNode ops = Manifests.documents(Manifests.EXAMPLES.resolve("ops/ops-offline-broker-2.yaml")).get(0);
        assertEquals(List.of(), VALIDATOR.validate(ops));
        assertRejected(ops, o -> ((ObjectNode) o.path("spec")).remove("clusterName"), "spec.clusterName: required");
        assertRejected(ops, o -> ((ObjectNode) o.path("spec")).put("type", "VerticalScaling"), "is not one of");
        assertRejected(ops, o -> ((ObjectNode) o.path("spec")).put("timeoutSeconds", "10m"), "must be an integer");
    }

    @Test
    void podTemplatesHoldOnlyFieldsKubernetesKnows() {
        var typo = SERIALIZATION.unmarshal("{\"spec\":{\"containers\":[{\"name\":\"kafka\",\"readinesProbe\":{}}]}}",
                io.fabric8.kubernetes.api.model.PodTemplateSpec.class);
        List<String> found = new ArrayList<>();
        UnknownFields.collect(typo, "template", found);
        assertEquals(List.of("template.spec.containers[0].readinesProbe"), found);

        for (Cluster cluster : clusters()) {
            for (ComponentSpec c : cluster.getSpec().componentSpecs) {
                List<String> unknown = new ArrayList<>();
                UnknownFields.collect(c.template, c.name + ".template", unknown);
                c.volumeClaimTemplates.forEach(v -> UnknownFields.collect(v, c.name + ".volumeClaimTemplates", unknown));
                assertEquals(List.of(), unknown, cluster.getMetadata().getName());
            }
        }
    }

    @Test
    void kafkaNodeIdsComeFromOrdinalsAndNeverCollide() {
        Cluster kafka = kafkaCluster();
        ComponentSpec controllers = component(kafka, "controller");
        ComponentSpec brokers = component(kafka, "broker");
        assertTrue(args(controllers).contains("KAFKA_NODE_ID=$ORDINAL_POD_ORDINAL"), args(controllers));
        assertTrue(args(brokers).contains("KAFKA_NODE_ID=$((100 + ORDINAL_POD_ORDINAL))"), args(brokers));
        // controllers 0..max-1 and brokers 100..100+max-1 stay apart for every size the limits allow
        assertTrue(controllers.replicasLimit.max <= 100, "controller ids would reach the broker range");
    }

    @Test
    void theBrokersScaleInGuardMapsPodsAsTheBrokersNumberThemselves() {
        Cluster kafka = kafkaCluster();
        ComponentSpec brokers = component(kafka, "broker");
        assertTrue(brokers.scaleInGuard != null && brokers.scaleInGuard.kafka != null, "the example enables the guard");
        assertTrue(args(brokers).contains("KAFKA_NODE_ID=$((" + brokers.scaleInGuard.kafka.nodeIdOffset + " + ORDINAL_POD_ORDINAL))"),
                "nodeIdOffset agrees with KAFKA_NODE_ID: " + args(brokers));
        String service = Labels.headlessServiceName(Labels.instanceSetName(kafka.getMetadata().getName(), "broker"));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < brokers.replicas; i++) {
            expected.add(kafka.getMetadata().getName() + "-broker-" + i + "." + service + "." + kafka.getMetadata().getNamespace()
                    + ".svc:9092");
        }
        assertEquals(String.join(",", expected), brokers.scaleInGuard.kafka.bootstrapServers,
                "the operator reaches the brokers by their fully qualified names, from its own namespace");
        assertTrue(component(kafka, "controller").scaleInGuard == null, "controllers host no partitions");
    }

    @Test
    void kafkaQuorumVotersAreTheControllerPodsStableNames() {
        Cluster kafka = kafkaCluster();
        ComponentSpec controllers = component(kafka, "controller");
        String service = Labels.headlessServiceName(Labels.instanceSetName(kafka.getMetadata().getName(), "controller"));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < controllers.replicas; i++) {
            expected.add(i + "@" + kafka.getMetadata().getName() + "-controller-" + i + "." + service + ":9093");
        }
        for (ComponentSpec c : kafka.getSpec().componentSpecs) {
            assertEquals(String.join(",", expected), env(c).get("KAFKA_CONTROLLER_QUORUM_VOTERS"), c.name);
        }
        assertEquals(controllers.replicasLimit.min, controllers.replicasLimit.max, "a static quorum must not be resized");
    }

    @Test
    void kafkaSettingsTheApacheImageAccepts() {
        Cluster kafka = kafkaCluster();
        Set<String> clusterIds = new TreeSet<>();
        for (ComponentSpec c : kafka.getSpec().componentSpecs) {
            Map<String, String> env = env(c);
            String roles = env.get("KAFKA_PROCESS_ROLES");
            assertTrue(Set.of("controller", "broker").contains(roles), c.name + ": " + roles);
            // the image's configure script exits when a controller-only node advertises listeners
            if (roles.equals("controller")) {
                assertFalse(env.containsKey("KAFKA_ADVERTISED_LISTENERS") || args(c).contains("KAFKA_ADVERTISED_LISTENERS"), c.name);
            } else {
                assertTrue(args(c).contains("KAFKA_ADVERTISED_LISTENERS=\"PLAINTEXT://$ORDINAL_POD_NAME.$ORDINAL_SERVICE.$POD_NAMESPACE.svc:9092\""), args(c));
            }
            clusterIds.add(env.get("CLUSTER_ID"));
            // log dirs live on the claim, below its root (which may hold lost+found)
            String logDirs = env.get("KAFKA_LOG_DIRS");
            Container container = c.template.getSpec().getContainers().get(0);
            var mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals("data")).findFirst().orElseThrow();
            assertTrue(logDirs.startsWith(mount.getMountPath() + "/"), c.name + ": " + logDirs);
            assertTrue(c.volumeClaimTemplates.stream().anyMatch(v -> v.getMetadata().getName().equals("data")), c.name);
            assertEquals(1000L, c.template.getSpec().getSecurityContext().getFsGroup(), c.name + ": the image runs as uid/gid 1000");
        }
        assertEquals(1, clusterIds.size(), "one CLUSTER_ID for all nodes: " + clusterIds);
        // Kafka's cluster id is a UUID in URL-safe base64 without padding: 22 characters, 16 bytes
        String id = clusterIds.iterator().next();
        assertEquals(22, id.length(), id);
        assertEquals(16, Base64.getUrlDecoder().decode(id).length, id);
    }

    @Test
    void theSeedOpsRequestsNameABrokerOfTheExampleCluster() {
        Cluster kafka = kafkaCluster();
        ComponentSpec brokers = component(kafka, "broker");
        for (String file : List.of("ops/ops-offline-broker-2.yaml", "ops/ops-online-broker-2.yaml")) {
            JsonNode ops = Manifests.documents(Manifests.EXAMPLES.resolve(file)).get(0);
            assertEquals(kafka.getMetadata().getName(), ops.path("spec").path("clusterName").asText(), file);
            assertEquals(kafka.getMetadata().getNamespace(), ops.path("metadata").path("namespace").asText(), file);
            String instance = ops.path("spec").path("horizontalScaling").path(0).findValue(
                    file.contains("offline") ? "onlineInstancesToOffline" : "offlineInstancesToOnline").path(0).asText();
            assertEquals("kafka-broker-2", instance, file);
            assertTrue(2 < brokers.replicas, "kafka-broker-2 exists in the example");
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static void assertRejected(ObjectNode valid, Consumer<ObjectNode> breakIt, String expected) {
        ObjectNode broken = valid.deepCopy();
        breakIt.accept(broken);
        List<String> errors = VALIDATOR.validate(broken);
        assertTrue(errors.stream().anyMatch(e -> e.contains(expected)), "expected an error containing '" + expected + "', got " + errors);
    }

    private static ObjectNode kafka() {
        return Manifests.documents(Manifests.EXAMPLES.resolve("kafka-cluster.yaml")).get(0);
    }

    private static ObjectNode broker(ObjectNode cluster) {
        return (ObjectNode) cluster.path("spec").path("componentSpecs").get(1);
    }

    private static List<Cluster> clusters() {
        List<Cluster> out = new ArrayList<>();
        for (Path file : Manifests.yamlFiles(Manifests.EXAMPLES)) {
            for (ObjectNode doc : Manifests.documents(file)) {
                if ("Cluster".equals(doc.path("kind").asText())) {
                    out.add(SERIALIZATION.convertValue(doc, Cluster.class));
                }
            }
        }
        return out;
    }

    private static Cluster kafkaCluster() {
        return SERIALIZATION.convertValue(kafka(), Cluster.class);
    }

    private static ComponentSpec component(Cluster cluster, String name) {
        return cluster.getSpec().componentSpecs.stream().filter(c -> c.name.equals(name)).findFirst().orElseThrow();
    }

    private static Map<String, String> env(ComponentSpec c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.template.getSpec().getContainers().get(0).getEnv()) {
            env.put(e.getName(), e.getValue());
        }
        return env;
    }

    private static String args(ComponentSpec c) {
        return String.join(" ", c.template.getSpec().getContainers().get(0).getArgs());
    }
}
