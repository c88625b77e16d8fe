package dev.ordinal.controller.ops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.api.ops.OpsRequestStatus.ComponentPlan;
import dev.ordinal.api.ops.OpsRequestStatus.OpsComponentStatus;
import dev.ordinal.api.ops.OpsRequestStatus.ProgressDetail;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.core.ProgressReport;
import dev.ordinal.core.ProgressStatus;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.vocabulary.ConditionType;
import dev.ordinal.vocabulary.DetailStatus;
import dev.ordinal.vocabulary.OpsPhase;
import dev.ordinal.vocabulary.Reasons;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The status an ops decision writes, built on a copy of the observed one at one instant: the core's plan and progress
 * (keeping per-pod start and end times), the conditions, and the end of an ops (docs/troubleshooting.md "OpsRequest").
 * Pure: the time is passed in.
 */
final class OpsStatus {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private final OpsRequestStatus status;
    private final Long generation;
    private final Instant now;

    private OpsStatus(OpsRequestStatus status, Long generation, Instant now) {
        this.status = status;
        this.generation = generation;
        this.now = now;
    }

    /** A copy of {@code ops}' status (a new one when it has none) that has observed its generation, changed at {@code now}. */
    static OpsStatus of(OpsRequest ops, Instant now) {
        OpsRequestStatus copy = ops.getStatus() == null ? new OpsRequestStatus() : JSON.clone(ops.getStatus());
        copy.observedGeneration = ops.getMetadata().getGeneration();
        return new OpsStatus(copy, ops.getMetadata().getGeneration(), now);
    }

    /** The status built so far. */
    OpsRequestStatus status() {
        return status;
    }

    /** The instant of this change as a status timestamp. */
    String timestamp() {
        return Conditions.timestamp(now);
    }

    OpsStatus condition(String type, boolean value, String reason, String message) {
        status.conditions = Conditions.set(status.conditions, type, value, reason, message, generation, now);
        return this;
    }

    OpsStatus validated() {
        return condition(ConditionType.VALIDATED, true, Reasons.VALIDATED, "the request is valid");
    }

    OpsStatus phase(OpsPhase phase) {
        status.phase = phase.value();
        return this;
    }

    /** A Pending ops that waits: {@code WaitForProgressing=True} with the reason (after {@code Validated=True} when validated). */
    OpsStatus waiting(boolean validated, String reason, String message) {
        if (validated) {
            validated();
        }
        return condition(ConditionType.WAIT_FOR_PROGRESSING, true, reason, message).phase(OpsPhase.PENDING);
    }

    /**
     * The end of an ops: the phase, completionTimestamp, components and details that agree with it
     * ({@link #ended}), {@code Progressing=False} and a condition named after the phase, both with the reason; an ops
     * that ends while Pending also gets {@code WaitForProgressing=False}.
     *
     * @param planned the plan of an ops that ends before it started (its progress becomes "0/N"; null: "-/-")
     */
    OpsStatus finished(OpsPhase phase, String reason, String message, Map<String, ScalingPlan> planned) {
        OpsPhase from = OpsQueue.phaseOf(status.phase);
        status.phase = phase.value();
        status.completionTimestamp = timestamp();
        if (status.progress == null) {
            status.progress = planned == null ? "-/-" : "0/" + planned.values().stream()
                    .mapToInt(p -> p.podsToCreate().size() + p.podsToDelete().size()).sum();
        }
        ended(phase, reason);
        condition(ConditionType.PROGRESSING, false, reason, message);
        condition(phase.value(), true, reason, message);
        if (from == OpsPhase.PENDING) {
            condition(ConditionType.WAIT_FOR_PROGRESSING, false, reason, message);
        }
        return this;
    }

