package dev.ordinal.api.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** A named group of instances with overrides of the component's pod template; pods are named {@code <cluster>-<component>-<name>-<ordinal>}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class InstanceTemplate {
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @Size(max = 54)
    public String name;

    /** Default 1. */
    @Min(0)
    public Integer replicas;

    /** Ordinals to use instead of 0, 1, 2, ... */
    public Ordinals ordinals;

    public Map<String, String> labels;
    public Map<String, String> annotations;
    public String image;
    @SchemaFrom(type = FreeForm[].class)
    public List<EnvVar> env = new ArrayList<>();
    @SchemaFrom(type = FreeForm.class)
    public ResourceRequirements resources;
    @SchemaFrom(type = FreeForm[].class)
    public List<PersistentVolumeClaim> volumeClaimTemplates = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Ordinals {
        public List<Range> ranges = new ArrayList<>();
        public List<Integer> discrete = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Range {
        @Min(0)
        public Integer start;
        @Min(0)
        public Integer end;

        public Range() {
        }

        public Range(int start, int end) {
            this.start = start;
            this.end = end;
        }
    }
}
