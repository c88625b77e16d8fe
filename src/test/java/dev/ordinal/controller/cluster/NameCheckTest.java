package dev.ordinal.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.controller.support.Ownership;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/**
 * {@link NameCheck}: which of two colliding Clusters keeps its names (spec amendment §7a "names are unique";
 * docs/scaling-rules.md §5–7). Cluster {@code kafka} with component {@code b-x} and cluster {@code kafka-b} with
 * component {@code x} both make InstanceSet {@code kafka-b-x}.
 */
class NameCheckTest {
    private final Map<String, InstanceSet> instanceSets = new HashMap<>();

    private static Cluster cluster(String name, String created, String... components) {
        Cluster c = new Cluster();
        c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns").withUid(name + "-uid")
                .withCreationTimestamp(created).build());
        c.setSpec(new ClusterSpec());
        c.getSpec().componentSpecs = java.util.Arrays.stream(components).map(n -> {
            ComponentSpec s = new ComponentSpec();
            s.name = n;
            s.replicas = 1;
            return s;
        }).toList();
        return c;
    }

    private void instanceSetOf(Cluster owner, String name) {
        InstanceSet set = new InstanceSet();
        set.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ns")
                .withOwnerReferences(Ownership.ownerOf(owner)).build());
        instanceSets.put(name, set);
    }

    private Optional<NameCheck.Refusal> refusal(Cluster cluster, Cluster... others) {
        return NameCheck.refusal(cluster, List.of(others), instanceSets::get);
    }

    @Test
    void theOlderClusterKeepsTheNamesWhenNeitherHasTheInstanceSet() {
        Cluster older = cluster("kafka", "2026-12-01T00:00:00Z", "b-x");
        Cluster younger = cluster("kafka-b", "2026-12-02T00:00:00Z", "x");
        assertEquals(Optional.empty(), refusal(older, younger));
        NameCheck.Refusal r = refusal(younger, older).orElseThrow();
        assertEquals("NameCollision", r.reason());
        assertTrue(r.message().contains("cluster kafka has these names first"), r.message());
    }

    @Test
    void theClusterThatAlreadyHasTheInstanceSetKeepsItEvenWhenYounger() {
        Cluster older = cluster("kafka", "2026-12-01T00:00:00Z", "b-x");
        Cluster younger = cluster("kafka-b", "2026-12-02T00:00:00Z", "x");
        instanceSetOf(younger, "kafka-b-x");
        assertEquals(Optional.empty(), refusal(younger, older));
        assertEquals("NameCollision", refusal(older, younger).orElseThrow().reason());
    }

    @Test
    void aCollisionWithAClusterBeingDeletedDoesNotCount() {
        Cluster younger = cluster("kafka-b", "2026-12-02T00:00:00Z", "x");
        Cluster going = cluster("kafka", "2026-12-01T00:00:00Z", "b-x");
        going.getMetadata().setDeletionTimestamp("2026-12-03T00:00:00Z");
        assertEquals(Optional.empty(), refusal(younger, going));
    }

    @Test
    void anInstanceSetOfThatNameOwnedBySomeoneElseIsNeverAdopted() {
        Cluster mine = cluster("kafka", "2026-12-01T00:00:00Z", "broker");
        instanceSetOf(cluster("stranger", "2026-11-01T00:00:00Z", "z"), "kafka-broker");
        NameCheck.Refusal r = refusal(mine).orElseThrow();
        assertEquals("NameTaken", r.reason());
        assertTrue(r.message().contains("belongs to Cluster stranger"), r.message());
    }

    @Test
    void generatedNamesMustFitKubernetesLimits() {
        assertEquals("NameTooLong", refusal(cluster("k".repeat(50), "2026-12-01T00:00:00Z", "broker")).orElseThrow().reason());
    }
}
