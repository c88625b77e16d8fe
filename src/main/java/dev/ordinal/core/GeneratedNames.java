package dev.ordinal.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The names a Cluster component makes its objects with, and the two rules they must keep (spec amendment §7a "names
 * are unique"): no two (cluster, component, template) may produce the same InstanceSet, Service, pod or claim name in a
 * namespace, and every name must fit Kubernetes' limits.
 * <p>
 * Names are joined with {@code -}: the InstanceSet is {@code <cluster>-<component>}, its headless Service
 * {@code <instanceSet>-headless}, pods {@code <cluster>-<component>[-<template>]-<ordinal>} and claims
 * {@code <volumeClaimTemplate>-<pod>}. Because an ordinal is digits only, two pod (or claim) names can be equal only
 * when their prefixes before {@code -<ordinal>} are equal, so comparing prefixes finds every collision, whatever the
 * replicas.
 * <p>
 * Limits: an InstanceSet name is a label value (63 characters) and its Service name must be a DNS-1035 label, so the
 * InstanceSet name may have at most 54 characters (63 − "-headless"); a pod name is a label value of its claims and
 * the pod's hostname, so at most 63 (Kubernetes "Object Names and IDs"; RFC 1123 labels).
 */
public final class GeneratedNames {
    /** Longest InstanceSet name: 63 minus the Service suffix {@code -headless}. */
    public static final int MAX_INSTANCE_SET = 54;
    /** Longest pod name: a label value and a hostname. */
    public static final int MAX_POD = 63;

    private GeneratedNames() {
    }

    /**
     * One instance template of a component as naming sees it.
     *
     * @param name                 the template name, "" for the default template
     * @param volumeClaimTemplates the claim template names its pods use
     */
    public record Template(String name, List<String> volumeClaimTemplates) {
        public Template {
            volumeClaimTemplates = List.copyOf(volumeClaimTemplates);
        }
    }

    /**
     * One component of one Cluster.
     *
     * @param cluster   the Cluster's name
     * @param component the component's name
     * @param templates the default template ("") and each instance template
     */
    public record Component(String cluster, String component, List<Template> templates) {
        public Component {
            templates = List.copyOf(templates);
        }

        public String instanceSet() {
            return cluster + "-" + component;
        }

        String describe(String template) {
            return "cluster " + cluster + " component " + component + (template.isEmpty() ? "" : " template " + template);
        }
    }

    /**
     * Names of {@code c} that cannot be made: too long for Kubernetes, given the pod names it would create now.
     *
     * @param podNames the pod names the component's shape produces (live and offline)
     * @return one sentence per problem, empty when all fit
     */
    public static List<String> tooLong(Component c, List<String> podNames) {
        List<String> problems = new ArrayList<>();
        if (c.instanceSet().length() > MAX_INSTANCE_SET) {
            problems.add("instance set name " + c.instanceSet() + " has " + c.instanceSet().length() + " characters; at most "
                    + MAX_INSTANCE_SET + " are allowed (its headless Service adds -headless to make a 63-character name)");
        }
        podNames.stream().filter(p -> p.length() > MAX_POD).findFirst().ifPresent(p -> problems.add("pod name " + p
                + " has " + p.length() + " characters; at most " + MAX_POD
                + " are allowed (a pod name is its hostname and a label value); shorten the cluster, component or template name"));
        return problems;
    }

    /**
     * The first name two components (or two templates of one component) would share, as a sentence naming both
     * sides, or empty. {@code a} and {@code b} may be the same component.
     */
    public static Optional<String> collision(Component a, Component b) {
        boolean same = a.equals(b);
        if (!same && a.instanceSet().equals(b.instanceSet())) {
            return Optional.of("instance set " + a.instanceSet() + " of " + a.describe("") + " would also be the instance set of "
                    + b.describe("") + " (and so would its Service " + a.instanceSet() + "-headless)");
        }
        for (Template ta : a.templates()) {
            for (Template tb : b.templates()) {
                if (same && ta.name().compareTo(tb.name()) >= 0) {
                    continue;
                }
                String pa = podPrefix(a, ta);
                String pb = podPrefix(b, tb);
                if (pa.equals(pb)) {
                    return Optional.of("pods " + pa + "-<ordinal> of " + a.describe(ta.name()) + " would have the same names as those of "
                            + b.describe(tb.name()));
                }
                for (String va : ta.volumeClaimTemplates()) {
                    for (String vb : tb.volumeClaimTemplates()) {
                        if ((va + "-" + pa).equals(vb + "-" + pb)) {
                            return Optional.of("claims " + va + "-" + pa + "-<ordinal> of " + a.describe(ta.name())
                                    + " (volume claim template " + va + ") would have the same names as those of " + b.describe(tb.name())
                                    + " (volume claim template " + vb + ")");
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String podPrefix(Component c, Template t) {
        return t.name().isEmpty() ? c.cluster() + "-" + c.component() : c.cluster() + "-" + c.component() + "-" + t.name();
    }
}
