package dev.ordinal.api.cluster;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterSpec {
    /** What happens to pods and data when the Cluster is deleted. */
    @Default("Delete")
    public TerminationPolicy terminationPolicy;

    /** Unique by name: the CRD marks this list a map keyed by name, so server-side apply merges per component. */
    @Size(max = 64)
    public List<ComponentSpec> componentSpecs = new ArrayList<>();

    public enum TerminationPolicy {
        DoNotTerminate, Delete, WipeOut
    }
}
