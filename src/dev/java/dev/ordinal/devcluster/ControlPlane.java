package dev.ordinal.devcluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A real Kubernetes control plane on loopback for tests, dev mode and benchmarks: etcd, kube-apiserver and
 * kube-controller-manager (garbage collector, namespace and claim-protection controllers only), run as child processes from the
 * binaries {@code kube/build-control-plane.sh} built into {@code ~/.cache/ordinal/kube/<version>/}.
 * <p>
 * The API server serves TLS on {@code 127.0.0.1}, authenticates clients by certificate (one CA made per control
 * plane, {@link #credentials(String, String...)} issues a certificate per user), authorizes with RBAC, signs
 * ServiceAccount tokens and writes an audit log ({@link #auditLog()}). Nothing listens on another address.
 * <p>
 * Processes are stopped by {@link #close()}; a watchdog in each child's wrapper stops it when this JVM is gone, so
 * no process outlives the run even when the JVM is killed. A process that dies fails the next {@link #checkAlive()}
 * with its last log lines. See docs/control-plane.md.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControlPlane.class);

    /** Kubernetes release the binaries are built from; must match kube/build-control-plane.sh. */
    public static final String KUBE_VERSION = System.getProperty("ordinal.kube.version", "1.37.2");
    /** The identity the tests' own client uses: group system:masters. */
    public static final String ADMIN = "ordinal-admin";

    private final Path binaries;
    private final Path dir;
    private final Pki pki;
    private final int etcdPort;
    private final int etcdPeerPort;
    private final int apiPort;
    private final Map<String, Path> kubeconfigs = new ConcurrentHashMap<>();
    private final List<ChildProcess> children = new ArrayList<>();
    private ChildProcess etcd;
    private ChildProcess apiServer;
    private ChildProcess controllerManager;
    /** Extra kube-controller-managers started by {@link #startPeerControllerManager}, by name. */
    private final Map<String, ChildProcess> peers = new java.util.LinkedHashMap<>();
    private volatile boolean closed;

    private final NodeSettings node;

    private ControlPlane(Path binaries, Path dir, int apiPort, NodeSettings node) {
        this.binaries = binaries;
        this.dir = dir;
        this.node = node;
        this.pki = new Pki(dir.resolve("pki"));
        this.etcdPort = freePort();
        this.etcdPeerPort = freePort();
        this.apiPort = apiPort != 0 ? apiPort : node == null ? freePort() : freePort(node.address());
    }

    /**
     * How a control plane for a real node differs from the loopback one: the API server binds and advertises
     * {@code address} (pods reach it through the {@code kubernetes} Service, whose endpoint is that address), hands
     * out ClusterIPs from {@code serviceCidr}, authorizes kubelets (Node authorizer, NodeRestriction), lets the
     * ServiceAccount admission plugin mount tokens, reaches kubelets for logs and exec with a client certificate,
     * and kube-controller-manager runs its default controllers (Deployments, endpoints, volume binding, tokens…).
     *
     * @param address     the node's address, already on an interface of this machine
     * @param serviceCidr the Service ClusterIP range; its first address is the {@code kubernetes} Service
     * @param extraSans   more subject alternative names for the serving certificate (the {@code kubernetes}
     *                    Service's ClusterIP, say)
     */
    public record NodeSettings(InetAddress address, String serviceCidr, List<String> extraSans) {
    }

    /**
     * Starts a control plane with its state in {@code dir} (created; emptied first) and the API server on
     * {@code apiPort} (0 = a free port). Blocks until {@code /readyz} answers ok, at most {@code timeout}.
     *
     * @throws IllegalStateException when the binaries are missing (naming the build script) or a process does not
     *                               come up (with its last log lines)
     */
    public static ControlPlane start(Path dir, int apiPort, Duration timeout) {
        return start(dir, apiPort, timeout, null);
    }

    /**
     * Starts a control plane for a real node ({@link NodeSettings}) with its state in {@code dir}; the API server
     * listens on {@code apiPort} (0 = a free port) of the node's address.
     *
     * @throws IllegalStateException as {@link #start(Path, int, Duration)}
     */
    public static ControlPlane startForNode(Path dir, NodeSettings node, int apiPort, Duration timeout) {
        return start(dir, apiPort, timeout, node);
    }

    private static ControlPlane start(Path dir, int apiPort, Duration timeout, NodeSettings node) {
        Path bin = binaryDir();
        for (String b : BINARIES) {
            if (!Files.isExecutable(bin.resolve(b))) {
                throw new IllegalStateException("the Kubernetes control plane is not built: " + bin.resolve(b)
                        + " is missing. Run `bash kube/build-control-plane.sh` (needs Go; ./mvnw verify runs it).");
            }
        }
        deleteRecursively(dir);
        ControlPlane cp = new ControlPlane(bin, dir, apiPort, node);
        try {
            cp.startAll(timeout);
        } catch (RuntimeException e) {
            cp.close();
            throw e;
        }
        return cp;
    }

    private static final List<String> BINARIES = List.of("etcd", "kube-apiserver", "kube-controller-manager", "kubectl");

    /**
     * Runs this control plane's kube-controller-manager, with the same controllers (garbage collector, namespace,
     * claim protection), against another API server: Quarkus Dev Services' api-only flavor runs none, so without it
     * no ownerReference is collected, no namespace goes and no deleted claim loses its protection finalizer.
     *
     * @param dir        folder for its log ({@code kube-controller-manager.log}) and serving certificates
     * @param kubeconfig an administrator's kubeconfig of that API server
     * @return stops the process (and its wrapper) when closed
     * @throws IllegalStateException when the binary is not built (kube/build-control-plane.sh)
     */
    public static AutoCloseable controllerManagerFor(Path dir, Path kubeconfig) {
        Path binary = binaryDir().resolve("kube-controller-manager");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " is missing: run `bash kube/build-control-plane.sh`");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChildProcess kcm = ChildProcess.start("kube-controller-manager", binary, List.of(
                "--kubeconfig", kubeconfig.toString(),
                "--authentication-kubeconfig", kubeconfig.toString(),
                "--authorization-kubeconfig", kubeconfig.toString(),
                "--leader-elect=false",
                "--bind-address", "127.0.0.1",
                "--secure-port", String.valueOf(freePort()),
                "--cert-dir", dir.resolve("kcm-certs").toString(),
                "--concurrent-gc-syncs", "5",
                "--concurrent-namespace-syncs", "5",
                "--controllers",
                "garbage-collector-controller,namespace-controller,persistentvolumeclaim-protection-controller"),
                dir.resolve("kube-controller-manager.log"));
        return kcm::stop;
    }

    /** True when every binary of {@link #KUBE_VERSION} is in {@link #binaryDir()}. */
    public static boolean binariesPresent() {
        return BINARIES.stream().allMatch(b -> Files.isExecutable(binaryDir().resolve(b)));
    }

    /** Where the binaries are: {@code ordinal.kube.bin}, else {@code $ORDINAL_KUBE_CACHE/<version>}, else ~/.cache. */
    public static Path binaryDir() {
        String explicit = System.getProperty("ordinal.kube.bin");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String cache = System.getenv("ORDINAL_KUBE_CACHE");
        Path root = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "ordinal", "kube");
        return root.resolve(KUBE_VERSION);
    }

    private void startAll(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        pki.init(node == null ? List.of() : serverSans(node));
        Path etcdData = dir.resolve("etcd");
        etcd = spawn("etcd", List.of(
                "--name", "ordinal",
                "--data-dir", etcdData.toString(),
                "--listen-client-urls", "http://127.0.0.1:" + etcdPort,
                "--advertise-client-urls", "http://127.0.0.1:" + etcdPort,
                "--listen-peer-urls", "http://127.0.0.1:" + etcdPeerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + etcdPeerPort,
                "--initial-cluster", "ordinal=http://127.0.0.1:" + etcdPeerPort,
                "--unsafe-no-fsync",
                "--log-level", "warn"));
        waitForPort(etcd, etcdPort, deadline);

        writeAuditPolicy();
        List<String> apiArgs = new ArrayList<>(List.of(
                "--etcd-servers", "http://127.0.0.1:" + etcdPort,
                "--bind-address", host(),
                "--advertise-address", host(),
                "--secure-port", String.valueOf(apiPort),
                "--tls-cert-file", pki.serverCert().toString(),
                "--tls-private-key-file", pki.serverKey().toString(),
                "--client-ca-file", pki.caCert().toString(),
                "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file", pki.serviceAccountPublicKey().toString(),
                "--service-account-signing-key-file", pki.serviceAccountKey().toString(),
                "--allow-privileged=true",
                "--audit-policy-file", dir.resolve("audit-policy.yaml").toString(),
                "--audit-log-path", auditLogPath().toString(),
                "--audit-log-mode", "blocking",
                "--audit-log-maxsize", "0",
                "--cert-dir", dir.resolve("apiserver-certs").toString()));
        if (node == null) {
            // no token controller and no kubelet: pods are never given ServiceAccount tokens, the kubernetes
            // Service has no endpoints
            apiArgs.addAll(List.of("--authorization-mode", "RBAC", "--service-cluster-ip-range", "10.0.0.0/24",
                    "--disable-admission-plugins", "ServiceAccount", "--endpoint-reconciler-type", "none"));
        } else {
            Pki.Credentials kubeletClient = pki.issue("kube-apiserver-kubelet-client", "system:masters");
            apiArgs.addAll(List.of("--authorization-mode", "Node,RBAC", "--service-cluster-ip-range",
                    node.serviceCidr(), "--enable-admission-plugins", "NodeRestriction",
                    "--kubelet-client-certificate", kubeletClient.cert().toString(),
                    "--kubelet-client-key", kubeletClient.key().toString(),
                    "--kubelet-preferred-address-types", "InternalIP"));
        }
        apiServer = spawn("kube-apiserver", apiArgs);
        waitForReady(deadline);
        try {
            Files.writeString(dir.resolve("endpoint"), url());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        Path kcmConfig = kubeconfig("system:kube-controller-manager", "system:masters");
        List<String> kcmArgs = new ArrayList<>(List.of(
                "--kubeconfig", kcmConfig.toString(),
                "--authentication-kubeconfig", kcmConfig.toString(),
                "--authorization-kubeconfig", kcmConfig.toString(),
                "--leader-elect=false",
                "--bind-address", "127.0.0.1",
                "--secure-port", String.valueOf(freePort()),
                "--cert-dir", dir.resolve("kcm-certs").toString(),
                "--concurrent-gc-syncs", "5",
                "--concurrent-namespace-syncs", "5"));
        if (node == null) {
            kcmArgs.addAll(List.of("--controllers",
                    "garbage-collector-controller,namespace-controller,persistentvolumeclaim-protection-controller"));
        } else {
            // every default controller; ServiceAccount tokens signed with the API server's key, and the CA published
            // in each namespace's kube-root-ca.crt ConfigMap, which every projected token volume mounts
            kcmArgs.addAll(List.of("--controllers", "*",
                    "--service-account-private-key-file", pki.serviceAccountKey().toString(),
                    "--root-ca-file", pki.caCert().toString(),
                    "--service-cluster-ip-range", node.serviceCidr()));
        }
        controllerManager = spawn("kube-controller-manager", kcmArgs);
        LOG.infof("Kubernetes control plane %s up: API server %s (etcd 127.0.0.1:%d), state in %s", KUBE_VERSION, url(),
                etcdPort, dir);
    }

    private void writeAuditPolicy() {
        // Metadata for every request (no bodies): enough to count requests by user, verb, resource and field
        // manager (the query string carries fieldManager). A watch is logged when it starts (ResponseStarted) as
        // well as when it ends; AuditLog counts a watch at its start and every other request at its end.
        String policy = """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: [RequestReceived]
                rules:
                - level: Metadata
                """;
        try {
            Files.writeString(dir.resolve("audit-policy.yaml"), policy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The API server's URL, {@code https://127.0.0.1:<port>} (on a node's control plane, the node's address). */
    public String url() {
        return "https://" + host() + ":" + apiPort;
    }

    private String host() {
        return node == null ? "127.0.0.1" : node.address().getHostAddress();
    }

    private static List<String> serverSans(NodeSettings node) {
        List<String> sans = new ArrayList<>(List.of("IP:" + node.address().getHostAddress(),
                "DNS:kubernetes.default.svc", "DNS:kubernetes.default.svc.cluster.local"));
        sans.addAll(node.extraSans());
        return sans;
    }

    /** The folder holding this control plane's state, certificates, kubeconfigs and logs. */
    public Path dir() {
        return dir;
    }

    /** The CA that signed the API server's serving certificate and every client certificate. */
    public Path caCert() {
        return pki.caCert();
    }

    /** The API server's audit log file ({@code --audit-log-path}). */
    public Path auditLogPath() {
        return dir.resolve("audit.log");
    }

    /** A reader of the API server's audit log. */
    public AuditLog auditLog() {
        return new AuditLog(auditLogPath());
    }

    /** A client certificate for {@code user} in {@code groups} (made once per user). */
    public Pki.Credentials credentials(String user, String... groups) {
        return pki.issue(user, groups);
    }

    /** A client configuration for {@code user} in {@code groups}, default namespace {@code default}. */
    public Config config(String user, String... groups) {
        return clientConfig(url(), pki, user, groups);
    }

    private static Config clientConfig(String url, Pki pki, String user, String... groups) {
        Pki.Credentials c = pki.issue(user, groups);
        Config config = Config.empty();
        config.setMasterUrl(url);
        config.setCaCertFile(pki.caCert().toString());
        config.setClientCertFile(c.cert().toString());
        config.setClientKeyFile(c.key().toString());
        config.setClientKeyAlgo("RSA");
        config.setNamespace("default");
        config.setRequestRetryBackoffLimit(2);
        return config;
    }

    /**
     * A control plane running in this JVM or another, found by its state folder: gives client configurations but
     * does not own (or stop) the processes.
     */
    public static final class Handle {
        private final String url;
        private final Pki pki;

        private Handle(String url, Pki pki) {
            this.url = url;
            this.pki = pki;
        }

        /**
         * The control plane whose state is in {@code dir}.
         *
         * @throws UncheckedIOException when {@code dir} holds no running control plane's endpoint
         */
        public static Handle of(Path dir) {
            try {
                return new Handle(Files.readString(dir.resolve("endpoint")).strip(), new Pki(dir.resolve("pki")));
            } catch (IOException e) {
                throw new UncheckedIOException("no control plane state in " + dir, e);
            }
        }

        /** The API server's URL. */
        public String url() {
            return url;
        }

        /** A client configuration for {@code user} in {@code groups} (certificate issued on first use). */
        public Config config(String user, String... groups) {
            return clientConfig(url, pki, user, groups);
        }
    }

    /** A new client as {@value #ADMIN} (system:masters); the caller closes it. */
    public KubernetesClient adminClient() {
        return new KubernetesClientBuilder().withConfig(config(ADMIN, "system:masters")).build();
    }

    /** A kubeconfig file for {@code user} in {@code groups} (kubectl, kube-controller-manager, the packaged jar). */
    public Path kubeconfig(String user, String... groups) {
        return kubeconfigs.computeIfAbsent(user + "@" + String.join("+", groups), key -> {
            String u = user;
            Pki.Credentials c = credentials(u, groups);
            String yaml = """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: ordinal
                      cluster:
                        server: %s
                        certificate-authority: %s
                    users:
                    - name: %s
                      user:
                        client-certificate: %s
                        client-key: %s
                    contexts:
                    - name: ordinal
                      context: {cluster: ordinal, user: %s, namespace: default}
                    current-context: ordinal
                    """.formatted(url(), pki.caCert(), u, c.cert(), c.key(), u);
            Path file = dir.resolve("kubeconfig-" + key.replace(':', '_') + ".yaml");
            try {
                Files.writeString(file, yaml);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return file;
        });
    }

    /** Stops the API server process (etcd and its data stay): requests fail until {@link #restartApiServer()}. */
    public synchronized void stopApiServer() {
        if (apiServer != null) {
            apiServer.stop();
        }
    }

    /** Starts the API server again with the same flags, port and data; blocks until ready. */
    public synchronized void restartApiServer(Duration timeout) {
        if (apiServer == null) {
            throw new IllegalStateException("the API server was never started");
        }
        apiServer.stop();
        apiServer = apiServer.restart();
        children.add(apiServer);
        waitForReady(Instant.now().plus(timeout));
    }

    /**
     * Compacts etcd's history up to its current revision (physically), through etcd's JSON gateway: a watch or
     * list from an older resourceVersion is then answered 410 Gone, as on a cluster whose history was compacted
     * (the API server compacts every 5 minutes on its own).
     *
     * @return the revision compacted to
     * @throws IllegalStateException when etcd does not answer
     */
    public long compactEtcd() {
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + etcdPort + "/v3/kv/";
            // a range read of any key answers with the store's current revision in its header
            String range = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "range"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"key\":\"AA==\"}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            var matcher = java.util.regex.Pattern.compile("\"revision\":\"?(\\d+)").matcher(range);
            if (!matcher.find()) {
                throw new IllegalStateException("etcd gave no revision: " + range);
            }
            long revision = Long.parseLong(matcher.group(1));
            var compacted = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "compaction"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"revision\":\"" + revision + "\",\"physical\":true}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (compacted.statusCode() != 200) {
                throw new IllegalStateException("etcd refused the compaction: " + compacted.body());
            }
            return revision;
        } catch (IOException e) {
            throw new IllegalStateException("etcd did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Starts one more kube-controller-manager on this API server, as a peer to measure Ordinal against (the
     * benchmark runs kube's own StatefulSet controller beside the operator). It authenticates as {@code user}
     * (group system:masters, so the audit log tells its writes apart from the first controller manager's), runs
     * without leader election and serves its own port on loopback; {@code flags} are added as given (e.g.
     * {@code --controllers=statefulset-controller}, {@code --concurrent-statefulset-syncs=32},
     * {@code --kube-api-qps=1000}). Like every child it is stopped by {@link #close()}, by
     * {@link #stopPeerControllerManager(String)}, or by its wrapper's watchdog when this JVM is gone.
     *
     * @param name  the process' name in {@link #pids()} and its log {@code <dir>/<name>.log}
     * @return the pid of the kube-controller-manager binary (-1 if not yet seen)
     * @throws IllegalStateException when a peer of that name runs already, or the process exits at once (its last
     *                               log lines)
     */
    public synchronized long startPeerControllerManager(String name, String user, List<String> flags) {
        if (peers.containsKey(name) && peers.get(name).isAlive()) {
            throw new IllegalStateException("a peer controller manager named " + name + " runs already");
        }
        Path config = kubeconfig(user, "system:masters");
        List<String> args = new ArrayList<>(List.of(
                "--kubeconfig", config.toString(),
                "--authentication-kubeconfig", config.toString(),
                "--authorization-kubeconfig", config.toString(),
                "--leader-elect=false",
                "--bind-address", "127.0.0.1",
                "--secure-port", String.valueOf(freePort()),
                "--cert-dir", dir.resolve(name + "-certs").toString()));
        args.addAll(flags);
        ChildProcess c = ChildProcess.start(name, binaries.resolve("kube-controller-manager"), args,
                dir.resolve(name + ".log"));
        children.add(c);
        peers.put(name, c);
        long deadline = System.currentTimeMillis() + 10_000;
        long pid = -1;
        while (pid < 0 && System.currentTimeMillis() < deadline) {
            if (!c.isAlive()) {
                throw new IllegalStateException(name + " exited at start (" + c.exitValue() + "):\n" + c.tail(30));
            }
            pid = c.binaryPid();
            sleep(50);
        }
        return pid;
    }

    /** Stops the peer controller manager {@code name} (nothing when none runs). */
    public synchronized void stopPeerControllerManager(String name) {
        ChildProcess c = peers.remove(name);
        if (c != null) {
            c.stop();
        }
    }

    /** Process ids of the control-plane binaries by name (etcd, kube-apiserver, kube-controller-manager, peers). */
    public Map<String, Long> pids() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        List<ChildProcess> all = new ArrayList<>(java.util.Arrays.asList(etcd, apiServer, controllerManager));
        synchronized (this) {
            all.addAll(peers.values());
        }
        for (ChildProcess c : all) {
            if (c != null && c.isAlive()) {
                out.put(c.name(), c.binaryPid());
            }
        }
        return out;
    }

    /**
     * Fails with the last log lines of every control-plane process that has died.
     *
     * @throws IllegalStateException naming the dead process
     */
    public void checkAlive() {
        List<ChildProcess> all = new ArrayList<>(java.util.Arrays.asList(etcd, apiServer, controllerManager));
        synchronized (this) {
            all.addAll(peers.values());
        }
        for (ChildProcess c : all) {
            if (c != null && !c.stoppedOnPurpose() && !c.isAlive()) {
                throw new IllegalStateException(c.name() + " of the test control plane died (exit " + c.exitValue()
                        + "); last lines of " + c.log() + ":\n" + c.tail(30));
            }
        }
    }

    private ChildProcess spawn(String binary, List<String> args) {
        ChildProcess c = ChildProcess.start(binary, binaries.resolve(binary), args, dir.resolve(binary + ".log"));
        children.add(c);
        return c;
    }

    private void waitForPort(ChildProcess process, int port, Instant deadline) {
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(process.name() + " exited at start (" + process.exitValue() + "):\n"
                        + process.tail(30));
            }
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                sleep(50);
            }
        }
        throw new IllegalStateException(process.name() + " did not listen on 127.0.0.1:" + port + " in time:\n"
                + process.tail(30));
    }

    private void waitForReady(Instant deadline) {
        try (KubernetesClient client = adminClient()) {
            String last = "no answer";
            while (Instant.now().isBefore(deadline)) {
                if (!apiServer.isAlive()) {
                    throw new IllegalStateException("kube-apiserver exited at start (" + apiServer.exitValue() + "):\n"
                            + apiServer.tail(30));
                }
                try {
                    String readyz = client.raw("/readyz");
                    if ("ok".equals(readyz)) {
                        return;
                    }
                    last = String.valueOf(readyz);
                } catch (RuntimeException e) {
                    last = e.getMessage();
                }
                sleep(100);
            }
            throw new IllegalStateException("kube-apiserver was not ready in time (" + last + "):\n" + apiServer.tail(30));
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<ChildProcess> reverse = new ArrayList<>(children);
        java.util.Collections.reverse(reverse);
        reverse.forEach(ChildProcess::stop);
    }

    /**
     * Creates (server-side applies) every CRD in {@code dir} as {@code kubectl apply --server-side} would and waits
     * until the API server reports each one Established.
     */
    public static void installCrds(KubernetesClient admin, Path dir) {
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                for (HasMetadata item : admin.load(in).items()) {
                    admin.resource(item).fieldManager("kubectl").forceConflicts().serverSideApply();
                    if (item instanceof CustomResourceDefinition crd) {
                        admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                                .waitUntilCondition(c -> c != null && c.getStatus() != null
                                        && c.getStatus().getConditions() != null
                                        && c.getStatus().getConditions().stream().anyMatch(
                                                x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
                                        30, TimeUnit.SECONDS);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static int freePort() {
        return freePort(InetAddress.getLoopbackAddress());
    }

    /** A port nothing listens on at {@code address} right now. */
    static int freePort(InetAddress address) {
        try (ServerSocket s = new ServerSocket(0, 0, address)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
