package dev.ordinal.controller.ops;

import dev.ordinal.api.vocabulary.ClusterPhase;
import dev.ordinal.controller.support.Shapes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.ops.HorizontalScaling;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus.ComponentConfiguration;
import dev.ordinal.api.ops.OpsRequestStatus.LastConfiguration;
import dev.ordinal.core.ClusterView;
import dev.ordinal.core.ClusterView.ComponentView;
import dev.ordinal.core.ComponentShape;
import dev.ordinal.core.ScalingRequest;
import dev.ordinal.core.ScalingRequest.ScaleIn;
import dev.ordinal.core.ScalingRequest.ScaleOut;
import dev.ordinal.core.ScalingRequest.TemplateChange;
import dev.ordinal.core.TemplateShape;

/** Translates an OpsRequest and its Cluster into what the core plans with, and back into the snapshot. */
final class OpsView {
    private OpsView() {
    }

    static List<ScalingRequest> requests(OpsRequest ops) {
        List<ScalingRequest> out = new ArrayList<>();
        for (HorizontalScaling h : ops.getSpec().horizontalScaling == null ? List.<HorizontalScaling> of() : ops.getSpec().horizontalScaling) {
            ScaleOut scaleOut = h.scaleOut == null ? null
                    : new ScaleOut(h.scaleOut.replicaChanges, changes(h.scaleOut.instances), h.scaleOut.offlineInstancesToOnline);
            ScaleIn scaleIn = h.scaleIn == null ? null
                    : new ScaleIn(h.scaleIn.replicaChanges, changes(h.scaleIn.instances), h.scaleIn.onlineInstancesToOffline);
            out.add(new ScalingRequest(h.componentName, h.replicas, scaleOut, scaleIn));
        }
        return out;
    }

    private static List<TemplateChange> changes(List<HorizontalScaling.InstanceReplicaChange> list) {
        List<TemplateChange> out = new ArrayList<>();
        for (var c : list == null ? List.<HorizontalScaling.InstanceReplicaChange> of() : list) {
            out.add(new TemplateChange(c.name, c.replicaChanges));
        }
        return out;
    }

    /** The live Cluster as validation sees it. */
    static ClusterView live(Cluster cluster) {
        if (cluster == null) {
            return ClusterView.missing();
        }
        Map<String, ComponentView> components = new LinkedHashMap<>();
        for (ComponentSpec c : cluster.getSpec().componentSpecs) {
            components.putIfAbsent(c.name, new ComponentView(Shapes.of(c.replicas, c.instances, c.offlineInstances),
                    Shapes.limits(c.replicasLimit)));
        }
        String phase = cluster.getMetadata().getDeletionTimestamp() != null ? ClusterPhase.DELETING.value()
                : cluster.getStatus() == null ? null : cluster.getStatus().phase;
        return new ClusterView(true, phase, components);
    }

    /**
     * The Cluster as it was when the ops left Pending: the snapshot's replicas, offline names and template
     * replicas, with template ordinals and limits from the live Cluster. Planning from this makes every
     * reconcile compute the same plan.
     */
    static ClusterView snapshot(Cluster cluster, LastConfiguration last) {
        ClusterView live = live(cluster);
        Map<String, ComponentView> components = new LinkedHashMap<>(live.components());
        last.components.forEach((name, conf) -> {
            ComponentView current = live.components().get(name);
            List<TemplateShape> templates = new ArrayList<>();
            conf.instances.forEach((t, replicas) -> templates.add(new TemplateShape(t, replicas,
                    current == null ? List.of() : current.shape().template(t).map(TemplateShape::ordinals).orElse(List.of()))));
            components.put(name, new ComponentView(new ComponentShape(conf.replicas, templates, conf.offlineInstances),
                    current == null ? null : current.limits()));
        });
        // Phase checks belong to Pending; from the snapshot on, the ops goes through whatever the phase.
        return new ClusterView(true, ClusterPhase.RUNNING.value(), components);
    }

    static LastConfiguration snapshotOf(ClusterView live, List<ScalingRequest> requests) {
        LastConfiguration last = new LastConfiguration();
        for (ScalingRequest r : requests) {
            ComponentView view = live.components().get(r.componentName());
            if (view == null) {
                continue;
            }
            ComponentConfiguration conf = new ComponentConfiguration();
            conf.replicas = view.shape().replicas();
            conf.offlineInstances = new ArrayList<>(view.shape().offlineInstances());
            view.shape().templates().forEach(t -> conf.instances.put(t.name(), t.replicas()));
            last.components.put(r.componentName(), conf);
        }
        return last;
    }
}
