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

    private record Rule(Verb verb, String resource, int status, AtomicInteger skip, AtomicInteger remaining) {
        boolean matches(Verb v, String r) {
            return (verb == null || verb == v) && (resource == null || resource.equals(r));
        }
    }

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong injected = new java.util.concurrent.atomic.AtomicLong();

    /** The next {@code times} requests matching verb and resource answer {@code status}. */
    public void failNext(Verb verb, String resource, int times, int status) {
        failAfter(verb, resource, 0, times, status);
    }

    /**
     * Lets the next {@code skip} matching requests through, then makes the {@code times} after them answer
     * {@code status}: "the second status write fails" holds an operator between two steps of its runbook.
     */
    public void failAfter(Verb verb, String resource, int skip, int times, int status) {
        rules.add(new Rule(verb, resource, status, new AtomicInteger(skip), new AtomicInteger(times)));
    }

    /** Shorthand: 409 Conflict for the next {@code times} matching requests. */
    public void conflictNext(Verb verb, String resource, int times) {
        failNext(verb, resource, times, 409);
    }

    /**
     * Shorthand: 410 Gone for the next {@code times} matching requests, as an API server answers a watch or list
     * from a resourceVersion it has compacted away; informers must relist. A watch is answered the way a real
     * server does it: the stream opens and carries one ERROR event with the 410 Status.
     */
    public void goneNext(Verb verb, String resource, int times) {
        failNext(verb, resource, times, 410);
    }

    /** How many requests were answered with an injected fault since this server started. */
    public long injected() {
        return injected.get();
    }

    /** Rules not yet used up (for tests that check a fault really fired). */
    public int pending() {
        return rules.stream().mapToInt(r -> Math.max(0, r.remaining().get())).sum();
    }

    /** The status to answer, or 0 to let the request through; consumes one from the first matching rule. */
    public int take(Verb verb, String resource) {
        for (Rule r : rules) {
            if (r.matches(verb, resource)) {
                if (r.skip().getAndDecrement() > 0) {
                    return 0;
                }
                int left = r.remaining().getAndDecrement();
                if (left > 0) {
                    if (left == 1) {
                        rules.remove(r);
                    }
                    injected.incrementAndGet();
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
