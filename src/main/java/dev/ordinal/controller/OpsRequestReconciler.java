package dev.ordinal.controller;

import dev.ordinal.api.ops.OpsRequest;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import org.jboss.logging.Logger;

/** Reconciles OpsRequest resources. */
@ControllerConfiguration(name = "opsrequest")
public class OpsRequestReconciler implements Reconciler<OpsRequest> {
    private static final Logger LOG = Logger.getLogger(OpsRequestReconciler.class);

    @Override
    public UpdateControl<OpsRequest> reconcile(OpsRequest resource, Context<OpsRequest> context) {
        LOG.debugf("reconcile %s/%s", resource.getMetadata().getNamespace(), resource.getMetadata().getName());
        return UpdateControl.noUpdate();
    }
}
