package dev.ordinal.embedded;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * In the dev profile, unless {@code ordinal.embedded.enabled=false} or an API server URL is configured, points the
 * Quarkus Kubernetes client at the embedded API server (started by {@link EmbeddedDevServer} before the operator)
 * and turns Dev Services for Kubernetes off. In every other case it contributes nothing, so Dev Services and the
 * client behave as Quarkus ships them.
 */
public class EmbeddedDevConfigSourceFactory implements ConfigSourceFactory {

    public static final String ENABLED = "ordinal.embedded.enabled";
    public static final String PORT = "ordinal.embedded.port";
    public static final String ACTIVE = "ordinal.embedded.active";
    public static final int DEFAULT_PORT = 18443;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<String> profiles = context.getProfiles();
        if (profiles == null || !profiles.contains("dev")) {
            return Collections.emptyList();
        }
        String enabled = value(context, ENABLED, "true");
        String explicitUrl = value(context, "quarkus.kubernetes-client.api-server-url", null);
        if (!Boolean.parseBoolean(enabled) || (explicitUrl != null && !explicitUrl.isBlank())) {
            return Collections.emptyList();
        }
        int port = Integer.parseInt(value(context, PORT, String.valueOf(DEFAULT_PORT)));
        Map<String, String> props = new HashMap<>();
        props.put(ACTIVE, "true");
        props.put("quarkus.kubernetes-client.api-server-url", "http://127.0.0.1:" + port);
        props.put("quarkus.kubernetes-client.trust-certs", "true");
        props.put("quarkus.kubernetes-client.namespace", "default");
        props.put("quarkus.kubernetes-client.devservices.enabled", "false");
        return List.of(new PropertiesConfigSource(props, "ordinal-embedded-dev", 275));
    }

    private static String value(ConfigSourceContext context, String name, String defaultValue) {
        for (String key : new String[] { name, "%dev." + name }) {
            ConfigValue v = context.getValue(key);
            if (v != null && v.getValue() != null) {
                return v.getValue();
            }
        }
        return defaultValue;
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(275);
    }
}
