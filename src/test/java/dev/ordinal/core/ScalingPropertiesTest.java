package dev.ordinal.core;

import dev.ordinal.core.ScalingRequest.ScaleIn;
import dev.ordinal.core.ScalingRequest.ScaleOut;
import dev.ordinal.core.ScalingRequest.TemplateChange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static dev.ordinal.core.Fixtures.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Property-style checks over random operation sequences, with plain seeded {@link Random}s so a
 * failure names the seed and step that reproduce it. Each sequence starts from a random shape
 * (with or without templates) and applies random valid and invalid requests, keeping the
 * before-shape whenever the planner rejects a request, exactly as the controller does.
 */
class ScalingPropertiesTest {
    private static final int SEQUENCES = 250;
    private static final int STEPS = 50;
    private static final ReplicasLimits LIMITS = new ReplicasLimits(0, 40);

    private int validOps;
    private int rejectedOps;
    private int roundTrips;

    @Test
    void randomSequencesKeepTheNamingInvariants() {
        for (int seq = 0; seq < SEQUENCES; seq++) {
            long seed = 0x5EEDL * 31 + seq;
            Random rnd = new Random(seed);
            ComponentShape state = randomStart(rnd);
            for (int step = 0; step < STEPS; step++) {
                state = step(rnd, state, "seed=" + seed + " step=" + step);
            }
        }
        int total = validOps + rejectedOps;
        assertTrue(total >= 10_000, "only " + total + " operations");
        // Guard against a generator that silently stopped exercising either path.
        assertTrue(validOps > total / 4, "too few valid ops: " + validOps + "/" + total);
        assertTrue(rejectedOps > total / 20, "too few rejected ops: " + rejectedOps + "/" + total);
        assertTrue(roundTrips > 500, "too few round trips: " + roundTrips);
    }

    private static ComponentShape randomStart(Random rnd) {
        int replicas = rnd.nextInt(12);
        List<TemplateShape> templates = new ArrayList<>();
        int left = replicas;
        int count = rnd.nextInt(3);
        for (int i = 0; i < count; i++) {
            int r = left == 0 ? 0 : rnd.nextInt(left + 1);
            left -= r;
            // Some templates use explicit ordinals with plenty of headroom.
            List<Integer> ordinals = rnd.nextBoolean() ? List.of()
                    : Ordinals.expand(List.of(new Ordinals.Range(10, 10 + 60)), List.of(3, 5));
            templates.add(new TemplateShape("t" + i, r, ordinals));
        }
        return new ComponentShape(replicas, templates, List.of());
    }

