package dev.ordinal.bench;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

/** Live instances of a few classes, from the JVM's class histogram (which runs a full GC first). */
final class Heap {
    private Heap() {
    }

    /** class name → {instances, bytes (shallow)} for the classes asked for; absent classes are left out. */
    static Map<String, long[]> histogram(List<String> classes) {
        String text;
        try {
            text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] { new String[0] }, new String[] { String[].class.getName() });
        } catch (Exception e) {
            throw new IllegalStateException("no class histogram", e);
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && classes.contains(f[3])) {
                out.put(f[3], new long[] { Long.parseLong(f[1]), Long.parseLong(f[2]) });
            }
        }
        return out;
    }
}
