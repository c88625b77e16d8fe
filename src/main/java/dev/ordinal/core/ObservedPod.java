package dev.ordinal.core;

/**
 * What the ops controller observed about one pod. A pod missing from the observation map is
 * treated as not existing.
 *
 * @param failureReason a permanent failure reported by the kubelet (image pull error, crash loop
 *                      past the threshold), or null
 */
public record ObservedPod(boolean exists, boolean ready, boolean terminating, String failureReason) {
    public static final ObservedPod ABSENT = new ObservedPod(false, false, false, null);

    public static ObservedPod readyPod() {
        return new ObservedPod(true, true, false, null);
    }

    public static ObservedPod notReadyPod() {
        return new ObservedPod(true, false, false, null);
    }

    public static ObservedPod terminatingPod() {
        return new ObservedPod(true, false, true, null);
    }

    public static ObservedPod failedPod(String reason) {
        return new ObservedPod(true, false, false, reason);
    }
}
