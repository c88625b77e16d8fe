package dev.ordinal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ordinal.core.KafkaSnapshot.Partition;
import dev.ordinal.core.ScaleInGuard.Broker;
import dev.ordinal.core.ScaleInGuard.Departure;
import dev.ordinal.core.ScaleInGuard.Result;
import dev.ordinal.core.ScaleInGuard.Verdict;

/**
 * The two rules of the Kafka scale-in guard over a snapshot of Kafka (docs/scaling-rules.md §8, issue #28): a broker
 * taken offline needs every partition it hosts to keep {@code min.insync.replicas} in-sync replicas on the brokers
 * that stay; a broker removed for good needs to host nothing.
 */
class KafkaAvailabilityTest {
    private static final Broker OFF0 = new Broker("kafka-broker-0", 100, Departure.OFFLINE);
    private static final Broker OFF1 = new Broker("kafka-broker-1", 101, Departure.OFFLINE);
    private static final Broker OFF2 = new Broker("kafka-broker-2", 102, Departure.OFFLINE);
    private static final Broker GONE2 = new Broker("kafka-broker-2", 102, Departure.REMOVAL);
    private static final Set<Integer> LIVE = Set.of(100, 101, 102);

    private static Partition p(String topic, int partition, List<Integer> replicas, List<Integer> isr) {
        return new Partition(topic, partition, replicas, isr, isr.isEmpty() ? -1 : replicas.stream().filter(isr::contains).findFirst().orElse(-1));
    }

    private static KafkaSnapshot snapshot(int defaultMin, Map<String, Integer> minInsync, Partition... partitions) {
        return new KafkaSnapshot(List.of(partitions), LIVE, minInsync, defaultMin);
    }

    @Test
    void rf3WithMinInsync2LetsOneBrokerGoOfflineButNotTwo() {
        KafkaSnapshot s = snapshot(2, Map.of(), p("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102)),
                p("orders", 1, List.of(100, 101, 102), List.of(100, 101, 102)));
        Verdict one = ScaleInGuard.judge(List.of(OFF2), s);
        assertEquals(Result.SAFE, one.result());
        assertEquals("kafka-broker-2 (node 102) may go offline: each of the 2 partitions it hosts keeps at least"
                + " min.insync.replicas in-sync replicas on the brokers that stay", one.message());
        Verdict two = ScaleInGuard.judge(List.of(OFF1, OFF2), s);
        assertEquals(Result.BLOCKED, two.result(), "both departing brokers count as gone");
        assertEquals("kafka-broker-1 (node 101), kafka-broker-2 (node 102) cannot go offline yet: orders-0 would keep 1"
                + " in-sync replica (min.insync.replicas 2; ISR 100, 101, 102); orders-1 would keep 1 in-sync replica"
                + " (min.insync.replicas 2; ISR 100, 101, 102)", two.message());
    }

    @Test
    void aSingleReplicaNeverGoesOfflineEvenWithMinInsync1() {
        KafkaSnapshot s = snapshot(1, Map.of(), p("solo", 0, List.of(102), List.of(102)), p("solo", 1, List.of(101), List.of(101)));
        Verdict v = ScaleInGuard.judge(List.of(OFF2), s);
        assertEquals(Result.BLOCKED, v.result());
        assertEquals("kafka-broker-2 (node 102) cannot go offline yet: solo-0 has a single replica (node 102); only force takes it"
                + " offline", v.message(), "solo-1 lives on a broker that stays");
    }

    @Test
    void rf2WithMinInsync1KeepsOneAndGoesButNotWhenTheOtherIsOutOfSync() {
        KafkaSnapshot inSync = snapshot(1, Map.of(), p("pairs", 0, List.of(102, 100), List.of(100, 102)));
        assertEquals(Result.SAFE, ScaleInGuard.judge(List.of(OFF2), inSync).result());
        KafkaSnapshot behind = snapshot(1, Map.of(), p("pairs", 0, List.of(102, 100), List.of(102)));
        Verdict v = ScaleInGuard.judge(List.of(OFF2), behind);
        assertEquals(Result.BLOCKED, v.result());
        assertEquals("kafka-broker-2 (node 102) cannot go offline yet: pairs-0 would keep 0 in-sync replicas"
                + " (min.insync.replicas 1; ISR 102)", v.message());
    }

    @Test
    void anIsrAlreadyShrunkCountsOnlyWhatIsInSync() {
        // RF3, min 2, broker 101 fell behind: taking 102 away would leave 100 alone
        KafkaSnapshot s = snapshot(2, Map.of(), p("orders", 3, List.of(100, 101, 102), List.of(100, 102)));
        Verdict v = ScaleInGuard.judge(List.of(OFF2), s);
        assertEquals("kafka-broker-2 (node 102) cannot go offline yet: orders-3 would keep 1 in-sync replica"
                + " (min.insync.replicas 2; ISR 100, 102)", v.message());
        // the broker that fell behind may go: 100 and 102 stay in sync
        assertEquals(Result.SAFE, ScaleInGuard.judge(List.of(OFF1), s).result());
    }

    @Test
    void aTopicsOwnMinInsyncOverridesTheBrokersDefault() {
        KafkaSnapshot s = snapshot(1, Map.of("strict", 3), p("strict", 0, List.of(100, 101, 102), List.of(100, 101, 102)),
                p("loose", 0, List.of(100, 101, 102), List.of(100, 101, 102)));
        Verdict v = ScaleInGuard.judge(List.of(OFF2), s);
        assertEquals("kafka-broker-2 (node 102) cannot go offline yet: strict-0 would keep 2 in-sync replicas"
                + " (min.insync.replicas 3; ISR 100, 101, 102)", v.message(), "loose-0 uses the default 1 and may go");
        assertEquals(3, s.minInsyncOf("strict"));
        assertEquals(1, s.minInsyncOf("loose"));
    }

    @Test
    void unknownBrokerIdsHostNothingAndDeadIsrMembersDoNotCount() {
        Broker unknown = new Broker("kafka-broker-9", 109, Departure.OFFLINE);
        KafkaSnapshot s = snapshot(2, Map.of(), p("orders", 0, List.of(100, 101, 102), List.of(100, 101, 102)));
        Verdict v = ScaleInGuard.judge(List.of(unknown), s);
        assertEquals(Result.SAFE, v.result());
        assertEquals("kafka-broker-9 (node 109) hosts no partition replicas", v.message());
        // node 105 is in the ISR as reported but is not a live broker: it keeps nothing available
        KafkaSnapshot ghost = new KafkaSnapshot(List.of(new Partition("orders", 0, List.of(102, 100, 105), List.of(102, 100, 105), 102)),
                LIVE, Map.of(), 2);
        assertEquals("kafka-broker-2 (node 102) cannot go offline yet: orders-0 would keep 1 in-sync replica"
                + " (min.insync.replicas 2; ISR 100, 102, 105)", ScaleInGuard.judge(List.of(OFF2), ghost).message());
    }

    @Test
    void theMessageIsBoundedToTheFirstPartitionsAndACount() {
        List<Partition> many = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            many.add(p("orders", i, List.of(102, 100), List.of(102)));
        }
        KafkaSnapshot s = new KafkaSnapshot(many, LIVE, Map.of(), 1);
        String m = ScaleInGuard.judge(List.of(OFF2), s).message();
        assertEquals("kafka-broker-2 (node 102) cannot go offline yet: orders-0 would keep 0 in-sync replicas (min.insync.replicas 1;"
                + " ISR 102); orders-1 would keep 0 in-sync replicas (min.insync.replicas 1; ISR 102); orders-2 would keep 0 in-sync"
                + " replicas (min.insync.replicas 1; ISR 102); orders-3 would keep 0 in-sync replicas (min.insync.replicas 1; ISR 102);"
                + " orders-4 would keep 0 in-sync replicas (min.insync.replicas 1; ISR 102); and 3 more partitions", m);
    }

