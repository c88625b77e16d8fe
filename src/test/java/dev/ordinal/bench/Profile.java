package dev.ordinal.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A Java Flight Recorder recording of one benchmark phase (JFR's "profile" settings) and a plain-text summary of
 * where the CPU samples and the sampled allocations went.
 */
final class Profile implements AutoCloseable {
    private final Recording recording;
    private final Path file;

    Profile(Path file) {
        this.file = file;
        try {
            recording = new Recording(Configuration.getConfiguration("profile"));
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("no JFR profile configuration", e);
        }
        recording.setToDisk(true);
        recording.start();
    }

    @Override
    public void close() {
        recording.stop();
        try {
            recording.dump(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        recording.close();
    }

    /** Markdown: CPU samples by thread group, by top frame, by Ordinal method on the stack; allocation by top frame. */
    static String summarize(Path file, int top) {
        List<RecordedEvent> events;
        try {
            events = RecordingFile.readAllEvents(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> byComponent = new HashMap<>();
        Map<String, Long> operatorSelf = new HashMap<>();
        Map<String, Long> selfFrames = new HashMap<>();
        Map<String, Long> ordinalInclusive = new HashMap<>();
        Map<String, Long> frameworkInclusive = new HashMap<>();
        Map<String, Long> allocations = new HashMap<>();
        long samples = 0;
        long allocated = 0;
        for (RecordedEvent e : events) {
            String type = e.getEventType().getName();
            RecordedStackTrace stack = e.getStackTrace();
            if ("jdk.ExecutionSample".equals(type) && stack != null && !stack.getFrames().isEmpty()) {
                samples++;
                String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
                byThread.merge(threadGroup(thread), 1L, Long::sum);
                selfFrames.merge(frame(stack.getFrames().get(0)), 1L, Long::sum);
                String component = component(thread, stack);
                byComponent.merge(component, 1L, Long::sum);
                if (component.startsWith("operator")) {
                    operatorSelf.merge(frame(stack.getFrames().get(0)), 1L, Long::sum);
                }
                Set<String> seenOrdinal = new HashSet<>();
                Set<String> seenFramework = new HashSet<>();
                for (RecordedFrame f : stack.getFrames()) {
                    String m = frame(f);
                    if (m.startsWith("dev.ordinal.")) {
                        seenOrdinal.add(m);
                    } else if (m.startsWith("io.fabric8.") || m.startsWith("io.javaoperatorsdk.")) {
                        seenFramework.add(m);
                    }
                }
                seenOrdinal.forEach(m -> ordinalInclusive.merge(m, 1L, Long::sum));
                seenFramework.forEach(m -> frameworkInclusive.merge(m, 1L, Long::sum));
            } else if ("jdk.ObjectAllocationSample".equals(type) && stack != null && !stack.getFrames().isEmpty()) {
                long weight = e.getLong("weight");
                allocated += weight;
                allocations.merge(firstAppFrame(stack), weight, Long::sum);
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("JFR file: `").append(file).append("`; ").append(samples).append(" CPU samples, ")
                .append(allocated / (1024 * 1024)).append(" MiB of sampled allocation weight.\n\n");
        b.append(table("CPU samples by component (first match down the stack)", byComponent, samples, top, Function.identity()));
        b.append(table("CPU samples by thread", byThread, samples, top, Function.identity()));
        b.append(table("CPU samples by top frame (self time)", selfFrames, samples, top, Function.identity()));
        b.append(table("Operator samples only: top frame (self time)", operatorSelf, samples, top, Function.identity()));
        b.append(table("CPU samples with an Ordinal method on the stack (inclusive)", ordinalInclusive, samples, top,
                Function.identity()));
        b.append(table("CPU samples with a fabric8 / JOSDK method on the stack (inclusive)", frameworkInclusive, samples,
                top, Function.identity()));
        b.append(table("Allocation weight by first non-JDK frame", allocations, allocated, top, Function.identity()));
        return b.toString();
    }

    private static String table(String title, Map<String, Long> counts, long total, int top,
            Function<String, String> label) {
        StringBuilder b = new StringBuilder("| " + title + " | share |\n|---|---:|\n");
        counts.entrySet().stream().sorted(Map.Entry.<String, Long> comparingByValue().reversed()).limit(top)
                .forEach(e -> b.append("| `").append(label.apply(e.getKey())).append("` | ")
                        .append(String.format("%.1f %%", 100.0 * e.getValue() / Math.max(1, total))).append(" |\n"));
        return b.append('\n').toString();
    }

    /**
     * Who a sample of the test JVM works for: the simulated kubelet, the harness, or the operator (reconcilers,
     * JOSDK, its informers and client). The API server is another process and not in this profile.
     */
    static String component(String thread, RecordedStackTrace stack) {
        boolean client = false;
        boolean operator = false;
        for (RecordedFrame f : stack.getFrames()) {
            String m = frame(f);
            if (m.startsWith("dev.ordinal.devcluster.KubeletSimulator") || thread.startsWith("kubelet-simulator")) {
                return "simulated kubelet";
            }
            if (m.startsWith("dev.ordinal.bench.")) {
                return "benchmark harness";
            }
            operator |= m.startsWith("io.javaoperatorsdk.") || m.startsWith("dev.ordinal.controller.")
                    || m.startsWith("dev.ordinal.observability.") || m.startsWith("dev.ordinal.core.");
            client |= m.startsWith("io.fabric8.kubernetes.client.");
        }
        if (operator) {
            return "operator: reconcilers, JOSDK, their client calls";
        }
        return client ? "fabric8 client outside a reconcile (informers, watches; operator, kubelet and harness alike)"
                : "other (vert.x I/O, JVM)";
    }

    private static String frame(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static String firstAppFrame(RecordedStackTrace stack) {
        for (RecordedFrame f : stack.getFrames()) {
            String m = frame(f);
            if (!m.startsWith("java.") && !m.startsWith("jdk.") && !m.startsWith("sun.")) {
                return m;
            }
        }
        return frame(stack.getFrames().get(0));
    }

    /** Thread names without their running numbers, so pools show as one line. */
    static String threadGroup(String name) {
        return name.replaceAll("[-#]?\\d+", "-N").replaceAll("(-N)+", "-N");
    }
}
