package dev.ordinal.bench;

import dev.ordinal.core.ClusterView;
import dev.ordinal.core.ComponentShape;
import dev.ordinal.core.InstanceNames;
import dev.ordinal.core.ObservedPod;
import dev.ordinal.core.OpsProgress;
import dev.ordinal.core.OpsValidation;
import dev.ordinal.core.Ordinals;
import dev.ordinal.core.PlanResult;
import dev.ordinal.core.ProgressReport;
import dev.ordinal.core.ReplicasLimits;
import dev.ordinal.core.ScalingPlan;
import dev.ordinal.core.ScalingPlanner;
import dev.ordinal.core.ScalingRequest;
import dev.ordinal.core.ScalingRequest.ScaleIn;
import dev.ordinal.core.ScalingRequest.ScaleOut;
import dev.ordinal.core.TemplateShape;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the pure scaling core on a 5-component cluster, 100 replicas each (two templates,
 * one with explicit ordinals, and a few offline names per component). The baseline is the
 * naming rule alone, which every plan calls twice; see docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ScalingCoreBenchmark {
    private static final String CLUSTER = "bench";
    private static final int COMPONENTS = 5;

    private final Map<String, ClusterView.ComponentView> components = new LinkedHashMap<>();
    private final List<ScalingRequest> requests = new ArrayList<>();
    private ClusterView cluster;
    private ComponentShape firstShape;
    private ScalingRequest firstRequest;
    private Map<String, ScalingPlan> plans;
    private Map<String, ObservedPod> observed;

    @Setup
    public void setUp() {
        for (int c = 0; c < COMPONENTS; c++) {
            String name = "comp" + c;
            List<TemplateShape> templates = List.of(
                    new TemplateShape("hot", 20),
                    new TemplateShape("warm", 10, Ordinals.expand(List.of(new Ordinals.Range(100, 199)), List.of())));
            List<String> offline = new ArrayList<>();
            for (int o = 5; o < 60; o += 11) {
                offline.add(InstanceNames.podName(CLUSTER, name, "", o)); // 5 default-template names
            }
            offline.add(InstanceNames.podName(CLUSTER, name, "hot", 3));
            ComponentShape shape = new ComponentShape(100, templates, offline);
            components.put(name, new ClusterView.ComponentView(shape, new ReplicasLimits(1, 300)));
            // Bring two names back, take two others offline, and add three more replicas.
            requests.add(new ScalingRequest(name, null,
                    new ScaleOut(5, List.of(), List.of(offline.get(0), offline.get(5))),
                    new ScaleIn(null, List.of(), List.of(
                            InstanceNames.podName(CLUSTER, name, "", 2),
                            InstanceNames.podName(CLUSTER, name, "warm", 104)))));
        }
        cluster = new ClusterView(true, "Running", components);
        firstShape = components.get("comp0").shape();
        firstRequest = requests.get(0);
        OpsValidation.Result result = OpsValidation.validate(CLUSTER, cluster, OpsValidation.HORIZONTAL_SCALING, requests);
        if (!result.isValid()) {
            throw new IllegalStateException("benchmark input is invalid: " + result.summary());
        }
        plans = result.plans();
        observed = new HashMap<>();
        plans.values().forEach(p -> {
            p.podsToCreate().forEach(n -> observed.put(n, ObservedPod.readyPod()));
            p.podsToDelete().forEach(n -> observed.put(n, ObservedPod.terminatingPod()));
        });
    }

    /** Baseline: the naming rule for one 100-replica component. */
    @Benchmark
    public List<String> namesOneComponent() {
        return InstanceNames.names(CLUSTER, "comp0", firstShape);
    }

    /** Baseline for the whole ops: the naming rule once per component. */
    @Benchmark
    public int namesFiveComponents() {
        int total = 0;
        for (Map.Entry<String, ClusterView.ComponentView> e : components.entrySet()) {
            total += InstanceNames.names(CLUSTER, e.getKey(), e.getValue().shape()).size();
        }
        return total;
    }

    /** One component: §4 checks plus the §3 plan (names before and after, create/delete sets). */
    @Benchmark
    public PlanResult planOneComponent() {
        return ScalingPlanner.plan(CLUSTER, "comp0", firstShape, new ReplicasLimits(1, 300), firstRequest);
    }

    /** The whole OpsRequest: cluster-level checks and a plan for each of the 5 components. */
    @Benchmark
    public OpsValidation.Result validateAndPlanFiveComponents() {
        return OpsValidation.validate(CLUSTER, cluster, OpsValidation.HORIZONTAL_SCALING, requests);
    }

    /** One reconcile's progress computation for the 5 plans. */
    @Benchmark
    public ProgressReport progressFiveComponents() {
        return OpsProgress.compute(plans, observed);
    }
}
