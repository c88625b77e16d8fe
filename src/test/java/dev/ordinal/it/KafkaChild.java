package dev.ordinal.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka in KRaft mode for the scale-in guard tests, run in a JVM of its own by {@link TestKafka}: Kafka's own
 * {@link KafkaClusterTestKit} with one controller and N brokers (node ids 0..N-1) listening on loopback only.
 * It writes the bootstrap servers to the file named by its first argument once every broker is ready, then runs
 * until it reads "stop" or end-of-input on stdin (so it also ends when the test JVM that started it dies).
 * <p>
 * Arguments: {@code <bootstrap file> <brokers> <base directory> [<broker properties file>]}. The optional properties
 * are added to every broker's configuration (e.g. more {@code listeners}, with port 0, and their TLS/SASL settings);
 * the host:port list of each listener other than the default one is then written, as {@code NAME=host:port,...}, to
 * the bootstrap file's sibling {@code <bootstrap file>.listeners} before the bootstrap file itself.
 */
public final class KafkaChild {
    private KafkaChild() {
    }

    public static void main(String[] args) throws Exception {
        Path bootstrapFile = Path.of(args[0]);
        int brokers = Integer.parseInt(args[1]);
        Path base = Path.of(args[2]);
        java.util.Properties extra = new java.util.Properties();
        if (args.length > 3) {
            try (var in = Files.newBufferedReader(Path.of(args[3]), StandardCharsets.UTF_8)) {
                extra.load(in);
            }
        }
        java.util.Map<Integer, java.util.Map<String, String>> perBroker = new java.util.HashMap<>();
        for (int id = 0; id < brokers; id++) {
            java.util.Map<String, String> props = new java.util.HashMap<>();
            extra.stringPropertyNames().forEach(k -> props.put(k, extra.getProperty(k)));
            perBroker.put(id, props);
        }
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(false).setNumControllerNodes(1)
                .setNumBrokerNodes(brokers).setBaseDirectory(base).setPerServerProperties(perBroker).build();
        KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("log.segment.bytes", String.valueOf(1 << 20))
                .setConfigProp("num.network.threads", "1")
                .setConfigProp("num.io.threads", "2")
                .setConfigProp("background.threads", "2")
                .setConfigProp("num.recovery.threads.per.data.dir", "1")
                .setConfigProp("num.replica.fetchers", "1")
                .setDeleteOnClose(true)
                .build();
        try {
            kafka.format();
            kafka.startup();
            kafka.waitForReadyBrokers();
            if (extra.containsKey("listeners")) {
                java.util.Properties bound = new java.util.Properties();
                for (String listener : extra.getProperty("listeners").split(",")) {
                    String name = listener.substring(0, listener.indexOf("://")).trim();
                    if (name.equals(nodes.brokerListenerName().value())) {
                        continue;
                    }
                    java.util.List<String> addresses = new java.util.ArrayList<>();
                    for (var broker : new java.util.TreeMap<>(kafka.brokers()).values()) {
                        addresses.add("localhost:" + broker.socketServer().boundPort(
                                org.apache.kafka.common.network.ListenerName.normalised(name)));
                    }
                    bound.setProperty(name, String.join(",", addresses));
                }
                try (var out = Files.newBufferedWriter(bootstrapFile.resolveSibling(bootstrapFile.getFileName() + ".listeners"))) {
                    bound.store(out, null);
                }
            }
            Path tmp = bootstrapFile.resolveSibling(bootstrapFile.getFileName() + ".tmp");
            Files.writeString(tmp, kafka.bootstrapServers());
            Files.move(tmp, bootstrapFile);
            System.out.println("kafka ready at " + kafka.bootstrapServers());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null && !line.trim().equals("stop")) {
                    // wait
                }
            }
        } finally {
            System.out.println("kafka stopping");
            kafka.close();
            System.out.println("kafka stopped");
        }
        System.exit(0);
    }
}
