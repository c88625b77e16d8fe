package dev.ordinal.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** {@link KafkaReplicas} once the operator stops or reloads: no Admin client is opened or used any more. */
class KafkaReplicasTest {
    @Test
    void aCheckAfterTheClientsWereClosedAnswersThatTheOperatorStopsAndOpensNoClient() {
        KafkaReplicas replicas = new KafkaReplicas(Duration.ofSeconds(5));
        replicas.closeAll();
        long start = System.nanoTime();
        var e = assertThrows(KafkaReplicas.KafkaUnavailable.class, () -> replicas.hostedBy("127.0.0.1:1", Set.of(1)));
        assertEquals("the operator is stopping", e.getMessage(), "never: The AdminClient thread has exited");
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(1)) < 0, "nothing was asked of Kafka");
    }
}
