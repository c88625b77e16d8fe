package dev.ordinal.manifests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ordinal.embedded.RequestCounter;
import dev.ordinal.embedded.RequestCounter.Verb;

/**
 * The RBAC of kubernetes/rbac as "group/resource verb" strings, and the operator's traffic on the embedded API
 * server in the same terms (everything the server answered minus what the test's own clients sent).
 */
public final class RbacRules {
    /** Plural → API group of everything Ordinal may touch; an operator request on anything else fails the test. */
    static final Map<String, String> GROUPS = Map.of(
            "clusters", "apps.ordinal.dev",
            "instancesets", "workloads.ordinal.dev",
            "opsrequests", "operations.ordinal.dev",
            "pods", "", "persistentvolumeclaims", "", "services", "", "events", "",
            "leases", "coordination.k8s.io");

    private RbacRules() {
    }

    /** What the operator sent that no rule grants. */
    public static Set<String> notGranted(Set<String> used) {
        Set<String> out = new TreeSet<>(used);
        out.removeAll(granted());
        return out;
    }

    /**
     * "group/resource verb" of every request the operator sent, apply counted as patch (and create, see below),
     * leaving out requests on the {@code ignored} plurals.
     */
    public static Set<String> used(RequestCounter.Snapshot all, RequestCounter.Snapshot test, Set<String> ignored) {
        RequestCounter.Snapshot operator = all.minus(test);
        Set<String> createdByTest = new TreeSet<>();
        test.counts().forEach((k, n) -> {
            if (k.verb() == Verb.CREATE) {
                createdByTest.add(k.resource());
            }
        });
        Set<String> out = new TreeSet<>();
        operator.counts().forEach((k, n) -> {
            String plural = k.resource().split("/")[0];
            if (n <= 0 || k.resource().equals("discovery") || ignored.contains(plural)) {
                return;
            }
            assertTrue(GROUPS.containsKey(plural), "the operator touched " + k + ", which Ordinal has no business with");
            String resource = GROUPS.get(plural) + "/" + k.resource();
            switch (k.verb()) {
                case GET -> out.add(resource + " get");
                case LIST -> out.add(resource + " list");
                case WATCH -> out.add(resource + " watch");
                case CREATE -> out.add(resource + " create");
                case UPDATE -> out.add(resource + " update");
                case PATCH -> out.add(resource + " patch");
                case DELETE -> out.add(resource + " delete");
                case APPLY -> {
                    out.add(resource + " patch");
                    // A server-side apply that creates its object is authorized as create too. The objects the
                    // operator applies without anyone else creating them (InstanceSets) are created that way.
                    if (!k.resource().contains("/") && !createdByTest.contains(k.resource())) {
                        out.add(resource + " create");
                    }
                }
                default -> out.add(resource + " " + k.verb());
            }
        });
        return out;
    }

    /** "group/resource verb" granted by the ClusterRole and Role in kubernetes/rbac. */
    public static Set<String> granted() {
        Set<String> out = new TreeSet<>();
        for (Path file : Manifests.yamlFiles(Manifests.ROOT.resolve("rbac"))) {
            for (JsonNode doc : Manifests.documents(file)) {
                String kind = doc.path("kind").asText();
                if (!kind.equals("ClusterRole") && !kind.equals("Role")) {
                    continue;
                }
                for (JsonNode rule : doc.path("rules")) {
                    for (JsonNode group : rule.path("apiGroups")) {
                        for (JsonNode resource : rule.path("resources")) {
                            for (JsonNode verb : rule.path("verbs")) {
                                out.add(group.asText() + "/" + resource.asText() + " " + verb.asText());
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
