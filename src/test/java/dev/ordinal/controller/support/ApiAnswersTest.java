package dev.ordinal.controller.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/** {@link ApiAnswers}: an expected refusal is an answer (a WARN and a look again), anything else goes to JOSDK. */
class ApiAnswersTest {
    private static final Logger LOG = Logger.getLogger(ApiAnswersTest.class);
    private static final ConfigMap RESOURCE = new ConfigMapBuilder().withNewMetadata().withName("x").withNamespace("ns").endMetadata().build();

    private static KubernetesClientException answered(int code) {
        return new KubernetesClientException(new StatusBuilder().withCode(code).withMessage("pods \"x\" is forbidden").build());
    }

    @Test
    void anExpectedRefusalIsLookedAtAgainLaterAndAConflictSooner() {
        for (int code : new int[] {403, 404, 422}) {
            UpdateControl<ConfigMap> c = ApiAnswers.reconcile(LOG, "configmap", RESOURCE, () -> {
                throw new IllegalStateException("wrapped", answered(code));
            });
            assertEquals(ApiAnswers.RECHECK.toMillis(), c.getScheduleDelay().orElseThrow(), "code " + code);
        }
        UpdateControl<ConfigMap> conflict = ApiAnswers.reconcile(LOG, "configmap", RESOURCE, () -> {
            throw answered(409);
        });
        assertEquals(Duration.ofMillis(500).toMillis(), conflict.getScheduleDelay().orElseThrow());
    }

    @Test
    void anythingElseIsThrownForJosdkToRetryAndLog() {
        KubernetesClientException unavailable = answered(503);
        assertSame(unavailable, assertThrows(KubernetesClientException.class,
                () -> ApiAnswers.reconcile(LOG, "configmap", RESOURCE, () -> {
                    throw unavailable;
                })));
    }
}
