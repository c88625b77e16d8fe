package dev.ordinal.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Spec §5 progress rules. Progress is derived only from the plans' create/delete sets and the
 * pods observed now, so a restarted operator computes the same progress.
 */
public final class OpsProgress {
    private OpsProgress() {
    }

    /**
     * @param plans    component → plan, in the order the details should be listed
     * @param observed pod name → what was observed; absent keys mean the pod does not exist
     */
    public static ProgressReport compute(Map<String, ScalingPlan> plans, Map<String, ObservedPod> observed) {
        List<ProgressDetail> details = new ArrayList<>();
        plans.forEach((component, plan) -> {
            for (String pod : plan.podsToCreate()) {
                details.add(createdPod(component, pod, observed.getOrDefault(pod, ObservedPod.ABSENT)));
            }
            for (String pod : plan.podsToDelete()) {
                details.add(deletedPod(component, pod, observed.getOrDefault(pod, ObservedPod.ABSENT)));
            }
        });
        return new ProgressReport(details);
    }

    /** Cancel: the same components, each plan reversed (create and delete swap, target = snapshot). */
    public static Map<String, ScalingPlan> cancel(Map<String, ScalingPlan> plans) {
        Map<String, ScalingPlan> reversed = new LinkedHashMap<>();
        plans.forEach((component, plan) -> reversed.put(component, plan.reversed()));
        return reversed;
    }

    private static ProgressDetail createdPod(String component, String pod, ObservedPod seen) {
        String key = "Pod/" + pod;
        if (seen.failureReason() != null) {
            return new ProgressDetail(component, key, ProgressStatus.Failed,
                    "pod " + pod + " failed: " + seen.failureReason());
        }
        if (!seen.exists()) {
            return new ProgressDetail(component, key, ProgressStatus.Pending, "waiting for pod " + pod + " to be created");
        }
        if (seen.terminating()) {
            // An old pod of the same name is still going away; the new one is not there yet.
            return new ProgressDetail(component, key, ProgressStatus.Processing,
                    "waiting for the previous pod " + pod + " to terminate");
        }
        if (!seen.ready()) {
            return new ProgressDetail(component, key, ProgressStatus.Processing, "waiting for pod " + pod + " to be Ready");
        }
        return new ProgressDetail(component, key, ProgressStatus.Succeed, "pod " + pod + " is created and Ready");
    }

    private static ProgressDetail deletedPod(String component, String pod, ObservedPod seen) {
        String key = "Pod/" + pod;
        if (!seen.exists()) {
            return new ProgressDetail(component, key, ProgressStatus.Succeed, "pod " + pod + " is deleted");
        }
        return new ProgressDetail(component, key, ProgressStatus.Processing,
                seen.terminating() ? "pod " + pod + " is terminating" : "waiting for pod " + pod + " to be deleted");
    }
}
