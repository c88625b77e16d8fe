package dev.ordinal.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.ops.OpsRequest;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

/**
 * Every change one namespace goes through, as watches report it, in order: which write made which state. Used on
 * one seed ops to explain the writes table (a watch event is one write; status writes show what they changed).
 */
final class WriteTrace implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final List<Watch> watches = new ArrayList<>();
    private volatile long t0 = System.nanoTime();

    WriteTrace(KubernetesClient client, String ns) {
        watches.add(client.resources(OpsRequest.class).inNamespace(ns).watch(watcher(o -> o.getStatus() == null ? "no status"
                : "phase " + o.getStatus().phase + ", progress " + o.getStatus().progress + ", Progressing="
                        + reason(o) + ", details " + o.getStatus().components.values().stream()
                                .flatMap(c -> c.progressDetails.stream()).map(d -> d.objectKey + "=" + d.status)
                                .collect(Collectors.joining(" ")))));
        watches.add(client.resources(Cluster.class).inNamespace(ns).watch(watcher(c -> "generation "
                + c.getMetadata().getGeneration() + (c.getStatus() == null ? ", no status" : ", observed "
                        + c.getStatus().observedGeneration + ", phase " + c.getStatus().phase + ", " + c.getStatus().componentSummary))));
        watches.add(client.resources(InstanceSet.class).inNamespace(ns).watch(watcher(s -> "generation "
                + s.getMetadata().getGeneration() + ", spec replicas " + s.getSpec().replicas + " offline "
                + s.getSpec().offlineInstances + (s.getStatus() == null ? "" : ", status observed " + s.getStatus().observedGeneration
                        + " replicas " + s.getStatus().replicas + " ready " + s.getStatus().readyReplicas))));
        watches.add(client.apps().statefulSets().inNamespace(ns).watch(watcher((StatefulSet s) -> s.getMetadata().getName()
                + " generation " + s.getMetadata().getGeneration() + ", spec replicas " + s.getSpec().getReplicas()
                + (s.getStatus() == null ? "" : ", status observed " + s.getStatus().getObservedGeneration() + " replicas "
                        + s.getStatus().getReplicas() + " ready " + s.getStatus().getReadyReplicas()))));
        watches.add(client.pods().inNamespace(ns).watch(watcher(p -> p.getMetadata().getName()
                + (p.getStatus() == null || p.getStatus().getPhase() == null ? " (no status)" : " " + p.getStatus().getPhase()))));
        watches.add(client.persistentVolumeClaims().inNamespace(ns).watch(watcher((PersistentVolumeClaim c) -> c.getMetadata().getName())));
        watches.add(client.v1().events().inNamespace(ns).watch(watcher((Event e) -> e.getInvolvedObject().getKind() + " "
                + e.getReason())));
    }

    private static String reason(OpsRequest o) {
        return o.getStatus().conditions.stream().filter(c -> "Progressing".equals(c.type)).map(c -> c.reason).findFirst()
                .orElse("-");
    }

    private <T extends HasMetadata> Watcher<T> watcher(java.util.function.Function<T, String> describe) {
        return new Watcher<>() {
            @Override
            public void eventReceived(Action action, T resource) {
                String line = String.format("| %.1f | %s %s | %s |", (System.nanoTime() - t0) / 1e6, action,
                        resource.getKind(), describe.apply(resource).replace("|", "/"));
                synchronized (lines) {
                    lines.add(line);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        };
    }

    /** Counts milliseconds from now on, and forgets the lines seen so far (the watches' initial listing). */
    void restartClock() {
        synchronized (lines) {
            lines.clear();
            t0 = System.nanoTime();
        }
    }

    String table() {
        synchronized (lines) {
            return "| ms | event | state |\n|---:|---|---|\n" + String.join("\n", lines) + "\n\n";
        }
    }

    @Override
    public void close() {
        watches.forEach(Watch::close);
    }
}
