package dev.ordinal.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Pure tests of the apply/ownership algorithm, one case per rule of the Kubernetes SSA documentation. */
class ServerSideApplyTest {

    private final ServerSideApply ssa = new ServerSideApply();

    private static ObjectNode obj(String json) {
        return (ObjectNode) FieldPaths.parse(json.replace('\'', '"'));
    }

    private static final String HEAD = "'apiVersion':'apps.ordinal.dev/v1','kind':'Cluster','metadata':{'name':'kafka'}";

    private static ObjectNode cluster(String spec) {
        return obj("{" + HEAD + ",'spec':" + spec + "}");
    }

    private ObjectNode apply(ObjectNode live, ObjectNode applied, String manager, boolean force) {
        return ssa.apply(live, applied, manager, force, false, true, "apps.ordinal.dev/v1", "2026-01-01T00:00:00Z");
    }

    private static ServerSideApply.Entry entry(JsonNode obj, String manager) {
        return ServerSideApply.managedFields(obj).stream().filter(e -> e.manager().equals(manager)).findFirst()
                .orElse(null);
    }

    @Test
    void createRecordsApplyEntryInFieldsV1Format() {
        ObjectNode r = apply(null, cluster("{'componentSpecs':[{'name':'broker','replicas':3}]}"), "ops", false);
        assertEquals(3, r.at("/spec/componentSpecs/0/replicas").asInt());
        JsonNode mf = r.at("/metadata/managedFields/0");
        assertEquals("ops", mf.get("manager").asText());
        assertEquals("Apply", mf.get("operation").asText());
        assertEquals("FieldsV1", mf.get("fieldsType").asText());
        JsonNode item = mf.at("/fieldsV1/f:spec/f:componentSpecs").get("k:{\"name\":\"broker\"}");
        assertTrue(item.has("."), "a list-map item is a member itself");
        assertTrue(item.has("f:name"));
        assertTrue(item.has("f:replicas"));
        assertEquals("kafka", r.at("/metadata/name").asText());
    }

    @Test
    void sameManagerUpdatesAndPrunesWhatItOmits() {
        ObjectNode v1 = apply(null, cluster("{'terminationPolicy':'Delete','componentSpecs':[{'name':'broker','replicas':3}]}"),
                "ops", false);
        ObjectNode v2 = apply(v1, cluster("{'componentSpecs':[{'name':'broker','replicas':5}]}"), "ops", false);
        assertEquals(5, v2.at("/spec/componentSpecs/0/replicas").asInt());
        assertTrue(v2.at("/spec/terminationPolicy").isMissingNode(), "omitted field owned only by ops is pruned");
    }

    @Test
    void omittedFieldSharedWithAnotherManagerStays() {
        ObjectNode v1 = apply(null, cluster("{'terminationPolicy':'Delete'}"), "a", false);
        ObjectNode v2 = apply(v1, cluster("{'terminationPolicy':'Delete'}"), "b", false);
        ObjectNode v3 = apply(v2, obj("{" + HEAD + "}"), "a", false);
        assertEquals("Delete", v3.at("/spec/terminationPolicy").asText());
        assertNull(entry(v3, "a"), "a owns nothing any more");
        assertTrue(entry(v3, "b").fields().contains(List.of("f:spec", "f:terminationPolicy")));
    }

    @Test
    void sameValueIsSharedOwnershipWithoutConflict() {
        ObjectNode v1 = apply(null, cluster("{'terminationPolicy':'Delete'}"), "a", false);
        ObjectNode v2 = apply(v1, cluster("{'terminationPolicy':'Delete'}"), "b", false);
        List<String> path = List.of("f:spec", "f:terminationPolicy");
        assertTrue(entry(v2, "a").fields().contains(path));
        assertTrue(entry(v2, "b").fields().contains(path));
    }

    @Test
    void differentValueConflictsNamingTheOtherManagerAndThePath() {
        ObjectNode v1 = apply(null, cluster("{'componentSpecs':[{'name':'broker','replicas':3}]}"), "kubectl", false);
        ServerSideApply.ConflictException e = assertThrows(ServerSideApply.ConflictException.class,
                () -> apply(v1, cluster("{'componentSpecs':[{'name':'broker','replicas':4}]}"), "ordinal-ops", false));
        assertEquals(1, e.conflicts().size());
        assertEquals(".spec.componentSpecs[name=\"broker\"].replicas", e.conflicts().get(0).field());
        assertEquals("Apply failed with 1 conflict: conflict with \"kubectl\" using apps.ordinal.dev/v1: "
                + ".spec.componentSpecs[name=\"broker\"].replicas", e.getMessage());
    }

    @Test
    void forceMovesOwnershipToTheApplier() {
        ObjectNode v1 = apply(null, cluster("{'componentSpecs':[{'name':'broker','replicas':3}]}"), "kubectl", false);
        ObjectNode v2 = apply(v1, cluster("{'componentSpecs':[{'name':'broker','replicas':4}]}"), "ordinal-ops", true);
        assertEquals(4, v2.at("/spec/componentSpecs/0/replicas").asInt());
        List<String> replicas = List.of("f:spec", "f:componentSpecs", "k:{\"name\":\"broker\"}", "f:replicas");
        assertFalse(entry(v2, "kubectl").fields().contains(replicas));
        assertTrue(entry(v2, "ordinal-ops").fields().contains(replicas));
        assertTrue(entry(v2, "kubectl").fields().contains(
                List.of("f:spec", "f:componentSpecs", "k:{\"name\":\"broker\"}", "f:name")), "shared key stays shared");
    }

