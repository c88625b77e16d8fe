package dev.ordinal.controller.cluster;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import dev.ordinal.api.instanceset.InstanceSet;
import dev.ordinal.controller.support.Conditions;
import dev.ordinal.vocabulary.ClusterPhase;
import dev.ordinal.vocabulary.ComponentPhase;
import dev.ordinal.vocabulary.ConditionType;

/**
 * The phase rules of a Cluster, pure (spec §1 and amendment §7a "degraded is not changing"; docs/troubleshooting.md
 * "Cluster phases"): what one component's InstanceSet says about the component, and what the components together say
 * about the Cluster.
 */
public final class Phases {
    private Phases() {
    }

    /**
     * A component's phase: {@code Creating} until its first rollout is Running; {@code Updating} while the spec is
     * rolled out (the InstanceSet has not observed it yet, or reports {@code Progressing}: pods to create or delete, or
     * new pods starting); once settled, {@code Running} when every instance is Ready, {@code Failed} when none is,
     * otherwise {@code Abnormal}. A pod that cannot be scheduled or fails its readiness probe is unhealthy, not
     * "updating". A component scaled to 0 (its only instance offline) is Running, not Stopped: Stopped is reserved for a
     * deliberately stopped cluster, and scaling is refused only then.
     *
     * @param previous the component's phase in the Cluster status now (null: never reported)
     * @param desired  the component's {@code replicas}
     * @param set      the component's InstanceSet as last seen (null: not there yet)
     */
    public static ComponentPhase component(String previous, int desired, InstanceSet set) {
        boolean creating = previous == null || ComponentPhase.CREATING.value().equals(previous);
        if (set == null || set.getStatus() == null) {
            return creating ? ComponentPhase.CREATING : ComponentPhase.UPDATING;
        }
        var st = set.getStatus();
        boolean settled = Objects.equals(st.observedGeneration, set.getMetadata().getGeneration())
                && !Conditions.isTrue(st.conditions, ConditionType.PROGRESSING);
        int ready = st.readyReplicas == null ? 0 : st.readyReplicas;
        if (settled && ready == desired) {
            return ComponentPhase.RUNNING;
        }
        if (!settled) {
            return creating ? ComponentPhase.CREATING : ComponentPhase.UPDATING;
        }
        return ready == 0 ? ComponentPhase.FAILED : ComponentPhase.ABNORMAL;
    }

    /**
     * The Cluster's phase from its components' phases: Running when all are Running (or Running and Stopped), Stopped
     * when all are Stopped, Failed when all are Failed, Abnormal when some are Failed or Abnormal, Creating while a
     * component is Creating and the Cluster never left Creating, else Updating. No component at all is Running.
     *
     * @param previous   the Cluster's phase in its status now (null: never reported)
     * @param components the phase of each component
     */
    public static ClusterPhase cluster(String previous, Collection<ComponentPhase> components) {
        if (components.isEmpty()) {
            return ClusterPhase.RUNNING;
        }
        Set<ComponentPhase> phases = EnumSet.copyOf(components);
        if (phases.equals(EnumSet.of(ComponentPhase.RUNNING)) || phases.equals(EnumSet.of(ComponentPhase.RUNNING, ComponentPhase.STOPPED))) {
            return ClusterPhase.RUNNING;
        }
        if (phases.equals(EnumSet.of(ComponentPhase.STOPPED))) {
            return ClusterPhase.STOPPED;
        }
        if (phases.contains(ComponentPhase.FAILED)) {
            return phases.size() == 1 ? ClusterPhase.FAILED : ClusterPhase.ABNORMAL;
        }
        if (phases.contains(ComponentPhase.ABNORMAL)) {
            return ClusterPhase.ABNORMAL;
        }
        if (phases.contains(ComponentPhase.CREATING) && (previous == null || ClusterPhase.CREATING.value().equals(previous))) {
            return ClusterPhase.CREATING;
        }
        return ClusterPhase.UPDATING;
    }
}
