package dev.ordinal.manifests;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Finds fields a fabric8 model object did not recognise: fabric8 keeps them in {@code additionalProperties}
 * instead of failing, and the API server would drop them, so in a manifest they are typos
 * ({@code readinesProbe}) that silently do nothing.
 */
final class UnknownFields {
    private UnknownFields() {
    }

    static void collect(Object model, String path, List<String> out) {
        if (model == null) {
            return;
        }
        if (model instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collect(item, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (model instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collect(v, path + "." + k, out));
            return;
        }
        if (!model.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : model.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers()) || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = getter.getName();
            try {
                if (name.equals("getAdditionalProperties")) {
                    Map<?, ?> extra = (Map<?, ?>) getter.invoke(model);
                    if (extra != null) {
                        extra.keySet().forEach(k -> out.add(path + "." + k));
                    }
                } else if (name.startsWith("get") && !name.equals("getClass")) {
                    collect(getter.invoke(model), path + "." + Character.toLowerCase(name.charAt(3)) + name.substring(4), out);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(path + "." + name, e);
            }
        }
    }
}
