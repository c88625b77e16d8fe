package dev.ordinal.controller.support;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.ordinal.core.PodRollout.Health;
import dev.ordinal.core.PodRollout.PodState;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Probe;

/**
 * What Ordinal reads from a pod's status: ready, starting, unhealthy (and why), terminating, or failed for good.
 * Pure: the time is an argument.
 */
public final class PodFacts {
    /** Kubernetes' waiting reasons that will not clear on their own: the pod has failed for good (docs/troubleshooting.md). */
    public static final Set<String> PERMANENT_WAITING_REASONS = Set.of("ImagePullBackOff", "ErrImagePull", "InvalidImageName",
            "CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError");
    /** The scheduler's reason for a pod it cannot place: the pod is unhealthy, not starting (docs/troubleshooting.md). */
    public static final String UNSCHEDULABLE = "Unschedulable";

    /** A probe's defaults when its fields are unset (Kubernetes API: Probe). */
    private static final int DEFAULT_PERIOD_SECONDS = 10;
    private static final int DEFAULT_FAILURE_THRESHOLD = 3;

    private PodFacts() {
    }

    public static boolean isReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    public static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    /**
     * The pod as the rollout and the phase model see it (core {@link PodState}) at {@code now}:
     * <ul>
     * <li>Ready;</li>
     * <li>failed for good ({@link #failure});</li>
     * <li>unhealthy when the scheduler still reports it {@code Unschedulable} once {@code startDeadlineFloor} has
     * passed since its creation, when a container of it has restarted, or when it runs without being Ready once its
     * start budget ({@link #startBudget}) has passed since its containers started, or after it had been Ready since
     * then;</li>
     * <li>otherwise starting: no status yet, phase Pending (scheduled, containers being created), or running within
     * its start budget without having passed its readiness probe yet (docs/scaling-rules.md §6: new pods
     * starting make a component Updating, not Abnormal).</li>
     * </ul>
     *
     * @param now               the time to judge the start budget at
     * @param startDeadlineFloor the least start budget of any pod ({@code ordinal.status.pod-start-deadline})
     */
    public static PodState state(Pod pod, Instant now, Duration startDeadlineFloor) {
        boolean terminating = isTerminating(pod);
        if (isReady(pod)) {
            return new PodState(Health.READY, terminating, null);
        }
        String failure = failure(pod);
        if (failure != null) {
            return new PodState(Health.FAILED, terminating, failure);
        }
        PodCondition scheduled = unschedulable(pod);
        if (scheduled != null) {
            String reason = UNSCHEDULABLE + suffix(scheduled.getMessage());
            return startingUntil(pod, startDeadlineFloor).filter(now::isBefore).isPresent()
                    ? new PodState(Health.STARTING, terminating, "starting: " + reason)
                    : new PodState(Health.UNHEALTHY, terminating, reason);
        }
        if (pod.getStatus() == null || pod.getStatus().getPhase() == null || "Pending".equals(pod.getStatus().getPhase())) {
            return new PodState(Health.STARTING, terminating, "starting");
        }
        if (startingUntil(pod, startDeadlineFloor).filter(now::isBefore).isPresent()) {
            return new PodState(Health.STARTING, terminating, "starting: not Ready yet");
        }
        PodCondition ready = condition(pod, "Ready");
        String reason = ready == null || ready.getReason() == null ? "not Ready" : ready.getReason() + suffix(ready.getMessage());
        String exit = lastExit(pod);
        return new PodState(Health.UNHEALTHY, terminating, exit == null ? reason : reason + " (" + exit + ")");
    }

