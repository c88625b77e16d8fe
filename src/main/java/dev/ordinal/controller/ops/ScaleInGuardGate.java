package dev.ordinal.controller.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.ordinal.api.cluster.Cluster;
import dev.ordinal.api.cluster.ScaleInGuardSpec.KafkaScaleInGuard;
import dev.ordinal.api.ops.OpsRequestStatus.ComponentPlan;
import dev.ordinal.api.ops.OpsRequestStatus.GuardVerdict;
import dev.ordinal.controller.support.GuardAnswers;
import dev.ordinal.controller.support.KafkaTargets;
import dev.ordinal.kafka.ClientSecurity;
import dev.ordinal.core.ScaleInGuard;
import dev.ordinal.core.ScaleInGuard.Broker;
import dev.ordinal.core.ScaleInGuard.Result;
import dev.ordinal.core.ScaleInGuard.Verdict;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.kafka.KafkaReplicas;
import dev.ordinal.observability.OpsMetrics;
import dev.ordinal.vocabulary.GuardResult;
import dev.ordinal.vocabulary.Reasons;

/**
 * The scale-in guard step of a Pending ops (docs/scaling-rules.md §8): for each component of the plan that has a
 * {@code scaleInGuard} and loses pods, asks Kafka which replicas the departing brokers host and lets the core judge.
 * The ops controller turns the verdict into waiting ({@code ScaleInBlocked}, {@code ScaleInGuardUnavailable}), a
 * failure once {@code preConditionDeadlineSeconds} has passed, or a Warning ({@code ScaleInGuardSkipped}) under
 * {@code force}. A direct edit of {@code replicas}/{@code offlineInstances} is judged by the Cluster controller
 * ({@code DirectEditGuard}) with the same rules.
 * It also reads Kafka ({@link #look}) and moves leadership ({@link #apply}) for the leadership steps around an offline
 * broker (docs/kafka-broker-offline.md).
 */
