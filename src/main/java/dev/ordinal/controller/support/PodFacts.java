package dev.ordinal.controller.support;

import java.util.Set;

import dev.ordinal.core.PodRollout.Health;
import dev.ordinal.core.PodRollout.PodState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

/** What Ordinal reads from a pod's status: ready, starting, unhealthy (and why), terminating, or failed for good. */
public final class PodFacts {
    /** Kubernetes' waiting reasons that will not clear on their own: the pod has failed for good (docs/troubleshooting.md). */
    public static final Set<String> PERMANENT_WAITING_REASONS = Set.of("ImagePullBackOff", "ErrImagePull", "InvalidImageName",
            "CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError");
    /** The scheduler's reason for a pod it cannot place: the pod is unhealthy, not starting (docs/troubleshooting.md). */
    public static final String UNSCHEDULABLE = "Unschedulable";

    private PodFacts() {
    }

    public static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    public static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    /**
     * The pod as the rollout and the phase model see it (core {@link PodState}): Ready; failed for good
     * ({@link #failure}); unhealthy when the scheduler reports it {@code Unschedulable} or it runs without being Ready;
     * otherwise starting (no status yet, or phase Pending while it is scheduled and its containers are created).
     */
    public static PodState state(Pod pod) {
        boolean terminating = isTerminating(pod);
        if (isReady(pod)) {
            return new PodState(Health.READY, terminating, null);
        }
        String failure = failure(pod);
        if (failure != null) {
            return new PodState(Health.FAILED, terminating, failure);
        }
        PodCondition scheduled = condition(pod, "PodScheduled");
        if (scheduled != null && "False".equals(scheduled.getStatus()) && UNSCHEDULABLE.equals(scheduled.getReason())) {
            return new PodState(Health.UNHEALTHY, terminating, UNSCHEDULABLE + suffix(scheduled.getMessage()));
        }
        if (pod.getStatus() == null || pod.getStatus().getPhase() == null || "Pending".equals(pod.getStatus().getPhase())) {
            return new PodState(Health.STARTING, terminating, "starting");
        }
        PodCondition ready = condition(pod, "Ready");
        String reason = ready == null || ready.getReason() == null ? "not Ready" : ready.getReason() + suffix(ready.getMessage());
        return new PodState(Health.UNHEALTHY, terminating, reason);
    }

    /** e.g. "ImagePullBackOff: Back-off pulling image"; null when the pod has not failed for good. */
    public static String failure(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        if ("Failed".equals(pod.getStatus().getPhase())) {
            return "pod phase Failed" + (pod.getStatus().getReason() == null ? "" : ": " + pod.getStatus().getReason());
        }
        if (pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            String reason = cs.getState() == null || cs.getState().getWaiting() == null ? null : cs.getState().getWaiting().getReason();
            if (reason != null && PERMANENT_WAITING_REASONS.contains(reason)) {
                String msg = cs.getState().getWaiting().getMessage();
                return cs.getState().getWaiting().getReason() + (msg == null ? "" : ": " + msg);
            }
        }
        return null;
    }

    private static PodCondition condition(Pod pod, String type) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static String suffix(String message) {
        return message == null || message.isBlank() ? "" : ": " + message;
    }
}
