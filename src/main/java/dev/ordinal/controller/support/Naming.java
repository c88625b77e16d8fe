package dev.ordinal.controller.support;

import java.util.List;
import java.util.Set;

import dev.ordinal.api.instanceset.InstanceSetSpec;
import dev.ordinal.core.InstanceNames;
import dev.ordinal.core.NamingException;

/** The InstanceSet's view of the core naming rule: the same function the OpsRequest controller plans with. */
public final class Naming {
    public record Result(List<String> names, String error) {
    }

    public record Instance(String template, int ordinal) {
    }

    private Naming() {
    }

    public static Result wanted(InstanceSetSpec spec) {
        try {
            return new Result(InstanceNames.names(spec.clusterName, spec.componentName,
                    Shapes.of(spec.replicas, spec.instances, spec.offlineInstances)), null);
        } catch (NamingException | IllegalArgumentException e) {
            return new Result(List.of(), e.getMessage());
        }
    }

    public static Instance parse(InstanceSetSpec spec, String podName) {
        Set<String> templates = Shapes.of(spec.replicas, spec.instances, spec.offlineInstances).templateNames();
        return InstanceNames.parse(spec.clusterName, spec.componentName, podName, templates)
                .map(p -> new Instance(p.template(), p.ordinal()))
                .orElseThrow(() -> new IllegalArgumentException(podName + " is not an instance name of " + spec.componentName));
    }
}
