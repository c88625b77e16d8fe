package dev.ordinal.foundation;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.ordinal.embedded.EmbeddedApiServer;
import dev.ordinal.embedded.EmbeddedApiServerResource;
import dev.ordinal.embedded.EmbeddedApiServerResource.InjectEmbeddedServer;
import dev.ordinal.embedded.RequestCounter;
import dev.ordinal.embedded.RequestCounter.Verb;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = EmbeddedApiServerResource.class, restrictToAnnotatedClass = true)
class OperatorStartsTest {

    @Inject
    KubernetesClient client;

    @Test
    void crdsAreAppliedOnStart() {
        for (String name : new String[] { "clusters.apps.ordinal.dev", "instancesets.workloads.ordinal.dev",
                "opsrequests.operations.ordinal.dev" }) {
            CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
            assertNotNull(crd, name + " should be applied at start-up");
        }
    }

    @InjectEmbeddedServer
    EmbeddedApiServer server;

    @Test
    void operatorWatchesItsResourcesThroughTheEmbeddedServer() {
        assertNotNull(server, "the test resource injects the server");
        RequestCounter.Snapshot counts = server.counter().snapshot();
        for (String plural : new String[] { "clusters", "instancesets", "opsrequests" }) {
            assertTrue(counts.count(Verb.WATCH, plural) >= 1, plural + " watched: " + counts);
        }
    }

    @Test
    void readinessIsUp() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsExposeReconciliationMeters() {
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("reconciliations_"));
    }
}
