package dev.ordinal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.ordinal.access.HttpAuthConfig;
import io.smallrye.config.WithDefault;

/**
 * {@link OrdinalConfig}: one mapping, each default written once, and docs/install.md "Configuration" is the one table
 * that lists every setting with that default.
 */
class OrdinalConfigTest {

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        OrdinalConfig c = TestConfig.defaults();
        assertEquals(Duration.ofMinutes(30), c.ops().defaultTimeout());
        assertEquals(20, c.ops().maxQueue());
        assertEquals(256, c.ops().events().buffer());
        assertEquals(Duration.ofSeconds(1), c.status().settleWindow());
        assertEquals(Duration.ofSeconds(60), c.status().podStartDeadline());
        assertEquals(Duration.ofSeconds(5), c.scaleInGuard().timeout());
        assertEquals(Duration.ofSeconds(2), c.health().apiServer().timeout());
        assertEquals(Duration.ofSeconds(2), c.health().apiServer().cache());
        assertTrue(c.leaderElection().enabled());
        assertEquals("ordinal-leader", c.leaderElection().leaseName());
        assertEquals(Optional.empty(), c.leaderElection().leaseNamespace());
        assertEquals(HttpAuthConfig.Mode.KUBERNETES, c.http().auth().events());
        assertEquals(Duration.ofSeconds(10), c.http().auth().cacheTtl());
    }

    @Test
    void aSettingIsReadUnderItsKebabCaseName() {
        OrdinalConfig c = TestConfig.with(Map.of("ordinal.ops.max-queue", "50", "ordinal.status.settle-window", "0S",
                "ordinal.http.auth.metrics", "none"));
        assertEquals(50, c.ops().maxQueue());
        assertEquals(Duration.ZERO, c.status().settleWindow());
        assertEquals(HttpAuthConfig.Mode.NONE, c.http().auth().metrics());
    }

    @Test
    void everySettingIsInTheOneTableWithItsDefault() throws IOException {
        Map<String, String> mapped = new TreeMap<>();
        properties("ordinal", OrdinalConfig.class, mapped);
        assertTrue(mapped.size() >= 17, "settings found: " + mapped);
        Map<String, String> documented = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `(ordinal\\.[a-z.-]+)` \\| (`[^`]*`|unset) \\|").matcher(Files.readString(Path.of("docs/install.md")));
        while (row.find()) {
            documented.put(row.group(1), row.group(2).replace("`", ""));
        }
        assertEquals(mapped, documented, "docs/install.md \"Configuration\" against OrdinalConfig (unset = no default)");
    }

    /** Property name → default ("unset" without one), walking the mapping's groups. */
    private static void properties(String prefix, Class<?> group, Map<String, String> out) {
        for (Method m : group.getDeclaredMethods()) {
            String name = prefix + "." + m.getName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase();
            if (m.getReturnType().isInterface() && m.getReturnType() != Optional.class) {
                properties(name, m.getReturnType(), out);
            } else {
                WithDefault d = m.getAnnotation(WithDefault.class);
                out.put(name, d == null ? "unset" : d.value());
            }
        }
    }
}
