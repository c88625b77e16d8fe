package dev.ordinal.observability;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The documented off switch for clusters that scrape through a NetworkPolicy instead of a token
 * ({@code ordinal.http.auth.metrics=none}): /q/metrics answers without a token while the ops event stream still
 * asks for one. And the dev profile opens both, on a server that listens on localhost only.
 */
@QuarkusTest
@TestProfile(AuthSwitchesTest.MetricsWithoutToken.class)
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class AuthSwitchesTest {

    /** The application with {@code ordinal.http.auth.metrics=none}. */
    public static class MetricsWithoutToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ordinal.http.auth.metrics", "none");
        }
    }

    @Test
    void metricsNoneOpensTheMetricsAndNothingElse() {
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("ordinal_ops_events_subscribers"));
        given().when().get("/ordinal/ops/events").then().statusCode(401).header("WWW-Authenticate", "Bearer");
        given().header("Authorization", "Bearer not-a-token").when().get("/ordinal/ops/events").then().statusCode(401);
    }

    @Test
    void devModeOpensBothAndListensOnLocalhost() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        assertEquals("kubernetes", p.getProperty("ordinal.http.auth.events"), "production and tests: on");
        assertEquals("kubernetes", p.getProperty("ordinal.http.auth.metrics"));
        assertEquals("none", p.getProperty("%dev.ordinal.http.auth.events"));
        assertEquals("none", p.getProperty("%dev.ordinal.http.auth.metrics"));
        // Quarkus binds dev mode to localhost unless told otherwise: nobody else reaches the open port.
        assertFalse(p.stringPropertyNames().stream().anyMatch(k -> k.endsWith("quarkus.http.host")),
                "an explicit quarkus.http.host would open dev mode's unauthenticated stream to the network");
    }
}
