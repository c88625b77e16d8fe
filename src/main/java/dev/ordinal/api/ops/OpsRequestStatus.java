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
        /** When the first order was changed: leadership has {@code 60s} from then to move before the pod goes anyway. */
        public String movedAt;
        /** The ops that moved it, on the ops that brings the instances back (which carries this record over). */
        public String movedBy;
        /** When every recorded order was back and led by its preferred leader again; absent until then. */
        public String restoredAt;
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
