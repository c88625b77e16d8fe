package dev.ordinal.api.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.ordinal.api.common.Condition;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class OpsRequestStatus {
    /** Pending, Creating, Running, Succeed, Failed, Cancelling, Cancelled, Aborted. */
    public String phase;
    /** "done/total". */
    public String progress;
    public String startTimestamp;
    public String completionTimestamp;
    public String cancelTimestamp;
    public Long observedGeneration;
    /** Snapshot of each touched component taken before the change; every later decision is computed from it. */
    public LastConfiguration lastConfiguration;
    /** The computed target per component (also filled by dry-run). */
    public Map<String, ComponentPlan> plan;
    public Map<String, OpsComponentStatus> components = new LinkedHashMap<>();
    public List<Condition> conditions = new ArrayList<>();
    /**
     * By component: the Kafka replica orders this ops changed to move leadership off brokers it takes offline, kept
     * until the ops that brings them back restores them (docs/kafka-broker-offline.md). Written before Kafka is changed,
     * so an operator restart loses nothing. Absent when no leadership moved.
     */
    public Map<String, KafkaLeadership> kafkaLeadership;
    /** Component → the drain of its brokers removed for good (docs/kafka-drain.md); absent without a drain. */
    public Map<String, KafkaDrainRecord> kafkaDrain;
    /**
     * Component → the rebalance onto the brokers its scale-out added (docs/kafka-rebalance.md), in the drain's shape:
     * {@code instances}/{@code nodeIds} are the added brokers; absent without {@code rebalanceOnScaleOut}.
     */
    public Map<String, KafkaDrainRecord> kafkaRebalance;
    /** Component → the Kafka node ids unregistered once their pods were gone (docs/kafka-drain.md). */
    public Map<String, List<Integer>> kafkaUnregistered;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class LastConfiguration {
        public Map<String, ComponentConfiguration> components = new LinkedHashMap<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ComponentConfiguration {
        public Integer replicas;
        public List<String> offlineInstances = new ArrayList<>();
        /** Replicas of each instance template, by template name. */
        public Map<String, Integer> instances = new LinkedHashMap<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ComponentPlan {
        public Integer replicas;
        public List<String> offlineInstances = new ArrayList<>();
        public Map<String, Integer> instances = new LinkedHashMap<>();
        public List<String> podsToCreate = new ArrayList<>();
        public List<String> podsToDelete = new ArrayList<>();
        /** The scale-in guard's verdict on podsToDelete (a component with {@code scaleInGuard} that removes pods). */
        public GuardVerdict scaleInGuard;
        /** What {@code rebalanceOnScaleOut} would move onto the added brokers (dry run of a scale-out). */
        public String kafkaRebalance;
    }

    /** What the scale-in guard concluded for one component, as a dry run or a blocked ops reports it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class GuardVerdict {
        /** Safe, Blocked, Unavailable or Skipped. */
        public String result;
        public String message;
    }

    /** The leadership moved off one component's brokers taken offline, and whether it is back. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class KafkaLeadership {
        /** The instances taken offline, e.g. {@code [kafka-broker-2]}. */
        public List<String> instances = new ArrayList<>();
        /**
         * {@code topic-partition} → its replica list before the move, preferred leader first, e.g.
         * {@code orders-3: [102, 100, 101]}; only the partitions whose order changed.
         */
        public Map<String, List<Integer>> originalReplicas = new LinkedHashMap<>();
        /**
         * {@code topic-partition} → the order written by the move, e.g. {@code orders-3: [100, 102, 101]}: the restore
         * writes the original back only over this order, never over one someone set since.
         */
        public Map<String, List<Integer>> movedReplicas = new LinkedHashMap<>();
        /** When the first order was changed: leadership has {@code 60s} from then to move before the pod goes anyway. */
        public String movedAt;
        /** The ops that moved it, on the ops that brings the instances back (which carries this record over). */
        public String movedBy;
        /** When every recorded order was back and led by its preferred leader again; absent until then. */
        public String restoredAt;
        /**
         * When an ops that ended while Pending began to put the orders back (the brokers stayed online); it has
         * {@code 60s} from then before it ends anyway, naming what stays moved.
         */
        public String restoringSince;
    }

    /**
     * The drain of one component's brokers removed for good (docs/kafka-drain.md), or the rebalance onto the brokers a
     * scale-out added (docs/kafka-rebalance.md): the plan, written before Kafka is asked to move anything, and how far it
     * got. A restarted operator resumes it from here.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class KafkaDrainRecord {
        /** The instances removed (drain) or added (rebalance), e.g. {@code [kafka-broker-3]}. */
        public List<String> instances = new ArrayList<>();
        /** Their Kafka node ids, e.g. {@code [103]}. */
        public List<Integer> nodeIds = new ArrayList<>();
        /** {@code topic-partition} → its replicas when planned, e.g. {@code orders-3: [103, 100, 101]}. */
        public Map<String, List<Integer>> originalReplicas = new LinkedHashMap<>();
        /** {@code topic-partition} → its replicas once moved, e.g. {@code orders-3: [102, 100, 101]}. */
        public Map<String, List<Integer>> targetReplicas = new LinkedHashMap<>();
        /** The replication throttle set on the brokers involved, bytes/s. */
        public Long throttleBytesPerSecond;
        /** Partitions moved / partitions in the plan, e.g. {@code 12/40}. */
        public String progress;
        /** When the plan was recorded. */
        public String startedAt;
        /** When every partition had moved and the throttle was removed (or a rebalance was cancelled); absent until then. */
        public String finishedAt;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class OpsComponentStatus {
        public String phase;
        public List<ProgressDetail> progressDetails = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ProgressDetail {
        /** e.g. "Pod/kafka-broker-2". */
        public String objectKey;
        public String group;
        /** Pending, Processing, Succeed, Failed. */
        public String status;
        public String message;
        public String startTime;
        public String endTime;
    }
}
