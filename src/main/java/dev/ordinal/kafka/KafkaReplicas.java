package dev.ordinal.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.ListPartitionReassignmentsOptions;
import org.apache.kafka.clients.admin.UnregisterBrokerOptions;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterPartitionReassignmentsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ElectLeadersOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.jboss.logging.Logger;

import dev.ordinal.config.OrdinalConfig;
import dev.ordinal.core.KafkaDrain;
import dev.ordinal.core.KafkaSnapshot;
import dev.ordinal.core.LeaderMoves;
import dev.ordinal.core.ScaleInGuard.Replica;

/**
 * Asks a Kafka cluster, through its Admin API, where its partitions are ({@link #snapshot}), and moves leadership by
 * reordering replica lists ({@link #apply}). One Admin client is kept
 * per {@link Target} (bootstrap string and security settings) while that Kafka answers (a failed check closes it; the
 * next check opens a new one); a client made for other settings of the same bootstrap string (a rotated Secret) is
 * closed when the new one is opened, and all are closed when the operator stops. Every call is bounded
 * by {@code ordinal.scale-in-guard.timeout} (default 5 s) in total, so a reconciler thread waits at most that long.
 */
@ApplicationScoped
public class KafkaReplicas {
    private static final Logger LOG = Logger.getLogger(KafkaReplicas.class);

    /**
     * How long an Admin client may stay unused before it is closed: the Cluster that used it may be deleted, its guard
     * removed or pointed elsewhere, and an open client keeps a network thread and keeps reconnecting to its Kafka.
     */
    static final Duration IDLE_CLOSE = Duration.ofMinutes(10);

    private final Duration timeout;
    private final Duration idleClose;
    private final Map<String, Admin> admins = new ConcurrentHashMap<>();
    /** Key → System.nanoTime() of its client's last use. */
    private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService sweeper;
    private volatile boolean closed;

    /** The operator's client: {@code ordinal.scale-in-guard.timeout} bounds one check. */
    @Inject
    public KafkaReplicas(OrdinalConfig config) {
        this(config.scaleInGuard().timeout());
    }

    /**
     * @param timeout bound on one {@link #hostedBy} call
     * @throws IllegalArgumentException for a timeout that is not positive
     */
    public KafkaReplicas(Duration timeout) {
        this(timeout, IDLE_CLOSE);
    }

