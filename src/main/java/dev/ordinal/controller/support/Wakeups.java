package dev.ordinal.controller.support;

import java.util.Collection;
import java.util.Set;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;

/**
 * An event source that holds no resources: it reconciles the primaries it is asked to wake. The OpsRequest controller
 * uses it for changes it learns of from another controller's cache ({@link SharedCaches}) and for the ops queued
 * behind one that ended.
 *
 * @param <P> the controller's primary resource
 */
public final class Wakeups<P extends HasMetadata> extends AbstractEventSource<Void, P> {

    /** @param name the event source's name (unique per controller) */
    public Wakeups(String name) {
        super(Void.class, name);
    }

    /** Queues a reconcile of each primary (a no-op before the controller has started). */
    public void wake(Collection<ResourceID> primaries) {
        var handler = getEventHandler();
        if (handler == null || !isRunning()) {
            return;
        }
        primaries.forEach(id -> handler.handleEvent(new Event(id)));
    }

    @Override
    public Set<Void> getSecondaryResources(P primary) {
        return Set.of();
    }
}
