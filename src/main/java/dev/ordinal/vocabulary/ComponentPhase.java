package dev.ordinal.vocabulary;

import java.util.Arrays;
import java.util.Optional;

/**
 * The phase of one Cluster component ({@code status.components.<name>.phase}; spec §1 and amendment §7a, rules in
 * {@code controller/cluster/Phases}).
 */
public enum ComponentPhase {
    CREATING("Creating"),
    RUNNING("Running"),
    UPDATING("Updating"),
    ABNORMAL("Abnormal"),
    FAILED("Failed"),
    STOPPED("Stopped");

    private final String value;

    ComponentPhase(String value) {
        this.value = value;
    }

    /** The string written to the status. */
    public String value() {
        return value;
    }

    /** Running, Abnormal or Failed: the component is not being changed, so an ops may start from it and end on it (spec §5). */
    public boolean isSettled() {
        return this == RUNNING || this == ABNORMAL || this == FAILED;
    }

    /** Whether a status string names a settled phase (false for null and for an unknown string). */
    public static boolean isSettled(String value) {
        return of(value).map(ComponentPhase::isSettled).orElse(false);
    }

    /** The phase a status string names, empty for null or an unknown string. */
    public static Optional<ComponentPhase> of(String value) {
        return Arrays.stream(values()).filter(p -> p.value.equals(value)).findFirst();
    }

    @Override
    public String toString() {
        return value;
    }
}
