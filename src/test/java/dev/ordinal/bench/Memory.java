package dev.ordinal.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples the heap in use (MemoryMXBean) and the resident set of this process (/proc/self/status) every 100 ms
 * and keeps the peaks. The benchmark JVM holds the operator, the simulated kubelet and
 * the harness, so the figures cover all three (the control plane is measured apart, ControlPlaneUsage).
 */
final class Memory implements AutoCloseable {
    private final AtomicLong peakHeap = new AtomicLong();
    private final AtomicLong peakRssKb = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    Memory() {
        sampler = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-memory-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        peakHeap.accumulateAndGet(heapUsed(), Math::max);
        peakRssKb.accumulateAndGet(procStatusKb("VmRSS"), Math::max);
    }

    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Heap in use right after a full collection: the live set. */
    static long heapAfterGc() {
        System.gc();
        System.gc();
        return heapUsed();
    }

    /** A {@code kB} field of /proc/self/status (VmRSS, VmHWM); -1 where there is no /proc. */
    static long procStatusKb(String field) {
        return procStatusKb(Path.of("/proc/self/status"), field);
    }

    static long procStatusKb(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    long peakHeapBytes() {
        return peakHeap.get();
    }

    long peakRssKb() {
        return peakRssKb.get();
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        sample();
    }
}
