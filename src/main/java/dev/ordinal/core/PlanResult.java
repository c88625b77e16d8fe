package dev.ordinal.core;

import java.util.List;

/**
 * Either a plan or every validation error found; never both. A caller that gets errors keeps
 * the component exactly as it was (the planner has no side effects).
 */
public record PlanResult(ScalingPlan plan, List<ValidationError> errors) {
    public PlanResult {
        errors = List.copyOf(errors);
        if ((plan == null) == errors.isEmpty()) {
            throw new IllegalArgumentException("a plan result holds either a plan or errors");
        }
    }

    public static PlanResult of(ScalingPlan plan) {
        return new PlanResult(plan, List.of());
    }

    public static PlanResult rejected(List<ValidationError> errors) {
        return new PlanResult(null, errors);
    }

    public boolean isValid() {
        return plan != null;
    }
}
