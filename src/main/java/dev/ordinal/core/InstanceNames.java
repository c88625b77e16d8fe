package dev.ordinal.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one naming rule (spec §2). The ops planner and the InstanceSet controller both call
 * {@link #names}; the original KubeBlocks bug came from two models of naming that disagreed.
 */
public final class InstanceNames {
    private InstanceNames() {
    }

    /** Template name plus ordinal; {@code template} is "" for the default template. */
    public record ParsedName(String template, int ordinal) {
        public boolean isDefaultTemplate() {
            return template.isEmpty();
        }
    }

    /**
     * Sort order of pod names: by everything before the last "-N" (the cluster-component-template
     * prefix), then by N numerically, so kafka-broker-10 follows kafka-broker-9. Names without a
     * numeric suffix sort by their full text with ordinal -1.
     */
    public static final Comparator<String> ORDER = Comparator
            .comparing(InstanceNames::prefixOf)
            .thenComparingLong(InstanceNames::ordinalOf)
            .thenComparing(Comparator.naturalOrder());

    /** Name of instance {@code ordinal} of {@code template} ("" or null = default template). */
    public static String podName(String cluster, String component, String template, int ordinal) {
        return template == null || template.isEmpty()
                ? cluster + "-" + component + "-" + ordinal
                : cluster + "-" + component + "-" + template + "-" + ordinal;
    }

    /**
     * The live pod names of a component, sorted by {@link #ORDER}.
     * Each template (and the default template, which gets {@code replicas − Σ template replicas})
     * takes its {@code n} smallest allowed ordinals whose names are not offline, so an offline
     * name keeps its ordinal reserved and is never reused by another pod.
     *
     * @throws NamingException when the shape cannot be named (negative counts, templates
     *                         claiming more than the replicas, too few explicit ordinals, duplicate templates)
     */
    public static List<String> names(String cluster, String component, ComponentShape shape) {
        if (shape.replicas() < 0) {
            throw new NamingException("replicas " + shape.replicas() + " must not be negative");
        }
        Set<String> offline = new HashSet<>(shape.offlineInstances());
        Set<String> seenTemplates = new HashSet<>();
        // Each group is produced in ascending ordinal order, so ordering the groups by their
        // name prefix yields ORDER without comparing (and re-parsing) every pair of names.
        java.util.TreeMap<String, List<String>> groups = new java.util.TreeMap<>();
        int claimed = 0;
        for (TemplateShape t : shape.templates()) {
            if (t.name() == null || t.name().isEmpty()) {
                throw new NamingException("an instance template has no name");
            }
            if (!seenTemplates.add(t.name())) {
                throw new NamingException("instance template " + t.name() + " is defined twice");
            }
            if (t.replicas() < 0) {
                throw new NamingException("instance template " + t.name() + " has " + t.replicas()
                        + " replicas; it must not be negative");
            }
            claimed += t.replicas();
            pick(cluster, component, t.name(), t.replicas(), t.ordinals(), offline,
                    groups.computeIfAbsent(cluster + "-" + component + "-" + t.name(), k -> new ArrayList<>()));
        }
        if (claimed > shape.replicas()) {
            throw new NamingException("instance templates claim " + claimed + " replicas, more than the "
                    + shape.replicas() + " replicas of component " + component);
        }
        pick(cluster, component, "", shape.replicas() - claimed, List.of(), offline,
                groups.computeIfAbsent(cluster + "-" + component, k -> new ArrayList<>()));
        List<String> live = new ArrayList<>(shape.replicas());
        groups.values().forEach(live::addAll);
        return live;
    }

    /** Appends the {@code n} smallest allowed ordinals of one template whose names are not offline. */
    private static void pick(String cluster, String component, String template, int n, List<Integer> ordinals,
                             Set<String> offline, List<String> out) {
        if (n == 0) {
            return;
        }
        int found = 0;
        if (ordinals.isEmpty()) {
            // Unbounded 0,1,2,...: at most |offline| names are skipped, so this loop ends.
            for (int ordinal = 0; found < n; ordinal++) {
                String name = podName(cluster, component, template, ordinal);
                if (!offline.contains(name)) {
                    out.add(name);
                    found++;
                }
            }
            return;
        }
        for (int ordinal : ordinals.stream().sorted().distinct().toList()) {
            String name = podName(cluster, component, template, ordinal);
            if (!offline.contains(name)) {
                out.add(name);
                if (++found == n) {
                    return;
                }
            }
        }
        throw new NamingException("instance template " + template + " needs " + n + " replicas but only "
                + found + " of its ordinals " + ordinals + " are not offline");
    }

    /**
     * Splits a pod name of this component into (template, ordinal). Returns empty when the name
     * does not start with "cluster-component-", has no numeric ordinal, or names a template that is
     * not in {@code templateNames}.
     */
    public static Optional<ParsedName> parse(String cluster, String component, String podName,
                                             Set<String> templateNames) {
        String prefix = cluster + "-" + component + "-";
        if (podName == null || !podName.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = podName.substring(prefix.length());
        int dash = rest.lastIndexOf('-');
        String template = dash < 0 ? "" : rest.substring(0, dash);
        String digits = rest.substring(dash + 1);
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)
                || (digits.length() > 1 && digits.charAt(0) == '0')) {
            return Optional.empty();
        }
        if (!template.isEmpty() && !templateNames.contains(template)) {
            return Optional.empty();
        }
        return Optional.of(new ParsedName(template, Integer.parseInt(digits)));
    }

    /** The text before the last "-N" of a pod name: the cluster-component-template part. */
    static String prefixOf(String name) {
        int dash = name.lastIndexOf('-');
        return dash < 0 || ordinalOf(name) < 0 ? name : name.substring(0, dash);
    }

    /** The N of a name's last "-N", or -1 when it has none. */
    static long ordinalOf(String name) {
        int dash = name.lastIndexOf('-');
        String digits = name.substring(dash + 1);
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits);
    }
}