    /** @param idleClose how long a client may stay unused before it is closed (looked at every half of it) */
    KafkaReplicas(Duration timeout, Duration idleClose) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("ordinal.scale-in-guard.timeout: " + timeout + " must be positive");
        }
        this.timeout = timeout;
        this.idleClose = idleClose;
        this.sweeper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ordinal-kafka-admin-sweeper");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, idleClose.toMillis() / 2);
        sweeper.scheduleWithFixedDelay(this::closeIdle, every, every, TimeUnit.MILLISECONDS);
    }

    /** Closes the clients unused for longer than {@code idleClose}. */
    private void closeIdle() {
        long now = System.nanoTime();
        lastUsed.forEach((key, used) -> {
            if (now - used > idleClose.toNanos()) {
                LOG.debugf("closing the Admin client for %s: unused for %s", key.substring(0, key.indexOf('#')), idleClose);
                forget(key);
            }
        });
    }

    /**
     * One Kafka as the operator reaches it: {@code bootstrap.servers} and the Admin client's security settings
     * ({@link ClientSecurity#NONE}: PLAINTEXT).
     */
    public record Target(String bootstrapServers, ClientSecurity security) {
        public Target {
            java.util.Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            java.util.Objects.requireNonNull(security, "security");
        }

        /** A PLAINTEXT listener. */
        public static Target plaintext(String bootstrapServers) {
            return new Target(bootstrapServers, ClientSecurity.NONE);
        }

        /** For messages: the bootstrap string, and where the settings come from when there are any. */
        public String describe() {
            return security.source() == null ? bootstrapServers : bootstrapServers + " (client settings from " + security.source() + ")";
        }

        /**
         * The Admin client cache's key: the same string for the same bootstrap, source of settings and settings;
         * {@code <bootstrap>#<source>#<digest>}.
         */
        String key() {
            return bootstrapServers + "#" + (security.source() == null ? "" : security.source()) + "#" + security.fingerprint();
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** Kafka gave no usable answer; the message says why in a few words (e.g. "no answer within 5s"). */
    public static final class KafkaUnavailable extends Exception {
        public KafkaUnavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** The bound on one call ({@link #snapshot}, {@link #apply}). */
    public Duration timeout() {
        return timeout;
    }

    /**
     * The replicas (in every topic, internal ones included) that each of {@code nodeIds} hosts, as the partition
     * metadata of the Kafka cluster at {@code bootstrapServers} says now. A node that hosts none is absent from the
     * map. A replica being moved away by a reassignment still counts until the reassignment completes.
     *
     * @throws KafkaUnavailable when Kafka cannot be reached or does not answer within {@link #timeout()}
     */
    public Map<Integer, List<Replica>> hostedBy(String bootstrapServers, Set<Integer> nodeIds) throws KafkaUnavailable {
        return snapshot(Target.plaintext(bootstrapServers)).hostedBy(nodeIds);
    }

    /**
     * What the guard's rules read (docs/scaling-rules.md §8): every partition of every topic (internal ones included)
     * with its replicas, ISR and leader ({@code describeTopics}), the brokers of the cluster now
     * ({@code describeCluster}: registered and unfenced) and each topic's effective {@code min.insync.replicas}
     * ({@code describeConfigs}: the topic's setting, else the broker default, as Kafka reports it). All calls together
     * are bounded by {@link #timeout()}.
     *
     * @throws KafkaUnavailable when Kafka cannot be reached or does not answer within {@link #timeout()}
     */
    public KafkaSnapshot snapshot(String bootstrapServers) throws KafkaUnavailable {
        return snapshot(Target.plaintext(bootstrapServers));
    }

    /** {@link #snapshot(String)} of the Kafka at {@code target}, with its security settings. */
    public KafkaSnapshot snapshot(Target target) throws KafkaUnavailable {
        return call(target, (admin, deadline) -> {
            Set<Integer> live = new HashSet<>();
            Map<Integer, String> racks = new HashMap<>();
            for (Node n : admin.describeCluster(new DescribeClusterOptions().timeoutMs(remainingMs(deadline))).nodes()
                    .get(remainingMs(deadline), TimeUnit.MILLISECONDS)) {
                live.add(n.id());
                if (n.hasRack()) {
                    racks.put(n.id(), n.rack());
                }
            }
            Set<String> reassigning = admin.listPartitionReassignments(new ListPartitionReassignmentsOptions().timeoutMs(remainingMs(deadline)))
                    .reassignments().get(remainingMs(deadline), TimeUnit.MILLISECONDS).keySet().stream()
                    .map(tp -> tp.topic() + "-" + tp.partition()).collect(Collectors.toSet());
            Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true).timeoutMs(remainingMs(deadline)))
                    .names().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            if (topics.isEmpty()) {
                return new KafkaSnapshot(List.of(), live, Map.of(), 1, racks, reassigning);
            }
            Map<String, TopicDescription> described = admin.describeTopics(topics, new DescribeTopicsOptions().timeoutMs(remainingMs(deadline)))
                    .allTopicNames().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            List<ConfigResource> resources = described.keySet().stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources, new DescribeConfigsOptions().timeoutMs(remainingMs(deadline)))
                    .all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            Map<String, Integer> minInsync = new HashMap<>();
            configs.forEach((resource, config) -> {
                ConfigEntry entry = config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
                if (entry != null && entry.value() != null) {
                    minInsync.put(resource.name(), Integer.parseInt(entry.value()));
                }
            });
            List<KafkaSnapshot.Partition> partitions = new ArrayList<>();
            for (TopicDescription topic : described.values()) {
                for (TopicPartitionInfo p : topic.partitions()) {
                    partitions.add(new KafkaSnapshot.Partition(topic.name(), p.partition(), p.replicas().stream().map(Node::id).toList(),
                            p.isr().stream().map(Node::id).toList(), p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id()));
                }
            }
            return new KafkaSnapshot(partitions, live, minInsync, 1, racks, reassigning);
        });
    }

    /**
     * Carries out one step of a drain ({@code dev.ordinal.core.KafkaDrain.Step}), in order: the replication throttle
     * set ({@code incrementalAlterConfigs}: {@code leader/follower.replication.throttled.rate} on each broker involved,
     * {@code leader/follower.replication.throttled.replicas} on each topic involved), the reassignments asked for and
     * cancelled ({@code alterPartitionReassignments}; cancelling one that already ended is not an error), the throttle
     * removed (the same entries deleted). Asking again for a reassignment in progress to the same target changes
     * nothing, so a step repeated after a restart is harmless.
     *
     * @throws KafkaUnavailable when Kafka cannot be reached, refuses a change, or does not answer within {@link #timeout()}
     */
    public void drain(String bootstrapServers, KafkaDrain.Step step) throws KafkaUnavailable {
        drain(Target.plaintext(bootstrapServers), step);
    }

    /** {@link #drain(String, KafkaDrain.Step)} with the Kafka at {@code target}, with its security settings. */
    public void drain(Target kafka, KafkaDrain.Step step) throws KafkaUnavailable {
        call(kafka, (admin, deadline) -> {
            if (step.setThrottle()) {
                admin.incrementalAlterConfigs(throttleConfigs(step.throttle(), String.valueOf(step.rate())),
                        new AlterConfigsOptions().timeoutMs(remainingMs(deadline))).all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            }
            Map<TopicPartition, Optional<NewPartitionReassignment>> changes = new LinkedHashMap<>();
            step.reassign().forEach((p, target) -> changes.put(partition(p), Optional.of(new NewPartitionReassignment(target))));
            step.cancel().forEach(p -> changes.put(partition(p), Optional.empty()));
            if (!changes.isEmpty()) {
                Map<TopicPartition, org.apache.kafka.common.KafkaFuture<Void>> results = admin.alterPartitionReassignments(changes,
                        new AlterPartitionReassignmentsOptions().timeoutMs(remainingMs(deadline))).values();
                for (var e : results.entrySet()) {
                    try {
                        e.getValue().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                    } catch (ExecutionException ex) {
                        if (!(ex.getCause() instanceof NoReassignmentInProgressException)) {
                            throw ex;
                        }
                    }
                }
            }
            if (step.removeThrottle()) {
                admin.incrementalAlterConfigs(throttleConfigs(step.throttle(), null), new AlterConfigsOptions().timeoutMs(remainingMs(deadline)))
                        .all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            }
            return null;
        });
    }

    /** The throttle's config changes: set to {@code rate} (and the replica lists), or deleted when {@code rate} is null. */
    static Map<ConfigResource, java.util.Collection<AlterConfigOp>> throttleConfigs(KafkaDrain.Throttle throttle, String rate) {
        Map<ConfigResource, java.util.Collection<AlterConfigOp>> ops = new LinkedHashMap<>();
        for (int broker : throttle.brokers()) {
            ops.put(new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(broker)), List.of(
                    op("leader.replication.throttled.rate", rate), op("follower.replication.throttled.rate", rate)));
        }
        Set<String> topics = new java.util.TreeSet<>(throttle.leaders().keySet());
        topics.addAll(throttle.followers().keySet());
        for (String topic : topics) {
            List<AlterConfigOp> list = new ArrayList<>();
            list.add(op("leader.replication.throttled.replicas",
                    rate == null ? null : String.join(",", throttle.leaders().getOrDefault(topic, List.of()))));
            list.add(op("follower.replication.throttled.replicas",
                    rate == null ? null : String.join(",", throttle.followers().getOrDefault(topic, List.of()))));
            ops.put(new ConfigResource(ConfigResource.Type.TOPIC, topic), list);
        }
        return ops;
    }

    private static AlterConfigOp op(String name, String value) {
        return value == null ? new AlterConfigOp(new ConfigEntry(name, ""), AlterConfigOp.OpType.DELETE)
                : new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    /**
     * Removes the registrations of {@code nodeIds} from the KRaft metadata ({@code unregisterBroker}), for brokers whose
     * pods are gone for good. An id Kafka does not know (already unregistered) is not an error.
     *
     * @throws KafkaUnavailable when Kafka cannot be reached, refuses, or does not answer within {@link #timeout()}
     */
    public void unregister(String bootstrapServers, Set<Integer> nodeIds) throws KafkaUnavailable {
        unregister(Target.plaintext(bootstrapServers), nodeIds);
    }

    /** {@link #unregister(String, Set)} with the Kafka at {@code target}, with its security settings. */
    public void unregister(Target target, Set<Integer> nodeIds) throws KafkaUnavailable {
        call(target, (admin, deadline) -> {
            for (int id : new java.util.TreeSet<>(nodeIds)) {
                try {
                    UnregisterBrokerOptions options = new UnregisterBrokerOptions();
                    options.timeoutMs(remainingMs(deadline)); // its timeoutMs is typed for another options class
                    admin.unregisterBroker(id, options).all()
                            .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof BrokerIdNotRegisteredException)) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    /**
     * Carries out one leadership step ({@code dev.ordinal.core.LeaderMoves}): writes each new replica order with
     * {@code alterPartitionReassignments} (the same replicas in another order: Kafka moves no data and completes it at
     * once), then asks for a preferred-leader election ({@code electLeaders(PREFERRED)}) of the partitions named. A
     * partition whose election is not needed, or cannot happen now, is left to the next step, which reads Kafka again.
     *
     * @throws KafkaUnavailable when Kafka cannot be reached, refuses the reassignment, or does not answer within {@link #timeout()}
     */
    public void apply(String bootstrapServers, LeaderMoves.Step step) throws KafkaUnavailable {
        apply(Target.plaintext(bootstrapServers), step);
    }

    /** {@link #apply(String, LeaderMoves.Step)} with the Kafka at {@code target}, with its security settings. */
    public void apply(Target target, LeaderMoves.Step step) throws KafkaUnavailable {
        if (step.isEmpty()) {
            return;
        }
        call(target, (admin, deadline) -> {
            if (!step.reorder().isEmpty()) {
                Map<TopicPartition, Optional<NewPartitionReassignment>> orders = new LinkedHashMap<>();
                step.reorder().forEach((p, order) -> orders.put(partition(p), Optional.of(new NewPartitionReassignment(order))));
                admin.alterPartitionReassignments(orders, new AlterPartitionReassignmentsOptions().timeoutMs(remainingMs(deadline)))
                        .all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            }
            if (!step.elect().isEmpty()) {
                Set<TopicPartition> elect = step.elect().stream().map(KafkaReplicas::partition).collect(Collectors.toSet());
                Map<TopicPartition, Optional<Throwable>> results = admin.electLeaders(ElectionType.PREFERRED, elect,
                        new ElectLeadersOptions().timeoutMs(remainingMs(deadline))).partitions().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                results.forEach((tp, error) -> error.filter(e -> !(e instanceof ElectionNotNeededException))
                        .ifPresent(e -> LOG.debugf("preferred leader election of %s: %s", tp, e.toString())));
            }
            return null;
        });
    }

    /** {@code orders-3} → topic {@code orders}, partition 3 (a topic name may contain "-"). */
    static TopicPartition partition(String name) {
        int dash = name.lastIndexOf('-');
        return new TopicPartition(name.substring(0, dash), Integer.parseInt(name.substring(dash + 1)));
    }

    /** One conversation with Kafka, given the Admin client and the deadline (System.nanoTime) of the whole call. */
    @FunctionalInterface
    private interface AdminCall<T> {
        T run(Admin admin, long deadline) throws InterruptedException, ExecutionException, TimeoutException;
    }

    private <T> T call(Target target, AdminCall<T> call) throws KafkaUnavailable {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            return ask(target, call, deadline);
        } catch (KafkaUnavailable e) {
            if (!closedUnderneath(e) || closed || System.nanoTime() >= deadline) {
                throw e;
            }
            // The client was closed under this call (an operator stopping or reloading, a failed check of another
            // caller, a rotated Secret): that says nothing about Kafka, so ask once more with a client of its own.
            LOG.debugf("the Admin client for %s was closed during a check; asking again with a new one", target.bootstrapServers());
            return ask(target, call, deadline);
        }
    }

    private <T> T ask(Target target, AdminCall<T> call, long deadline) throws KafkaUnavailable {
        if (closed) {
            throw new KafkaUnavailable("the operator is stopping", null);
        }
        try {
            return call.run(openAdmin(target), deadline);
        } catch (TimeoutException e) {
            forget(target.key());
            throw new KafkaUnavailable("no answer within " + timeout.toSeconds() + "s", e);
        } catch (ExecutionException e) {
            // A Kafka that does not answer keeps no client (and its reconnect attempts) alive between checks.
            forget(target.key());
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new KafkaUnavailable(cause.getClass().getSimpleName() + ": " + cause.getMessage() + handshakeDetail(cause), cause);
        } catch (KafkaException | IllegalArgumentException e) {
            // e.g. "No resolvable bootstrap urls given in bootstrap.servers" from Admin.create, or settings it refuses
            // (Kafka's messages show no password or PEM value: they are of its type PASSWORD)
            forget(target.key());
            throw new KafkaUnavailable(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailable("interrupted", e);
        }
    }

    /**
     * Why a TLS handshake failed, from the innermost cause, e.g. " (PKIX path building failed: … unable to find valid
     * certification path to requested target)": Kafka's own message says only "SSL handshake failed". Empty for other
     * failures.
     */
    static String handshakeDetail(Throwable failure) {
        if (!(failure instanceof org.apache.kafka.common.errors.SslAuthenticationException)) {
            return "";
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == failure || root.getMessage() == null ? "" : " (" + root.getMessage() + ")";
    }

    /** Whether a failure came from a client closed meanwhile, not from Kafka: "The AdminClient thread has exited". */
    private static boolean closedUnderneath(KafkaUnavailable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && (t.getMessage().contains("thread has exited") || t.getMessage().contains("is already closed"))) {
                return true;
            }
        }
        return false;
    }

    private static int remainingMs(long deadline) {
        return (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    private Admin admin(Target target) throws KafkaUnavailable {
        if (closed) {
            throw new KafkaUnavailable("the operator is stopping", null);
        }
        String key = target.key();
        lastUsed.put(key, System.nanoTime());
        Admin existing = admins.get(key);
        if (existing != null) {
            return existing;
        }
        Admin made = admins.computeIfAbsent(key, k -> Admin.create(properties(target)));
        // Clients made for earlier settings of the same bootstrap string and the same Secret (it changed): not used any
        // more. Another Secret's client for the same Kafka (another Cluster) stays: closing it would make the two
        // Clusters close each other's client at every check.
        String slot = key.substring(0, key.lastIndexOf('#'));
        for (String other : List.copyOf(admins.keySet())) {
            if (!other.equals(key) && other.substring(0, other.lastIndexOf('#')).equals(slot)) {
                LOG.debugf("closing the Admin client for %s made with earlier client settings", target.bootstrapServers());
                forget(other);
            }
        }
        return made;
    }

    /** The Admin client's properties: the operator's timeouts and client id, then the target's security settings. */
    static Properties properties(Target target, Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "ordinal-scale-in-guard");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, (long) Math.min(timeout.toMillis(), 3000));
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, (long) Math.min(timeout.toMillis(), 3000));
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000L);
        // only security.protocol, ssl.* and sasl.* (ClientSecurity): nothing above is overridden
        props.putAll(target.security().properties());
        return props;
    }

    private Properties properties(Target target) {
        return properties(target, timeout);
    }

    /** {@link #admin} that gives up when the bean was closed while the client was being made (it is closed again at once). */
    private Admin openAdmin(Target target) throws KafkaUnavailable {
        Admin admin = admin(target);
        if (closed) {
            forget(target.key());
            throw new KafkaUnavailable("the operator is stopping", null);
        }
        return admin;
    }

    /** The bootstrap strings that have an open Admin client, one entry per client (for tests). */
    List<String> openClients() {
        return admins.keySet().stream().map(k -> k.substring(0, k.indexOf('#'))).sorted().toList();
    }

    private void forget(String key) {
        lastUsed.remove(key);
        Admin admin = admins.remove(key);
        if (admin != null) {
            admin.close(Duration.ZERO);
        }
    }

    /**
     * Closes every Admin client (operator shutdown, or a live reload in dev mode, which makes a new instance of this
     * bean); a check still running on this instance then answers "the operator is stopping" instead of opening a
     * client nobody would close, or using a closed one.
     */
    @PreDestroy
    void closeAll() {
        closed = true;
        sweeper.shutdownNow();
        admins.keySet().forEach(this::forget);
        LOG.debug("closed the scale-in guard's Kafka Admin clients");
    }
}
