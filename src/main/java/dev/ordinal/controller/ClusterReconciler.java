package dev.ordinal.controller;

import dev.ordinal.api.cluster.Cluster;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import org.jboss.logging.Logger;

/** Reconciles Cluster resources. */
@ControllerConfiguration(name = "cluster")
public class ClusterReconciler implements Reconciler<Cluster> {
    private static final Logger LOG = Logger.getLogger(ClusterReconciler.class);

    @Override
    public UpdateControl<Cluster> reconcile(Cluster resource, Context<Cluster> context) {
        LOG.debugf("reconcile %s/%s", resource.getMetadata().getNamespace(), resource.getMetadata().getName());
        return UpdateControl.noUpdate();
    }
}
