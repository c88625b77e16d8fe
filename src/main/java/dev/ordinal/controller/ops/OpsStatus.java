package dev.ordinal.controller.ops;

import dev.ordinal.api.vocabulary.DetailStatus;
import dev.ordinal.api.vocabulary.OpsPhase;
import dev.ordinal.controller.support.Conditions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.api.ops.OpsRequestStatus.ComponentPlan;
import dev.ordinal.api.ops.OpsRequestStatus.OpsComponentStatus;
import dev.ordinal.api.ops.OpsRequestStatus.ProgressDetail;
import dev.ordinal.core.ProgressReport;
import dev.ordinal.core.ProgressStatus;
import dev.ordinal.core.ScalingPlan;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** Writes the core's plan and progress into an OpsRequest's status, keeping per-pod start and end times. */
final class OpsStatus {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private OpsStatus() {
    }

    static void condition(OpsRequest ops, String type, boolean value, String reason, String message) {
        ops.getStatus().conditions = Conditions.set(ops.getStatus().conditions, type, value, reason, message,
                ops.getMetadata().getGeneration());
    }

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
     * Writes progress and per-pod details. A detail that is not done is followed by what the Cluster says of that pod
     * ({@code messages}: component → {@code Pod/<name>} → text, from {@link ComponentPhases#messages}), so a pod that
     * waits names the pod that blocks it and why.
     */
    static void progress(OpsRequest ops, ProgressReport report, Map<String, Map<String, String>> messages) {
        OpsRequestStatus status = ops.getStatus();
        status.progress = report.progress();
        Map<String, ProgressDetail> previous = new LinkedHashMap<>();
        status.components.values().forEach(c -> c.progressDetails.forEach(d -> previous.put(d.objectKey, d)));
        Map<String, OpsComponentStatus> components = new LinkedHashMap<>();
        String now = Conditions.now();
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
                    : d.status() == ProgressStatus.Pending ? null : now;
            pd.endTime = d.status().isDone() ? (before != null && before.endTime != null ? before.endTime : now) : null;
            cs.progressDetails.add(pd);
        }
        if (ops.getStatus().plan != null) {
            ops.getStatus().plan.keySet().forEach(c -> components.computeIfAbsent(c, k -> new OpsComponentStatus()));
        }
        components.forEach((name, cs) -> {
            boolean failed = cs.progressDetails.stream().anyMatch(d -> DetailStatus.isFailed(d.status));
            boolean done = cs.progressDetails.stream().allMatch(d -> DetailStatus.isDone(d.status));
            cs.phase = (failed ? OpsPhase.FAILED : done ? OpsPhase.SUCCEED : OpsPhase.RUNNING).value();
        });
        status.components = components;
    }

    /**
     * Makes components and details agree with the phase an ops ends in (spec amendment §7a): a detail not done becomes
     * {@code Aborted} with the reason, and each component's phase is {@code Failed} when one of its pods failed, the
     * ops' own phase when it has an unfinished detail or the ops was Cancelled, else {@code Succeed}.
     */
    static void ended(OpsRequest ops, OpsPhase phase, String reason) {
        if (phase == OpsPhase.SUCCEED) {
            return;
        }
        String end = Conditions.now();
        ops.getStatus().components.values().forEach(cs -> {
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

    /** Equal for the purpose of deciding whether to write (timestamps of conditions ignored). */
    static boolean same(OpsRequestStatus a, OpsRequestStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (!Objects.equals(a.phase, b.phase) || !Objects.equals(a.progress, b.progress)
                || !Conditions.sameState(a.conditions, b.conditions)) {
            return false;
        }
        return JSON.asJson(strip(a)).equals(JSON.asJson(strip(b)));
    }

    private static OpsRequestStatus strip(OpsRequestStatus s) {
        OpsRequestStatus c = JSON.clone(s);
        c.conditions = List.of();
        return c;
    }
}
