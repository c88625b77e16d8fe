package dev.ordinal.bench;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Watches one resource type in every namespace, as a user's {@code kubectl get -w} would, and completes a future
 * the first time an object reaches a wanted state. Register the future before creating the object.
 */
final class OpsTracker<T extends HasMetadata> implements AutoCloseable {
    private final Map<String, CompletableFuture<T>> waiting = new ConcurrentHashMap<>();
    private final Map<String, Predicate<T>> wanted = new ConcurrentHashMap<>();
    private final SharedIndexInformer<T> informer;

    OpsTracker(KubernetesClient client, Class<T> type) {
        informer = client.resources(type).inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                check(obj);
            }

            @Override
            public void onUpdate(T oldObj, T obj) {
                check(obj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            }
        });
    }

    static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /** A future completed with the object once {@code state} holds for it (checked against the cache at once). */
    CompletableFuture<T> when(String namespace, String name, Predicate<T> state) {
        String key = key(namespace, name);
        CompletableFuture<T> f = new CompletableFuture<>();
        wanted.put(key, state);
        waiting.put(key, f);
        T cached = informer.getStore().getByKey(key);
        if (cached != null) {
            check(cached);
        }
        return f;
    }

    private void check(T obj) {
        String key = key(obj.getMetadata().getNamespace(), obj.getMetadata().getName());
        Predicate<T> state = wanted.get(key);
        if (state != null && state.test(obj)) {
            CompletableFuture<T> f = waiting.remove(key);
            wanted.remove(key);
            if (f != null) {
                f.complete(obj);
            }
        }
    }

    T cached(String namespace, String name) {
        return informer.getStore().getByKey(key(namespace, name));
    }

    static <T> Predicate<T> field(Function<T, String> getter, String value) {
        return o -> value.equals(getter.apply(o));
    }

    @Override
    public void close() {
        informer.close();
    }
}
