package dev.ordinal.observability;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import dev.ordinal.embedded.EmbeddedApiServer;
import dev.ordinal.embedded.EmbeddedApiServerResource;
import dev.ordinal.embedded.EmbeddedApiServerResource.InjectEmbeddedServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Readiness follows the API server: this class has its OWN application and embedded API server
 * ({@code restrictToAnnotatedClass}), stops that server, and restarts it before it ends, so no other test class
 * sees the outage.
 */
@QuarkusTest
@QuarkusTestResource(value = EmbeddedApiServerResource.class, restrictToAnnotatedClass = true)
class ReadinessOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @InjectEmbeddedServer
    EmbeddedApiServer server;

    @Inject
    KubernetesClient client;

    @AfterEach
    void serverIsBack() {
        if (server != null && !server.isRunning()) {
            server.restart();
        }
    }

    @Test
    void readinessGoesDownWhileTheApiServerIsUnreachableAndLivenessStaysUp() {
        Assumptions.assumeFalse(EmbeddedApiServerResource.useDevServices(), "stops the embedded API server");
        assertEquals(server.url() + "/", client.getConfiguration().getMasterUrl(), "the operator talks to this class's server");
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP")));

        server.stop();
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == '" + ApiServerReadiness.NAME + "' }.status", equalTo("DOWN")));
        JsonPath down = given().when().get("/q/health/ready").then().extract().jsonPath();
        String error = down.getString("checks.find { it.name == '" + ApiServerReadiness.NAME + "' }.data.error");
        assertTrue(error != null && !error.isBlank(), "the check says what failed: " + down.prettify());
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        server.restart();
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.status", not(hasItem("DOWN"))));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
