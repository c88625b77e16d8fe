package dev.ordinal.controller.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

class PodFactsTest {

    private static Pod waiting(String reason) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus().withPhase("Pending")
                .addNewContainerStatus().withName("c").withNewState().withNewWaiting().withReason(reason).withMessage("m")
                .endWaiting().endState().endContainerStatus().endStatus().build();
    }

    @Test
    void waitingWithoutReasonIsNotAFailure() {
        assertNull(PodFacts.failure(waiting(null)));
        assertNull(PodFacts.failure(waiting("ContainerCreating")));
    }

    @Test
    void imagePullBackOffIsPermanent() {
        assertEquals("ImagePullBackOff: m", PodFacts.failure(waiting("ImagePullBackOff")));
    }

    @Test
    void readyComesFromTheReadyCondition() {
        Pod ready = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewStatus()
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
        assertTrue(PodFacts.isReady(ready));
        assertFalse(PodFacts.isReady(waiting(null)));
    }
}
