package dev.ordinal.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The test's Kafka client of the example cluster on the real node, through the brokers' advertised names (resolved
 * from {@link ClusterHosts}): the Admin API for topics, ISR and registered brokers, a producer that runs in the
 * background and remembers every acknowledged record, and a consumer that reads a topic from the beginning.
 */
final class KafkaProbe implements AutoCloseable {
    private final String bootstrap;
    private final Admin admin;

    KafkaProbe(String bootstrap) {
        this.bootstrap = bootstrap;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "ordinal-node-test");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        this.admin = Admin.create(p);
    }

    /** Creates {@code topic} with {@code partitions}, replication factor 3 and {@code min.insync.replicas} 2. */
    void createTopic(String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 3)
                .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
    }

    /**
     * Creates {@code topic} with the given replica lists (partition number → node ids, preferred leader first) and
     * {@code min.insync.replicas} 2.
     */
    void createTopic(String topic, Map<Integer, List<Integer>> replicas) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, replicas).configs(Map.of("min.insync.replicas", "2"))))
                .all().get(60, TimeUnit.SECONDS);
    }

    /** The names ({@code topic-partition}) of the partitions Kafka is reassigning now ({@code listPartitionReassignments}). */
    Set<String> reassigning() throws Exception {
        return admin.listPartitionReassignments().reassignments().get(30, TimeUnit.SECONDS).keySet().stream()
                .map(TopicPartition::toString).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * The dynamic configs of {@code names} (broker node ids or topic names, as {@code type} says) whose key is one of
     * {@code keys} and that are set (by anyone: Kafka answers with the value's source); key → value per resource.
     */
    Map<String, Map<String, String>> dynamicConfigs(org.apache.kafka.common.config.ConfigResource.Type type, Set<String> names,
            Set<String> keys) throws Exception {
        List<org.apache.kafka.common.config.ConfigResource> resources = names.stream()
                .map(n -> new org.apache.kafka.common.config.ConfigResource(type, n)).toList();
        Map<String, Map<String, String>> out = new java.util.TreeMap<>();
        admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS).forEach((resource, config) -> {
            Map<String, String> set = new java.util.TreeMap<>();
            config.entries().stream().filter(e -> keys.contains(e.name()))
                    .filter(e -> e.source() == org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG
                            || e.source() == org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                    .forEach(e -> set.put(e.name(), e.value()));
            out.put(resource.name(), set);
        });
        return out;
    }

    /**
     * Whether the KRaft metadata has no registration of {@code nodeId}: Kafka's answer to UnregisterBroker is
     * {@code BROKER_ID_NOT_REGISTERED} exactly then (ReplicationControlManager). Call it only for a broker that must be
     * unregistered already: for a registered one the call unregisters it, and the answer is false.
     */
    boolean notRegistered(int nodeId) throws Exception {
        try {
            admin.unregisterBroker(nodeId).all().get(30, TimeUnit.SECONDS);
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.BrokerIdNotRegisteredException) {
                return true;
            }
            throw e;
        }
    }

    /**
     * Writes {@code records} records of about {@code bytes} bytes each to every partition of {@code topic} (acks=all),
     * as fast as the cluster takes them; returns the acknowledged values' names ({@code prefix-partition-n}, the
     * padding cut off as {@link #name} cuts it). Any failed send fails the call.
     */
    List<String> fill(String topic, String prefix, int partitions, int records, int bytes) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        String padding = " " + "x".repeat(Math.max(0, bytes - 20));
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int n = 0; n < records; n++) {
                for (int partition = 0; partition < partitions; partition++) {
                    String name = prefix + "-" + partition + "-" + n;
                    sent.add(producer.send(new ProducerRecord<>(topic, partition, name, name + padding)));
                    names.add(name);
                }
            }
            producer.flush();
            for (var f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        return names;
    }

    /** A record value's name: the value up to its first space (the padding {@link #fill} adds follows it). */
    static String name(String value) {
        int space = value.indexOf(' ');
        return space < 0 ? value : value.substring(0, space);
    }

    /**
     * The KRaft quorum's leader as {@code controller} (host:port of a controller listener) answers
     * DescribeMetadataQuorum, within 10 s; empty when it gives no answer (no leader elected yet, or unreachable).
     */
    static java.util.Optional<Integer> quorumLeader(String controller) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_CONTROLLERS_CONFIG, controller);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin a = Admin.create(p)) {
            int leader = a.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId();
            return leader >= 0 ? java.util.Optional.of(leader) : java.util.Optional.empty();
        } catch (Exception e) {
            return java.util.Optional.empty();
        }
    }

    /** The node ids of the brokers the cluster has registered and not fenced. */
    Set<Integer> brokers() throws Exception {
        return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(Node::id)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** Partition number → node ids in its ISR. */
    Map<Integer, Set<Integer>> isr(String topic) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        Map<Integer, Set<Integer>> out = new HashMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            out.put(p.partition(), p.isr().stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new)));
        }
        return out;
    }

    /** Partition number → its replica list (preferred leader first) and, last, its leader (-1: none). */
    Map<Integer, List<Integer>> replicasAndLeader(String topic) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        Map<Integer, List<Integer>> out = new HashMap<>();
        for (TopicPartitionInfo p : d.partitions()) {
            List<Integer> v = new java.util.ArrayList<>(p.replicas().stream().map(Node::id).toList());
            v.add(p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id());
            out.put(p.partition(), v);
        }
        return out;
    }

    /**
     * Every partition of every topic, internal ones included ({@code topic-partition} → its replica list, preferred
     * leader first, and, last, its leader, -1: none), as the Kafka guard lists them.
     */
    Map<String, List<Integer>> allReplicasAndLeaders() throws Exception {
        Set<String> topics = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                .names().get(30, TimeUnit.SECONDS);
        Map<String, List<Integer>> out = new java.util.TreeMap<>();
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((topic, d) -> {
            for (TopicPartitionInfo p : d.partitions()) {
                List<Integer> v = new ArrayList<>(p.replicas().stream().map(Node::id).toList());
                v.add(p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id());
                out.put(topic + "-" + p.partition(), v);
            }
        });
        return out;
    }

    /** Reads {@code topic} from the beginning to its current end; returns every value in the order read per partition. */
    List<String> readAll(String topic) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("could not read " + topic + " to its end " + end);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }

    /** Starts a producer that sends one record every {@code every} (acks=all, idempotent) until stopped. */
    Producer produce(String topic, String prefix, Duration every) {
        return new Producer(topic, prefix, every);
    }

    /** A producer in the background; every record the cluster acknowledged is in {@link #acked()}. */
    final class Producer implements AutoCloseable {
        private final KafkaProducer<String, String> producer;
        private final ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        private Producer(String topic, String prefix, Duration every) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            producer = new KafkaProducer<>(p);
            thread = new Thread(() -> {
                while (running.get()) {
                    int n = sent.incrementAndGet();
                    String value = prefix + "-" + n;
                    producer.send(new ProducerRecord<>(topic, "k" + n, value), (meta, e) -> {
                        if (e == null) {
                            acked.add(value);
                        } else {
                            failed.add(value + ": " + e);
                        }
                    });
                    try {
                        Thread.sleep(every.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }, "kafka-probe-producer-" + prefix);
            thread.start();
        }

        /** Stops sending, waits for the answers to every record sent; returns the acknowledged values. */
        List<String> stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            producer.flush();
            return acked();
        }

        List<String> acked() {
            return List.copyOf(acked);
        }

        List<String> failed() {
            return List.copyOf(failed);
        }

        @Override
        public void close() {
            running.set(false);
            producer.close(Duration.ofSeconds(10));
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
