package dev.ordinal.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.jboss.logging.Logger;

import dev.ordinal.config.OrdinalConfig;
import dev.ordinal.core.ScaleInGuard.Replica;

/**
 * Asks a Kafka cluster, through its Admin API, which partition replicas some nodes host. One Admin client is kept
 * per bootstrap string while that Kafka answers (a failed check closes it; the next check opens a new one), and all
 * are closed when the operator stops. Every call is bounded
 * by {@code ordinal.scale-in-guard.timeout} (default 5 s) in total, so a reconciler thread waits at most that long.
 */
@ApplicationScoped
public class KafkaReplicas {
    private static final Logger LOG = Logger.getLogger(KafkaReplicas.class);

    private final Duration timeout;
    private final Map<String, Admin> admins = new ConcurrentHashMap<>();
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
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("ordinal.scale-in-guard.timeout: " + timeout + " must be positive");
        }
        this.timeout = timeout;
    }

    /** Kafka gave no usable answer; the message says why in a few words (e.g. "no answer within 5s"). */
    public static final class KafkaUnavailable extends Exception {
        public KafkaUnavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /** The bound on one {@link #hostedBy} call. */
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
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            return ask(bootstrapServers, nodeIds, deadline);
        } catch (KafkaUnavailable e) {
            if (!closedUnderneath(e) || closed || System.nanoTime() >= deadline) {
                throw e;
            }
            // The client was closed under this call (an operator stopping or reloading, a failed check of another
            // caller): that says nothing about Kafka, so ask once more with a client of its own.
            LOG.debugf("the Admin client for %s was closed during a check; asking again with a new one", bootstrapServers);
            return ask(bootstrapServers, nodeIds, deadline);
        }
    }

    private Map<Integer, List<Replica>> ask(String bootstrapServers, Set<Integer> nodeIds, long deadline) throws KafkaUnavailable {
        if (closed) {
            throw new KafkaUnavailable("the operator is stopping", null);
        }
        try {
            Admin admin = openAdmin(bootstrapServers);
            Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true).timeoutMs(remainingMs(deadline)))
                    .names().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            Map<String, TopicDescription> described = topics.isEmpty() ? Map.of()
                    : admin.describeTopics(topics, new DescribeTopicsOptions().timeoutMs(remainingMs(deadline)))
                            .allTopicNames().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            Map<Integer, List<Replica>> hosted = new HashMap<>();
            for (TopicDescription topic : described.values()) {
                for (TopicPartitionInfo p : topic.partitions()) {
                    for (Node replica : p.replicas()) {
                        if (nodeIds.contains(replica.id())) {
                            hosted.computeIfAbsent(replica.id(), k -> new ArrayList<>()).add(new Replica(topic.name(), p.partition()));
                        }
                    }
                }
            }
            return hosted;
        } catch (TimeoutException e) {
            forget(bootstrapServers);
            throw new KafkaUnavailable("no answer within " + timeout.toSeconds() + "s", e);
        } catch (ExecutionException e) {
            // A Kafka that does not answer keeps no client (and its reconnect attempts) alive between checks.
            forget(bootstrapServers);
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new KafkaUnavailable(cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
        } catch (KafkaException | IllegalArgumentException e) {
            // e.g. "No resolvable bootstrap urls given in bootstrap.servers" from Admin.create
            forget(bootstrapServers);
            throw new KafkaUnavailable(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailable("interrupted", e);
        }
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

    private Admin admin(String bootstrapServers) throws KafkaUnavailable {
        if (closed) {
            throw new KafkaUnavailable("the operator is stopping", null);
        }
        return admins.computeIfAbsent(bootstrapServers, b -> {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b);
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "ordinal-scale-in-guard");
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, (long) Math.min(timeout.toMillis(), 3000));
            props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, (long) Math.min(timeout.toMillis(), 3000));
            props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000L);
            return Admin.create(props);
        });
    }

    /** {@link #admin} that gives up when the bean was closed while the client was being made (it is closed again at once). */
    private Admin openAdmin(String bootstrapServers) throws KafkaUnavailable {
        Admin admin = admin(bootstrapServers);
        if (closed) {
            forget(bootstrapServers);
            throw new KafkaUnavailable("the operator is stopping", null);
        }
        return admin;
    }

    private void forget(String bootstrapServers) {
        Admin admin = admins.remove(bootstrapServers);
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
        admins.keySet().forEach(this::forget);
        LOG.debug("closed the scale-in guard's Kafka Admin clients");
    }
}
