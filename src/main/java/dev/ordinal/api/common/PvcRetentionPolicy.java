package dev.ordinal.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fabric8.generator.annotation.Default;

/** What happens to an instance's PVCs when it is scaled away or its set is deleted. Offline instances always keep theirs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PvcRetentionPolicy {
    @Default("Retain")
    public Retention whenScaled;
    @Default("Retain")
    public Retention whenDeleted;

    public enum Retention {
        Retain, Delete
    }

    public PvcRetentionPolicy() {
    }

    public PvcRetentionPolicy(Retention whenScaled, Retention whenDeleted) {
        this.whenScaled = whenScaled;
        this.whenDeleted = whenDeleted;
    }
}
