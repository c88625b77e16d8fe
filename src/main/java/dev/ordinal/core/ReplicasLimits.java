package dev.ordinal.core;

/** replicasLimit of a component; the planner rejects results outside [min, max]. */
public record ReplicasLimits(int min, int max) {
    public static final ReplicasLimits DEFAULT = new ReplicasLimits(1, 16384);

    public static ReplicasLimits of(Integer min, Integer max) {
        return new ReplicasLimits(min == null ? DEFAULT.min : min, max == null ? DEFAULT.max : max);
    }

    public boolean allows(int replicas) {
        return replicas >= min && replicas <= max;
    }

    @Override
    public String toString() {
        return "[" + min + ", " + max + "]";
    }
}
