package dev.ordinal.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A Kubernetes-style status condition (type, status, reason, message, lastTransitionTime). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
    public String type;
    /** "True", "False" or "Unknown". */
    public String status;
    public String reason;
    public String message;
    public Long observedGeneration;
    /** RFC 3339 timestamp. */
    public String lastTransitionTime;

    public Condition() {
    }

    public Condition(String type, String status, String reason, String message) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
    }
}
