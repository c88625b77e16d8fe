package dev.ordinal.devcluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Plays the kubelet for pods on an API server that has no node (there is no container runtime here): after {@link #readyDelay(Duration)} (default 50 ms,
 * 0 = at once) a new pod gets {@code status.phase=Running}, {@code podIP} and condition {@code Ready=True}, written
 * with server-side apply to {@code pods/status} by field manager {@value #MANAGER}.
 * <p>
 * Per pod, by annotation ({@value #STATE_ANNOTATION}, {@value #DELETION_DELAY_ANNOTATION}; for {@code kubectl annotate}
 * in dev mode), or per pod name from Java: {@link #failPod(String)} reports an image pull failure ({@code ImagePullBackOff}, not ready);
 * {@link #neverReady(String)} leaves the pod Running but not Ready (its readiness probe fails);
 * {@link #unschedulable(String)} reports it as the scheduler reports a pod no node can take ({@code Pending},
 * {@code PodScheduled=False}, reason {@code Unschedulable}).
 * <p>
 * Pods are never bound to a node, so the API server removes a pod at once on DELETE (a bound pod would wait for its
 * kubelet to confirm). With
 * {@link #deletionGrace(Duration)} set, the simulator adds a finalizer {@value #FINALIZER} to every pod it sees and
 * removes it that long after the pod got a deletionTimestamp, so a deleted pod lingers as "Terminating" first.
 */
public final class KubeletSimulator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KubeletSimulator.class);
    /** The field manager of the status writes, as a kubelet's. */
    public static final String MANAGER = "kubelet";
    /** The finalizer that keeps a deleted pod Terminating for {@link #deletionGrace(Duration)}. */
    public static final String FINALIZER = "kubelet.ordinal.dev/terminating";
    /**
     * Pod annotation that sets what the simulated kubelet reports for that pod, for anyone trying failures with
     * {@code kubectl annotate} in dev mode (README "Dev mode: make a pod fail"): {@value #READY}, {@value #NOT_READY},
     * {@value #UNSCHEDULABLE}, {@value #IMAGE_PULL_BACK_OFF}, {@value #CRASH_LOOP_BACK_OFF}. It wins over the Java
     * hooks ({@link #failPod} and the others); removing it gives the pod back to them.
     */
    public static final String STATE_ANNOTATION = "kubelet.dev.ordinal.dev/state";
    /** Pod annotation: a deleted pod stays Terminating this long ({@code 30s}, {@code 2m}, or ISO-8601 {@code PT30S}). */
    public static final String DELETION_DELAY_ANNOTATION = "kubelet.dev.ordinal.dev/deletion-delay";
    static final String READY = "Ready";
    static final String NOT_READY = "NotReady";
    static final String UNSCHEDULABLE = "Unschedulable";
    static final String IMAGE_PULL_BACK_OFF = "ImagePullBackOff";
    static final String CRASH_LOOP_BACK_OFF = "CrashLoopBackOff";

    private final KubernetesClient client;
    private String namespace;
    private volatile Duration readyDelay = Duration.ofMillis(50);
    private volatile Duration deletionGrace;
    private volatile Duration startingFor = Duration.ZERO;
    /** When each pod's containers first started (by pod uid): a later report of the same pod keeps it, as a kubelet does. */
    private final java.util.Map<String, String> startedAt = new ConcurrentHashMap<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    private final Set<String> neverReady = ConcurrentHashMap.newKeySet();
    private final Set<String> unschedulable = ConcurrentHashMap.newKeySet();
    private final Set<String> handled = ConcurrentHashMap.newKeySet();
    /** The state annotation each pod (by key) was last reported with: a change is reported again. */
    private final java.util.Map<String, String> annotated = new ConcurrentHashMap<>();
    private ScheduledExecutorService executor;
    private SharedIndexInformer<Pod> informer;

    /** A simulator that reads and writes pods with {@code client} (closed by the caller). */
    public KubeletSimulator(KubernetesClient client) {
        this.client = client;
    }

    /** Watch only this namespace (default: all namespaces). */
    public KubeletSimulator inNamespace(String namespace) {
        this.namespace = namespace;
        return this;
    }

    /** Time from a pod's creation to its Running/Ready report (null or zero: at once). */
    public KubeletSimulator readyDelay(Duration delay) {
        this.readyDelay = delay == null ? Duration.ZERO : delay;
        return this;
    }

    /**
     * Report a new pod {@code Running} but not Ready first (its readiness probe has not passed yet: Ready=False,
     * reason ContainersNotReady), and Ready only {@code starting} later, as a real kubelet does for a container that
     * takes that long to pass its readiness probe (null or zero: Running and Ready in one report, the default).
     */
    public KubeletSimulator startingFor(Duration starting) {
        this.startingFor = starting == null ? Duration.ZERO : starting;
        return this;
    }

    /** Keep deleted pods Terminating for {@code grace} (null = delete at once, the default). */
    public KubeletSimulator deletionGrace(Duration grace) {
        this.deletionGrace = grace;
        return this;
    }

    /** Pods of this name report {@code ImagePullBackOff} and never become Ready (also applies to an existing pod). */
    public KubeletSimulator failPod(String podName) {
        failing.add(podName);
        neverReady.remove(podName);
        rescan(podName);
        return this;
    }

    /** Pods of this name run but never become Ready. */
    public KubeletSimulator neverReady(String podName) {
        neverReady.add(podName);
        failing.remove(podName);
        rescan(podName);
        return this;
    }

    /** Pods of this name stay Pending as Unschedulable ("0/1 nodes are available") and never become Ready. */
    public KubeletSimulator unschedulable(String podName) {
        unschedulable.add(podName);
        failing.remove(podName);
        neverReady.remove(podName);
        rescan(podName);
        return this;
    }

    /** Back to normal behaviour for this pod name (it becomes Ready). */
    public KubeletSimulator healthy(String podName) {
        failing.remove(podName);
        neverReady.remove(podName);
        unschedulable.remove(podName);
        rescan(podName);
        return this;
    }

    /** Forgets every per-pod behaviour, and reports new pods Ready at once again ({@link #startingFor}). */
    public KubeletSimulator reset() {
        failing.clear();
        neverReady.clear();
        unschedulable.clear();
        startingFor = Duration.ZERO;
        return this;
    }

    /** Starts watching pods (idempotent). */
    public synchronized KubeletSimulator start() {
        if (informer != null) {
            return this;
        }
        executor = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "kubelet-simulator");
            t.setDaemon(true);
            return t;
        });
        var pods = namespace == null ? client.pods().inAnyNamespace() : client.pods().inNamespace(namespace);
        informer = pods.inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                onPod(pod);
            }

            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                onPod(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                handled.remove(key(pod));
                annotated.remove(key(pod));
                startedAt.remove(pod.getMetadata().getUid());
            }
        });
        return this;
    }

    /** Stops watching and reporting; pods keep the status they have. */
    public synchronized void stop() {
        if (informer != null) {
            informer.close();
            informer = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        handled.clear();
    }

    @Override
    public void close() {
        stop();
    }

    private void rescan(String podName) {
        SharedIndexInformer<Pod> inf = informer;
        if (inf == null) {
            return;
        }
        for (Pod p : new ArrayList<>(inf.getStore().list())) {
            if (p.getMetadata().getName().equals(podName)) {
                handled.remove(key(p));
                onPod(p);
            }
        }
    }

    private static String key(Pod p) {
        return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName() + "/" + p.getMetadata().getUid();
    }

    private void onPod(Pod pod) {
        ScheduledExecutorService ex = executor;
        if (ex == null) {
            return;
        }
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        Duration terminating = deletionDelay(pod);
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            if (pod.getMetadata().getFinalizers().contains(FINALIZER) && handled.add(key(pod) + "/delete")) {
                Duration g = terminating == null ? Duration.ZERO : terminating;
                ex.schedule(() -> removeFinalizer(ns, name), g.toMillis(), TimeUnit.MILLISECONDS);
            }
            return;
        }
        if (terminating != null && !pod.getMetadata().getFinalizers().contains(FINALIZER)) {
            ex.execute(() -> addFinalizer(ns, name));
        }
        String state = annotation(pod, STATE_ANNOTATION);
        String before = annotated.put(key(pod), state == null ? "" : state);
        if (before != null && !before.equals(state == null ? "" : state)) {
            handled.remove(key(pod)); // the annotation changed: report the pod again
        }
        if (!handled.add(key(pod))) {
            return;
        }
        long delay = readyDelay.toMillis();
        Duration starting = startingFor;
        Runnable task = starting.isZero() ? () -> writeStatus(ns, name, pod, true)
                : () -> {
                    writeStatus(ns, name, pod, false);
                    ScheduledExecutorService later = executor;
                    if (later != null && !later.isShutdown()) {
                        later.schedule(() -> writeStatus(ns, name, pod, true), starting.toMillis(), TimeUnit.MILLISECONDS);
                    }
                };
        if (delay <= 0) {
            ex.execute(task);
        } else {
            ex.schedule(task, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Reports the pod's status; {@code startedUp}: its readiness probe has passed (unless it is never Ready). */
    private void writeStatus(String ns, String name, Pod seen, boolean startedUp) {
        String state = annotation(seen, STATE_ANNOTATION);
        if (state == null ? unschedulable.contains(name) : UNSCHEDULABLE.equals(state)) {
            writeUnschedulable(ns, name);
            return;
        }
        if (CRASH_LOOP_BACK_OFF.equals(state)) {
            writeCrashLoop(ns, name, seen);
            return;
        }
        boolean fail = state == null ? failing.contains(name) : IMAGE_PULL_BACK_OFF.equals(state);
        boolean ready = startedUp && !fail && (state == null ? !neverReady.contains(name) : !NOT_READY.equals(state));
        String started = fail ? null : startedAt.computeIfAbsent(seen.getMetadata().getUid(), uid -> now());
        List<ContainerStatus> containers = new ArrayList<>();
        if (seen.getSpec() != null) {
            seen.getSpec().getContainers().forEach(c -> {
                ContainerStatusBuilder b = new ContainerStatusBuilder().withName(c.getName()).withImage(c.getImage())
                        .withReady(ready).withRestartCount(0).withStarted(!fail);
                if (fail) {
                    b.withNewState().withNewWaiting().withReason("ImagePullBackOff")
                            .withMessage("Back-off pulling image \"" + c.getImage() + "\" (simulated)").endWaiting()
                            .endState();
                } else {
                    b.withNewState().withNewRunning().withStartedAt(started).endRunning().endState();
                }
                containers.add(b.build());
            });
        }
        String now = now();
        List<PodCondition> conditions = List.of(
                new PodConditionBuilder().withType("PodScheduled").withStatus("True").withLastTransitionTime(now).build(),
                new PodConditionBuilder().withType("Initialized").withStatus("True").withLastTransitionTime(now).build(),
                new PodConditionBuilder().withType("ContainersReady").withStatus(ready ? "True" : "False")
                        .withLastTransitionTime(now).build(),
                new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
                        .withReason(ready ? null : fail || !startedUp ? "ContainersNotReady" : "ReadinessProbeFailed")
                        .withLastTransitionTime(now).build());
        Pod status = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewStatus().withPhase(fail ? "Pending" : "Running").withPodIP(podIp(name))
                .addNewPodIP().withIp(podIp(name)).endPodIP().withHostIP("10.0.0.1")
                .addNewHostIP().withIp("10.0.0.1").endHostIP()
                .withStartTime(now).withConditions(conditions).withContainerStatuses(containers).endStatus().build();
        try {
            applyStatus(ns, status);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                LOG.debugf("kubelet simulator could not update %s/%s: %s", ns, name, e.getMessage());
                // a real kubelet keeps reporting: try again while the API server is unreachable or failing
                ScheduledExecutorService ex = executor;
                if (ex != null && !ex.isShutdown()) {
                    ex.schedule(() -> writeStatus(ns, name, seen, startedUp), 500, TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /**
     * As a kubelet reports a container that keeps crashing: Running phase, the container waiting in
     * {@code CrashLoopBackOff} after 3 restarts, its last exit {@code Error, code 1}.
     */
    private void writeCrashLoop(String ns, String name, Pod seen) {
        String now = now();
        List<ContainerStatus> containers = new ArrayList<>();
        if (seen.getSpec() != null) {
            seen.getSpec().getContainers().forEach(c -> containers.add(new ContainerStatusBuilder().withName(c.getName())
                    .withImage(c.getImage()).withReady(false).withRestartCount(3).withStarted(false)
                    .withNewState().withNewWaiting().withReason(CRASH_LOOP_BACK_OFF)
                    .withMessage("back-off 40s restarting failed container=" + c.getName() + " (simulated)").endWaiting().endState()
                    .withNewLastState().withNewTerminated().withReason("Error").withExitCode(1).withFinishedAt(now).endTerminated()
                    .endLastState().build()));
        }
        Pod status = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewStatus().withPhase("Running").withPodIP(podIp(name)).withHostIP("10.0.0.1").withStartTime(now)
                .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("True").withLastTransitionTime(now).build(),
                        new PodConditionBuilder().withType("Ready").withStatus("False").withReason("ContainersNotReady")
                                .withLastTransitionTime(now).build())
                .withContainerStatuses(containers).endStatus().build();
        try {
            applyStatus(ns, status);
        } catch (KubernetesClientException e) {
            LOG.debugf("kubelet simulator could not report %s/%s crash-looping: %s", ns, name, e.getMessage());
        }
    }

    /** Writes a pod's status as a kubelet does: server-side apply of {@code pods/status} by field manager {@value #MANAGER}. */
    private void applyStatus(String ns, Pod status) {
        client.pods().inNamespace(ns).resource(status).subresource("status").patch(
                new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager(MANAGER)
                        .withForce(true).build());
    }

    private static String annotation(Pod pod, String key) {
        var annotations = pod.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(key);
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** How long a deleted pod stays Terminating: its annotation, else {@link #deletionGrace(Duration)}; null: not at all. */
    private Duration deletionDelay(Pod pod) {
        String value = annotation(pod, DELETION_DELAY_ANNOTATION);
        if (value == null) {
            return deletionGrace;
        }
        return parseDuration(value);
    }

    /** {@code 30s}, {@code 1500ms}, {@code 2m}, or ISO-8601 ({@code PT30S}); null for anything else. */
    static Duration parseDuration(String value) {
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2).trim()));
            }
            if (value.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1).trim()));
            }
            if (value.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1).trim()));
            }
            return Duration.parse(value);
        } catch (RuntimeException e) {
            LOG.warnf("kubelet simulator: %s is no duration (e.g. 30s, 2m); ignored", value);
            return null;
        }
    }

    /** As the scheduler reports a pod it cannot place; the kubelet never sees it. */
    private void writeUnschedulable(String ns, String name) {
        Pod status = new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewStatus().withPhase("Pending").withConditions(new PodConditionBuilder().withType("PodScheduled")
                        .withStatus("False").withReason("Unschedulable")
                        .withMessage("0/1 nodes are available: 1 Insufficient memory (simulated)").withLastTransitionTime(now()).build())
                .endStatus().build();
        try {
            applyStatus(ns, status);
        } catch (KubernetesClientException e) {
            LOG.debugf("kubelet simulator could not mark %s/%s unschedulable: %s", ns, name, e.getMessage());
        }
    }

    private void addFinalizer(String ns, String name) {
        try {
            client.pods().inNamespace(ns).withName(name).edit(p -> {
                if (p.getMetadata().getDeletionTimestamp() == null
                        && !p.getMetadata().getFinalizers().contains(FINALIZER)) {
                    p.getMetadata().getFinalizers().add(FINALIZER);
                }
                return p;
            });
        } catch (KubernetesClientException e) {
            LOG.debugf("kubelet simulator could not add its finalizer to %s/%s: %s", ns, name, e.getMessage());
        }
    }

    private void removeFinalizer(String ns, String name) {
        try {
            client.pods().inNamespace(ns).withName(name).edit(p -> {
                p.getMetadata().getFinalizers().remove(FINALIZER);
                return p;
            });
        } catch (KubernetesClientException e) {
            LOG.debugf("kubelet simulator could not release %s/%s: %s", ns, name, e.getMessage());
        }
    }

    private static String now() {
        return java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    private static String podIp(String name) {
        int h = Math.abs(name.hashCode());
        return "10.244." + (h / 250 % 250) + "." + (h % 250 + 2);
    }
}
