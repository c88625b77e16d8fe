package dev.ordinal.controller.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.controller.support.ManagedFields;
import dev.ordinal.controller.support.Shapes;
import dev.ordinal.core.ComponentShape;
import dev.ordinal.core.TemplateShape;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/**
 * Builds the ONE server-side apply the OpsRequest controller sends to a Cluster: for each component it changes,
 * replicas, offlineInstances and template replicas together. Under apply semantics a field the manager owned
 * before and now omits is removed, so every component {@code ordinal-ops} already owns is sent again with its
 * current values; nothing else of the Cluster is touched.
 */
final class ClusterApply {
    private ClusterApply() {
    }

    static GenericKubernetesResource body(Cluster cluster, Map<String, ComponentShape> targets) {
        Set<String> components = new LinkedHashSet<>(ownedComponents(cluster));
        components.addAll(targets.keySet());
        List<Map<String, Object>> entries = new ArrayList<>();
        for (ComponentSpec c : cluster.getSpec().componentSpecs) {
            if (!components.contains(c.name)) {
                continue;
            }
            ComponentShape shape = targets.getOrDefault(c.name, Shapes.of(c.replicas, c.instances, c.offlineInstances));
            entries.add(entry(c.name, shape));
        }
        GenericKubernetesResource body = new GenericKubernetesResource();
        body.setApiVersion(cluster.getApiVersion());
        body.setKind(cluster.getKind());
        body.setMetadata(new ObjectMetaBuilder().withName(cluster.getMetadata().getName())
                .withNamespace(cluster.getMetadata().getNamespace()).build());
        body.setAdditionalProperty("spec", Map.of("componentSpecs", entries));
        return body;
    }

    /** True when the Cluster already carries every target shape, so applying again would change nothing. */
    static boolean alreadyApplied(Cluster cluster, Map<String, ComponentShape> targets) {
        return Overwrites.differences(cluster, targets).isEmpty();
    }

    private static Map<String, Object> entry(String name, ComponentShape shape) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("replicas", shape.replicas());
        entry.put("offlineInstances", shape.offlineInstances());
        if (!shape.templates().isEmpty()) {
            List<Map<String, Object>> templates = new ArrayList<>();
            for (TemplateShape t : shape.templates()) {
                Map<String, Object> te = new LinkedHashMap<>();
                te.put("name", t.name());
                te.put("replicas", t.replicas());
                templates.add(te);
            }
            entry.put("instances", templates);
        }
        return entry;
    }

    /** Components whose entry {@code ordinal-ops} owns fields of, read from metadata.managedFields. */
    static List<String> ownedComponents(Cluster cluster) {
        return ManagedFields.componentsAppliedBy(cluster, Labels.OPS_MANAGER);
    }
}
