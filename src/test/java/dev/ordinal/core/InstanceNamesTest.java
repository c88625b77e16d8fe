package dev.ordinal.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.ordinal.core.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class InstanceNamesTest {

    @Test
    void specExample_offlineMiddleKeepsItsOrdinal() {
        assertEquals(pods(0, 2, 3), names(shape(3, 1)));
    }

    @Test
    void plainReplicasUseZeroUpwards() {
        assertEquals(pods(0, 1, 2), names(shape(3)));
        assertEquals(List.of(), names(shape(0)));
    }

    @Test
    void templatesTakeTheirShareAndDefaultGetsTheRest() {
        ComponentShape s = new ComponentShape(4, List.of(new TemplateShape("hot", 1)), List.of());
        assertEquals(List.of(pod(0), pod(1), pod(2), pod("hot", 0)), names(s));
    }

    @Test
    void templateWithExplicitOrdinalsSkipsOfflineNames() {
        List<Integer> ordinals = Ordinals.expand(List.of(new Ordinals.Range(5, 6)), List.of(9));
        assertEquals(List.of(5, 6, 9), ordinals);
        ComponentShape s = new ComponentShape(2, List.of(new TemplateShape("t", 2, ordinals)), List.of(pod("t", 5)));
        assertEquals(List.of(pod("t", 6), pod("t", 9)), names(s));
    }

    @Test
    void tooFewExplicitOrdinalsIsAnError() {
        ComponentShape s = new ComponentShape(3, List.of(new TemplateShape("t", 3, List.of(1, 2, 3))), List.of(pod("t", 2)));
        NamingException e = assertThrows(NamingException.class, () -> names(s));
        assertTrue(e.getMessage().contains("template t needs 3 replicas"), e.getMessage());
    }

    @Test
    void templatesClaimingMoreThanReplicasIsAnError() {
        ComponentShape s = new ComponentShape(1, List.of(new TemplateShape("a", 1), new TemplateShape("b", 1)), List.of());
        NamingException e = assertThrows(NamingException.class, () -> names(s));
        assertTrue(e.getMessage().contains("claim 2 replicas, more than the 1"), e.getMessage());
    }

    @Test
    void negativeCountsAndDuplicateTemplatesAreErrors() {
        assertThrows(NamingException.class, () -> names(shape(-1)));
        assertThrows(NamingException.class, () -> names(new ComponentShape(3, List.of(new TemplateShape("a", -1)), List.of())));
        assertThrows(NamingException.class, () -> names(new ComponentShape(3,
                List.of(new TemplateShape("a", 1), new TemplateShape("a", 1)), List.of())));
        assertThrows(NamingException.class, () -> Ordinals.expand(List.of(new Ordinals.Range(3, 1)), List.of()));
    }

    @Test
    void sortsByTemplatePrefixThenNumericOrdinal() {
        List<String> names = new ArrayList<>(List.of(pod(10), pod("hot", 0), pod(9), pod(2)));
        names.sort(InstanceNames.ORDER);
        assertEquals(List.of(pod(2), pod(9), pod(10), pod("hot", 0)), names);
        assertEquals(pods(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), names(shape(12)));
    }

    @Test
    void parseSplitsTemplateAndOrdinal() {
        Set<String> templates = Set.of("hot", "my-tpl");
        assertEquals(Optional.of(new InstanceNames.ParsedName("", 12)), InstanceNames.parse(K, C, pod(12), templates));
        assertEquals(Optional.of(new InstanceNames.ParsedName("hot", 0)), InstanceNames.parse(K, C, pod("hot", 0), templates));
        assertEquals(Optional.of(new InstanceNames.ParsedName("my-tpl", 3)), InstanceNames.parse(K, C, pod("my-tpl", 3), templates));
        assertEquals(Optional.empty(), InstanceNames.parse(K, C, pod("cold", 0), templates));
        assertEquals(Optional.empty(), InstanceNames.parse(K, C, "kafka-other-0", templates));
        assertEquals(Optional.empty(), InstanceNames.parse(K, C, "kafka-broker-x", templates));
        assertEquals(Optional.empty(), InstanceNames.parse(K, C, "kafka-broker-01", templates));
    }

    @Test
    void namesComeOutInOrderEvenWhenTemplatesAreListedOutOfOrder() {
        ComponentShape s = new ComponentShape(14, List.of(new TemplateShape("zz", 11), new TemplateShape("a", 1)),
                List.of(pod("zz", 0)));
        List<String> names = names(s);
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(InstanceNames.ORDER);
        assertEquals(sorted, names);
        assertEquals(List.of(pod(0), pod(1), pod("a", 0), pod("zz", 1)), names.subList(0, 4));
        assertEquals(pod("zz", 11), names.get(13));
    }
}
