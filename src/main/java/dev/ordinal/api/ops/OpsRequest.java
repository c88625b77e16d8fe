package dev.ordinal.api.ops;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A declarative operation on a Cluster, e.g. HorizontalScaling. Once it has ended (status.phase Succeed, Failed,
 * Cancelled or Aborted) the API server refuses a change of {@code spec.cancel}: there is nothing left to cancel, and a
 * request that would be silently ignored is refused instead (spec amendment §7a "late requests").
 */
@Group("operations.ordinal.dev")
@Version("v1alpha1")
@ShortNames("ops")
@AdditionalPrinterColumn(name = "TYPE", jsonPath = ".spec.type", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "CLUSTER", jsonPath = ".spec.clusterName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "STATUS", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "PROGRESS", jsonPath = ".status.progress", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "AGE", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
@ValidationRule(value = OpsRequest.NO_CANCEL_AFTER_END, messageExpression = "'spec.cancel cannot change: this ops already ended '"
        + " + oldSelf.status.phase + '; there is nothing left to cancel'", reason = "FieldValueForbidden")
public class OpsRequest extends CustomResource<OpsRequestSpec, OpsRequestStatus> implements Namespaced {
    static final String NO_CANCEL_AFTER_END = "!has(oldSelf.status) || !has(oldSelf.status.phase)"
            + " || !(oldSelf.status.phase in ['Succeed', 'Failed', 'Cancelled', 'Aborted'])"
            + " || (has(self.spec.cancel) == has(oldSelf.spec.cancel) && (!has(self.spec.cancel) || self.spec.cancel == oldSelf.spec.cancel))";
}
