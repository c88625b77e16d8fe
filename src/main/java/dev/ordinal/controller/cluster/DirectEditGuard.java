package dev.ordinal.controller.cluster;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ComponentSpec;
import dev.ordinal.api.cluster.ScaleInGuardSpec.KafkaScaleInGuard;
import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.api.instanceset.InstanceSetSpec;
import dev.ordinal.controller.support.KafkaTargets;
import dev.ordinal.controller.support.Labels;
import dev.ordinal.controller.support.ManagedFields;
import dev.ordinal.controller.support.ManagedFields.ComponentField;
import dev.ordinal.controller.support.Naming;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScaleInGuard.Broker;
import dev.ordinal.core.ScaleInGuard.Departure;
import dev.ordinal.core.ScaleInGuard.Result;
import dev.ordinal.core.ScaleInGuard.Verdict;
import dev.ordinal.kafka.ClientSecurity;
import dev.ordinal.kafka.KafkaReplicas;

/**
 * The scale-in guard on the other path (docs/scaling-rules.md §8 "Paths covered"): a direct edit of a guarded
 * component's {@code replicas} or {@code offlineInstances} (GitOps, {@code kubectl edit}) that would remove broker
 * pods is judged by the same rules as an OpsRequest, and held while they say no: the component's InstanceSet keeps its
 * current spec, so the pods stay. Removals the OpsRequest controller wrote (field manager {@code ordinal-ops} owns
 * both fields) were judged, or forced, by that ops and are not asked again. The Cluster annotation
 * {@code apps.ordinal.dev/force-scale-in: "true"} is the direct edit's {@code force}.
 */
@ApplicationScoped
public class DirectEditGuard {
    private static final Logger LOG = Logger.getLogger(DirectEditGuard.class);

    private final KafkaReplicas kafka;
    private final KafkaTargets targets;

    /** @param targets the guard's Kafka with the security settings of its {@code clientSecret} */
    public DirectEditGuard(KafkaReplicas kafka, KafkaTargets targets) {
        this.kafka = kafka;
        this.targets = targets;
    }

    /** What to do with a component's new InstanceSet spec. */
    sealed interface Decision {
        /** Apply it; {@code verdict} is the guard's answer when it was asked (or skipped by the annotation), else null. */
        record Go(Verdict verdict) implements Decision {
        }

        /** Keep the current InstanceSet spec: the removal of these brokers is not safe, or cannot be checked. */
        record Hold(Verdict verdict) implements Decision {
        }
    }

    /**
     * Judges the pods {@code wanted} removes from {@code current}. Blocks for at most the Kafka timeout when it asks;
     * never throws for Kafka's sake (no answer holds).
     *
     * @param current the component's InstanceSet as last seen (null: none yet, nothing to remove)
     */
    Decision check(Cluster cluster, ComponentSpec component, InstanceSet current, InstanceSetSpec wanted) {
        KafkaScaleInGuard guard = component.scaleInGuard == null ? null : component.scaleInGuard.kafka;
        if (guard == null || current == null || current.getSpec() == null) {
            return new Decision.Go(null);
        }
        Naming.Result staying = Naming.wanted(wanted);
        if (staying.error() != null) {
            return new Decision.Go(null);
        }
        List<String> removed = new ArrayList<>(Naming.wanted(current.getSpec()).names());
        removed.removeAll(staying.names());
        if (removed.isEmpty() || writtenByAnOps(cluster, component.name)) {
            return new Decision.Go(null);
        }
        int offset = guard.nodeIdOffset == null ? 0 : guard.nodeIdOffset;
        List<Broker> departing = removed.stream().map(p -> new Broker(p, ScaleInGuard.nodeId(p, offset),
                wanted.offlineInstances.contains(p) ? Departure.OFFLINE : Departure.REMOVAL)).toList();
        if ("true".equals(annotation(cluster))) {
            return new Decision.Go(new Verdict(Result.SKIPPED, "annotation " + Labels.FORCE_SCALE_IN + "=true skips the scale-in guard"
                    + " for a direct edit; not checked with Kafka: " + names(departing)));
        }
        Verdict verdict;
        KafkaReplicas.Target target = null;
        try {
            target = targets.target(cluster.getMetadata().getNamespace(), guard);
            verdict = ScaleInGuard.judge(departing, kafka.snapshot(target));
        } catch (ClientSecurity.Unusable e) {
            verdict = ScaleInGuard.unusableSettings(departing, e.getMessage());
        } catch (KafkaReplicas.KafkaUnavailable e) {
            verdict = ScaleInGuard.unavailable(departing, target.describe(), e.getMessage());
        }
        LOG.debugf("direct edit of cluster %s/%s component %s: %s", cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(),
                component.name, verdict);
        return verdict.result() == Result.SAFE ? new Decision.Go(verdict) : new Decision.Hold(verdict);
    }

    /** Whether the OpsRequest controller wrote the component's size as it is: {@code ordinal-ops} owns both fields. */
    private static boolean writtenByAnOps(Cluster cluster, String component) {
        return ManagedFields.owners(cluster, new ComponentField(component, null, "replicas")).contains(Labels.OPS_MANAGER)
                && ManagedFields.owners(cluster, new ComponentField(component, null, "offlineInstances")).contains(Labels.OPS_MANAGER);
    }

    private static String annotation(Cluster cluster) {
        var annotations = cluster.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(Labels.FORCE_SCALE_IN);
    }

    private static String names(List<Broker> brokers) {
        return String.join(", ", brokers.stream().map(b -> b.pod() + " (node " + b.nodeId() + ")").toList());
    }
}