    private ComponentShape step(Random rnd, ComponentShape before, String where) {
        List<String> live = names(before);
        List<String> offline = before.offlineInstances();
        int kind = rnd.nextInt(9);
        ScalingRequest request;
        boolean mustFail = false;
        List<String> offNames = List.of();
        switch (kind) {
            case 0 -> request = ScalingRequest.scaleOut(C, rnd.nextInt(4));
            case 1 -> request = ScalingRequest.scaleIn(C, rnd.nextInt(before.replicas() + 2));
            case 2, 3 -> {
                offNames = pick(rnd, live, 1 + rnd.nextInt(3));
                request = ScalingRequest.offline(C, offNames.toArray(String[]::new));
            }
            case 4 -> {
                List<String> on = pick(rnd, offline, 1 + rnd.nextInt(3));
                Integer changes = rnd.nextInt(3) == 0 ? on.size() + rnd.nextInt(3) : null;
                request = new ScalingRequest(C, null, new ScaleOut(changes, List.of(), on), null);
            }
            case 5 -> {
                List<String> off = pick(rnd, live, 1);
                List<String> on = pick(rnd, offline, 1);
                request = new ScalingRequest(C, null, new ScaleOut(null, List.of(), on), new ScaleIn(null, List.of(), off));
            }
            case 6 -> {
                List<String> on = pick(rnd, offline, rnd.nextInt(2));
                request = new ScalingRequest(C, rnd.nextInt(15), new ScaleOut(null, List.of(), on), null);
            }
            case 7 -> {
                List<TemplateChange> changes = new ArrayList<>();
                for (TemplateShape t : before.templates()) {
                    if (rnd.nextBoolean()) {
                        changes.add(new TemplateChange(t.name(), rnd.nextInt(3)));
                    }
                }
                request = rnd.nextBoolean()
                        ? new ScalingRequest(C, null, new ScaleOut(null, changes, List.of()), null)
                        : new ScalingRequest(C, null, null, new ScaleIn(null, changes, List.of()));
            }
            default -> {
                // Requests invalid by construction: the planner must reject every one of them.
                mustFail = true;
                request = switch (rnd.nextInt(5)) {
                    case 0 -> ScalingRequest.offline(C, pod(500 + rnd.nextInt(10)));          // not live
                    case 1 -> live.isEmpty() ? ScalingRequest.scaleIn(C, -1)
                            : ScalingRequest.online(C, live.get(rnd.nextInt(live.size()))); // not offline
                    case 2 -> offline.isEmpty() ? ScalingRequest.scaleOut(C, -1)
                            : ScalingRequest.offline(C, offline.get(0));                    // already offline
                    case 3 -> ScalingRequest.scaleIn(C, before.replicas() + 1);             // more than live
                    default -> new ScalingRequest(C, null,
                            new ScaleOut(null, List.of(new TemplateChange("nope", 1)), List.of()), null);
                };
            }
        }
        ComponentShape snapshot = new ComponentShape(before.replicas(), before.templates(), before.offlineInstances());
        PlanResult result = ScalingPlanner.plan(K, C, before, LIMITS, request);
        String ctx = where + " before=" + before + " request=" + request;
        assertEquals(snapshot, before, "planner must not change its input; " + ctx);
        assertEquals(result, ScalingPlanner.plan(K, C, before, LIMITS, request), "not deterministic; " + ctx);
        if (mustFail) {
            assertFalse(result.isValid(), "invalid request accepted; " + ctx + " plan=" + result.plan());
        }
        if (!result.isValid()) {
            rejectedOps++;
            assertNull(result.plan(), ctx);
            assertFalse(result.errors().isEmpty(), ctx);
            result.errors().forEach(e -> assertFalse(e.field().isEmpty() || e.message().isEmpty(), ctx + " " + e));
            return before; // the caller keeps the triple unchanged
        }
        validOps++;
        ScalingPlan plan = result.plan();
        checkInvariants(plan, request, live, ctx);

        // Round trip: bringing exactly the names just taken offline back restores the triple.
        if ((kind == 2 || kind == 3) && !offNames.isEmpty()) {
            PlanResult back = ScalingPlanner.plan(K, C, plan.after(), LIMITS,
                    ScalingRequest.online(C, offNames.toArray(String[]::new)));
            assertTrue(back.isValid(), "round trip rejected " + back.errors() + "; " + ctx);
            ComponentShape restored = back.plan().after();
            assertEquals(before.replicas(), restored.replicas(), "round trip replicas; " + ctx);
            assertEquals(before.templates(), restored.templates(), "round trip templates; " + ctx);
            assertEquals(Set.copyOf(before.offlineInstances()), Set.copyOf(restored.offlineInstances()),
                    "round trip offline set; " + ctx);
            assertEquals(live, names(restored), "round trip names; " + ctx);
            assertEquals(plan.podsToDelete(), back.plan().podsToCreate(), "round trip pods; " + ctx);
            roundTrips++;
        }
        return plan.after();
    }

