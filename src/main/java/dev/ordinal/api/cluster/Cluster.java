package dev.ordinal.api.cluster;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A stateful data cluster made of named components (e.g. Kafka brokers). The API server refuses a Cluster whose
 * InstanceSet names {@code <cluster>-<component>} would not fit 54 characters (a label value, and its headless Service
 * {@code <instanceSet>-headless} a 63-character DNS label); the Cluster controller checks the rest of the generated
 * names (pods, claims, collisions with other Clusters), see docs/scaling-rules.md.
 */
@Group("apps.ordinal.dev")
@Version("v1")
@ShortNames("cl")
@AdditionalPrinterColumn(name = "COMPONENTS", jsonPath = ".status.componentSummary", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "PHASE", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = "!has(self.spec) || !has(self.spec.componentSpecs) || self.spec.componentSpecs.all(c, size(self.metadata.name) + 1 + size(c.name) <= 54)",
        message = "metadata.name and componentSpecs[].name together are too long: the instance set <cluster>-<component> may have"
                + " at most 54 characters (its headless Service adds -headless to make a 63-character name); shorten the cluster or"
                + " component name",
        reason = "FieldValueInvalid")
public class Cluster extends CustomResource<ClusterSpec, ClusterStatus> implements Namespaced {
}
