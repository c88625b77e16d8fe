package dev.ordinal.api.common;

public enum PodManagementPolicy {
    /** One pod at a time, each waiting for its predecessor to be Ready. */
    OrderedReady,
    /** Up to the concurrency limit at once. */
    Parallel
}
