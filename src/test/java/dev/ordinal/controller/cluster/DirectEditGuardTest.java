package dev.ordinal.controller.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ClusterSpec;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.cluster.ScaleInGuardSpec;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetSpec;
import dev.ordinal.core.ScaleInGuard.Result;
import dev.ordinal.kafka.KafkaReplicas;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * When a direct edit of a guarded component is asked about (docs/scaling-rules.md §8 "Paths covered"), without a
 * Kafka that answers: the Kafka rules themselves are {@code KafkaAvailabilityTest}'s, the held edit on a real Kafka is
 * {@code KafkaScaleInGuardTest}'s.
 */
class DirectEditGuardTest {
    /** Nothing listens there: Kafka gives no answer. */
    private final DirectEditGuard guard = new DirectEditGuard(new KafkaReplicas(Duration.ofSeconds(1)),
            dev.ordinal.controller.support.KafkaTargets.withoutSecrets());

    private static Cluster cluster(boolean guarded, int replicas, String... offline) {
        Cluster c = new Cluster();
        c.setMetadata(new ObjectMetaBuilder().withName("kafka").withNamespace("ns").build());
        c.setSpec(new ClusterSpec());
        ComponentSpec broker = new ComponentSpec();
        broker.name = "broker";
        broker.replicas = replicas;
        broker.offlineInstances = new ArrayList<>(List.of(offline));
        if (guarded) {
            broker.scaleInGuard = new ScaleInGuardSpec();
            broker.scaleInGuard.kafka = new ScaleInGuardSpec.KafkaScaleInGuard("127.0.0.1:1", 100);
        }
        c.getSpec().componentSpecs = List.of(broker);
        return c;
    }

    private static InstanceSet current(Cluster before) {
        InstanceSet set = new InstanceSet();
        set.setSpec(InstanceSetSpecs.of(before, before.getSpec().componentSpecs.get(0)));
        return set;
    }

    private static InstanceSetSpec wanted(Cluster after) {
        return InstanceSetSpecs.of(after, after.getSpec().componentSpecs.get(0));
    }

    private DirectEditGuard.Decision check(Cluster before, Cluster after) {
        return guard.check(after, after.getSpec().componentSpecs.get(0), current(before), wanted(after));
    }

    @Test
    void anUnguardedComponentAScaleOutAndAFirstRolloutAreNotAsked() {
        assertNull(((DirectEditGuard.Decision.Go) check(cluster(false, 3), cluster(false, 2, "kafka-broker-2"))).verdict());
        assertNull(((DirectEditGuard.Decision.Go) check(cluster(true, 3), cluster(true, 4))).verdict());
        Cluster after = cluster(true, 2, "kafka-broker-2");
        assertNull(((DirectEditGuard.Decision.Go) guard.check(after, after.getSpec().componentSpecs.get(0), null, wanted(after))).verdict());
    }

    @Test
    void aDirectOfflineIsHeldWhileKafkaGivesNoAnswer() {
        var hold = assertInstanceOf(DirectEditGuard.Decision.Hold.class, check(cluster(true, 3), cluster(true, 2, "kafka-broker-2")));
        assertEquals(Result.UNAVAILABLE, hold.verdict().result());
        assertTrue(hold.verdict().message().startsWith("cannot check whether kafka-broker-2 (node 102) still hosts partition replicas:"
                + " Kafka at 127.0.0.1:1 gave no answer ("), hold.verdict().message());
    }

