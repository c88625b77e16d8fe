package dev.ordinal.api.cluster;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterSpec {
    /** What happens to pods and data when the Cluster is deleted. */
    @Default("Delete")
    public TerminationPolicy terminationPolicy;

    @ValidationRule(value = "self.all(c, self.exists_one(d, d.name == c.name))", message = "component names must be unique")
    public List<ComponentSpec> componentSpecs = new ArrayList<>();

    public enum TerminationPolicy {
        DoNotTerminate, Delete, WipeOut
    }
}
