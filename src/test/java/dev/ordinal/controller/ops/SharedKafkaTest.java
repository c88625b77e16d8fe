package dev.ordinal.controller.ops;

import static dev.ordinal.controller.ops.OpsFixtures.cluster;
import static dev.ordinal.controller.ops.OpsFixtures.offline;
import static dev.ordinal.controller.ops.OpsFixtures.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.cluster.ScaleInGuardSpec;
import dev.ordinal.api.ops.HorizontalScaling;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.core.KafkaSnapshot;
import dev.ordinal.core.KafkaSnapshot.Partition;
import dev.ordinal.core.LeaderMoves;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScalingPlan;

/**
 * Two components that are node pools of one Kafka (the same {@code bootstrapServers}) are judged, and have leadership
 * moved, together (review of #28): judged one at a time, taking one broker of each offline in one ops looked safe twice
 * while together they leave partitions under {@code min.insync.replicas}.
 */
class SharedKafkaTest {

    private static ScaleInGuardSpec guard(String bootstrap, int offset) {
        ScaleInGuardSpec g = new ScaleInGuardSpec();
        g.kafka = new ScaleInGuardSpec.KafkaScaleInGuard(bootstrap, offset);
        return g;
    }

    /** Pools "broker" (nodes 100..102) and "pool-b" (nodes 200..202) of one Kafka, and "other" of another Kafka. */
    private static Cluster pools() {
        Cluster c = cluster(3, "Running");
        c.getSpec().componentSpecs.get(0).scaleInGuard = guard("k:9092", 100);
        List<ComponentSpec> components = new ArrayList<>(c.getSpec().componentSpecs);
        for (String[] extra : new String[][] {{"pool-b", "k:9092", "200"}, {"other", "elsewhere:9092", "100"}}) {
            ComponentSpec spec = new ComponentSpec();
            spec.name = extra[0];
            spec.replicas = 3;
            spec.offlineInstances = List.of();
            spec.scaleInGuard = guard(extra[1], Integer.parseInt(extra[2]));
            components.add(spec);
            var status = new dev.ordinal.api.cluster.ClusterStatus.ComponentStatus();
            status.phase = "Running";
            status.replicas = 3;
            status.readyReplicas = 3;
            c.getStatus().components.put(extra[0], status);
        }
        c.getSpec().componentSpecs = components;
        return c;
    }

    private static HorizontalScaling offlineOf(String component, String pod) {
        HorizontalScaling h = offline(pod);
        h.componentName = component;
        return h;
    }

    @Test
    void brokersOfTwoPoolsOfOneKafkaAreJudgedTogetherAndAnotherKafkasAreNot() {
        Cluster c = pools();
        OpsRequest ops = ops("two-pools", offlineOf("broker", "kafka-broker-2"));
        ops.getSpec().horizontalScaling = List.of(offlineOf("broker", "kafka-broker-2"), offlineOf("pool-b", "kafka-pool-b-1"),
                offlineOf("other", "kafka-other-0"));
        var validation = dev.ordinal.core.OpsValidation.validate("kafka", OpsView.live(c), OpsView.typeOf(ops), OpsView.requests(ops));
        assertEquals(true, validation.isValid(), validation.summary());
        Map<String, ScalingPlan> plans = validation.plans();

        assertEquals(Set.of(102, 201), ScaleInGuard.nodeIds(ScaleInGuardGate.departingFromSameKafka(c, plans, "broker")));
        assertEquals("kafka-pool-b-1", ScaleInGuardGate.departingFromSameKafka(c, plans, "pool-b").get(0).pod(),
                "the component's own brokers first");
        assertEquals(Set.of(100), ScaleInGuard.nodeIds(ScaleInGuardGate.departingFromSameKafka(c, plans, "other")),
                "another Kafka's brokers are its own business");

        // RF 3, min.insync.replicas 2: one broker of each pool away leaves orders-0 a single in-sync replica
        KafkaSnapshot kafka = new KafkaSnapshot(List.of(new Partition("orders", 0, List.of(102, 201, 100), List.of(102, 201, 100), 102)),
                Set.of(100, 101, 102, 200, 201, 202), Map.of(), 2);
        assertEquals(ScaleInGuard.Result.SAFE, ScaleInGuard.judge(ScaleInGuard.departing(plans.get("broker"), 100), kafka).result(),
                "alone, each looks safe");
        assertEquals(ScaleInGuard.Result.BLOCKED, ScaleInGuard.judge(ScaleInGuardGate.departingFromSameKafka(c, plans, "broker"), kafka)
                .result());
    }

    @Test
    void leadershipIsNotHandedToABrokerAnotherPoolTakesOfflineInTheSameOps() {
        KafkaSnapshot kafka = new KafkaSnapshot(List.of(new Partition("orders", 0, List.of(102, 201, 100), List.of(102, 201, 100), 102)),
                Set.of(100, 101, 102, 200, 201, 202), Map.of(), 1);
        assertEquals(List.of(201, 102, 100), LeaderMoves.away(Set.of(102), kafka).get(0).reordered(), "alone, 201 would lead");
        assertEquals(List.of(100, 102, 201), LeaderMoves.away(Set.of(102), Set.of(201), kafka).get(0).reordered());
        assertEquals(Set.of(), LeaderMoves.awayStep(Set.of(201), Set.of(102), kafka).elect(),
                "201 leads nothing; orders-0 is pool broker's partition, moved by its own step");
    }

    @Test
    void aDrainNeverTargetsABrokerAnotherPoolTakesOfflineInTheSameOps() {
        Cluster c = pools();
        HorizontalScaling in = new HorizontalScaling();
        in.componentName = "broker";
        in.scaleIn = new HorizontalScaling.ScaleIn();
        in.scaleIn.replicaChanges = 1;
        OpsRequest ops = ops("drain-and-offline", in);
        ops.getSpec().horizontalScaling = List.of(in, offlineOf("pool-b", "kafka-pool-b-1"));
        var validation = dev.ordinal.core.OpsValidation.validate("kafka", OpsView.live(c), OpsView.typeOf(ops), OpsView.requests(ops));
        Map<String, ScalingPlan> plans = validation.plans();
        OpsInputs inputs = new OpsInputs(ops, c, OpsFixtures.readyPods(0, 1, 2), List.of(), OpsFixtures.NO_GUARD, true, OpsFixtures.SETTINGS, null);
        List<ScaleInGuard.Broker> removed = List.of(new ScaleInGuard.Broker("kafka-broker-2", 102, ScaleInGuard.Departure.REMOVAL));
        assertEquals(Set.of(201), KafkaDrainSteps.leavingToo(inputs, plans, plans.get("broker"), removed));
    }
}
