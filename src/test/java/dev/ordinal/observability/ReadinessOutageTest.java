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

import dev.ordinal.testkube.ProjectControlPlaneOnly;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Readiness follows the API server: this class stops the real kube-apiserver process (etcd keeps the data) and
 * starts it again before it ends; its application is its own ({@code restrictToAnnotatedClass}) and talks to the
 * server directly (no proxy), so what it sees is the real outage.
 */
@QuarkusTest
@ProjectControlPlaneOnly("stops and restarts the kube-apiserver")
@QuarkusTestResource(value = KubeResource.class, restrictToAnnotatedClass = true, initArgs = @ResourceArg(name = "proxy", value = "false"))
@RequiresControlPlane
class ReadinessOutageTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @KubeResource.Inject
    TestKube kube;
    private boolean stopped;

    @Inject
    KubernetesClient client;

    @AfterEach
    void serverIsBack() {
        if (stopped) {
            kube.restartApiServer();
            stopped = false;
        }
    }

    @Test
    void readinessGoesDownWhileTheApiServerIsUnreachableAndLivenessStaysUp() {
        Assumptions.assumeFalse(KubeResource.useDevServices(), "stops the test control plane's API server");
        assertEquals(kube.url() + "/", client.getConfiguration().getMasterUrl(), "the operator talks to the real server");
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP")));

        kube.stopApiServer();
        stopped = true;
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == '" + ApiServerReadiness.NAME + "' }.status", equalTo("DOWN")));
        JsonPath down = given().when().get("/q/health/ready").then().extract().jsonPath();
        String error = down.getString("checks.find { it.name == '" + ApiServerReadiness.NAME + "' }.data.error");
        assertTrue(error != null && !error.isBlank(), "the check says what failed: " + down.prettify());
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        kube.restartApiServer();
        stopped = false;
        await().atMost(WAIT).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.status", not(hasItem("DOWN"))));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
