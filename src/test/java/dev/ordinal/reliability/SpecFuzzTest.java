package dev.ordinal.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.core.ClusterView;
import dev.ordinal.core.ComponentShape;
import dev.ordinal.core.InstanceNames;
import dev.ordinal.core.OpsValidation;
import dev.ordinal.core.ReplicasLimits;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.core.ScalingRequest;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Seeded fuzz loop (plain JUnit, no jqwik): random OpsRequest specs, mostly near-valid shapes with random values of
 * random types, go through deserialization, the CRD schema and Ordinal's validation. Nothing may throw past
 * deserialization, and every spec that all three accept yields a plan whose result obeys the scaling rules.
 * The seed is printed with any failure; {@code -Dordinal.fuzz.seed=N -Dordinal.fuzz.runs=M} replays or extends.
 */
class SpecFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String[] FIELDS = { "componentName", "replicas", "scaleOut", "scaleIn", "replicaChanges",
            "offlineInstancesToOnline", "onlineInstancesToOffline", "instances", "name" };

    @Test
    void randomSpecsAreRejectedCleanlyOrPlannedConsistently() throws Exception {
        long seed = Long.getLong("ordinal.fuzz.seed", 20261127L);
        int runs = Integer.getInteger("ordinal.fuzz.runs", 3_000);
        Random random = new Random(seed);
        CrdSchema schema = CrdSchema.opsRequests();
        Method requests = Class.forName("dev.ordinal.controller.ops.OpsView").getDeclaredMethod("requests", OpsRequest.class);
        requests.setAccessible(true);
        ClusterView cluster = new ClusterView(true, "Running", Map.of("broker",
                new ClusterView.ComponentView(ComponentShape.of(3, "kafka-broker-3"), new ReplicasLimits(1, 16))));
        int deserializationRejects = 0, schemaRejects = 0, validationRejects = 0, planned = 0;
        for (int i = 0; i < runs; i++) {
            String json = randomOps(random).toString();
            try {
                OpsRequest ops;
                try {
                    ops = SERIALIZATION.unmarshal(json, OpsRequest.class);
                } catch (RuntimeException e) {
                    deserializationRejects++;
                    continue;
                }
                if (!schema.validate(JSON.readTree(json)).isEmpty()) {
                    schemaRejects++;
                    continue;
                }
                @SuppressWarnings("unchecked")
                List<ScalingRequest> asked = (List<ScalingRequest>) requests.invoke(null, ops);
                var result = OpsValidation.validate(ops.getSpec().clusterName, cluster,
                        ops.getSpec().type == null ? null : ops.getSpec().type.name(), asked);
                if (!result.isValid()) {
                    assertTrue(!result.summary().isBlank(), "a rejection says why");
                    validationRejects++;
                    continue;
                }
                planned++;
                for (ScalingPlan plan : result.plans().values()) {
                    ComponentShape after = plan.after();
                    assertTrue(after.replicas() >= 1 && after.replicas() <= 16, "within replicasLimit: " + after);
                    Set<String> live = new HashSet<>(InstanceNames.names("kafka", "broker", after));
                    for (String off : after.offlineInstances()) {
                        assertTrue(!live.contains(off), "an offline name is never live: " + off);
                    }
                    assertTrue(live.size() == after.replicas(), "one live name per replica");
                }
            } catch (Throwable t) {
                throw new AssertionError("fuzz seed " + seed + " run " + i + " spec " + json + ": " + t, t);
            }
        }
        System.out.printf("spec fuzz seed %d: %d specs, %d refused by deserialization, %d by the schema, %d by validation, %d planned%n",
                seed, runs, deserializationRejects, schemaRejects, validationRejects, planned);
        assertTrue(planned > 0 && validationRejects > 0 && schemaRejects > 0 && deserializationRejects > 0,
                "the generator reaches every layer (seed " + seed + ")");
    }

    private static ObjectNode randomOps(Random r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("apiVersion", "operations.ordinal.dev/v1alpha1");
        o.put("kind", "OpsRequest");
        o.putObject("metadata").put("name", "fuzz").put("namespace", "fuzz");
        ObjectNode spec = o.putObject("spec");
        spec.put("clusterName", r.nextInt(10) == 0 ? "other" : "kafka");
        if (r.nextInt(15) != 0) {
            spec.put("type", r.nextInt(20) == 0 ? "VerticalScaling" : "HorizontalScaling");
        }
        ArrayNode entries = spec.putArray("horizontalScaling");
        int n = r.nextInt(10) == 0 ? r.nextInt(20) : 1 + r.nextInt(2);
        for (int i = 0; i < n; i++) {
            ObjectNode h = entries.addObject();
            h.put("componentName", r.nextInt(8) == 0 ? "zookeeper" : "broker");
            if (r.nextInt(4) == 0) {
                h.set("replicas", number(r));
            }
            if (r.nextBoolean()) {
                ObjectNode out = h.putObject("scaleOut");
                if (r.nextBoolean()) {
                    out.set("replicaChanges", number(r));
                }
                if (r.nextBoolean()) {
                    out.set("offlineInstancesToOnline", names(r));
                }
            }
            if (r.nextBoolean()) {
                ObjectNode in = h.putObject("scaleIn");
                if (r.nextBoolean()) {
                    in.set("replicaChanges", number(r));
                }
                if (r.nextBoolean()) {
                    in.set("onlineInstancesToOffline", names(r));
                }
            }
            if (r.nextInt(6) == 0) {
                mutate(r, h);
            }
        }
        return o;
    }

    /** Replaces one field somewhere in the entry with a value of a random type. */
    private static void mutate(Random r, ObjectNode h) {
        String field = FIELDS[r.nextInt(FIELDS.length)];
        ObjectNode target = h;
        if (r.nextBoolean() && h.has("scaleOut") && h.get("scaleOut").isObject()) {
            target = (ObjectNode) h.get("scaleOut");
        }
        switch (r.nextInt(6)) {
            case 0 -> target.put(field, "x" + r.nextInt(100));
            case 1 -> target.put(field, r.nextDouble() * 10);
            case 2 -> target.put(field, r.nextBoolean());
            case 3 -> target.putNull(field);
            case 4 -> target.putObject(field).put("k", 1);
            default -> target.putArray(field).add(r.nextInt(5));
        }
    }

    private static JsonNode number(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> JSON.getNodeFactory().numberNode(-1 - r.nextInt(5));
            case 1 -> JSON.getNodeFactory().numberNode(1_000_000_000L);
            case 2 -> JSON.getNodeFactory().numberNode(16384 + r.nextInt(3));
            default -> JSON.getNodeFactory().numberNode(r.nextInt(6));
        };
    }

    private static ArrayNode names(Random r) {
        ArrayNode a = JSON.createArrayNode();
        int n = r.nextInt(12) == 0 ? 257 + r.nextInt(10) : r.nextInt(4);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(10)) {
                case 0 -> a.add("other-broker-" + r.nextInt(3));
                case 1 -> a.add("kafka-broker-x");
                case 2 -> a.add("");
                default -> a.add("kafka-broker-" + r.nextInt(7));
            }
        }
        return a;
    }
}
