package dev.ordinal.controller.ops;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.core.KafkaSnapshot;
import dev.ordinal.core.LeaderMoves;
import dev.ordinal.core.ObservedPod;
import dev.ordinal.core.ScaleInGuard.Verdict;
import dev.ordinal.core.ScalingPlan;

/**
 * What the ops controller observed for one ops, everything {@link OpsDecider#decide} needs.
 *
 * @param ops       the OpsRequest as observed (never changed)
 * @param cluster   its Cluster (null: none, or being deleted)
 * @param pods      the pods of the Cluster by name, as the core sees them (read for a started ops only)
 * @param peers     the other ops of the same Cluster, oldest first (read for a Pending ops only)
 * @param guard     the scale-in guard, asked only when an ops is about to start or is a dry run
 * @param readFresh whether the decider may still ask for a fresh read of the Cluster ({@link OpsDecision.ReadFreshCluster})
 * @param settings  the operator's settings that the rules read
 * @param namespaceTerminating the API server's refusal to create in the ops' namespace, which is being deleted (null:
 *                  it is not known to be)
 */
record OpsInputs(OpsRequest ops, Cluster cluster, Map<String, ObservedPod> pods, List<OpsRequest> peers, Guard guard,
        boolean readFresh, Settings settings, String namespaceTerminating) {

    /**
     * The scale-in guard (docs/scaling-rules.md §8): for each component of {@code plans} that has a guard and loses
     * pods, its verdict. May block on Kafka for its timeout; never throws for Kafka's sake.
     */
    @FunctionalInterface
    interface Guard {
        Map<String, Verdict> judge(Cluster cluster, Map<String, ScalingPlan> plans, boolean force);

        /**
         * Kafka as {@code component}'s guard sees it now (a read, bounded by the guard's timeout); empty when the
         * component has no Kafka guard.
         */
        default Optional<KafkaLook> look(Cluster cluster, String component) {
            return Optional.empty();
        }

        /** Carries out a leadership step on {@code component}'s Kafka; the error in a few words, or null. */
        default String apply(Cluster cluster, String component, LeaderMoves.Step step) {
            return "no Kafka guard on component " + component;
        }

        /** Carries out a drain step on {@code component}'s Kafka (docs/kafka-drain.md); the error in a few words, or null. */
        default String drain(Cluster cluster, String component, dev.ordinal.core.KafkaDrain.Step step) {
            return "no Kafka guard on component " + component;
        }

        /** Carries out a rebalance step on {@code component}'s Kafka (docs/kafka-rebalance.md); the error in a few words, or null. */
        default String rebalance(Cluster cluster, String component, dev.ordinal.core.KafkaDrain.Step step) {
            return "no Kafka guard on component " + component;
        }

        /** Unregisters {@code nodeIds} from {@code component}'s Kafka; the error in a few words, or null. */
        default String unregister(Cluster cluster, String component, java.util.Set<Integer> nodeIds) {
            return "no Kafka guard on component " + component;
        }
    }

    /**
     * What the guard saw.
     *
     * @param snapshot     Kafka's partitions (null when it gave no answer)
     * @param nodeIdOffset the component's {@code scaleInGuard.kafka.nodeIdOffset}
     * @param unavailable  why Kafka gave no answer, as the verdict words it (null when it answered)
     */
    record KafkaLook(KafkaSnapshot snapshot, int nodeIdOffset, String unavailable) {
    }

    /**
     * @param defaultTimeout deadline of an ops without {@code timeoutSeconds}
     * @param maxQueue       ops that may wait per cluster
     * @param settleWindow   the status settle window (a Cluster status younger than it may not yet show a change)
     */
    record Settings(Duration defaultTimeout, int maxQueue, Duration settleWindow) {
    }

    /** The same observation with the Cluster read from the API server, decided on without another fresh read. */
    OpsInputs withFreshCluster(Cluster fresh) {
        return new OpsInputs(ops, fresh, pods, peers, guard, false, settings, namespaceTerminating);
    }
}
