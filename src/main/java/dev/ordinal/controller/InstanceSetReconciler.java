package dev.ordinal.controller;

import dev.ordinal.api.instanceset.InstanceSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import org.jboss.logging.Logger;

/** Reconciles InstanceSet resources. */
@ControllerConfiguration(name = "instanceset")
public class InstanceSetReconciler implements Reconciler<InstanceSet> {
    private static final Logger LOG = Logger.getLogger(InstanceSetReconciler.class);

    @Override
    public UpdateControl<InstanceSet> reconcile(InstanceSet resource, Context<InstanceSet> context) {
        LOG.debugf("reconcile %s/%s", resource.getMetadata().getNamespace(), resource.getMetadata().getName());
        return UpdateControl.noUpdate();
    }
}
