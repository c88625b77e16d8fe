package dev.ordinal.controller.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.controller.support.ManagedFields.ComponentField;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.controller.support.ManagedFields;
import dev.ordinal.controller.support.Shapes;
import dev.ordinal.core.ComponentShape;
import dev.ordinal.core.TemplateShape;

/**
 * Whether the Cluster still carries what an ops wrote (spec amendment §7b "an ops' change must still stand";
 * docs/gitops.md): for every component the ops touched, the {@code replicas}, {@code offlineInstances} and template
 * {@code replicas} of its one apply. Pure.
 * <p>
 * A field that now holds another value was written by someone else: its owner in {@code metadata.managedFields} (a
 * GitOps sync, {@code kubectl apply}, {@code kubectl edit}). A field whose owner is {@code ordinal-ops} itself was
 * written by another ops, a forced one that runs alongside (spec §5): its snapshot was taken after this ops' write, so
 * it carries this ops' change on, and this ops is not undone.
 */
final class Overwrites {
    private Overwrites() {
    }

    /**
     * One field that no longer holds what the ops wrote.
     *
     * @param wrote what the ops wrote, as text ({@code 2}, {@code [kafka-broker-1]})
     * @param now   what the Cluster holds now ({@code absent} for a field or component that is gone)
     * @param by    the field manager that wrote {@code now}, or a sentence saying it is not known
     */
    record Overwrite(ComponentField field, String wrote, String now, String by) {
        /** {@code spec.componentSpecs[broker].replicas: this ops wrote 2, the Cluster now has 3 (written by kubectl)}. */
        String describe() {
            return field.path() + ": this ops wrote " + wrote + ", the Cluster now has " + now + " (written by " + by + ")";
        }
    }

    /**
     * The fields of {@code targets} the Cluster no longer holds, whoever wrote them (empty: it carries every target).
     *
     * @param targets component → the shape the ops wrote (the plan's result, or the snapshot a cancel re-applied)
     */
    static List<Overwrite> differences(Cluster cluster, Map<String, ComponentShape> targets) {
        List<Overwrite> out = new ArrayList<>();
        targets.forEach((component, target) -> {
            Optional<ComponentSpec> spec = cluster.getSpec().componentSpecs.stream().filter(c -> c.name.equals(component)).findFirst();
            if (spec.isEmpty()) {
                out.add(overwrite(cluster, new ComponentField(component, null, "replicas"), target.replicas(), "absent"));
                return;
            }
            ComponentShape live = Shapes.of(spec.get().replicas, spec.get().instances, spec.get().offlineInstances);
            if (live.replicas() != target.replicas()) {
                out.add(overwrite(cluster, new ComponentField(component, null, "replicas"), target.replicas(), live.replicas()));
            }
            if (!live.offlineInstances().equals(target.offlineInstances())) {
                out.add(overwrite(cluster, new ComponentField(component, null, "offlineInstances"), target.offlineInstances(),
                        live.offlineInstances()));
            }
            for (TemplateShape t : target.templates()) {
                Optional<Integer> now = live.template(t.name()).map(TemplateShape::replicas);
                if (now.isEmpty() || now.get() != t.replicas()) {
                    out.add(overwrite(cluster, new ComponentField(component, t.name(), "replicas"), t.replicas(),
                            now.<Object> map(n -> n).orElse("absent")));
                }
            }
        });
        return out;
    }

    /**
     * The fields of {@code targets} another writer changed: {@link #differences} less those {@code ordinal-ops} owns
     * (written by another ops). Empty: the ops' change stands.
     */
    static List<Overwrite> byAnotherWriter(Cluster cluster, Map<String, ComponentShape> targets) {
        return differences(cluster, targets).stream()
                .filter(o -> !ManagedFields.owners(cluster, o.field()).contains(Labels.OPS_MANAGER)).toList();
    }

    /**
     * The message of an ops that ends {@code OverwrittenByAnotherWriter}: every field with both values and its writer,
     * then what to do.
     */
    static String message(List<Overwrite> overwrites) {
        return "another writer changed what this ops wrote to the Cluster: "
                + overwrites.stream().map(Overwrite::describe).collect(Collectors.joining("; "))
                + "; the pods now follow that writer, not this ops. Let sizes change only through OpsRequests, or commit the"
                + " ops' result to the other writer's source (docs/gitops.md), then create a new OpsRequest if it is still wanted";
    }

    private static Overwrite overwrite(Cluster cluster, ComponentField field, Object wrote, Object now) {
        List<String> owners = ManagedFields.owners(cluster, field);
        String by = !owners.isEmpty() ? String.join(", ", owners)
                : ManagedFields.lastSpecWriter(cluster, Labels.OPS_MANAGER)
                        .map(m -> m + ", the last writer of the Cluster's spec; the field has no owner now")
                        .orElse("an unknown writer; the field has no owner now");
        return new Overwrite(field, String.valueOf(wrote), String.valueOf(now), by);
    }
}
