package dev.ordinal.controller.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.ops.HorizontalScaling;
import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus.ComponentConfiguration;
import dev.ordinal.api.ops.OpsRequestStatus.LastConfiguration;
import dev.ordinal.controller.support.Shapes;
import dev.ordinal.core.ClusterView;
import dev.ordinal.core.ClusterView.ComponentView;
import dev.ordinal.core.ComponentShape;
import dev.ordinal.core.OpsValidation;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.core.ScalingRequest;
import dev.ordinal.core.ScalingRequest.ScaleIn;
import dev.ordinal.core.ScalingRequest.ScaleOut;
import dev.ordinal.core.ScalingRequest.TemplateChange;
import dev.ordinal.core.TemplateShape;
import dev.ordinal.vocabulary.ClusterPhase;

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
                    Shapes.limits(c.replicasLimit), kraftStaticQuorum(c)));
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
                    current == null ? null : current.limits(), current == null ? null : current.staticQuorum()));
        });
        // Phase checks belong to Pending; from the snapshot on, the ops goes through whatever the phase.
        return new ClusterView(true, ClusterPhase.RUNNING.value(), components);
    }

    /**
     * Why a component's pods are KRaft controllers of a static quorum, or null: a container of its pod template sets
     * {@code KAFKA_PROCESS_ROLES} to a value that names {@code controller} and a non-empty
     * {@code KAFKA_CONTROLLER_QUORUM_VOTERS} (the apache/kafka image's environment for {@code process.roles} and
     * {@code controller.quorum.voters}, as in kubernetes/examples/kafka-cluster.yaml). Such a quorum's voters are fixed
     * in every member's configuration, so no ops adds or removes one (docs/scaling-rules.md §8). A dynamic quorum
     * ({@code KAFKA_CONTROLLER_QUORUM_BOOTSTRAP_SERVERS}, no voters) is not recognised as one.
     */
    static String kraftStaticQuorum(dev.ordinal.api.cluster.ComponentSpec c) {
        if (c.template == null || c.template.getSpec() == null || c.template.getSpec().getContainers() == null) {
            return null;
        }
        for (var container : c.template.getSpec().getContainers()) {
            Map<String, String> env = new LinkedHashMap<>();
            if (container.getEnv() != null) {
                container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
            }
            String roles = env.get("KAFKA_PROCESS_ROLES");
            String voters = env.get("KAFKA_CONTROLLER_QUORUM_VOTERS");
            if (roles != null && java.util.Arrays.stream(roles.split(",")).map(String::trim).anyMatch("controller"::equals)
                    && voters != null && !voters.isBlank()) {
                return "its pods are KRaft controllers of a static quorum (container " + container.getName()
                        + " sets KAFKA_PROCESS_ROLES=" + roles + " and KAFKA_CONTROLLER_QUORUM_VOTERS)";
            }
        }
        return null;
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

    /** {@code spec.type} as the core names it (null when unset). */
    static String typeOf(OpsRequest ops) {
        return ops.getSpec().type == null ? null : ops.getSpec().type.name();
    }

    /**
     * The plan of a started ops, recomputed from its snapshot ({@code status.lastConfiguration}) and the Cluster: the
     * same on every reconcile (docs/ops-controller.md "Restart safety"). Null when there is no Cluster or snapshot, or
     * they no longer give a valid plan ({@link #planError} says why).
     */
    static Map<String, ScalingPlan> plans(OpsRequest ops, Cluster cluster) {
        if (cluster == null || ops.getStatus() == null || ops.getStatus().lastConfiguration == null) {
            return null;
        }
        var result = OpsValidation.validate(ops.getSpec().clusterName, snapshot(cluster, ops.getStatus().lastConfiguration),
                typeOf(ops), requests(ops));
        return result.isValid() ? result.plans() : null;
    }

    /** Why {@link #plans} gave none: the Cluster is gone, the snapshot is missing, or what validation says. */
    static String planError(OpsRequest ops, Cluster cluster) {
        if (cluster == null) {
            return "cluster " + ops.getSpec().clusterName + " no longer exists";
        }
        if (ops.getStatus() == null || ops.getStatus().lastConfiguration == null) {
            return "status.lastConfiguration is missing";
        }
        return OpsValidation.validate(ops.getSpec().clusterName, snapshot(cluster, ops.getStatus().lastConfiguration),
                typeOf(ops), requests(ops)).summary();
    }

    /** Each component's shape after the plan ({@code reverse}: before it, i.e. the snapshot a cancel re-applies). */
    static Map<String, ComponentShape> targets(Map<String, ScalingPlan> plans, boolean reverse) {
        Map<String, ComponentShape> out = new LinkedHashMap<>();
        plans.forEach((c, p) -> out.put(c, reverse ? p.before() : p.after()));
        return out;
    }

    /** "broker: replicas 2 → 3, create kafka-broker-2", the message of the Running Event. */
    static String describe(Map<String, ScalingPlan> plans) {
        return plans.values().stream().map(p -> p.component() + ": replicas " + p.before().replicas() + " → " + p.after().replicas()
                + (p.podsToCreate().isEmpty() ? "" : ", create " + String.join(", ", p.podsToCreate()))
                + (p.podsToDelete().isEmpty() ? "" : ", delete " + String.join(", ", p.podsToDelete())))
                .collect(Collectors.joining("; "));
    }
}
