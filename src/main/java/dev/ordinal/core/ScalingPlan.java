package dev.ordinal.core;

import java.util.List;

/**
 * The computed target of one component: the shape to write (R', T', O') and the pods whose
 * appearance or disappearance proves the change happened. Only these two sets drive progress.
 */
public record ScalingPlan(String component, ComponentShape before, ComponentShape after,
                          List<String> podsToCreate, List<String> podsToDelete) {
    public ScalingPlan {
        podsToCreate = List.copyOf(podsToCreate);
        podsToDelete = List.copyOf(podsToDelete);
    }

    /** Nothing to write and nothing to wait for. */
    public boolean isNoOp() {
        return podsToCreate.isEmpty() && podsToDelete.isEmpty() && before.equals(after);
    }

    /**
     * The plan that undoes this one (cancel): the target becomes the snapshot and the pods to
     * create and delete swap roles.
     */
    public ScalingPlan reversed() {
        return new ScalingPlan(component, after, before, podsToDelete, podsToCreate);
    }
}