    private static void checkInvariants(ScalingPlan plan, ScalingRequest request, List<String> liveBefore, String ctx) {
        ComponentShape after = plan.after();
        List<String> liveAfter = names(after);
        Set<String> liveSet = new HashSet<>(liveAfter);
        assertEquals(after.replicas(), liveAfter.size(), "names(after) must have replicas entries; " + ctx);
        assertEquals(liveAfter.size(), liveSet.size(), "duplicate live names; " + ctx);
        List<String> sorted = new ArrayList<>(liveAfter);
        sorted.sort(InstanceNames.ORDER);
        assertEquals(sorted, liveAfter, "names must come sorted; " + ctx);
        assertTrue(LIMITS.allows(after.replicas()), ctx);
        for (String name : after.offlineInstances()) {
            assertFalse(liveSet.contains(name), "offline name " + name + " is live; " + ctx);
        }
        // Within one template, no live ordinal equals an offline name's ordinal.
        Map<String, Set<Integer>> liveOrdinals = new HashMap<>();
        for (String name : liveAfter) {
            InstanceNames.ParsedName p = InstanceNames.parse(K, C, name, after.templateNames()).orElseThrow();
            liveOrdinals.computeIfAbsent(p.template(), t -> new HashSet<>()).add(p.ordinal());
        }
        for (String name : after.offlineInstances()) {
            InstanceNames.parse(K, C, name, after.templateNames()).ifPresent(p -> assertFalse(
                    liveOrdinals.getOrDefault(p.template(), Set.of()).contains(p.ordinal()),
                    "ordinal of offline " + name + " reused; " + ctx));
        }
        for (String on : request.scaleOut().offlineInstancesToOnline()) {
            assertTrue(liveSet.contains(on), on + " brought online but not live; " + ctx);
        }
        for (String off : request.scaleIn().onlineInstancesToOffline()) {
            assertTrue(after.offlineInstances().contains(off) && !liveSet.contains(off), off + " not offline; " + ctx);
        }
        // create/delete are exactly the difference of the two name sets.
        Set<String> rebuilt = new HashSet<>(liveBefore);
        plan.podsToDelete().forEach(rebuilt::remove);
        rebuilt.addAll(plan.podsToCreate());
        assertEquals(liveSet, rebuilt, "before − delete + create ≠ after; " + ctx);
        assertTrue(Collections.disjoint(plan.podsToCreate(), plan.podsToDelete()), ctx);
        assertTrue(after.defaultTemplateReplicas() >= 0, ctx);
        after.templates().forEach(t -> assertTrue(t.replicas() >= 0, ctx));
    }

    private static List<String> pick(Random rnd, List<String> from, int n) {
        List<String> copy = new ArrayList<>(from);
        Collections.shuffle(copy, rnd);
        return List.copyOf(copy.subList(0, Math.min(n, copy.size())));
    }

    /**
     * The §3 step-5 message must give advice that works: whenever bringing a name back alone is
     * rejected with "scale out by K", scaling out by K together with that name is accepted and
     * brings it back.
     */
    @Test
    void stepFiveAdviceAlwaysWorks() {
        java.util.regex.Pattern advice = java.util.regex.Pattern.compile("scale out by (\\d+) together with it");
        int checked = 0;
        for (int i = 0; i < 2_000; i++) {
            long seed = 0xAD71CEL + i;
            Random rnd = new Random(seed);
            int replicas = rnd.nextInt(8);
            List<String> offline = new ArrayList<>();
            for (int o = 0; o < replicas + 6; o++) {
                if (rnd.nextInt(3) == 0) {
                    offline.add(pod(o));
                }
            }
            if (offline.isEmpty()) {
                continue;
            }
            ComponentShape before = new ComponentShape(replicas, List.of(), offline);
            String name = offline.get(rnd.nextInt(offline.size()));
            PlanResult alone = ScalingPlanner.plan(K, C, before, LIMITS, ScalingRequest.online(C, name));
            String ctx = "seed=" + seed + " before=" + before + " online " + name;
            if (alone.isValid()) {
                assertTrue(names(alone.plan().after()).contains(name), ctx);
                continue;
            }
            java.util.regex.Matcher m = advice.matcher(joined(alone.errors()));
            assertTrue(m.find(), "no advice in " + alone.errors() + "; " + ctx);
            int k = Integer.parseInt(m.group(1));
            PlanResult followed = ScalingPlanner.plan(K, C, before, LIMITS, ScalingRequest.scaleOut(C, k, name));
            assertTrue(followed.isValid(), "advice 'scale out by " + k + "' rejected: " + followed.errors() + "; " + ctx);
            assertTrue(names(followed.plan().after()).contains(name), ctx);
            // ...and it is the smallest such scale-out.
            PlanResult less = ScalingPlanner.plan(K, C, before, LIMITS, ScalingRequest.scaleOut(C, k - 1, name));
            assertFalse(less.isValid(), "scale out by " + (k - 1) + " also works; " + ctx);
            checked++;
        }
        assertTrue(checked > 300, "only " + checked + " step-5 rejections exercised");
    }
}
