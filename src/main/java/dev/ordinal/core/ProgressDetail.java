package dev.ordinal.core;

/** One row of status.components[name].progressDetails: a pod that must appear or disappear. */
public record ProgressDetail(String component, String objectKey, ProgressStatus status, String message) {
    /** The pod name behind an objectKey "Pod/<name>". */
    public String podName() {
        return objectKey.substring(objectKey.indexOf('/') + 1);
    }
}
