package dev.ordinal.embedded;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests the embedded API server answered, by verb, resource (plural, {@code pods/status} for the
 * subresource) and field manager. Thread-safe; tests and benchmarks take {@link #snapshot()}s and {@link #reset()}.
 */
public final class RequestCounter {

    public enum Verb {
        GET, LIST, WATCH, CREATE, UPDATE, PATCH, APPLY, DELETE, OTHER
    }

    /** One counted request kind. {@code manager} is "" when the request named none. */
    public record Key(Verb verb, String resource, String manager) {
    }

    private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

    public void record(Verb verb, String resource, String manager) {
        counts.computeIfAbsent(new Key(verb, resource == null ? "" : resource, manager == null ? "" : manager),
                k -> new LongAdder()).increment();
    }

    /** An immutable copy of the counts so far. */
    public Snapshot snapshot() {
        Map<Key, Long> copy = new java.util.HashMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return new Snapshot(Map.copyOf(copy));
    }

    public void reset() {
        counts.clear();
    }

    /** Counts at one moment; all query methods treat a null argument as "any". */
    public record Snapshot(Map<Key, Long> counts) {

        public long count(Verb verb, String resource, String manager) {
            long sum = 0;
            for (Map.Entry<Key, Long> e : counts.entrySet()) {
                Key k = e.getKey();
                if ((verb == null || k.verb() == verb) && (resource == null || k.resource().equals(resource))
                        && (manager == null || k.manager().equals(manager))) {
                    sum += e.getValue();
                }
            }
            return sum;
        }

        public long count(Verb verb, String resource) {
            return count(verb, resource, null);
        }

        public long count(Verb verb) {
            return count(verb, null, null);
        }

        public long total() {
            return count(null, null, null);
        }

        /** Writes (CREATE, UPDATE, PATCH, APPLY, DELETE) on a resource. */
        public long writes(String resource) {
            return count(Verb.CREATE, resource) + count(Verb.UPDATE, resource) + count(Verb.PATCH, resource)
                    + count(Verb.APPLY, resource) + count(Verb.DELETE, resource);
        }

        /** This snapshot minus an earlier one. */
        public Snapshot minus(Snapshot earlier) {
            Map<Key, Long> diff = new java.util.HashMap<>();
            counts.forEach((k, v) -> {
                long d = v - earlier.counts().getOrDefault(k, 0L);
                if (d != 0) {
                    diff.put(k, d);
                }
            });
            return new Snapshot(Map.copyOf(diff));
        }

        @Override
        public String toString() {
            Map<String, Long> sorted = new TreeMap<>();
            counts.forEach((k, v) -> sorted.put(k.verb() + " " + k.resource()
                    + (k.manager().isEmpty() ? "" : " [" + k.manager() + "]"), v));
            return sorted.toString();
        }
    }
}
