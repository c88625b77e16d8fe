package dev.ordinal.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

/**
 * An in-process Kubernetes API server for tests, dev mode and benchmarks: fabric8's mock server in CRUD mode with
 * the {@link SsaDispatcher} (server-side apply, field ownership, optimistic concurrency), plain HTTP on 127.0.0.1.
 * The store lives in the dispatcher, so {@link #stop()} / {@link #restart()} keep every object (like an API server
 * restart over a persistent etcd) while open watches are cut and clients must reconnect.
 */
public final class EmbeddedApiServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedApiServer.class);
    public static final String FIELD_MANAGER = "ordinal-embedded";

    private final SsaDispatcher dispatcher = new SsaDispatcher();
    private final int port;
    private KubernetesMockServer server;
    private KubernetesClient client;

    private EmbeddedApiServer(int port) {
        this.port = port;
    }

    /** Starts on a free random port. */
    public static EmbeddedApiServer start() {
        return start(0);
    }

    /** Starts on {@code port} (0 = a free random port). */
    public static EmbeddedApiServer start(int port) {
        EmbeddedApiServer s = new EmbeddedApiServer(port == 0 ? freePort() : port);
        s.startServer();
        return s;
    }

    private synchronized void startServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.debugf("embedded API server listening on %s", url());
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public RequestCounter counter() {
        return dispatcher.counter();
    }

    public FaultInjector faults() {
        return dispatcher.faults();
    }

    /** Cuts every open watch (the server keeps running); see {@link SsaDispatcher#dropWatches()}. */
    public int dropWatches() {
        return dispatcher.dropWatches();
    }

    public SsaDispatcher dispatcher() {
        return dispatcher;
    }

    /** A client configuration for this server, namespace {@code default}. */
    public Config config() {
        return new ConfigBuilder(Config.empty()).withMasterUrl(url()).withTrustCerts(true).withNamespace("default")
                .withRequestRetryBackoffLimit(2).build();
    }

    /** A shared client for this server (closed by {@link #close()}). */
    public synchronized KubernetesClient client() {
        if (client == null) {
            client = newClient();
        }
        return client;
    }

    /** A new client for this server; the caller closes it. */
    public KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(config()).build();
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Stops listening; the store is kept. Requests fail with connection errors until {@link #restart()}. */
    public synchronized void stop() {
        if (server != null) {
            server.destroy();
            server = null;
        }
    }

    /** Starts listening again on the same port with the same store. */
    public synchronized void restart() {
        stop();
        startServer();
    }

    /** Applies every {@code *.yml}/{@code *.yaml} in a directory (missing directory: nothing). */
    public List<HasMetadata> applyDirectory(Path dir) {
        List<HasMetadata> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yml,yaml}")) {
            ds.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(null);
        for (Path f : files) {
            out.addAll(applyFile(f));
        }
        return out;
    }

    /** Server-side applies every document of a YAML file with field manager {@value #FIELD_MANAGER}. */
    public List<HasMetadata> applyFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return applyYaml(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<HasMetadata> applyYaml(InputStream yaml) {
        List<HasMetadata> out = new ArrayList<>();
        for (HasMetadata item : client().load(yaml).items()) {
            if (item == null) {
                continue;
            }
            out.add(client().resource(item).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply());
        }
        return out;
    }

    /** Writes a kubeconfig that points kubectl (or any client) at this server. */
    public Path writeKubeconfig(Path file) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: ordinal-embedded
                  cluster:
                    server: %s
                contexts:
                - name: ordinal-embedded
                  context:
                    cluster: ordinal-embedded
                    namespace: default
                    user: ordinal-embedded
                current-context: ordinal-embedded
                users:
                - name: ordinal-embedded
                  user:
                    token: embedded
                """.formatted(url());
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
            client = null;
        }
        stop();
    }
}
