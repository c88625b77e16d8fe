package dev.ordinal.vocabulary;

/**
 * The scale-in guard's verdict as a dry run reports it in {@code status.plan.<component>.scaleInGuard.result}
 * (docs/scaling-rules.md §8).
 */
public enum GuardResult {
    SAFE("Safe"),
    BLOCKED("Blocked"),
    UNAVAILABLE("Unavailable"),
    SKIPPED("Skipped");

    private final String value;

    GuardResult(String value) {
        this.value = value;
    }

    /** The string written to the status. */
    public String value() {
        return value;
    }

    @Override
    public String toString() {
        return value;
    }
}
