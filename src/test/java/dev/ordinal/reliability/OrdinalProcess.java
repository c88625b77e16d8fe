package dev.ordinal.reliability;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.ordinal.config.OrdinalConfig;
import dev.ordinal.config.TestConfig;
import dev.ordinal.controller.cluster.ClusterReconciler;
import dev.ordinal.controller.cluster.DirectEditGuard;
import dev.ordinal.controller.instanceset.InstanceSetReconciler;
import dev.ordinal.controller.ops.ClusterWriter;
import dev.ordinal.controller.ops.OpsAnnouncer;
import dev.ordinal.controller.ops.OpsRequestReconciler;
import dev.ordinal.controller.ops.ScaleInGuardGate;
import dev.ordinal.controller.support.GuardAnswers;
import dev.ordinal.controller.support.PodStates;
import dev.ordinal.controller.support.SettleWindow;
import dev.ordinal.controller.support.SharedCaches;
import dev.ordinal.controller.support.StatusWriter;
import dev.ordinal.controller.support.TerminatingNamespaces;
import dev.ordinal.kafka.KafkaReplicas;
import dev.ordinal.observability.EventRecorder;
import dev.ordinal.observability.OpsEventStream;
import dev.ordinal.observability.OpsMetrics;
import dev.ordinal.observability.PodReadinessMetrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * One Ordinal "process": its own API client, NEW instances of the three reconcilers and its own JOSDK
 * {@link Operator} (informers, caches, executors). Stopping it and starting another is what a pod restart does:
 * nothing in memory survives, only what the API server stores.
 */
final class OrdinalProcess implements AutoCloseable {
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

    final String identity;
    private final KubernetesClient client;
    private final Operator operator;
    private final AtomicLong reconciles = new AtomicLong();

    private OrdinalProcess(Rig rig, String identity, LeaderElectionConfiguration leaderElection,
            Duration defaultTimeout) {
        this.identity = identity;
        this.client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(rig.proxy.clientConfig())
                .build();
        Metrics counting = new Metrics() {
            @Override
            public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
                reconciles.incrementAndGet();
            }
        };
        this.operator = new Operator(o -> {
            o.withKubernetesClient(client).withCloseClientOnStop(true).withMetrics(counting)
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(5))
                    .withConcurrentReconciliationThreads(4);
            if (leaderElection != null) {
                o.withLeaderElectionConfiguration(leaderElection);
            }
        });
        EventRecorder events = new EventRecorder(client);
        // Each process has its own meters, as each pod has its own /q/metrics.
        var meters = new SimpleMeterRegistry();
        var metrics = new OpsMetrics(meters);
        // Only the rig's namespace: other tests' leftovers on the shared control plane are not this process's.
        java.util.Set<String> ns = java.util.Set.of(rig.ns, rig.otherNs);
        // One cache per kind, shared by the three controllers, as in the operator; its configuration's defaults.
        var caches = new SharedCaches();
        OrdinalConfig config = config(defaultTimeout);
        var statuses = new StatusWriter(new SettleWindow(config));
        // What a process knows only in memory, as the operator: namespaces found terminating, the guard's answers.
        var namespaces = new TerminatingNamespaces();
        var guardAnswers = new GuardAnswers();
        var kafka = new KafkaReplicas(config);
        operator.register(new ClusterReconciler(client, events, metrics, caches, statuses, namespaces, guardAnswers,
                new DirectEditGuard(kafka, new dev.ordinal.controller.support.KafkaTargets(client))),
                o -> o.settingNamespaces(ns));
        operator.register(new InstanceSetReconciler(client, events, new PodReadinessMetrics(meters), caches, statuses,
                new PodStates(config), namespaces),
                o -> o.settingNamespaces(ns));
        var announcer = new OpsAnnouncer(events, metrics, new OpsEventStream(meters, config));
        operator.register(new OpsRequestReconciler(client, caches, new ClusterWriter(client, metrics, caches), statuses, announcer,
                new ScaleInGuardGate(kafka, metrics, guardAnswers, new dev.ordinal.controller.support.KafkaTargets(client)), config, namespaces),
                o -> o.settingNamespaces(ns));
    }

    /**
     * The operator's configuration with its defaults (OrdinalConfig), but this ops deadline and the tests' pod start
     * deadline (application.properties, %test: a never-Ready simulated pod turns unhealthy after 2 s, not 60 s).
     */
    static OrdinalConfig config(Duration defaultTimeout) {
        return TestConfig.with(Map.of("ordinal.ops.default-timeout", defaultTimeout.toString(),
                "ordinal.status.pod-start-deadline", "2S"));
    }

    static OrdinalProcess start(Rig rig, String identity) {
        return start(rig, identity, null, DEFAULT_TIMEOUT);
    }

    static OrdinalProcess start(Rig rig, String identity, LeaderElectionConfiguration leaderElection,
            Duration defaultTimeout) {
        OrdinalProcess p = new OrdinalProcess(rig, identity, leaderElection, defaultTimeout);
        p.operator.start();
        return p;
    }

    /** Reconciliations this process has started (any controller). */
    long reconciles() {
        return reconciles.get();
    }

    /** What the readiness probe reports: every informer of every controller is watching. */
    boolean ready() {
        return operator.getRuntimeInfo().allEventSourcesAreHealthy();
    }

    Operator operator() {
        return operator;
    }

    @Override
    public void close() {
        operator.stop();
    }
}
