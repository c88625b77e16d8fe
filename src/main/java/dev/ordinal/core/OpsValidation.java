package dev.ordinal.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spec §4 for a whole OpsRequest: cluster-level checks plus the planner's per-component
 * checks, with field paths relative to the OpsRequest spec. Either every component gets a
 * plan or the ops gets every error; the Cluster is never changed for a rejected ops.
 */
public final class OpsValidation {
    public static final String HORIZONTAL_SCALING = "HorizontalScaling";
    private static final Set<String> SUPPORTED_TYPES = Set.of(HORIZONTAL_SCALING);
    /** Phases in which scaling makes no sense: the pods are meant to be gone. */
    private static final Set<String> BLOCKING_PHASES = Set.of("Stopped", "Deleting");

    private OpsValidation() {
    }

    /** Plans per component (in request order) or the errors; never both. */
    public record Result(Map<String, ScalingPlan> plans, List<ValidationError> errors) {
        public Result {
            plans = plans == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(plans));
            errors = List.copyOf(errors);
        }

        public boolean isValid() {
            return errors.isEmpty();
        }

        /** All messages joined, for a condition message or an Event. */
        public String summary() {
            return String.join("; ", errors.stream().map(ValidationError::toString).toList());
        }
    }

    public static Result validate(String clusterName, ClusterView cluster, String type, List<ScalingRequest> requests) {
        List<ValidationError> errors = new ArrayList<>();
        if (cluster == null || !cluster.exists()) {
            errors.add(new ValidationError("clusterName", "cluster " + clusterName + " does not exist"));
        }
        if (type == null || !SUPPORTED_TYPES.contains(type)) {
            errors.add(new ValidationError("type", type + " is not a supported ops type (supported: "
                    + SUPPORTED_TYPES + ")"));
        }
        if (!errors.isEmpty()) {
            return new Result(Map.of(), errors); // nothing else can be judged without a cluster and a type
        }
        if (cluster.phase() != null && BLOCKING_PHASES.contains(cluster.phase())) {
            errors.add(new ValidationError("clusterName", "cluster " + clusterName + " is " + cluster.phase()
                    + "; start the cluster before scaling"));
        }
        if (requests == null || requests.isEmpty()) {
            errors.add(new ValidationError("horizontalScaling", "must list at least one component"));
            return new Result(Map.of(), errors);
        }
        Map<String, ScalingPlan> plans = new LinkedHashMap<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            String prefix = "horizontalScaling[" + i + "].";
            ScalingRequest request = requests.get(i);
            String component = request == null ? null : request.componentName();
            if (component == null || component.isEmpty()) {
                errors.add(new ValidationError(prefix + "componentName", "must be set"));
                continue;
            }
            Integer earlier = firstIndex.putIfAbsent(component, i);
            if (earlier != null) {
                errors.add(new ValidationError(prefix + "componentName", component
                        + " is already scaled by horizontalScaling[" + earlier + "]; merge the two entries"));
                continue;
            }
            ClusterView.ComponentView view = cluster.components().get(component);
            if (view == null) {
                errors.add(new ValidationError(prefix + "componentName", component + " is not a component of cluster "
                        + clusterName + " (components: " + new java.util.TreeSet<>(cluster.components().keySet()) + ")"));
                continue;
            }
            PlanResult result = ScalingPlanner.plan(clusterName, component, view.shape(), view.limits(), request);
            if (result.isValid() && view.staticQuorum() != null && changesMembers(result.plan())) {
                errors.add(new ValidationError(prefix + "componentName", component + " cannot be scaled: " + view.staticQuorum()
                        + "; a pod added or removed for good would change the quorum's voters, which a static quorum cannot do"
                        + " (taking a member offline and bringing it back is allowed)"));
            } else if (result.isValid()) {
                plans.put(component, result.plan());
            } else {
                result.errors().forEach(e -> errors.add(e.prefixed(prefix)));
            }
        }
        return errors.isEmpty() ? new Result(plans, List.of()) : new Result(Map.of(), errors);
    }

    /**
     * Whether a plan adds a member for good or removes one for good: a pod created that was not offline before, or a
     * pod deleted that does not go offline.
     */
    static boolean changesMembers(ScalingPlan plan) {
        return plan.podsToCreate().stream().anyMatch(p -> !plan.before().offlineInstances().contains(p))
                || plan.podsToDelete().stream().anyMatch(p -> !plan.after().offlineInstances().contains(p));
    }
}
