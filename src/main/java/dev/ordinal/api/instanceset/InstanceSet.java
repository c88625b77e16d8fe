package dev.ordinal.api.instanceset;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The pods of one Cluster component, named {@code <cluster>-<component>-<ordinal>}. */
@Group("workloads.ordinal.dev")
@Version("v1")
@ShortNames("its")
@AdditionalPrinterColumn(name = "DESIRED", jsonPath = ".spec.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "READY", jsonPath = ".status.readyReplicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class InstanceSet extends CustomResource<InstanceSetSpec, InstanceSetStatus> implements Namespaced {
}