@ApplicationScoped
public class ScaleInGuardGate implements OpsInputs.Guard {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ScaleInGuardGate.class);
    private final KafkaReplicas kafka;
    private final OpsMetrics metrics;
    /** The verdict last logged per namespace/cluster/component. */
    private final Map<String, String> lastLogged = new java.util.concurrent.ConcurrentHashMap<>();

    private final GuardAnswers answers;
    private final KafkaTargets targets;

    /**
     * @param answers where each answer (or its absence) is reported for the Cluster's status
     * @param targets the guard's Kafka with the security settings of its {@code clientSecret}
     */
    public ScaleInGuardGate(KafkaReplicas kafka, OpsMetrics metrics, GuardAnswers answers, KafkaTargets targets) {
        this.kafka = kafka;
        this.metrics = metrics;
        this.answers = answers;
        this.targets = targets;
    }

    /**
     * The verdict per component for every guarded component whose plan deletes pods, in plan order; empty when the
     * ops removes no guarded pod. Blocks for at most the Kafka timeout per guarded component; never throws for
     * Kafka's sake (no answer is an {@code UNAVAILABLE} verdict). Each verdict is counted in
     * {@code ordinal_scale_in_guard_verdicts_total}.
     *
     * @param force {@code spec.force}: the brokers are not checked, the verdict is {@code SKIPPED}
     */
    @Override
    public Map<String, Verdict> judge(Cluster cluster, Map<String, ScalingPlan> plans, boolean force) {
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        if (cluster == null || cluster.getSpec() == null) {
            return verdicts;
        }
        for (ScalingPlan plan : plans.values()) {
            Optional<KafkaScaleInGuard> guard = kafkaGuard(cluster, plan.component());
            if (guard.isEmpty() || plan.podsToDelete().isEmpty()) {
                continue;
            }
            List<Broker> departing = departingFromSameKafka(cluster, plans, plan.component());
            Verdict verdict;
            if (force) {
                verdict = ScaleInGuard.skipped(departing);
            } else {
                KafkaReplicas.Target target = null;
                try {
                    target = targets.target(cluster.getMetadata().getNamespace(), guard.get());
                    verdict = ScaleInGuard.judge(departing, kafka.snapshot(target));
                } catch (ClientSecurity.Unusable e) {
                    verdict = ScaleInGuard.unusableSettings(departing, e.getMessage());
                } catch (KafkaReplicas.KafkaUnavailable e) {
                    verdict = ScaleInGuard.unavailable(departing, target.describe(), e.getMessage());
                }
                answers.asked(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(), plan.component(),
                        verdict.result() == Result.UNAVAILABLE ? verdict.message() : null);
            }
            metrics.scaleInGuardVerdict(verdict.result().label());
            logChange(cluster, plan.component(), verdict);
            verdicts.put(plan.component(), verdict);
        }
        return verdicts;
    }

    /** Kafka's partitions as {@code component}'s guard sees them now; empty when it has no Kafka guard. */
    @Override
    public Optional<OpsInputs.KafkaLook> look(Cluster cluster, String component) {
        Optional<KafkaScaleInGuard> guard = cluster == null || cluster.getSpec() == null ? Optional.empty() : kafkaGuard(cluster, component);
        if (guard.isEmpty()) {
            return Optional.empty();
        }
        int offset = guard.get().nodeIdOffset == null ? 0 : guard.get().nodeIdOffset;
        KafkaReplicas.Target target = null;
        try {
            target = targets.target(cluster.getMetadata().getNamespace(), guard.get());
            return Optional.of(new OpsInputs.KafkaLook(kafka.snapshot(target), offset, null));
        } catch (ClientSecurity.Unusable e) {
            return Optional.of(new OpsInputs.KafkaLook(null, offset, unusable(e)));
        } catch (KafkaReplicas.KafkaUnavailable e) {
            return Optional.of(new OpsInputs.KafkaLook(null, offset, "Kafka at " + target.describe() + " gave no answer ("
                    + e.getMessage() + ")"));
        }
    }

    /** Carries out a leadership step with {@code component}'s Kafka ({@link KafkaReplicas#apply}); logged once per step. */
    @Override
    public String apply(Cluster cluster, String component, dev.ordinal.core.LeaderMoves.Step step) {
        return withKafka(cluster, component, "leadership step", "did not take the step", target -> {
            kafka.apply(target, step);
            return "replica order of " + step.reorder() + ", preferred leader election of " + step.elect();
        });
    }

    /** Carries out a drain step with {@code component}'s Kafka ({@link KafkaReplicas#drain}); logged once per step. */
    @Override
    public String drain(Cluster cluster, String component, dev.ordinal.core.KafkaDrain.Step step) {
        return withKafka(cluster, component, "drain step", "did not take the drain step", target -> {
            kafka.drain(target, step);
            return step.reassign().size() + " reassignments asked for, " + step.cancel().size() + " cancelled, throttle " + throttle(step);
        });
    }

    /**
     * Carries out a rebalance step with {@code component}'s Kafka ({@link KafkaReplicas#drain}, which moves any plan of
     * that shape); one INFO line per step names the partitions asked for and their targets.
     */
    @Override
    public String rebalance(Cluster cluster, String component, dev.ordinal.core.KafkaDrain.Step step) {
        return withKafka(cluster, component, "rebalance step", "did not take the rebalance step", target -> {
            kafka.drain(target, step);
            return step.reassign().size() + " reassignments asked for ("
                    + dev.ordinal.core.KafkaDrain.shown(step.reassign().entrySet().stream().map(e -> e.getKey() + " → " + e.getValue()).toList())
                    + "), " + step.cancel().size() + " cancelled ("
                    + dev.ordinal.core.KafkaDrain.shown(new ArrayList<>(new java.util.TreeSet<>(step.cancel()))) + "), throttle " + throttle(step);
        });
    }

    /** Unregisters node ids with {@code component}'s Kafka ({@link KafkaReplicas#unregister}). */
    @Override
    public String unregister(Cluster cluster, String component, java.util.Set<Integer> nodeIds) {
        return withKafka(cluster, component, "unregister", "did not unregister " + nodeIds, target -> {
            kafka.unregister(target, nodeIds);
            return "node ids " + nodeIds + " unregistered";
        });
    }

    /** One change to Kafka: {@code run} carries it out with the component's target and says what it did, for the log. */
    @FunctionalInterface
    private interface KafkaChange {
        String run(KafkaReplicas.Target target) throws KafkaReplicas.KafkaUnavailable;
    }

    /**
     * Carries out {@code change} with {@code component}'s Kafka: null when done (one INFO line), else why not (no guard,
     * unusable client settings, or Kafka's failure worded {@code Kafka at <target> <refused> (<why>)}, one WARN line).
     */
    private String withKafka(Cluster cluster, String component, String what, String refused, KafkaChange change) {
        Optional<KafkaScaleInGuard> guard = cluster == null || cluster.getSpec() == null ? Optional.empty() : kafkaGuard(cluster, component);
        if (guard.isEmpty()) {
            return "component " + component + " has no scaleInGuard.kafka";
        }
        KafkaReplicas.Target target;
        try {
            target = targets.target(cluster.getMetadata().getNamespace(), guard.get());
        } catch (ClientSecurity.Unusable e) {
            return unusable(e);
        }
        String where = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
        try {
            String done = change.run(target);
            LOG.infof("cluster %s component %s: Kafka %s: %s", where, component, what, done);
            return null;
        } catch (KafkaReplicas.KafkaUnavailable e) {
            LOG.warnf("cluster %s component %s: Kafka %s failed: %s", where, component, what, e.getMessage());
            return "Kafka at " + target.describe() + " " + refused + " (" + e.getMessage() + ")";
        }
    }

    private static String throttle(dev.ordinal.core.KafkaDrain.Step step) {
        return step.setThrottle() ? "set to " + step.rate() + " B/s" : step.removeThrottle() ? "removed" : "kept";
    }

    /**
     * One log line per verdict: when a component's verdict differs from the last one logged (a blocked ops asks again
     * every 3 s and says nothing new). kafka-clients' own connection warnings are kept out of the log
     * ({@code quarkus.log.category."org.apache.kafka".level=ERROR}); this line says what they meant.
     */
    private void logChange(Cluster cluster, String component, Verdict verdict) {
        String key = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName() + "/" + component;
        String said = verdict.result() + ": " + verdict.message();
        if (said.equals(lastLogged.put(key, said))) {
            return;
        }
        String line = "scale-in guard of cluster " + key.substring(0, key.lastIndexOf('/')) + " component " + component + ": "
                + verdict.result().label() + ": " + verdict.message();
        if (verdict.result() == Result.UNAVAILABLE) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
    }

    /** What a step says when the guard's client settings cannot be used: the Secret and the key, no value. */
    private static String unusable(ClientSecurity.Unusable e) {
        return "the Kafka client settings cannot be used: " + e.getMessage();
    }

    /** The verdict of the whole ops: the worst component's, or empty when no guarded pod goes. */
    static Optional<Verdict> overall(Map<String, Verdict> verdicts) {
        return verdicts.isEmpty() ? Optional.empty() : Optional.of(Verdict.combine(new ArrayList<>(verdicts.values())));
    }

    /** The condition and Event reason of a verdict that holds the ops back or is reported. */
    static String reason(Result result) {
        return switch (result) {
            case SAFE -> Reasons.SCALE_IN_SAFE;
            case BLOCKED -> Reasons.SCALE_IN_BLOCKED;
            case UNAVAILABLE -> Reasons.SCALE_IN_GUARD_UNAVAILABLE;
            case SKIPPED -> Reasons.SCALE_IN_GUARD_SKIPPED;
        };
    }

    /** Writes each component's verdict into {@code status.plan.<component>.scaleInGuard} (dry run). */
    static void annotate(Map<String, ComponentPlan> plan, Map<String, Verdict> verdicts) {
        verdicts.forEach((component, v) -> {
            ComponentPlan cp = plan.get(component);
            if (cp != null) {
                GuardVerdict gv = new GuardVerdict();
                gv.result = (switch (v.result()) {
                    case SAFE -> GuardResult.SAFE;
                    case BLOCKED -> GuardResult.BLOCKED;
                    case UNAVAILABLE -> GuardResult.UNAVAILABLE;
                    case SKIPPED -> GuardResult.SKIPPED;
                }).value();
                gv.message = v.message();
                cp.scaleInGuard = gv;
            }
        });
    }

    /**
     * The brokers that {@code plans} take away from the Kafka that {@code component}'s guard reaches: its own departing
     * brokers, then those of every other guarded component with the same {@code bootstrapServers} (node pools of one
     * Kafka, e.g. brokers in two zones as two components). They are judged, and leadership moved off them, together:
     * judged one component at a time, two brokers taken offline from two components in one ops would each look safe while
     * together they leave a partition under {@code min.insync.replicas}. Empty when {@code component} has no Kafka guard.
     */
    static List<Broker> departingFromSameKafka(Cluster cluster, Map<String, ScalingPlan> plans, String component) {
        Optional<KafkaScaleInGuard> own = cluster == null || cluster.getSpec() == null ? Optional.empty() : kafkaGuard(cluster, component);
        if (own.isEmpty()) {
            return List.of();
        }
        List<Broker> out = new ArrayList<>();
        List<ScalingPlan> ordered = new ArrayList<>();
        if (plans.containsKey(component)) {
            ordered.add(plans.get(component));
        }
        plans.values().stream().filter(p -> !p.component().equals(component)).forEach(ordered::add);
        for (ScalingPlan plan : ordered) {
            Optional<KafkaScaleInGuard> guard = kafkaGuard(cluster, plan.component());
            if (guard.isPresent() && guard.get().bootstrapServers.equals(own.get().bootstrapServers)) {
                out.addAll(ScaleInGuard.departing(plan, guard.get().nodeIdOffset == null ? 0 : guard.get().nodeIdOffset));
            }
        }
        return out;
    }

    private static Optional<KafkaScaleInGuard> kafkaGuard(Cluster cluster, String component) {
        return cluster.getSpec().componentSpecs.stream().filter(c -> c.name.equals(component)).findFirst()
                .map(c -> c.scaleInGuard).map(g -> g.kafka);
    }
}
