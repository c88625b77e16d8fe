package dev.ordinal.observability;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One item of the {@code /ordinal/ops/events} stream: an OpsRequest entered a phase ({@link #PHASE_CHANGED}) or
 * one pod of its plan changed progress status ({@link #PROGRESS_STEP}).
 *
 * @param time          when Ordinal wrote the status that carries the change (ISO-8601, UTC)
 * @param kind          {@code PhaseChanged} or {@code ProgressStep}
 * @param namespace     the OpsRequest's namespace
 * @param cluster       {@code spec.clusterName}
 * @param opsRequest    the OpsRequest's name
 * @param type          {@code spec.type}, e.g. {@code HorizontalScaling}
 * @param phase         the phase after the change
 * @param previousPhase for PhaseChanged: the phase this stream last saw (null for the first status of an ops)
 * @param progress      {@code status.progress}, "done/total"
 * @param objectKey     for ProgressStep: the pod, e.g. {@code Pod/kafka-broker-2}
 * @param status        for ProgressStep: Pending, Processing, Succeed or Failed
 * @param reason        for PhaseChanged: the reason of the condition that explains the phase
 * @param message       a human-readable sentence from the status (condition or progress detail)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OpsEventDto(String time, String kind, String namespace, String cluster, String opsRequest, String type,
        String phase, String previousPhase, String progress, String objectKey, String status, String reason,
        String message) {

    public static final String PHASE_CHANGED = "PhaseChanged";
    public static final String PROGRESS_STEP = "ProgressStep";
}
