package dev.ordinal.controller.support;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import dev.ordinal.api.common.Condition;

/** Sets conditions the Kubernetes way: lastTransitionTime moves only when the status flips. */
public final class Conditions {
    /** The status of a condition that holds. */
    public static final String TRUE = "True";
    /** The status of a condition that does not hold. */
    public static final String FALSE = "False";

    private Conditions() {
    }

    /** {@link #set(List, String, boolean, String, String, Long, Instant)} at the time of the system clock. */
    public static List<Condition> set(List<Condition> current, String type, boolean status, String reason, String message,
            Long observedGeneration) {
        return set(current, type, status, reason, message, observedGeneration, Instant.now());
    }

    /**
     * {@code current} with the condition {@code type} set (added at the end when new); its lastTransitionTime is
     * {@code now} when the status flips or the condition is new, else kept.
     *
     * @return a new list; {@code current} (may be null) is not changed
     */
    public static List<Condition> set(List<Condition> current, String type, boolean status, String reason, String message,
            Long observedGeneration, Instant now) {
        List<Condition> out = new ArrayList<>(current == null ? List.of() : current);
        String value = status ? TRUE : FALSE;
        Condition existing = out.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
        Condition next = new Condition(type, value, reason, message);
        next.observedGeneration = observedGeneration;
        next.lastTransitionTime = existing != null && value.equals(existing.status) ? existing.lastTransitionTime : timestamp(now);
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

    /** The system clock's time as a status timestamp. */
    public static String now() {
        return timestamp(Instant.now());
    }

    /** A status timestamp: RFC 3339, whole seconds, as Kubernetes writes them ({@code 2026-12-05T17:58:26Z}). */
    public static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