    @Test
    void aDirectOfflineIsHeldWhileTheClientSecretIsMissingOrRefusedAndTheMessageNamesIt() {
        Map<String, Map<String, String>> secrets = new java.util.HashMap<>();
        DirectEditGuard withSecrets = new DirectEditGuard(new KafkaReplicas(Duration.ofSeconds(1)),
                new dev.ordinal.controller.support.KafkaTargets((namespace, name) -> secrets.get(namespace + "/" + name)));
        Cluster before = cluster(true, 3);
        Cluster after = cluster(true, 2, "kafka-broker-2");
        after.getSpec().componentSpecs.get(0).scaleInGuard.kafka.clientSecret = "kafka-client";
        var missing = assertInstanceOf(DirectEditGuard.Decision.Hold.class,
                withSecrets.check(after, after.getSpec().componentSpecs.get(0), current(before), wanted(after)));
        assertEquals(Result.UNAVAILABLE, missing.verdict().result());
        assertEquals("cannot check whether kafka-broker-2 (node 102) still hosts partition replicas: the Kafka client settings cannot be"
                + " used: Secret ns/kafka-client (scaleInGuard.kafka.clientSecret) does not exist; nothing is removed until they can",
                missing.verdict().message());

        secrets.put("ns/kafka-client", Map.of("security.protocol", "SSL", "ssl.truststore.location", "/etc/ssl/kafka.jks"));
        var refused = assertInstanceOf(DirectEditGuard.Decision.Hold.class,
                withSecrets.check(after, after.getSpec().componentSpecs.get(0), current(before), wanted(after)));
        assertTrue(refused.verdict().message().contains("Secret ns/kafka-client key ssl.truststore.location names a file"), refused.verdict().message());
        assertFalse(refused.verdict().message().contains("/etc/ssl"), "no value in the message");

        secrets.put("ns/kafka-client", Map.of("security.protocol", "SSL"));
        var noAnswer = assertInstanceOf(DirectEditGuard.Decision.Hold.class,
                withSecrets.check(after, after.getSpec().componentSpecs.get(0), current(before), wanted(after)));
        assertTrue(noAnswer.verdict().message().startsWith("cannot check whether kafka-broker-2 (node 102) still hosts partition replicas:"
                + " Kafka at 127.0.0.1:1 (client settings from Secret ns/kafka-client) gave no answer ("), noAnswer.verdict().message());
    }

    @Test
    void theAnnotationForcesItAndSaysSo() {
        Cluster after = cluster(true, 2);
        after.getMetadata().setAnnotations(Map.of("apps.ordinal.dev/force-scale-in", "true"));
        var go = assertInstanceOf(DirectEditGuard.Decision.Go.class, check(cluster(true, 3), after));
        assertEquals(Result.SKIPPED, go.verdict().result());
        assertEquals("annotation apps.ordinal.dev/force-scale-in=true skips the scale-in guard for a direct edit; not checked with"
                + " Kafka: kafka-broker-2 (node 102)", go.verdict().message());
    }

    @Test
    void aWriteOfTheOpsControllerWasJudgedByItsOpsAndIsNotAskedAgain() {
        Cluster after = cluster(true, 2, "kafka-broker-2");
        FieldsV1 fields = new KubernetesSerialization().unmarshal("{\"f:spec\":{\"f:componentSpecs\":{\"k:{\\\"name\\\":\\\"broker\\\"}\":"
                + "{\".\":{},\"f:name\":{},\"f:replicas\":{},\"f:offlineInstances\":{}}}}}", FieldsV1.class);
        after.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("ordinal-ops").withOperation("Apply")
                .withApiVersion("apps.ordinal.dev/v1").withFieldsType("FieldsV1").withFieldsV1(fields).build()));
        assertNull(((DirectEditGuard.Decision.Go) check(cluster(true, 3), after)).verdict());
        // a user who then takes replicas over (kubectl edit) is asked about again
        FieldsV1 replicas = new KubernetesSerialization().unmarshal("{\"f:spec\":{\"f:componentSpecs\":{\"k:{\\\"name\\\":\\\"broker\\\"}\":"
                + "{\"f:replicas\":{}}}}}", FieldsV1.class);
        Cluster edited = cluster(true, 1, "kafka-broker-2");
        edited.getMetadata().setManagedFields(List.of(new ManagedFieldsEntryBuilder().withManager("ordinal-ops").withOperation("Apply")
                .withApiVersion("apps.ordinal.dev/v1").withFieldsType("FieldsV1")
                .withFieldsV1(new KubernetesSerialization().unmarshal("{\"f:spec\":{\"f:componentSpecs\":{\"k:{\\\"name\\\":\\\"broker\\\"}\":"
                        + "{\"f:offlineInstances\":{}}}}}", FieldsV1.class)).build(),
                new ManagedFieldsEntryBuilder().withManager("kubectl-edit").withOperation("Update").withApiVersion("apps.ordinal.dev/v1")
                        .withFieldsType("FieldsV1").withFieldsV1(replicas).build()));
        assertInstanceOf(DirectEditGuard.Decision.Hold.class, check(cluster(true, 2, "kafka-broker-2"), edited));
    }
}
