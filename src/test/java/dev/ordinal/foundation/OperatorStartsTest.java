package dev.ordinal.foundation;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.ordinal.embedded.EmbeddedApiServerResource;
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

    @Test
    void readinessIsUp() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsExposeReconciliationMeters() {
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("reconciliations_"));
    }
}
