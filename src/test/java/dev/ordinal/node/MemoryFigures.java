package dev.ordinal.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Resident memory of everything the node tier runs, read from /proc (VmRSS): each control-plane and node process by
 * name, the runc shims together, and the processes of each pod together (found by the pod uid in their cgroup). The
 * figures docs/control-plane.md gives for the node come from this table, which the tier writes to
 * target/node/memory.md before it stops the node.
 */
final class MemoryFigures {
    private static final Pattern POD_UID = Pattern.compile("pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    private MemoryFigures() {
    }

    /** A markdown table of MiB by process or pod, with the machine's load average. */
    static String table(KubernetesClient client) throws IOException {
        Map<String, String> podByUid = new TreeMap<>();
        for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
            podByUid.put(p.getMetadata().getUid(), "pod " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName());
        }
        Map<String, Long> kib = new TreeMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    Matcher rss = RSS.matcher(Files.readString(proc.resolve("status")));
                    if (!rss.find()) {
                        continue;
                    }
                    String owner = owner(proc, podByUid);
                    if (owner != null) {
                        kib.merge(owner, Long.parseLong(rss.group(1)), Long::sum);
                    }
                } catch (IOException e) {
                    // the process ended meanwhile
                }
            }
        }
        StringBuilder out = new StringBuilder("| process or pod | RSS MiB |\n|---|---|\n");
        long total = 0;
        for (var e : kib.entrySet()) {
            out.append("| ").append(e.getKey()).append(" | ").append(e.getValue() / 1024).append(" |\n");
            total += e.getValue();
        }
        out.append("| **total** | ").append(total / 1024).append(" |\n\nload average: ")
                .append(Files.readString(Path.of("/proc/loadavg")).strip()).append('\n');
        return out.toString();
    }

    private static String owner(Path proc, Map<String, String> podByUid) throws IOException {
        Matcher pod = POD_UID.matcher(Files.readString(proc.resolve("cgroup")));
        if (pod.find()) {
            return podByUid.getOrDefault(pod.group(1).replace('_', '-'), "pod (deleted)");
        }
        String name = Files.readString(proc.resolve("comm")).strip();
        return switch (name) {
            case "etcd", "kube-apiserver", "kube-controller", "kubelet", "kube-scheduler", "kube-proxy", "containerd" -> name;
            case "containerd-shim" -> "containerd-shim-runc-v2 (all)";
            default -> null;
        };
    }
}