    @Test
    void aBrokerRemovedForGoodKeepsTheRuleThatItMustHostNothing() {
        KafkaSnapshot s = snapshot(2, Map.of(), p("orders", 0, List.of(102, 100, 101), List.of(100, 101, 102)));
        Verdict removal = ScaleInGuard.judge(List.of(GONE2), s);
        assertEquals(Result.BLOCKED, removal.result(), "available without it, but its replica would be lost for good");
        assertEquals("kafka-broker-2 (node 102) still hosts 1 replica: orders-0", removal.message());
        assertEquals(Result.SAFE, ScaleInGuard.judge(List.of(OFF2), s).result(), "the same broker may go offline");
        KafkaSnapshot empty = snapshot(2, Map.of(), p("orders", 0, List.of(100, 101), List.of(100, 101)));
        assertEquals(new Verdict(Result.SAFE, "kafka-broker-2 (node 102) hosts no partition replicas"),
                ScaleInGuard.judge(List.of(GONE2), empty));
    }

    @Test
    void oneOpsThatRemovesOneBrokerAndTakesAnotherOfflineMeetsBothRules() {
        KafkaSnapshot s = snapshot(2, Map.of(), p("orders", 0, List.of(100, 101, 102), List.of(100, 101, 102)),
                p("orders", 1, List.of(100, 101), List.of(100, 101)));
        Broker gone1 = new Broker("kafka-broker-1", 101, Departure.REMOVAL);
        Verdict v = ScaleInGuard.judge(List.of(gone1, OFF2), s);
        assertEquals(Result.BLOCKED, v.result());
        assertEquals("kafka-broker-1 (node 101) still hosts 2 replicas: orders-0, orders-1; kafka-broker-2 (node 102) cannot go"
                + " offline yet: orders-0 would keep 1 in-sync replica (min.insync.replicas 2; ISR 100, 101, 102)", v.message(),
                "the removed broker counts as gone for the offline one's partitions");
        Verdict offlineOnly = ScaleInGuard.judge(List.of(OFF0), snapshot(1, Map.of(), p("orders", 0, List.of(100, 101), List.of(100, 101))));
        assertEquals(Result.SAFE, offlineOnly.result());
        assertThrows(IllegalArgumentException.class, () -> ScaleInGuard.judge(List.of(), s));
        assertThrows(IllegalArgumentException.class, () -> new KafkaSnapshot(List.of(), LIVE, Map.of(), 0));
    }
}