    /**
     * Until when a pod that runs without being Ready still counts as starting: its containers' latest start plus its
     * {@link #startBudget}. Empty when it does not run, when a container of it has restarted (a restart is not a
     * start), or when it was Ready after that start and lost it (its Ready condition turned False later).
     */
    public static Optional<Instant> startingUntil(Pod pod, Duration startDeadlineFloor) {
        if (pod.getStatus() != null && !isReady(pod) && unschedulable(pod) != null) {
            // the scheduler may not place a pod until its claims are bound, which on a real node happens a moment
            // after Ordinal creates both: a pod still unplaced after the deadline from its creation is unhealthy
            Instant created = time(pod.getMetadata().getCreationTimestamp());
            return created == null ? Optional.empty() : Optional.of(created.plus(startDeadlineFloor));
        }
        if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase()) || isReady(pod)
                || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        Instant started = null;
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            if (cs.getRestartCount() != null && cs.getRestartCount() > 0) {
                return Optional.empty();
            }
            Instant at = cs.getState() == null || cs.getState().getRunning() == null ? null
                    : time(cs.getState().getRunning().getStartedAt());
            if (at != null && (started == null || at.isAfter(started))) {
                started = at;
            }
        }
        if (started == null) {
            return Optional.empty();
        }
        PodCondition ready = condition(pod, "Ready");
        Instant lost = ready == null ? null : time(ready.getLastTransitionTime());
        if (lost != null && lost.isAfter(started)) {
            return Optional.empty();
        }
        return Optional.of(started.plus(startBudget(pod, startDeadlineFloor)));
    }

    /**
     * How long after its containers start a pod may take to become Ready and still count as starting: {@code floor}
     * ({@code ordinal.status.pod-start-deadline}), or longer when a container's own probes ask for more: its
     * startupProbe's {@code initialDelaySeconds + periodSeconds × failureThreshold} (the kubelet restarts the container
     * after that) plus its readinessProbe's {@code initialDelaySeconds} (no readiness is checked before). Unset probe
     * fields count with Kubernetes' defaults (period 10 s, failure threshold 3, no initial delay). A readiness probe
     * bounds nothing else at start: Kubernetes keeps a pod not Ready for as long as it fails, which is why a floor is
     * needed (a Deployment's progressDeadlineSeconds plays the same part).
     */
    public static Duration startBudget(Pod pod, Duration floor) {
        long seconds = 0;
        List<Container> containers = pod.getSpec() == null || pod.getSpec().getContainers() == null ? List.of()
                : pod.getSpec().getContainers();
        for (Container c : containers) {
            seconds = Math.max(seconds, startupBudget(c.getStartupProbe()) + initialDelay(c.getReadinessProbe()));
        }
        Duration own = Duration.ofSeconds(seconds);
        return own.compareTo(floor) > 0 ? own : floor;
    }

    private static long startupBudget(Probe probe) {
        if (probe == null) {
            return 0;
        }
        long period = probe.getPeriodSeconds() == null ? DEFAULT_PERIOD_SECONDS : probe.getPeriodSeconds();
        long failures = probe.getFailureThreshold() == null ? DEFAULT_FAILURE_THRESHOLD : probe.getFailureThreshold();
        return initialDelay(probe) + period * failures;
    }

    private static long initialDelay(Probe probe) {
        return probe == null || probe.getInitialDelaySeconds() == null ? 0 : probe.getInitialDelaySeconds();
    }

    /**
     * e.g. "ImagePullBackOff: Back-off pulling image", or "CrashLoopBackOff (last exit: OOMKilled, code 137): back-off
     * 10s restarting failed container=kafka …"; null when the pod has not failed for good.
     */
    public static String failure(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        if ("Failed".equals(pod.getStatus().getPhase())) {
            return "pod phase Failed" + (pod.getStatus().getReason() == null ? "" : ": " + pod.getStatus().getReason());
        }
        if (pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
            String reason = cs.getState() == null || cs.getState().getWaiting() == null ? null : cs.getState().getWaiting().getReason();
            if (reason != null && PERMANENT_WAITING_REASONS.contains(reason)) {
                String msg = cs.getState().getWaiting().getMessage();
                String exit = lastExit(cs);
                return reason + (exit == null ? "" : " (" + exit + ")") + (msg == null ? "" : ": " + msg);
            }
        }
        return null;
    }

    /**
     * Why the container that restarted last ended the last time, as the kubelet reports it: e.g. "last exit:
     * OOMKilled, code 137" (killed at its memory limit), "last exit: Error, code 1"; null when no container restarted.
     */
    public static String lastExit(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        return pod.getStatus().getContainerStatuses().stream().map(PodFacts::lastExit).filter(e -> e != null)
                .findFirst().orElse(null);
    }

    private static String lastExit(ContainerStatus cs) {
        if (cs.getRestartCount() == null || cs.getRestartCount() == 0 || cs.getLastState() == null
                || cs.getLastState().getTerminated() == null) {
            return null;
        }
        var t = cs.getLastState().getTerminated();
        return "last exit: " + (t.getReason() == null ? "terminated" : t.getReason())
                + (t.getExitCode() == null ? "" : ", code " + t.getExitCode());
    }

    /** The pod's {@code PodScheduled=False} condition with reason {@code Unschedulable}, or null. */
    private static PodCondition unschedulable(Pod pod) {
        PodCondition scheduled = condition(pod, "PodScheduled");
        return scheduled != null && "False".equals(scheduled.getStatus()) && UNSCHEDULABLE.equals(scheduled.getReason())
                ? scheduled : null;
    }

    private static Instant time(String rfc3339) {
        try {
            return rfc3339 == null ? null : Instant.parse(rfc3339);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static PodCondition condition(Pod pod, String type) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static String suffix(String message) {
        return message == null || message.isBlank() ? "" : ": " + message;
    }
}
