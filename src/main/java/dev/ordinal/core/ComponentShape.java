package dev.ordinal.core;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The triple (R, T, O) that fully decides which pods of a component exist: online replicas,
 * instance templates, and the names deliberately kept offline. Both the ops layer and the
 * InstanceSet controller derive pod names from this one value, so they cannot disagree.
 */
public record ComponentShape(int replicas, List<TemplateShape> templates, List<String> offlineInstances) {
    public ComponentShape {
        templates = templates == null ? List.of() : List.copyOf(templates);
        offlineInstances = offlineInstances == null ? List.of() : List.copyOf(offlineInstances);
    }

    public static ComponentShape of(int replicas, String... offline) {
        return new ComponentShape(replicas, List.of(), List.of(offline));
    }

    public Optional<TemplateShape> template(String name) {
        return templates.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Replicas of the default template: whatever the named templates do not claim. */
    public int defaultTemplateReplicas() {
        return replicas - templates.stream().mapToInt(TemplateShape::replicas).sum();
    }

    public Set<String> templateNames() {
        Set<String> names = new LinkedHashSet<>();
        templates.forEach(t -> names.add(t.name()));
        return names;
    }

    /** Same templates in the same order, with only the replica counts replaced. */
    ComponentShape withCounts(int newReplicas, java.util.Map<String, Integer> templateReplicas, List<String> offline) {
        List<TemplateShape> newTemplates = new ArrayList<>(templates.size());
        for (TemplateShape t : templates) {
            newTemplates.add(t.withReplicas(templateReplicas.getOrDefault(t.name(), t.replicas())));
        }
        return new ComponentShape(newReplicas, newTemplates, offline);
    }
}
