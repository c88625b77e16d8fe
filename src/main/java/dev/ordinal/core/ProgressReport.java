package dev.ordinal.core;

import java.util.List;

/** Progress of a whole ops, recomputed from observed pods on each reconcile. */
public record ProgressReport(List<ProgressDetail> details) {
    public ProgressReport {
        details = List.copyOf(details);
    }

    public int done() {
        return (int) details.stream().filter(d -> d.status().isDone()).count();
    }

    public int total() {
        return details.size();
    }

    /** The status.progress string, e.g. "1/2"; "0/0" when there was nothing to do. */
    public String progress() {
        return done() + "/" + total();
    }

    /** Every pod reached a final state (an empty plan is complete at once). */
    public boolean isComplete() {
        return done() == total();
    }

    /** Some pod failed permanently; the ops outcome is Failed even if the rest succeed. */
    public boolean isFailed() {
        return !failedPods().isEmpty();
    }

    public List<String> failedPods() {
        return details.stream().filter(d -> d.status() == ProgressStatus.Failed).map(ProgressDetail::podName).toList();
    }

    /** Pods not yet in a final state (named by an Aborted condition when the deadline passes). */
    public List<String> pendingPods() {
        return details.stream().filter(d -> !d.status().isDone()).map(ProgressDetail::podName).toList();
    }

    public List<ProgressDetail> detailsOf(String component) {
        return details.stream().filter(d -> d.component().equals(component)).toList();
    }
}
