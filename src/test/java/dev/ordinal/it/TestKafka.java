package dev.ordinal.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The test side of {@link KafkaChild}: starts a real Kafka (KRaft, loopback only) in a child JVM on the test's class
 * path, hands out its bootstrap servers and an Admin client, and stops it. A JVM shutdown hook kills the child should
 * a test run end without {@link #stop()}; the child also ends by itself when its stdin closes.
 */
public final class TestKafka implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(120);

    private final Process process;
    private final String bootstrapServers;
    private final Admin admin;
    private final Thread killer;

    private final Path dir;
    private final Properties listeners;

    private TestKafka(Process process, String bootstrapServers, Path dir, Properties listeners) {
        this.process = process;
        this.dir = dir;
        this.listeners = listeners;
        this.bootstrapServers = bootstrapServers;
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "ordinal-test");
        this.admin = Admin.create(props);
        this.killer = new Thread(process::destroyForcibly, "kafka-child-killer");
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /** Starts Kafka with {@code brokers} brokers (node ids 0..brokers-1); its output goes to target/kafka-child.log. */
    public static TestKafka start(int brokers) throws IOException, InterruptedException {
        return start(brokers, new Properties());
    }

    /**
     * Starts Kafka with {@code brokers} brokers and {@code brokerProperties} added to each broker's configuration: more
     * {@code listeners} (with port 0; the PLAINTEXT one named {@code EXTERNAL} must stay in the list) with their
     * security settings, whose addresses {@link #bootstrapServers(String)} then gives.
     */
    public static TestKafka start(int brokers, Properties brokerProperties) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("ordinal-kafka");
        Path bootstrap = dir.resolve("bootstrap");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true",
                "-cp", System.getProperty("java.class.path"), KafkaChild.class.getName(),
                bootstrap.toString(), String.valueOf(brokers), dir.resolve("data").toString()));
        if (!brokerProperties.isEmpty()) {
            Path props = dir.resolve("broker.properties");
            try (var out = Files.newBufferedWriter(props, StandardCharsets.UTF_8)) {
                brokerProperties.store(out, null);
            }
            command.add(props.toString());
        }
        Path log = Path.of("target", "kafka-child.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Instant deadline = Instant.now().plus(START);
        while (!Files.exists(bootstrap)) {
            if (!p.isAlive() || Instant.now().isAfter(deadline)) {
                p.destroyForcibly();
                throw new IllegalStateException("Kafka did not start within " + START.toSeconds() + "s (exit "
                        + (p.isAlive() ? "none" : p.exitValue()) + "); see " + log);
            }
            Thread.sleep(200);
        }
        Properties listeners = new Properties();
        Path bound = dir.resolve("bootstrap.listeners");
        if (Files.exists(bound)) {
            try (var in = Files.newBufferedReader(bound, StandardCharsets.UTF_8)) {
                listeners.load(in);
            }
        }
        return new TestKafka(p, Files.readString(bootstrap).trim(), dir, listeners);
    }

    /** The PLAINTEXT listener's bootstrap servers. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * The bootstrap servers of the extra listener {@code name} (as named in {@code listeners}, e.g. {@code SSL}).
     *
     * @throws IllegalArgumentException when Kafka was started without that listener
     */
    public String bootstrapServers(String name) {
        String b = listeners.getProperty(name);
        if (b == null) {
            throw new IllegalArgumentException("no listener " + name + "; listeners: " + listeners.stringPropertyNames());
        }
        return b;
    }

    /** An Admin client on the PLAINTEXT listener (closed by {@link #stop()}). */
    public Admin admin() {
        return admin;
    }

    boolean isRunning() {
        return process.isAlive();
    }

    /** Stops the brokers and controller (asks the child, then kills it after 30 s) and closes the Admin client. */
    public synchronized void stop() throws InterruptedException {
        admin.close(Duration.ofSeconds(2));
        if (process.isAlive()) {
            try (OutputStream in = process.getOutputStream()) {
                in.write("stop\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the child is going away already
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is no failure
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException e) {
            // the JVM is shutting down
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
