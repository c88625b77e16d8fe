package dev.ordinal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.ordinal.devcluster.ControlPlane;
import dev.ordinal.testkube.TestKube;

/**
 * CPU time and peak RSS of the control plane's processes (etcd, kube-apiserver, kube-controller-manager), read from
 * {@code /proc/<pid>/stat} (utime + stime, in clock ticks of 1/100 s, Linux's USER_HZ) and {@code /proc/<pid>/status}
 * (VmHWM), so the benchmark reports the operator's cost apart from the API server's.
 */
final class ControlPlaneUsage {
    static final String KUBE = ControlPlane.KUBE_VERSION;
    private static final double TICKS_PER_SECOND = 100.0;

    private final Map<String, Long> pids;
    private final Map<String, Double> cpuSeconds;

    private ControlPlaneUsage(Map<String, Long> pids, Map<String, Double> cpuSeconds) {
        this.pids = pids;
        this.cpuSeconds = cpuSeconds;
    }

    static ControlPlaneUsage of(TestKube kube) {
        Map<String, Long> pids = kube.pids();
        Map<String, Double> cpu = new LinkedHashMap<>();
        pids.forEach((name, pid) -> cpu.put(name, cpuSeconds(pid)));
        return new ControlPlaneUsage(pids, cpu);
    }

    /** CPU seconds (user + system) each process had used when this was taken, by process name. */
    Map<String, Double> cpuSeconds() {
        return cpuSeconds;
    }

    /** Markdown table rows: CPU seconds each process used since {@code earlier}. */
    String cpuSince(ControlPlaneUsage earlier) {
        StringBuilder b = new StringBuilder();
        cpuSeconds.forEach((name, now) -> b.append(String.format("| CPU time of %s during the ops part | %.0f s |%n", name,
                now - earlier.cpuSeconds.getOrDefault(name, 0.0))));
        return b.toString();
    }

    /** Markdown table rows: peak RSS (VmHWM) of each process. */
    String peakRss() {
        StringBuilder b = new StringBuilder();
        pids.forEach((name, pid) -> b.append(String.format("| peak RSS (VmHWM) of %s | %d MiB |%n", name, vmHwmKb(pid) >> 10)));
        return b.toString();
    }

    private static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is f[0]; utime and stime are fields 14 and 15 of the whole line
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static long vmHwmKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // process gone
        }
        return -1;
    }
}
