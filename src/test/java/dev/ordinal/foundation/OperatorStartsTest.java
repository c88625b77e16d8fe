package dev.ordinal.foundation;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.devcluster.AuditLog.Verb;
import dev.ordinal.testkube.ProjectControlPlaneOnly;
import dev.ordinal.testkube.HttpCallers;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@ProjectControlPlaneOnly("reads the API server's audit log")
@QuarkusTestResource(value = KubeResource.class, restrictToAnnotatedClass = true)
@RequiresControlPlane
class OperatorStartsTest {

    /** The test's own client (an administrator), not the operator's. */
    @KubeResource.Inject
    KubernetesClient client;

    /** The committed CRDs (kubernetes/crds, what users install) are installed on the real API server. */
    @Test
    void crdsAreInstalled() {
        for (String name : new String[] { "clusters.apps.ordinal.dev", "instancesets.workloads.ordinal.dev",
                "opsrequests.operations.ordinal.dev" }) {
            CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().withName(name).get();
            assertNotNull(crd, name + " should be installed");
        }
    }

    @KubeResource.Inject
    TestKube kube;

    /** The API server's audit log shows the operator's own identity watching each of its resources. */
    @Test
    void operatorWatchesItsResourcesOnTheRealApiServer() {
        assertNotNull(kube, "the test resource injects the control plane");
        AuditLog.Snapshot counts = kube.auditLog().snapshot().byUser(TestKube.OPERATOR_USER);
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
        given().header("Authorization", HttpCallers.reader(client).authorization()).when().get("/q/metrics")
                .then().statusCode(200).body(containsString("reconciliations_"));
    }
}
