package dev.ordinal.core;

import java.util.List;

/**
 * One instance template as the naming rule sees it: a name, how many online replicas it
 * claims, and optionally the ordinals it may use.
 *
 * @param name     template name (never empty; the default template has no TemplateShape)
 * @param replicas online replicas claimed by this template
 * @param ordinals allowed ordinals; empty means 0, 1, 2, ... (use {@link Ordinals#expand}
 *                 to turn the CR's ranges + discrete into this list)
 */
public record TemplateShape(String name, int replicas, List<Integer> ordinals) {
    public TemplateShape {
        ordinals = ordinals == null ? List.of() : List.copyOf(ordinals);
    }

    public TemplateShape(String name, int replicas) {
        this(name, replicas, List.of());
    }

    public boolean hasExplicitOrdinals() {
        return !ordinals.isEmpty();
    }

    public TemplateShape withReplicas(int newReplicas) {
        return new TemplateShape(name, newReplicas, ordinals);
    }
}
