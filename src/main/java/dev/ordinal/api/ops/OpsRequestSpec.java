package dev.ordinal.api.ops;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Immutable after creation, except {@code cancel}, which can be set once and never undone. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = OpsRequestSpec.IMMUTABLE_EXCEPT_CANCEL, message = "spec is immutable after creation, except cancel")
@ValidationRule(value = "!has(oldSelf.cancel) || !oldSelf.cancel || (has(self.cancel) && self.cancel)", message = "cancel cannot be undone")
public class OpsRequestSpec {
    static final String IMMUTABLE_EXCEPT_CANCEL = "self.clusterName == oldSelf.clusterName && self.type == oldSelf.type"
            + " && has(self.force) == has(oldSelf.force) && (!has(self.force) || self.force == oldSelf.force)"
            + " && has(self.dryRun) == has(oldSelf.dryRun) && (!has(self.dryRun) || self.dryRun == oldSelf.dryRun)"
            + " && has(self.timeoutSeconds) == has(oldSelf.timeoutSeconds) && (!has(self.timeoutSeconds) || self.timeoutSeconds == oldSelf.timeoutSeconds)"
            + " && has(self.preConditionDeadlineSeconds) == has(oldSelf.preConditionDeadlineSeconds) && (!has(self.preConditionDeadlineSeconds) || self.preConditionDeadlineSeconds == oldSelf.preConditionDeadlineSeconds)"
            + " && has(self.ttlSecondsAfterSucceed) == has(oldSelf.ttlSecondsAfterSucceed) && (!has(self.ttlSecondsAfterSucceed) || self.ttlSecondsAfterSucceed == oldSelf.ttlSecondsAfterSucceed)"
            + " && has(self.ttlSecondsAfterUnsuccessfulCompletion) == has(oldSelf.ttlSecondsAfterUnsuccessfulCompletion) && (!has(self.ttlSecondsAfterUnsuccessfulCompletion) || self.ttlSecondsAfterUnsuccessfulCompletion == oldSelf.ttlSecondsAfterUnsuccessfulCompletion)"
            + " && has(self.horizontalScaling) == has(oldSelf.horizontalScaling) && (!has(self.horizontalScaling) || self.horizontalScaling == oldSelf.horizontalScaling)";

    @Required
    public String clusterName;

    @Required
    public OpsType type;

    /** Skip the per-cluster queue and the cluster-phase precondition. */
    public Boolean force;

    /** Meaningful while Pending, Creating or Running; cannot be undone. */
    public Boolean cancel;

    /** Compute and show the plan in status; change nothing. */
    public Boolean dryRun;

    /** Deadline of the whole operation; unset or 0 = the operator's default, never infinite. */
    @Min(0)
    public Integer timeoutSeconds;

    /** How long a Pending ops may wait for the Cluster to reach a phase it can start from (0 = must hold now). */
    @Min(0)
    public Integer preConditionDeadlineSeconds;

    @Min(0)
    public Integer ttlSecondsAfterSucceed;

    @Min(0)
    public Integer ttlSecondsAfterUnsuccessfulCompletion;

    @Size(max = 16)
    public List<HorizontalScaling> horizontalScaling = new ArrayList<>();

    public enum OpsType {
        HorizontalScaling
    }

}
