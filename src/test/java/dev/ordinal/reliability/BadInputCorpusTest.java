package dev.ordinal.reliability;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.common.Condition;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.testkube.RequiresControlPlane;

/**
 * Malformed and hostile OpsRequests and Clusters. Each is rejected by the layer named in the corpus: SCHEMA = the
 * committed CRD's structural schema, refused by the real API server before anything is stored (with its own
 * message, which names the field; {@link CrdSchema} checks the same offline), OPERATOR = accepted by the server,
 * then Ordinal marks it Failed / invalid with a condition naming the problem and a Warning Event, and changes
 * nothing.
 */
@RequiresControlPlane
class BadInputCorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Layer {
        SCHEMA, OPERATOR
    }

    /** One hostile input. {@code expect}: a fragment of the schema path or the operator's message. */
    record Case(String name, String kind, String spec, Layer layer, String expect, boolean typeCorrect) {
    }

    private static String q(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static String names(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> "\"" + prefix + i + "\"").collect(Collectors.joining(","));
    }

    private static String hs(String entries) {
        return q("{'clusterName':'kafka','type':'HorizontalScaling','horizontalScaling':[") + entries + "]}";
    }

    private static Case ops(String name, Layer layer, String expect, String spec) {
        return new Case(name, "ops", spec, layer, expect, true);
    }

    private static Case opsWrongType(String name, String expect, String spec) {
        return new Case(name, "ops", spec, Layer.SCHEMA, expect, false);
    }

    private static Case cluster(String name, Layer layer, String expect, String componentJson) {
        return new Case(name, "cluster", componentJson, layer, expect, layer == Layer.OPERATOR);
    }

    static List<Case> corpus() {
        List<Case> c = new ArrayList<>();
        // ---- OpsRequests the schema lets through: Ordinal's validation must fail them -----------------------
        c.add(ops("unknown component", Layer.OPERATOR, "zookeeper", hs(q("{'componentName':'zookeeper','scaleOut':{'replicaChanges':1}}"))));
        c.add(ops("unknown cluster", Layer.OPERATOR, "nosuch", q("{'clusterName':'nosuch','type':'HorizontalScaling','horizontalScaling':[{'componentName':'broker','scaleOut':{'replicaChanges':1}}]}")));
        c.add(ops("pod of another cluster", Layer.OPERATOR, "other-broker-0", hs(q("{'componentName':'broker','scaleIn':{'onlineInstancesToOffline':['other-broker-0']}}"))));
        c.add(ops("online a pod of another cluster", Layer.OPERATOR, "other-broker-0", hs(q("{'componentName':'broker','scaleOut':{'offlineInstancesToOnline':['other-broker-0']}}"))));
        c.add(ops("pod of a cluster in another namespace", Layer.OPERATOR, "kafka", hs(q("{'componentName':'broker','scaleIn':{'onlineInstancesToOffline':['kafka-broker-1']}}"))));
        c.add(ops("offline a name that does not exist", Layer.OPERATOR, "kafka-broker-99", hs(q("{'componentName':'broker','scaleIn':{'onlineInstancesToOffline':['kafka-broker-99']}}"))));
        c.add(ops("online a name that is not offline", Layer.OPERATOR, "kafka-broker-1", hs(q("{'componentName':'broker','scaleOut':{'offlineInstancesToOnline':['kafka-broker-1']}}"))));
        c.add(ops("same name twice", Layer.OPERATOR, "kafka-broker-1", hs(q("{'componentName':'broker','scaleIn':{'onlineInstancesToOffline':['kafka-broker-1','kafka-broker-1']}}"))));
        c.add(ops("same name in both lists", Layer.OPERATOR, "kafka-broker-1", hs(q("{'componentName':'broker','scaleIn':{'onlineInstancesToOffline':['kafka-broker-1']},'scaleOut':{'offlineInstancesToOnline':['kafka-broker-1']}}"))));
        c.add(ops("scale in 4 on 3", Layer.OPERATOR, "scaleIn", hs(q("{'componentName':'broker','scaleIn':{'replicaChanges':4}}"))));
        c.add(ops("offline every replica (min 1)", Layer.OPERATOR, "replicasLimit", hs(q("{'componentName':'broker','scaleIn':{'onlineInstancesToOffline':['kafka-broker-0','kafka-broker-1','kafka-broker-2']}}"))));
        c.add(ops("scale out past replicasLimit.max", Layer.OPERATOR, "replicasLimit", hs(q("{'componentName':'broker','scaleOut':{'replicaChanges':16000}}"))));
        c.add(ops("explicit replicas at the schema maximum", Layer.OPERATOR, "replicasLimit", hs(q("{'componentName':'broker','replicas':16384}"))));
        c.add(ops("same component twice", Layer.OPERATOR, "broker", hs(q("{'componentName':'broker','scaleOut':{'replicaChanges':1}},{'componentName':'broker','scaleOut':{'replicaChanges':1}}"))));
        c.add(ops("empty horizontalScaling", Layer.OPERATOR, "horizontalScaling", hs("")));
        c.add(ops("unknown instance template", Layer.OPERATOR, "hot", hs(q("{'componentName':'broker','scaleOut':{'instances':[{'name':'hot','replicaChanges':1}]}}"))));
        c.add(ops("replicaChanges smaller than the named instances", Layer.OPERATOR, "scaleIn.replicaChanges", hs(q("{'componentName':'broker','scaleIn':{'replicaChanges':0,'onlineInstancesToOffline':['kafka-broker-1']}}"))));
        c.add(ops("malformed pod name", Layer.OPERATOR, "kafka-broker-x", hs(q("{'componentName':'broker','scaleIn':{'onlineInstancesToOffline':['kafka-broker-x']}}"))));
        c.add(ops("path-like pod name", Layer.OPERATOR, "../../etc/passwd", hs(q("{'componentName':'broker','scaleIn':{'onlineInstancesToOffline':['../../etc/passwd']}}"))));
        c.add(ops("empty component name", Layer.OPERATOR, "component", hs(q("{'componentName':'','scaleOut':{'replicaChanges':1}}"))));
        c.add(ops("256 names of pods that do not exist", Layer.OPERATOR, "kafka-broker-100", hs("{\"componentName\":\"broker\",\"scaleIn\":{\"onlineInstancesToOffline\":[" + names("kafka-broker-", 356).substring(names("kafka-broker-", 100).length() + 1) + "]}}")));
        // ---- OpsRequests the schema refuses ----------------------------------------------------------------
        c.add(ops("negative replicaChanges", Layer.SCHEMA, "scaleIn.replicaChanges", hs(q("{'componentName':'broker','scaleIn':{'replicaChanges':-1}}"))));
        c.add(ops("negative explicit replicas", Layer.SCHEMA, "horizontalScaling[0].replicas", hs(q("{'componentName':'broker','replicas':-3}"))));
        c.add(ops("huge replicas 1e9", Layer.SCHEMA, "horizontalScaling[0].replicas", hs(q("{'componentName':'broker','replicas':1000000000}"))));
        c.add(ops("huge scale out 1e9", Layer.SCHEMA, "scaleOut.replicaChanges", hs(q("{'componentName':'broker','scaleOut':{'replicaChanges':1000000000}}"))));
        c.add(ops("10,000 names to take offline", Layer.SCHEMA, "onlineInstancesToOffline", hs("{\"componentName\":\"broker\",\"scaleIn\":{\"onlineInstancesToOffline\":[" + names("kafka-broker-", 10_000) + "]}}")));
        c.add(ops("17 entries", Layer.SCHEMA, "horizontalScaling", hs(IntStream.range(0, 17).mapToObj(i -> "{\"componentName\":\"c" + i + "\"}").collect(Collectors.joining(",")))));
        c.add(ops("negative timeout", Layer.SCHEMA, "timeoutSeconds", q("{'clusterName':'kafka','type':'HorizontalScaling','timeoutSeconds':-5,'horizontalScaling':[{'componentName':'broker'}]}")));
        c.add(ops("missing clusterName", Layer.SCHEMA, "clusterName", q("{'type':'HorizontalScaling','horizontalScaling':[{'componentName':'broker'}]}")));
        c.add(ops("missing componentName", Layer.SCHEMA, "componentName", hs(q("{'scaleOut':{'replicaChanges':1}}"))));
        c.add(opsWrongType("unknown type", "type", q("{'clusterName':'kafka','type':'VerticalScaling','horizontalScaling':[]}")));
        c.add(opsWrongType("replicaChanges as a word", "scaleOut.replicaChanges", hs(q("{'componentName':'broker','scaleOut':{'replicaChanges':'three'}}"))));
        c.add(opsWrongType("replicas as a fraction", "replicas", hs(q("{'componentName':'broker','replicas':2.5}"))));
        c.add(opsWrongType("horizontalScaling as an object", "horizontalScaling", q("{'clusterName':'kafka','type':'HorizontalScaling','horizontalScaling':{'componentName':'broker'}}")));
        c.add(opsWrongType("cancel as a string", "cancel", q("{'clusterName':'kafka','type':'HorizontalScaling','cancel':'yes','horizontalScaling':[]}")));
        c.add(opsWrongType("names as numbers", "onlineInstancesToOffline[0]", hs(q("{'componentName':'broker','scaleIn':{'onlineInstancesToOffline':[1,2]}}"))));
        // ---- Clusters ---------------------------------------------------------------------------------------
        c.add(cluster("cluster: negative replicas", Layer.SCHEMA, "replicas", q("{'name':'broker','replicas':-1}")));
        c.add(cluster("cluster: replicas 1e9", Layer.SCHEMA, "replicas", q("{'name':'broker','replicas':1000000000}")));
        c.add(cluster("cluster: component name not a DNS label", Layer.SCHEMA, "name", q("{'name':'Broker_1','replicas':1}")));
        c.add(cluster("cluster: template name too long", Layer.SCHEMA, "instances[0].name", q("{'name':'broker','replicas':1,'instances':[{'name':'" + "t".repeat(60) + "','replicas':1}]}")));
        c.add(cluster("cluster: replicas as a string", Layer.SCHEMA, "replicas", q("{'name':'broker','replicas':'3'}")));
        c.add(cluster("cluster: unknown pod management policy", Layer.SCHEMA, "podManagementPolicy", q("{'name':'broker','replicas':1,'podManagementPolicy':'Random'}")));
        c.add(cluster("cluster: template replicas above component replicas", Layer.OPERATOR, "broker", q("{'name':'broker','replicas':1,'instances':[{'name':'hot','replicas':3}]}")));
        c.add(cluster("cluster: template ordinals too few", Layer.OPERATOR, "broker", q("{'name':'broker','replicas':3,'instances':[{'name':'hot','replicas':3,'ordinals':{'discrete':[7]}}]}")));
        return c;
    }

    private static JsonNode opsObject(Case c, String ns) {
        try {
            ObjectNode o = JSON.createObjectNode();
            o.put("apiVersion", "operations.ordinal.dev/v1alpha1");
            o.put("kind", "OpsRequest");
            o.putObject("metadata").put("name", slug(c.name())).put("namespace", ns);
            o.set("spec", JSON.readTree(c.spec()));
            return o;
        } catch (Exception e) {
            throw new IllegalStateException(c.name(), e);
        }
    }

    private static JsonNode clusterObject(Case c, String ns) {
        try {
            ObjectNode o = JSON.createObjectNode();
            o.put("apiVersion", "apps.ordinal.dev/v1");
            o.put("kind", "Cluster");
            o.putObject("metadata").put("name", slug(c.name())).put("namespace", ns);
            ObjectNode spec = o.putObject("spec");
            spec.put("terminationPolicy", "Delete");
            ObjectNode component = (ObjectNode) JSON.readTree(c.spec());
            component.set("template", JSON.readTree(q("{'spec':{'containers':[{'name':'kafka','image':'apache/kafka:3.9.0'}]}}")));
            spec.putArray("componentSpecs").add(component);
            return o;
        } catch (Exception e) {
            throw new IllegalStateException(c.name(), e);
        }
    }

    /** The "another namespace" case is stored next to no cluster of that name: the cluster lives in rig.ns. */
    private static String namespaceOf(Case c, Rig rig) {
        return c.name().contains("another namespace") ? rig.otherNs : rig.ns;
    }

    /**
     * The row's name as an object name. At most 40 characters, so that {@code <cluster>-broker} fits the 54 characters
     * an InstanceSet name may have (a longer one is refused at admission, and the row would test that instead).
     */
    static String slug(String name) {
        String s = name.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        if (s.length() <= 40) {
            return s;
        }
        String hash = Integer.toString(Math.abs(s.hashCode()) % 1_000_000, 36);
        return s.substring(0, 39 - hash.length()).replaceAll("-$", "") + "-" + hash;
    }

    @Test
    void theCorpusHasAtLeastThirtyInputsAndEachIsRejectedByTheLayerItNames() {
        List<Case> corpus = corpus();
        assertTrue(corpus.size() >= 30, "corpus size " + corpus.size());
        CrdSchema opsSchema = CrdSchema.opsRequests();
        CrdSchema clusterSchema = CrdSchema.clusters();
        for (Case c : corpus) {
            JsonNode object = c.kind().equals("ops") ? opsObject(c, "corpus") : clusterObject(c, "corpus");
            List<String> errors = (c.kind().equals("ops") ? opsSchema : clusterSchema).validate(object);
            if (c.layer() == Layer.SCHEMA) {
                assertFalse(errors.isEmpty(), c.name() + ": the schema should refuse it");
                assertTrue(errors.stream().anyMatch(e -> e.contains(c.expect())), c.name() + ": " + errors);
            } else {
                assertEquals(List.of(), errors, c.name() + ": the schema lets it through; the operator must refuse it");
            }
        }
    }

    @Test
    void theRealApiServerRefusesEverySchemaRowWithItsOwnMessageAndStoresNothing() {
        try (Rig rig = Rig.start("schema")) {
            for (Case c : corpus()) {
                String object = (c.kind().equals("ops") ? opsObject(c, rig.ns) : clusterObject(c, rig.ns)).toString();
                if (c.layer() == Layer.SCHEMA) {
                    io.fabric8.kubernetes.client.KubernetesClientException e = org.junit.jupiter.api.Assertions.assertThrows(
                            io.fabric8.kubernetes.client.KubernetesClientException.class,
                            () -> rig.client.resource(object).create(), c.name() + ": the API server must refuse it");
                    assertEquals(422, e.getCode(), c.name() + ": " + e.getMessage());
                    assertTrue(e.getMessage().contains(c.expect()), c.name() + ": the server's message names "
                            + c.expect() + ": " + e.getMessage());
                } else {
                    assertTrue(rig.client.resource(object).create() != null, c.name() + ": the server stores it");
                }
            }
            for (Case c : corpus()) {
                if (c.layer() == Layer.SCHEMA) {
                    var stored = c.kind().equals("ops")
                            ? rig.client.resources(OpsRequest.class).inNamespace(rig.ns).withName(slug(c.name())).get()
                            : rig.client.resources(Cluster.class).inNamespace(rig.ns).withName(slug(c.name())).get();
                    assertEquals(null, stored, c.name() + ": nothing stored");
                }
            }
        }
    }

    @Test
    void theOperatorFailsEveryStoredBadInputWithAClearMessageAndChangesNothing() {
        try (Rig rig = Rig.start("corpus")) {
            OrdinalProcess ordinal = rig.startOrdinal();
            var broker = Rig.broker(3);
            broker.replicasLimit = new dev.ordinal.api.common.ReplicasLimit(1, 16); // as in kubernetes/examples
            rig.createCluster("kafka", broker);
            rig.awaitClusterPhase("kafka", "Running");
            rig.createCluster("other", Rig.broker(1));
            rig.awaitClusterPhase("other", "Running");
            long generation = rig.generation("kafka");
            Map<String, String> pods = rig.podUids();

            // only what the real API server stores reaches the operator: the OPERATOR rows
            List<Case> opsCases = corpus().stream().filter(c -> c.kind().equals("ops") && c.layer() == Layer.OPERATOR).toList();
            List<Case> clusterCases = corpus().stream().filter(c -> c.kind().equals("cluster") && c.layer() == Layer.OPERATOR).toList();
            for (Case c : opsCases) {
                rig.client.resource(opsObject(c, namespaceOf(c, rig)).toString()).create();
            }
            for (Case c : clusterCases) {
                rig.client.resource(clusterObject(c, rig.ns).toString()).create();
            }
            for (Case c : opsCases) {
                String name = slug(c.name());
                String ns = namespaceOf(c, rig);
                await().atMost(Rig.WAIT).untilAsserted(() -> {
                    OpsRequest o = rig.client.resources(OpsRequest.class).inNamespace(ns).withName(name).get();
                    String phase = o.getStatus() == null ? null : o.getStatus().phase;
                    assertEquals("Failed", phase, c.name());
                });
                OpsRequest failed = rig.client.resources(OpsRequest.class).inNamespace(ns).withName(name).get();
                if (!"Failed".equals(failed.getStatus().phase)) {
                    continue;
                }
                String message = failed.getStatus().conditions.stream().filter(x -> x.type.equals("Failed")).findFirst()
                        .map(x -> x.message).orElse("");
                if (c.layer() == Layer.OPERATOR) {
                    assertTrue(message.contains(c.expect()), c.name() + ": message names the problem: " + message);
                    Condition validated = failed.getStatus().conditions.stream().filter(x -> x.type.equals("Validated"))
                            .findFirst().orElseThrow(() -> new AssertionError(c.name() + ": no Validated condition"));
                    assertEquals("False", validated.status, c.name());
                }
                assertFalse(message.isBlank(), c.name() + ": a message");
                await().atMost(Rig.WAIT).until(() -> rig.client.v1().events().inNamespace(ns).list().getItems().stream()
                        .anyMatch(e -> name.equals(e.getInvolvedObject().getName()) && "Warning".equals(e.getType())));
            }
            for (Case c : clusterCases) {
                String name = slug(c.name());
                await().atMost(Rig.WAIT).untilAsserted(() -> {
                    Cluster cl = rig.cluster(name);
                    var valid = cl.getStatus() == null ? null
                            : cl.getStatus().conditions.stream().filter(x -> x.type.equals("Valid")).findFirst().orElse(null);
                    assertTrue(valid != null && "False".equals(valid.status) && valid.message.contains(c.expect()),
                            c.name() + ": " + (valid == null ? "no Valid condition" : valid.message));
                });
            }
            // Nothing was created or changed, and the operator is healthy and still works.
            assertEquals(generation, rig.generation("kafka"));
            assertEquals(pods, rig.podUids());
            assertTrue(ordinal.ready());
            rig.createOps("valid-after-corpus", "kafka", Rig.scaleOut(1));
            rig.awaitOps("valid-after-corpus", "Succeed");
            rig.awaitReadyPods(List.of("kafka-broker-0", "kafka-broker-1", "kafka-broker-2", "kafka-broker-3", "other-broker-0"));
        }
    }
}
