package dev.ordinal.controller.support;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Whether Kafka answered the scale-in guard the last time it was asked, per guarded component (docs/scaling-rules.md
 * §8): the OpsRequest controller reports each verdict, and the Cluster controller writes the components Kafka gave no
 * answer for into the Cluster's condition {@code ScaleInGuard}, so that the Cluster says so too, not only the ops that
 * waits. In memory: a restarted operator knows again at the next question.
 */
@Singleton
public class GuardAnswers {
    /** namespace/cluster → component → why Kafka gave no answer. */
    private final Map<ResourceID, Map<String, String>> unanswered = new ConcurrentHashMap<>();
    /** Clusters whose guard was asked at least once since the operator started. */
    private final Map<ResourceID, Boolean> asked = new ConcurrentHashMap<>();
    private final List<Consumer<ResourceID>> listeners = new CopyOnWriteArrayList<>();

    /**
     * The guard of {@code component} asked Kafka; {@code noAnswer} is why Kafka gave none, or null when it answered.
     * The Cluster's controller is told when that changes what the Cluster should say.
     */
    public void asked(String namespace, String cluster, String component, String noAnswer) {
        ResourceID id = new ResourceID(cluster, namespace);
        boolean first = asked.put(id, Boolean.TRUE) == null;
        Map<String, String> components = unanswered.computeIfAbsent(id, k -> new ConcurrentHashMap<>());
        String before = noAnswer == null ? components.remove(component) : components.put(component, noAnswer);
        if (first || (noAnswer == null ? before != null : !noAnswer.equals(before))) {
            listeners.forEach(l -> l.accept(id));
        }
    }

    /**
     * The guarded components of a Cluster Kafka gave no answer for, by name; empty when it answered every time; null
     * when no guard of that Cluster was asked since the operator started.
     */
    public Map<String, String> unanswered(String namespace, String cluster) {
        ResourceID id = new ResourceID(cluster, namespace);
        if (!asked.containsKey(id)) {
            return null;
        }
        return new TreeMap<>(unanswered.getOrDefault(id, Map.of()));
    }

    /** Forgets a Cluster that is being deleted. */
    public void forget(String namespace, String cluster) {
        ResourceID id = new ResourceID(cluster, namespace);
        asked.remove(id);
        unanswered.remove(id);
    }

    /** Calls {@code listener} with each Cluster whose guard answers changed. */
    public void onChange(Consumer<ResourceID> listener) {
        listeners.add(listener);
    }
}
