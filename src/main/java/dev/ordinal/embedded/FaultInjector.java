package dev.ordinal.embedded;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ordinal.embedded.RequestCounter.Verb;

/**
 * Makes the next N requests that match (verb, resource) fail with a given HTTP status (409 or 500 typically)
 * before they reach the store. A null verb or resource matches any.
 */
public final class FaultInjector {

    private record Rule(Verb verb, String resource, int status, AtomicInteger remaining) {
        boolean matches(Verb v, String r) {
            return (verb == null || verb == v) && (resource == null || resource.equals(r));
        }
    }

    private final List<Rule> rules = new CopyOnWriteArrayList<>();

    /** The next {@code times} requests matching verb and resource answer {@code status}. */
    public void failNext(Verb verb, String resource, int times, int status) {
        rules.add(new Rule(verb, resource, status, new AtomicInteger(times)));
    }

    /** Shorthand: 409 Conflict for the next {@code times} matching requests. */
    public void conflictNext(Verb verb, String resource, int times) {
        failNext(verb, resource, times, 409);
    }

    /** The status to answer, or 0 to let the request through; consumes one from the first matching rule. */
    public int take(Verb verb, String resource) {
        for (Rule r : rules) {
            if (r.matches(verb, resource)) {
                int left = r.remaining().getAndDecrement();
                if (left > 0) {
                    if (left == 1) {
                        rules.remove(r);
                    }
                    return r.status();
                }
                rules.remove(r);
            }
        }
        return 0;
    }

    public void clear() {
        rules.clear();
    }
}
