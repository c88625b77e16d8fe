package dev.ordinal.config;

import java.time.Duration;
import java.util.Map;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

/** {@link OrdinalConfig} outside Quarkus, for tests that build the operator's beans by hand: its defaults, or some overridden. */
public final class TestConfig {
    private TestConfig() {
    }

    /** The mapping with nothing configured: every default as the operator has it. */
    public static OrdinalConfig defaults() {
        return with(Map.of());
    }

    /**
     * @param values property name → value, e.g. {@code ordinal.ops.max-queue → 50}; durations as Quarkus reads them ({@code 30M})
     */
    public static OrdinalConfig with(Map<String, String> values) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().withMapping(OrdinalConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter());
        values.forEach(builder::withDefaultValue);
        return builder.build().getConfigMapping(OrdinalConfig.class);
    }
}
