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
