package dev.ordinal.controller.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.common.InstanceTemplate;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.controller.support.Naming;
import dev.ordinal.controller.support.Ownership;
import dev.ordinal.core.GeneratedNames;
import dev.ordinal.core.GeneratedNames.Component;
import dev.ordinal.core.GeneratedNames.Template;
import dev.ordinal.vocabulary.Reasons;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;

/**
 * The Cluster controller's name check (spec amendment §7a "names are unique"): before anything is applied, the names a
 * Cluster would make must fit Kubernetes' limits and collide neither among its own components and templates nor with
 * another Cluster of the namespace; and no InstanceSet of that name may belong to someone else.
 */
final class NameCheck {
    private NameCheck() {
    }

    /**
     * Why a Cluster is not applied.
     *
     * @param reason  {@code NameTooLong}, {@code NameCollision} or {@code NameTaken} (condition reason and Event reason)
     * @param message names both sides of a collision, or the name and its limit
     */
    record Refusal(String reason, String message) {
    }

    /**
     * Why {@code cluster} must not be applied, or empty.
     * When two Clusters collide, the one that already has the contested InstanceSet keeps its names; when neither or
     * both have it, the older one (creationTimestamp, then name) does, so exactly one of them is refused.
     *
     * @param others      the other Clusters of the namespace (from the primary cache)
     * @param instanceSet InstanceSet by name in the namespace (the InstanceSet informer's cache), null when absent
     */
    static Optional<Refusal> refusal(Cluster cluster, List<Cluster> others, Function<String, InstanceSet> instanceSet) {
        List<Component> mine = components(cluster);
        for (int i = 0; i < mine.size(); i++) {
            Component c = mine.get(i);
            List<String> tooLong = GeneratedNames.tooLong(c, podNames(cluster, c.component()));
            if (!tooLong.isEmpty()) {
                return Optional.of(new Refusal(Reasons.NAME_TOO_LONG, tooLong.get(0)));
            }
            for (int j = i; j < mine.size(); j++) {
                Optional<String> clash = GeneratedNames.collision(c, mine.get(j));
                if (clash.isPresent()) {
                    return Optional.of(new Refusal(Reasons.NAME_COLLISION, clash.get() + "; rename a component or template"));
                }
            }
        }
        // The oldest other Cluster this one loses to, if any. Ages are compared only for the Clusters that do collide:
        // sorting every other Cluster of the namespace by age on each reconcile parsed timestamps O(n log n) times and
        // was a fifth of the operator's CPU with 100 Clusters per namespace (docs/benchmarks.md, profile).
        Cluster lostTo = null;
        String lostOn = null;
        for (Cluster other : others) {
            if (other.getMetadata().getDeletionTimestamp() != null || other.getSpec() == null) {
                continue;
            }
            List<Component> theirs = components(other);
            search:
            for (Component c : mine) {
                for (Component d : theirs) {
                    Optional<String> clash = GeneratedNames.collision(c, d);
                    if (clash.isEmpty()) {
                        continue;
                    }
                    boolean mineExists = Ownership.ownedBy(instanceSet.apply(c.instanceSet()), cluster);
                    boolean theirsExists = Ownership.ownedBy(instanceSet.apply(d.instanceSet()), other);
                    boolean iKeep = mineExists != theirsExists ? mineExists : AGE.compare(cluster, other) < 0;
                    if (!iKeep) {
                        if (lostTo == null || AGE.compare(other, lostTo) < 0) {
                            lostTo = other;
                            lostOn = clash.get();
                        }
                        break search;
                    }
                }
            }
        }
        if (lostTo != null) {
            return Optional.of(new Refusal(Reasons.NAME_COLLISION, lostOn + "; cluster " + lostTo.getMetadata().getName()
                    + " has these names first, so this cluster is not applied; rename this cluster or the component"));
        }
        for (Component c : mine) {
            InstanceSet existing = instanceSet.apply(c.instanceSet());
            if (existing != null && !Ownership.ownedBy(existing, cluster)) {
                return Optional.of(new Refusal(Reasons.NAME_TAKEN, "instance set " + c.instanceSet() + " already exists and belongs to "
                        + Ownership.owner(existing) + "; Ordinal does not adopt objects another owner created: delete or rename it, or rename component "
                        + c.component()));
            }
        }
        return Optional.empty();
    }

    static List<Component> components(Cluster cluster) {
        List<Component> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ComponentSpec c : cluster.getSpec().componentSpecs) {
            if (c.name == null || !seen.add(c.name)) {
                continue;
            }
            List<String> base = claimTemplateNames(c.volumeClaimTemplates);
            List<Template> templates = new ArrayList<>();
            templates.add(new Template("", base));
            for (InstanceTemplate t : c.instances == null ? List.<InstanceTemplate> of() : c.instances) {
                Set<String> vcts = new LinkedHashSet<>(base);
                vcts.addAll(claimTemplateNames(t.volumeClaimTemplates));
                templates.add(new Template(t.name == null ? "" : t.name, List.copyOf(vcts)));
            }
            out.add(new Component(cluster.getMetadata().getName(), c.name, templates));
        }
        return out;
    }

    private static List<String> claimTemplateNames(List<PersistentVolumeClaim> templates) {
        List<String> names = new ArrayList<>();
        for (PersistentVolumeClaim t : templates == null ? List.<PersistentVolumeClaim> of() : templates) {
            if (t.getMetadata() != null && t.getMetadata().getName() != null) {
                names.add(t.getMetadata().getName());
            }
        }
        return names;
    }

    private static List<String> podNames(Cluster cluster, String component) {
        ComponentSpec c = cluster.getSpec().componentSpecs.stream().filter(s -> component.equals(s.name)).findFirst().orElseThrow();
        List<String> names = new ArrayList<>(Naming.wanted(InstanceSetSpecs.of(cluster, c)).names());
        if (c.offlineInstances != null) {
            names.addAll(c.offlineInstances);
        }
        return names;
    }

    private static final Comparator<Cluster> AGE = Comparator
            .comparing((Cluster c) -> c.getMetadata().getCreationTimestamp() == null ? Instant.MAX
                    : Instant.parse(c.getMetadata().getCreationTimestamp()))
            .thenComparing(c -> c.getMetadata().getName());
}
