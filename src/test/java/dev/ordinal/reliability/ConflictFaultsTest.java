package dev.ordinal.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.ordinal.devcluster.AuditLog.Snapshot;
import dev.ordinal.devcluster.AuditLog.Verb;
import dev.ordinal.testkube.RequiresControlPlane;

/**
 * 409 Conflict on the first N writes of each kind Ordinal makes: the Cluster apply (field manager ordinal-ops), the
 * OpsRequest status apply, and pod creation. Every ops still ends Succeed, each with exactly one effective Cluster
 * change, and every pod is created exactly once.
 */
@RequiresControlPlane
class ConflictFaultsTest {
    private Rig rig;

    @BeforeEach
    void start() {
        rig = Rig.start("conflict");
        rig.startOrdinal();
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of(Verb.APPLY, "clusters", 1),
                Arguments.of(Verb.APPLY, "clusters", 3),
                Arguments.of(Verb.APPLY, "clusters", 8), // more than the in-reconcile retries: the reconcile is retried
                Arguments.of(Verb.APPLY, "opsrequests/status", 1),
                Arguments.of(Verb.APPLY, "opsrequests/status", 3),
                Arguments.of(Verb.CREATE, "pods", 1),
                Arguments.of(Verb.CREATE, "pods", 3));
    }

    @ParameterizedTest(name = "409 on the first {2} {0} {1}")
    @MethodSource("faults")
    void everyOpsSucceedsWithOneClusterChangeAndNoPodCreatedTwice(Verb verb, String resource, int times) {
        rig.runningCluster("kafka", 3);
        long before = rig.auditMark();
        long injectedBefore = rig.proxy.injected();

        runOps("offline-1", 1, List.of(0, 2), verb, resource, times, Rig.offline("kafka-broker-1"));
        runOps("online-1", 2, List.of(0, 1, 2), verb, resource, times, Rig.online("kafka-broker-1"));
        runOps("out-2", 3, List.of(0, 1, 2, 3, 4), verb, resource, times, Rig.scaleOut(2));

        Snapshot during = rig.operatorRequestsSince(before);
        long injected = rig.proxy.injected() - injectedBefore;
        boolean podFaults = verb == Verb.CREATE && resource.equals("pods");
        // the offline ops creates no pod, so pod-create faults fire in two ops out of three
        assertEquals((podFaults ? 2L : 3L) * times, injected, "every planned fault was answered");
        // the refused creates never reached the API server: its audit log shows only the creates that happened
        long podCreates = during.count(Verb.CREATE, "pods");
        assertEquals(3, podCreates, "kafka-broker-1 (again), -3 and -4 were each created once: " + during);
    }

    private void runOps(String name, long changeNumber, List<Integer> ordinals, Verb verb, String resource, int times,
            dev.ordinal.api.ops.HorizontalScaling entry) {
        long generation = rig.generation("kafka");
        rig.proxy.conflictNext(verb, resource, times);
        rig.createOps(name, "kafka", entry);
        rig.awaitOps(name, "Succeed");
        rig.awaitReadyPods(Rig.names("kafka", ordinals.stream().mapToInt(Integer::intValue).toArray()));
        rig.proxy.clear(); // faults the ops never reached do not leak into the next one
        assertEquals(generation + 1, rig.generation("kafka"), name + ": exactly one effective Cluster change");
    }
}
