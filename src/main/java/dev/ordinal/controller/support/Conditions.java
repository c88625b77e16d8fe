package dev.ordinal.controller.support;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.ordinal.api.common.Condition;

/** Sets conditions the Kubernetes way: lastTransitionTime moves only when the status flips. */
public final class Conditions {
    /** The status of a condition that holds. */
    public static final String TRUE = "True";
    /** The status of a condition that does not hold. */
    public static final String FALSE = "False";

    private Conditions() {
    }

    public static List<Condition> set(List<Condition> current, String type, boolean status, String reason, String message,
            Long observedGeneration) {
        List<Condition> out = new ArrayList<>(current == null ? List.of() : current);
        String value = status ? TRUE : FALSE;
        Condition existing = out.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
        Condition next = new Condition(type, value, reason, message);
        next.observedGeneration = observedGeneration;
        next.lastTransitionTime = existing != null && value.equals(existing.status) ? existing.lastTransitionTime : now();
        if (existing != null) {
            out.set(out.indexOf(existing), next);
        } else {
            out.add(next);
        }
        return out;
    }

    /** The message of the condition of this type, or null. */
    public static String messageOf(List<Condition> conditions, String type) {
        Condition c = conditions == null ? null : find(conditions, type);
        return c == null ? null : c.message;
    }

    public static Condition find(List<Condition> conditions, String type) {
        return conditions == null ? null : conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        Condition c = find(conditions, type);
        return c != null && TRUE.equals(c.status);
    }

    /** Equal ignoring lastTransitionTime, so an unchanged status is not rewritten. */
    public static boolean sameState(List<Condition> a, List<Condition> b) {
        List<Condition> x = a == null ? List.of() : a;
        List<Condition> y = b == null ? List.of() : b;
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            Condition p = x.get(i);
            Condition q = y.get(i);
            if (!Objects.equals(p.type, q.type) || !Objects.equals(p.status, q.status) || !Objects.equals(p.reason, q.reason)
                    || !Objects.equals(p.message, q.message) || !Objects.equals(p.observedGeneration, q.observedGeneration)) {
                return false;
            }
        }
        return true;
    }

    public static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
