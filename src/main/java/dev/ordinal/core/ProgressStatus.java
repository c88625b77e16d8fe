package dev.ordinal.core;

/** Status of one progress detail; the constant names are the strings written to the OpsRequest status. */
public enum ProgressStatus {
    Pending, Processing, Succeed, Failed;

    /** Succeed and Failed are final: they count towards "done". */
    public boolean isDone() {
        return this == Succeed || this == Failed;
    }
}
