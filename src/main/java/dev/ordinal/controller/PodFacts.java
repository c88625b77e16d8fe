package dev.ordinal.controller;

import java.util.Set;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;

/** What Ordinal reads from a pod's status: ready, terminating, or failed for good. */
public final class PodFacts {
    /** Waiting reasons that will not clear on their own. */
    private static final Set<String> PERMANENT = Set.of("ImagePullBackOff", "ErrImagePull", "InvalidImageName",
            "CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError");

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
            if (reason != null && PERMANENT.contains(reason)) {
                String msg = cs.getState().getWaiting().getMessage();
                return cs.getState().getWaiting().getReason() + (msg == null ? "" : ": " + msg);
            }
        }
        return null;
    }
}
