package dev.ordinal.it;

import static dev.ordinal.it.Fixture.broker;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ordinal.devcluster.KubeletSimulator;
import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The simulated kubelet of dev mode reads annotations on a pod (README "Dev mode: make a pod fail"), so that a user can
 * try failures with {@code kubectl annotate}: each state is reported as a kubelet would, and Ordinal reports it.
 */
@QuarkusTest
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class KubeletAnnotationsTest {
    @KubeResource.Inject
    KubernetesClient client;
    Fixture f;

    @BeforeEach
    void namespace() {
        f = Fixture.fresh(client, "annotated");
    }

    private void annotate(String pod, String key, String value) {
        client.pods().inNamespace(f.ns).withName(pod).edit(p -> {
            if (value == null) {
                p.getMetadata().getAnnotations().remove(key);
            } else {
                p.getMetadata().getAnnotations().put(key, value);
            }
            return p;
        });
    }

    private String message(String cluster, String pod) {
        var broker = f.cluster(cluster).getStatus().components.get("broker");
        return broker.message == null ? "" : String.valueOf(broker.message.get("Pod/" + pod));
    }

    @Test
    void eachStateAnnotatedOnAPodIsWhatOrdinalReportsAndRemovingItHealsThePod() {
        f.runningCluster("ka", broker(3));
        annotate("ka-broker-0", KubeletSimulator.STATE_ANNOTATION, "NotReady");
        annotate("ka-broker-1", KubeletSimulator.STATE_ANNOTATION, "CrashLoopBackOff");
        annotate("ka-broker-2", KubeletSimulator.STATE_ANNOTATION, "ImagePullBackOff");
        await().atMost(Fixture.WAIT).untilAsserted(() -> {
            assertEquals("Failed", f.cluster("ka").getStatus().components.get("broker").phase, f::clusterState);
            assertTrue(message("ka", "ka-broker-0").startsWith("not Ready"), message("ka", "ka-broker-0"));
            assertTrue(message("ka", "ka-broker-1").startsWith("failed: CrashLoopBackOff (last exit: Error, code 1)"), message("ka", "ka-broker-1"));
            assertTrue(message("ka", "ka-broker-2").startsWith("failed: ImagePullBackOff"), message("ka", "ka-broker-2"));
        });
        annotate("ka-broker-2", KubeletSimulator.STATE_ANNOTATION, "Unschedulable");
        await().atMost(Fixture.WAIT).untilAsserted(() -> assertTrue(message("ka", "ka-broker-2").startsWith("not Ready: Unschedulable"),
                message("ka", "ka-broker-2")));
        for (String pod : new String[] {"ka-broker-0", "ka-broker-1", "ka-broker-2"}) {
            annotate(pod, KubeletSimulator.STATE_ANNOTATION, null);
        }
        f.awaitClusterPhase("ka", "Running");
    }

    @Test
    void aDeletionDelayKeepsADeletedPodTerminatingThatLong() {
        f.runningCluster("kd", broker(1));
        annotate("kd-broker-0", KubeletSimulator.DELETION_DELAY_ANNOTATION, "3s");
        await().atMost(Fixture.WAIT).until(() -> f.pod("kd-broker-0").getMetadata().getFinalizers().contains(KubeletSimulator.FINALIZER));
        String uid = f.pod("kd-broker-0").getMetadata().getUid();
        client.pods().inNamespace(f.ns).withName("kd-broker-0").delete();
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertNotNull(f.pod("kd-broker-0").getMetadata().getDeletionTimestamp(), "still Terminating");
            assertEquals(uid, f.pod("kd-broker-0").getMetadata().getUid());
        });
        await().atMost(Fixture.WAIT).until(() -> f.pod("kd-broker-0") != null && !uid.equals(f.pod("kd-broker-0").getMetadata().getUid()));
        f.awaitReadyPods("kd-broker-0");
    }
}
