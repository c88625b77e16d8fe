package dev.ordinal.vocabulary;

/**
 * The phase of a Cluster ({@code status.phase}; spec §1): the components' phases combined (rules in
 * {@code controller/cluster/Phases}), or {@code Deleting} once the Cluster is being deleted.
 */
public enum ClusterPhase {
    CREATING("Creating"),
    RUNNING("Running"),
    UPDATING("Updating"),
    STOPPED("Stopped"),
    ABNORMAL("Abnormal"),
    FAILED("Failed"),
    DELETING("Deleting");

    private final String value;

    ClusterPhase(String value) {
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