    @Test
    void twoManagersOwnDifferentListMapEntries() {
        ObjectNode v1 = apply(null, cluster("{'componentSpecs':[{'name':'broker','replicas':3}]}"), "a", false);
        ObjectNode v2 = apply(v1, cluster("{'componentSpecs':[{'name':'controller','replicas':1}]}"), "b", false);
        assertEquals(2, v2.at("/spec/componentSpecs").size(), "b's entry is merged, not replacing a's");
        ObjectNode v3 = apply(v2, cluster("{'componentSpecs':[{'name':'broker','replicas':4}]}"), "a", false);
        assertEquals(4, v3.at("/spec/componentSpecs/0/replicas").asInt());
        assertEquals("controller", v3.at("/spec/componentSpecs/1/name").asText());
        ObjectNode v4 = apply(v3, cluster("{'componentSpecs':[]}"), "b", false);
        assertEquals(1, v4.at("/spec/componentSpecs").size(), "b dropping its entry removes only that entry");
        assertEquals("broker", v4.at("/spec/componentSpecs/0/name").asText());
    }

    @Test
    void containersMergeByNameAndPortsByContainerPort() {
        String a = "{'template':{'spec':{'containers':[{'name':'app','image':'a:1','ports':[{'containerPort':80}]}]}}}";
        String b = "{'template':{'spec':{'containers':[{'name':'sidecar','image':'s:1'},"
                + "{'name':'app','ports':[{'containerPort':9090,'name':'metrics'}]}]}}}";
        ObjectNode v1 = apply(null, cluster(a), "a", false);
        ObjectNode v2 = apply(v1, cluster(b), "b", false);
        JsonNode containers = v2.at("/spec/template/spec/containers");
        assertEquals(2, containers.size());
        assertEquals("a:1", containers.get(0).get("image").asText());
        assertEquals(2, containers.get(0).get("ports").size());
        assertTrue(entry(v2, "b").fields().contains(List.of("f:spec", "f:template", "f:spec", "f:containers",
                "k:{\"name\":\"app\"}", "f:ports", "k:{\"containerPort\":9090}", "f:name")));
    }

    @Test
    void atomicListIsReplacedAndOwnedAsAWhole() {
        ObjectNode v1 = apply(null, cluster("{'componentSpecs':[{'name':'c','offlineInstances':['k-c-1']}]}"), "a", false);
        ObjectNode v2 = apply(v1, cluster("{'componentSpecs':[{'name':'c','offlineInstances':['k-c-2']}]}"), "a", false);
        assertEquals("[\"k-c-2\"]", v2.at("/spec/componentSpecs/0/offlineInstances").toString());
        assertThrows(ServerSideApply.ConflictException.class,
                () -> apply(v2, cluster("{'componentSpecs':[{'name':'c','offlineInstances':[]}]}"), "b", false));
    }

    @Test
    void statusScopeTouchesOnlyStatus() {
        ObjectNode v1 = apply(null, cluster("{'terminationPolicy':'Delete'}"), "user", false);
        ObjectNode status = obj("{" + HEAD + ",'spec':{'terminationPolicy':'WipeOut'},'status':{'phase':'Running'}}");
        ObjectNode v2 = ssa.apply(v1, status, "cluster-controller", true, true, true, "apps.ordinal.dev/v1", "t");
        assertEquals("Running", v2.at("/status/phase").asText());
        assertEquals("Delete", v2.at("/spec/terminationPolicy").asText());
        ServerSideApply.Entry e = entry(v2, "cluster-controller");
        assertEquals("status", e.subresource());
        assertEquals(Set.of(List.of("f:status", "f:phase")), e.fields());
    }

    @Test
    void mainScopeIgnoresStatusOfAResourceWithStatusSubresource() {
        ObjectNode r = apply(null, obj("{" + HEAD + ",'spec':{},'status':{'phase':'Hacked'}}"), "user", false);
        assertTrue(r.at("/status").isMissingNode());
    }

    @Test
    void updateTakesOwnershipOfChangedFieldsWithoutConflict() {
        ObjectNode v1 = apply(null, cluster("{'componentSpecs':[{'name':'broker','replicas':3}]}"), "ops", false);
        ObjectNode edited = v1.deepCopy();
        ((ObjectNode) edited.at("/spec/componentSpecs/0")).put("replicas", 7);
        ObjectNode v2 = ssa.update(v1, edited, "kubectl-edit", false, true, "apps.ordinal.dev/v1", "t");
        List<String> replicas = List.of("f:spec", "f:componentSpecs", "k:{\"name\":\"broker\"}", "f:replicas");
        assertTrue(entry(v2, "kubectl-edit").fields().contains(replicas));
        assertEquals("Update", entry(v2, "kubectl-edit").operation());
        assertFalse(entry(v2, "ops").fields().contains(replicas));
        // ops now conflicts with kubectl-edit
        ServerSideApply.ConflictException e = assertThrows(ServerSideApply.ConflictException.class,
                () -> apply(v2, cluster("{'componentSpecs':[{'name':'broker','replicas':3}]}"), "ops", false));
        assertEquals("kubectl-edit", e.conflicts().get(0).manager());
    }

    @Test
    void fieldsV1RoundTrips() {
        Set<List<String>> set = FieldPaths.fieldSet(cluster("{'componentSpecs':[{'name':'b','replicas':1}],'x':{}}"));
        assertEquals(set, FieldPaths.fromFieldsV1(FieldPaths.toFieldsV1(set)));
    }

    @Test
    void identicalApplyIsRecognisedAsNoOp() {
        ObjectNode v1 = apply(null, cluster("{'terminationPolicy':'Delete'}"), "a", false);
        ObjectNode v2 = ssa.apply(v1, cluster("{'terminationPolicy':'Delete'}"), "a", false, false, true,
                "apps.ordinal.dev/v1", "2030-01-01T00:00:00Z");
        assertTrue(ServerSideApply.sameIgnoringTimes(v1, v2));
    }
}
