package dev.ordinal.controller.support;

import java.util.ArrayList;
import java.util.List;

import dev.ordinal.api.common.InstanceTemplate;
import dev.ordinal.api.common.ReplicasLimit;
import dev.ordinal.core.ComponentShape;
import dev.ordinal.core.Ordinals;
import dev.ordinal.core.ReplicasLimits;
import dev.ordinal.core.TemplateShape;

/** Translates the CR classes into the core's plain records. */
public final class Shapes {
    private Shapes() {
    }

    public static ComponentShape of(Integer replicas, List<InstanceTemplate> instances, List<String> offline) {
        List<TemplateShape> templates = new ArrayList<>();
        for (InstanceTemplate t : instances == null ? List.<InstanceTemplate> of() : instances) {
            templates.add(new TemplateShape(t.name, t.replicas == null ? 1 : t.replicas, ordinals(t)));
        }
        return new ComponentShape(replicas == null ? 1 : replicas, templates, offline == null ? List.of() : offline);
    }

    public static ReplicasLimits limits(ReplicasLimit limit) {
        return limit == null ? ReplicasLimits.DEFAULT : ReplicasLimits.of(limit.min, limit.max);
    }

    private static List<Integer> ordinals(InstanceTemplate t) {
        if (t.ordinals == null) {
            return List.of();
        }
        List<Ordinals.Range> ranges = new ArrayList<>();
        for (InstanceTemplate.Range r : t.ordinals.ranges == null ? List.<InstanceTemplate.Range> of() : t.ordinals.ranges) {
            ranges.add(new Ordinals.Range(r.start == null ? 0 : r.start, r.end == null ? 0 : r.end));
        }
        return Ordinals.expand(ranges, t.ordinals.discrete == null ? List.of() : t.ordinals.discrete);
    }
}
