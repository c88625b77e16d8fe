package dev.ordinal.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Bounds on a component's replicas that every scaling operation must respect. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicasLimit {
    /** Default 1: the only instance cannot be taken offline unless min is 0. */
    @Min(0)
    public Integer min;
    /** Default 16384. */
    @Min(0)
    @Max(16384)
    public Integer max;

    public ReplicasLimit() {
    }

    public ReplicasLimit(Integer min, Integer max) {
        this.min = min;
        this.max = max;
    }
}
