package dev.ordinal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ordinal.core.GeneratedNames.Component;
import dev.ordinal.core.GeneratedNames.Template;

/** Spec amendment §7a "names are unique": every way two (cluster, component, template) can share a name. */
class GeneratedNamesTest {
    private static Component component(String cluster, String component, String... templates) {
        List<Template> list = new java.util.ArrayList<>();
        list.add(new Template("", List.of("data")));
        for (String t : templates) {
            list.add(new Template(t, List.of("data")));
        }
        return new Component(cluster, component, list);
    }

    @Test
    void twoClustersJoiningToTheSameInstanceSetName() {
        // Issue example C: t17/broker-a and t17-broker/a.
        String clash = GeneratedNames.collision(component("t17-broker", "a"), component("t17", "broker-a")).orElseThrow();
        assertEquals("instance set t17-broker-a of cluster t17-broker component a would also be the instance set of cluster t17 "
                + "component broker-a (and so would its Service t17-broker-a-headless)", clash);
    }

    @Test
    void aTemplateWhosePodsAreAnotherComponentsPods() {
        String clash = GeneratedNames.collision(component("c", "b", "x"), component("c", "b-x")).orElseThrow();
        assertTrue(clash.startsWith("pods c-b-x-<ordinal> of cluster c component b template x would have the same names as those of "
                + "cluster c component b-x"), clash);
        // The same through a Cluster name that contains the component.
        assertTrue(GeneratedNames.collision(component("c", "b", "x"), component("c-b", "x")).isPresent());
    }

    @Test
    void claimsThatCollideWhilePodsDoNot() {
        Component a = new Component("b", "x", List.of(new Template("", List.of("data-kafka"))));
        Component b = new Component("kafka", "b-x", List.of(new Template("", List.of("data"))));
        String clash = GeneratedNames.collision(a, b).orElseThrow();
        assertTrue(clash.startsWith("claims data-kafka-b-x-<ordinal> of cluster b component x (volume claim template data-kafka)"), clash);
    }

    @Test
    void distinctNamesDoNotCollide() {
        assertTrue(GeneratedNames.collision(component("kafka", "broker", "hot"), component("kafka", "controller")).isEmpty());
        assertTrue(GeneratedNames.collision(component("kafka", "broker", "hot", "cold"), component("kafka", "broker", "hot", "cold")).isEmpty(),
                "a component with distinct templates does not collide with itself");
        // "1" as a template is no clash with the default template's ordinals: kafka-b-1-0 is never kafka-b-N.
        assertTrue(GeneratedNames.collision(component("kafka", "b", "1"), component("kafka", "b", "1")).isEmpty());
    }

    @Test
    void collisionIsSymmetric() {
        List<Component> all = List.of(component("t17", "broker-a"), component("t17-broker", "a"), component("c", "b", "x"),
                component("c", "b-x"), component("kafka", "broker"), component("kafka-broker", "x"), component("kafka", "broker-x"));
        for (Component a : all) {
            for (Component b : all) {
                assertEquals(GeneratedNames.collision(a, b).isPresent(), GeneratedNames.collision(b, a).isPresent(), a + " / " + b);
            }
        }
    }

    @Test
    void namesOverKubernetesLimits() {
        String longCluster = "c".repeat(40);
        Component c = component(longCluster, "broker-with-a-long-name");
        List<String> problems = GeneratedNames.tooLong(c, List.of(longCluster + "-broker-with-a-long-name-0"));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("has 64 characters; at most 54"), problems.get(0));
        assertTrue(problems.get(1).startsWith("pod name " + longCluster + "-broker-with-a-long-name-0 has 66 characters; at most 63"));
        assertTrue(GeneratedNames.tooLong(component("kafka", "broker"), List.of("kafka-broker-0")).isEmpty());
    }
}