    /** {@code status.plan}: per component the target shape and the pods to create and delete. */
    static Map<String, ComponentPlan> plan(Map<String, ScalingPlan> plans) {
        Map<String, ComponentPlan> out = new LinkedHashMap<>();
        plans.forEach((name, p) -> {
            ComponentPlan cp = new ComponentPlan();
            cp.replicas = p.after().replicas();
            cp.offlineInstances = new ArrayList<>(p.after().offlineInstances());
            p.after().templates().forEach(t -> cp.instances.put(t.name(), t.replicas()));
            cp.podsToCreate = new ArrayList<>(p.podsToCreate());
            cp.podsToDelete = new ArrayList<>(p.podsToDelete());
            out.put(name, cp);
        });
        return out;
    }

    /**
     * Writes progress and per-pod details (spec scenario 3: each pod's Pending → Processing → Succeed is shown). A
     * detail that is not done is followed by what the Cluster says of that pod ({@code messages}: component →
     * {@code Pod/<name>} → text, from {@link ComponentPhases#messages}), so a pod that waits names the pod that blocks it.
     */
    OpsStatus progress(ProgressReport report, Map<String, Map<String, String>> messages) {
        status.progress = report.progress();
        Map<String, ProgressDetail> previous = new LinkedHashMap<>();
        status.components.values().forEach(c -> c.progressDetails.forEach(d -> previous.put(d.objectKey, d)));
        Map<String, OpsComponentStatus> components = new LinkedHashMap<>();
        String at = timestamp();
        for (var d : report.details()) {
            OpsComponentStatus cs = components.computeIfAbsent(d.component(), k -> new OpsComponentStatus());
            ProgressDetail before = previous.get(d.objectKey());
            ProgressDetail pd = new ProgressDetail();
            pd.objectKey = d.objectKey();
            pd.group = d.component();
            pd.status = d.status().name();
            String why = d.status().isDone() ? null : messages.getOrDefault(d.component(), Map.of()).get(d.objectKey());
            pd.message = why == null ? d.message() : d.message() + "; " + why;
            pd.startTime = before != null && before.startTime != null ? before.startTime
                    : d.status() == ProgressStatus.Pending ? null : at;
            pd.endTime = d.status().isDone() ? (before != null && before.endTime != null ? before.endTime : at) : null;
            cs.progressDetails.add(pd);
        }
        if (status.plan != null) {
            status.plan.keySet().forEach(c -> components.computeIfAbsent(c, k -> new OpsComponentStatus()));
        }
        components.forEach((name, cs) -> {
            boolean failed = cs.progressDetails.stream().anyMatch(d -> DetailStatus.isFailed(d.status));
            boolean done = cs.progressDetails.stream().allMatch(d -> DetailStatus.isDone(d.status));
            cs.phase = (failed ? OpsPhase.FAILED : done ? OpsPhase.SUCCEED : OpsPhase.RUNNING).value();
        });
        status.components = components;
        return this;
    }

    /**
     * Makes components and details agree with the phase an ops ends in (spec amendment §7a): a detail not done becomes
     * {@code Aborted} with the reason, and each component's phase is {@code Failed} when one of its pods failed, the
     * ops' own phase when it has an unfinished detail or the ops was Cancelled, else {@code Succeed}.
     */
    private void ended(OpsPhase phase, String reason) {
        if (phase == OpsPhase.SUCCEED) {
            return;
        }
        String end = timestamp();
        status.components.values().forEach(cs -> {
            boolean unfinished = false;
            for (ProgressDetail d : cs.progressDetails) {
                if (!DetailStatus.isDone(d.status)) {
                    unfinished = true;
                    d.status = DetailStatus.ABORTED.value();
                    d.message = "not done: the ops ended " + phase + " (" + reason + ") while " + d.message;
                    d.endTime = end;
                }
            }
            boolean failed = cs.progressDetails.stream().anyMatch(d -> DetailStatus.isFailed(d.status));
            cs.phase = (failed ? OpsPhase.FAILED : unfinished || phase == OpsPhase.CANCELLED ? phase : OpsPhase.SUCCEED).value();
        });
    }
}
