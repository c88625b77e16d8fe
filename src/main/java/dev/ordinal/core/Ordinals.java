package dev.ordinal.core;

import java.util.List;
import java.util.TreeSet;

/** Turns a template's {@code ordinals {ranges, discrete}} into the ascending list the naming rule uses. */
public final class Ordinals {
    private Ordinals() {
    }

    /** Inclusive range as written in the CR. */
    public record Range(int start, int end) {
    }

    /**
     * Ascending, duplicate-free union of the ranges (both ends inclusive) and the discrete values.
     *
     * @throws NamingException for a negative ordinal or a range whose end is before its start
     */
    public static List<Integer> expand(List<Range> ranges, List<Integer> discrete) {
        TreeSet<Integer> all = new TreeSet<>();
        if (ranges != null) {
            for (Range r : ranges) {
                if (r.start() < 0 || r.end() < r.start()) {
                    throw new NamingException("ordinal range " + r.start() + ".." + r.end()
                            + " is invalid: start must be >= 0 and end >= start");
                }
                for (int i = r.start(); i <= r.end(); i++) {
                    all.add(i);
                }
            }
        }
        if (discrete != null) {
            for (Integer d : discrete) {
                if (d == null || d < 0) {
                    throw new NamingException("discrete ordinal " + d + " is invalid: must be >= 0");
                }
                all.add(d);
            }
        }
        return List.copyOf(all);
    }
}
