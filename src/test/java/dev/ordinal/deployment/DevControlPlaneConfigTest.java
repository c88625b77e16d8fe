package dev.ordinal.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigValue;

/**
 * What dev mode configures when it runs the local control plane, and what it leaves alone otherwise. These are the
 * settings that keep a first dev-mode run quiet and on the same CRDs as users (issue: first-run polish).
 */
class DevControlPlaneConfigTest {

    private static Map<String, String> contributed(List<String> profiles, Map<String, String> given) {
        ConfigSourceContext context = new ConfigSourceContext() {
            @Override
            public ConfigValue getValue(String name) {
                String v = given.get(name);
                return v == null ? null : ConfigValue.builder().withName(name).withValue(v).build();
            }

            @Override
            public List<String> getProfiles() {
                return profiles;
            }

            @Override
            public Iterator<String> iterateNames() {
                return given.keySet().iterator();
            }
        };
        Map<String, String> out = new HashMap<>();
        for (ConfigSource source : new DevControlPlaneConfig().getConfigSources(context)) {
            out.putAll(source.getProperties());
        }
        return out;
    }

    @Test
    void devModePointsTheClientAtTheLocalControlPlaneWithNoDevServicesAndNoCrdApply() {
        Map<String, String> props = contributed(List.of("dev"), Map.of());
        assertEquals("https://127.0.0.1:18443", props.get("quarkus.kubernetes-client.api-server-url"));
        assertTrue(props.get("quarkus.kubernetes-client.client-cert-file")
                .endsWith(DevControlPlaneConfig.OPERATOR_CREDENTIALS + ".crt"));
        assertEquals("false", props.get("quarkus.devservices.enabled"),
                "no Dev Services: they log an ERROR on every build when nothing runs");
        assertEquals("false", props.get("quarkus.kubernetes-client.devservices.enabled"));
        assertEquals("false", props.get("quarkus.operator-sdk.crd.apply"), "dev mode installs kubernetes/crds, as users do");
    }

    @Test
    void aConfiguredClusterOrTheSwitchOffLeavesQuarkusAlone() {
        assertEquals(Map.of(), contributed(List.of("dev"), Map.of(DevControlPlaneConfig.ENABLED, "false")));
        assertEquals(Map.of(), contributed(List.of("dev"), Map.of("quarkus.kubernetes-client.api-server-url", "https://k8s:6443")));
        assertEquals(Map.of(), contributed(List.of("prod"), Map.of()), "never outside dev mode");
        assertEquals(Map.of(), contributed(List.of("test"), Map.of()));
    }

    @Test
    void theProjectsOwnConfigurationHoldsNoKeyQuarkusDoesNotKnowAndMavenAsksNothing() throws IOException {
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        // keys a Quarkus or QOSDK upgrade dropped warn "Unrecognized configuration key" on every build
        assertFalse(properties.contains("quarkus.operator-sdk.generate-csv"), "removed from QOSDK 7");
        assertTrue(properties.lines().anyMatch("quarkus.operator-sdk.crd.apply=false"::equals));
        assertFalse(properties.contains("%dev.quarkus.operator-sdk.crd.apply") || properties.contains("%test.quarkus.operator-sdk.crd.apply"),
                "no profile lets the operator apply the generated CRDs");
        assertTrue(Files.readString(Path.of(".mvn", "maven.config")).contains("-Dquarkus.analytics.disabled=true"),
                "Quarkus's analytics prompt stops a batch build");
    }
}
