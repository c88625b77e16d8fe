package dev.ordinal.testkube;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.ordinal.devcluster.AuditLog;
import dev.ordinal.devcluster.ControlPlane;
import dev.ordinal.devcluster.KubeletSimulator;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The real control plane of a test run, one per name per JVM ({@code "quarkus"} for the {@code @QuarkusTest}
 * suites, {@code "rig"} for the suites that start their own operators), shared by every suite that asks for it.
 * <p>
 * The first caller starts it ({@link ControlPlane}: etcd, kube-apiserver, kube-controller-manager), installs the
 * committed CRDs from {@code kubernetes/crds/} as a user would and starts one kubelet simulator for it; every other
 * caller, also one in another class loader (Quarkus loads each application's test classes in its own), gets the
 * same one: the running instance is published in the JVM's system properties behind a JDK interface, so only JDK
 * types cross class loaders. A JVM shutdown hook stops the processes when the test run ends.
 */
public final class TestKube {

    /** The ServiceAccount-less identity the operator under test uses (a client certificate). */
    public static final String OPERATOR_USER = "ordinal-operator";
    /** The identity of the kubelet simulator (a client certificate). */
    public static final String KUBELET_USER = "ordinal-kubelet";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Function<String, Object> bus;

    private TestKube(Function<String, Object> bus) {
        this.bus = bus;
    }

    /** The control plane called {@code name}, started on first use. */
    @SuppressWarnings("unchecked")
    public static TestKube shared(String name) {
        String key = "ordinal.test.kube." + name;
        synchronized (startLock()) {
            Object existing = System.getProperties().get(key);
            if (existing == null) {
                existing = startBus(name);
                System.getProperties().put(key, existing);
            }
            return new TestKube((Function<String, Object>) existing);
        }
    }

    /**
     * The API server Quarkus Dev Services started for the running application ({@code -Pdevservices}: the api-only
     * flavor's kube-apiserver and etcd containers), shared by every suite of the run like {@link #shared}: the first
     * caller installs the committed CRDs as a user would and starts a kubelet simulator and the project's
     * kube-controller-manager ({@link ControlPlane#controllerManagerFor}) on it: api-only runs no controller manager.
     *
     * @param devServicesProperties the Dev Services' client settings, as Quarkus hands them to a test resource
     *                              ({@code quarkus.kubernetes-client.api-server-url}, {@code ca-cert-data},
     *                              {@code client-cert-data}, {@code client-key-data}: an administrator in group
     *                              {@code system:masters})
     * @throws IllegalStateException when the map holds no {@code quarkus.kubernetes-client.api-server-url} (Dev
     *                               Services did not start)
     */
    @SuppressWarnings("unchecked")
    public static TestKube devServices(Map<String, String> devServicesProperties) {
        String url = devServicesProperties.get("quarkus.kubernetes-client.api-server-url");
        if (url == null) {
            throw new IllegalStateException("-Pdevservices: Quarkus Dev Services for Kubernetes gave no "
                    + "quarkus.kubernetes-client.api-server-url (did the container engine answer?)");
        }
        String key = "ordinal.test.kube.devservices." + url;
        synchronized (startLock()) {
            Object existing = System.getProperties().get(key);
            if (existing == null) {
                // Quarkus starts a new API server for an application built anew (another @TestProfile): the
                // controller manager and kubelet of the one before go with it
                for (Object k : List.copyOf(System.getProperties().keySet())) {
                    if (k instanceof String name && name.startsWith("ordinal.test.kube.devservices.")) {
                        ((Function<String, Object>) System.getProperties().remove(name)).apply("stop");
                    }
                }
                existing = startDevServicesBus(Map.copyOf(devServicesProperties));
                System.getProperties().put(key, existing);
            }
            return new TestKube((Function<String, Object>) existing);
        }
    }

    /** The administrator's client configuration of a Dev Services API server. */
    private static Config devServicesAdmin(Map<String, String> p) {
        Config config = Config.empty();
        config.setMasterUrl(p.get("quarkus.kubernetes-client.api-server-url"));
        config.setCaCertData(p.get("quarkus.kubernetes-client.ca-cert-data"));
        config.setClientCertData(p.get("quarkus.kubernetes-client.client-cert-data"));
        config.setClientKeyData(p.get("quarkus.kubernetes-client.client-key-data"));
        config.setClientKeyAlgo(p.getOrDefault("quarkus.kubernetes-client.client-key-algo", "RSA"));
        config.setNamespace("default");
        config.setRequestRetryBackoffLimit(2);
        return config;
    }

    /** An administrator's kubeconfig of the Dev Services API server, {@code dir/admin.kubeconfig}. */
    private static Path writeKubeconfig(Path dir, Map<String, String> p) {
        return writeKubeconfig(dir, p, "admin.kubeconfig", "");
    }

    /**
     * A kubeconfig of the Dev Services API server: its administrator, or with {@code impersonation} (the kubeconfig's
     * {@code as} / {@code as-groups} lines) another user, in {@code dir/name}.
     */
    private static Path writeKubeconfig(Path dir, Map<String, String> p, String name, String impersonation) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: devservices
                  cluster: {server: "%s", certificate-authority-data: "%s"}
                users:
                - name: admin
                  user:
                    client-certificate-data: "%s"
                    client-key-data: "%s"
                %s
                contexts:
                - name: devservices
                  context: {cluster: devservices, user: admin}
                current-context: devservices
                """.formatted(p.get("quarkus.kubernetes-client.api-server-url"),
                p.get("quarkus.kubernetes-client.ca-cert-data"), p.get("quarkus.kubernetes-client.client-cert-data"),
                p.get("quarkus.kubernetes-client.client-key-data"), impersonation);
        try {
            java.nio.file.Files.createDirectories(dir);
            Path file = dir.resolve(name);
            java.nio.file.Files.writeString(file, yaml);
            return file;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** CRDs, a controller manager and a kubelet simulator on a Dev Services API server; the bus answers what such a server can. */
    private static Function<String, Object> startDevServicesBus(Map<String, String> props) {
        Config adminConfig = devServicesAdmin(props);
        KubernetesClient admin = new KubernetesClientBuilder().withConfig(adminConfig).build();
        ControlPlane.installCrds(admin, Path.of("kubernetes", "crds"));
        createDefaultServiceAccount(admin, "default");
        // api-only runs no controller manager: the one of the project's control plane joins it (GC, namespaces,
        // claim protection), as the kubelet simulator does
        Path dir = Path.of("target", System.getProperty("ordinal.test.kube.prefix", "kube-") + "devservices")
                .toAbsolutePath();
        AutoCloseable controllerManager = ControlPlane.controllerManagerFor(dir, writeKubeconfig(dir, props));
        KubeletSimulator kubelet = new KubeletSimulator(admin).readyDelay(Duration.ofMillis(50)).start();
        Runnable stop = () -> {
            kubelet.stop();
            try {
                controllerManager.close();
            } catch (Exception e) {
                // its wrapper stops the process when the JVM goes anyway
            }
            admin.close();
        };
        Thread hook = new Thread(stop, "ordinal-test-kube-devservices-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        return command -> {
            String[] parts = command.split(" ", 2);
            String arg = parts.length > 1 ? parts[1] : "";
            return switch (parts[0]) {
                case "mode" -> "devservices";
                case "url" -> adminConfig.getMasterUrl();
                case "devservices-properties" -> props;
                case "check" -> "ok";
                case "stop" -> {
                    Runtime.getRuntime().removeShutdownHook(hook);
                    stop.run();
                    yield "ok";
                }
                case "kubeconfig" -> {
                    // anyone but the administrator is impersonated by it, as config() does
                    String user = userOf(arg);
                    StringBuilder as = new StringBuilder();
                    if (!ControlPlane.ADMIN.equals(user)) {
                        as.append("    as: \"").append(user).append("\"\n    as-groups: [");
                        as.append(String.join(", ", java.util.Arrays.stream(groupsOf(arg))
                                .map(g -> "\"" + g + "\"").toList())).append("]");
                    }
                    yield writeKubeconfig(dir, props, "kubeconfig-" + arg.replaceAll("[^A-Za-z0-9_.-]", "_"),
                            as.toString()).toString();
                }
                case "kubelet-ready-delay", "kubelet-fail", "kubelet-never-ready", "kubelet-unschedulable",
                        "kubelet-healthy", "kubelet-starting-for", "kubelet-reset", "kubelet-deletion-grace" ->
                    kubeletCommand(kubelet, parts[0], arg);
                default -> throw new UnsupportedOperationException("'" + parts[0] + "' needs the project's control "
                        + "plane: Quarkus Dev Services' API server runs in a container Ordinal does not control "
                        + "(no audit log, no restart, no certificates of its CA but the administrator's)");
            };
        };
    }

    /** The kubelet commands both kinds of bus answer. */
    private static Object kubeletCommand(KubeletSimulator kubelet, String command, String arg) {
        switch (command) {
            case "kubelet-ready-delay" -> kubelet.readyDelay(Duration.ofMillis(Long.parseLong(arg)));
            case "kubelet-fail" -> kubelet.failPod(arg);
            case "kubelet-never-ready" -> kubelet.neverReady(arg);
            case "kubelet-unschedulable" -> kubelet.unschedulable(arg);
            case "kubelet-healthy" -> kubelet.healthy(arg);
            case "kubelet-starting-for" -> kubelet.startingFor(Duration.ofMillis(Long.parseLong(arg)));
            case "kubelet-reset" -> {
                kubelet.reset();
                kubelet.readyDelay(Duration.ofMillis(50));
                kubelet.deletionGrace(null);
            }
            case "kubelet-deletion-grace" ->
                kubelet.deletionGrace(arg.isEmpty() ? null : Duration.ofMillis(Long.parseLong(arg)));
            default -> throw new IllegalArgumentException("unknown kubelet command: " + command);
        }
        return "ok";
    }

    /** The user of a bus argument {@code "<user> <group> <group>…"} (see {@link #identity}). */
    private static String userOf(String arg) {
        return arg.split(" ")[0];
    }

    /** The groups of a bus argument {@code "<user> <group> <group>…"}. */
    private static String[] groupsOf(String arg) {
        String[] parts = arg.split(" ");
        return List.of(parts).subList(1, parts.length).toArray(String[]::new);
    }

    /** A user and groups as one bus argument, {@code "<user> <group> <group>…"}. */
    private static String identity(String user, String... groups) {
        return String.join(" ", user, String.join(" ", groups)).strip();
    }

    /** One lock for every class loader (a JDK object kept in the system properties), held while starting. */
    private static Object startLock() {
        return System.getProperties().computeIfAbsent("ordinal.test.kube.lock", k -> new Object());
    }

    /** Starts the control plane, installs the CRDs and the kubelet; returns the command bus other loaders use. */
    private static Function<String, Object> startBus(String name) {
        // failsafe's JVM (ordinal.test.kube.prefix=kube-it-) keeps its state apart from surefire's
        Path dir = Path.of("target", System.getProperty("ordinal.test.kube.prefix", "kube-") + name).toAbsolutePath();
        ControlPlane cp = ControlPlane.start(dir, 0, START_TIMEOUT);
        KubernetesClient admin = cp.adminClient();
        KubernetesClient kubeletClient;
        KubeletSimulator kubelet;
        try {
            ControlPlane.installCrds(admin, Path.of("kubernetes", "crds"));
            kubeletClient = new KubernetesClientBuilder().withConfig(cp.config(KUBELET_USER, "system:masters")).build();
            kubelet = new KubeletSimulator(kubeletClient).readyDelay(Duration.ofMillis(50)).start();
        } catch (RuntimeException e) {
            admin.close();
            cp.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kubelet.stop();
            kubeletClient.close();
            admin.close();
            cp.close();
        }, "ordinal-test-kube-" + name + "-stop"));
        // Commands come from other class loaders' threads (each Quarkus application of the run has its own): they run
        // with this loader as context loader, so that a client made here (restart-apiserver) finds the HTTP client
        // factory of the fabric8 classes it was built with, not the calling application's.
        ClassLoader own = TestKube.class.getClassLoader();
        Function<String, Object> commands = commands(cp, kubelet);
        return command -> {
            Thread thread = Thread.currentThread();
            ClassLoader caller = thread.getContextClassLoader();
            thread.setContextClassLoader(own);
            try {
                return commands.apply(command);
            } finally {
                thread.setContextClassLoader(caller);
            }
        };
    }

    /** The bus' commands on the control plane {@code cp} and its kubelet. */
    private static Function<String, Object> commands(ControlPlane cp, KubeletSimulator kubelet) {
        return command -> {
            String[] parts = command.split(" ", 2);
            String arg = parts.length > 1 ? parts[1] : "";
            switch (parts[0]) {
                case "url":
                    return cp.url();
                case "ca":
                    return cp.caCert().toString();
                case "cert": {
                    var c = cp.credentials(userOf(arg), groupsOf(arg));
                    return c.cert() + " " + c.key();
                }
                case "kubeconfig":
                    return cp.kubeconfig(userOf(arg), groupsOf(arg)).toString();
                case "audit":
                    return cp.auditLogPath().toString();
                case "compact-etcd":
                    return String.valueOf(cp.compactEtcd());
                case "pids":
                    return cp.pids().toString();
                case "check":
                    cp.checkAlive();
                    return "ok";
                case "stop-apiserver":
                    cp.stopApiServer();
                    return "ok";
                case "restart-apiserver":
                    cp.restartApiServer(START_TIMEOUT);
                    return "ok";
                case "peer-start": {
                    // "<name> <user> <flag> <flag>…"
                    String[] a = arg.split(" ");
                    return String.valueOf(cp.startPeerControllerManager(a[0], a[1], List.of(a).subList(2, a.length)));
                }
                case "peer-stop":
                    cp.stopPeerControllerManager(arg);
                    return "ok";
                case "mode":
                    return "kube";
                case "kubelet-ready-delay", "kubelet-fail", "kubelet-never-ready", "kubelet-unschedulable",
                        "kubelet-healthy", "kubelet-starting-for", "kubelet-reset", "kubelet-deletion-grace":
                    return kubeletCommand(kubelet, parts[0], arg);
                default:
                    throw new IllegalArgumentException("unknown test control-plane command: " + command);
            }
        };
    }

    /** The API server's URL, {@code https://127.0.0.1:<port>}. */
    public String url() {
        return (String) bus.apply("url");
    }

    /** Client configuration for {@code user} in {@code groups}; namespace {@code default}. */
    public Config config(String user, String... groups) {
        if (isDevServices()) {
            // Dev Services' only credentials are its administrator's (system:masters); anyone else is impersonated,
            // so the API server authorizes the request as that user
            @SuppressWarnings("unchecked")
            Config config = devServicesAdmin((Map<String, String>) bus.apply("devservices-properties"));
            if (!ControlPlane.ADMIN.equals(user)) {
                config.setImpersonateUsername(user);
                config.setImpersonateGroups(groups);
            }
            return config;
        }
        String[] certAndKey = ((String) bus.apply("cert " + identity(user, groups))).split(" ");
        Config config = Config.empty();
        config.setMasterUrl(url());
        config.setCaCertFile((String) bus.apply("ca"));
        config.setClientCertFile(certAndKey[0]);
        config.setClientKeyFile(certAndKey[1]);
        config.setClientKeyAlgo("RSA");
        config.setNamespace("default");
        config.setRequestRetryBackoffLimit(2);
        return config;
    }

    /** True for the API server of Quarkus Dev Services ({@link #devServices}), false for the project's own. */
    public boolean isDevServices() {
        return "devservices".equals(bus.apply("mode"));
    }

    /** A new client as an administrator (group system:masters); the caller closes it. */
    public KubernetesClient newAdminClient() {
        return new KubernetesClientBuilder().withConfig(config(ControlPlane.ADMIN, "system:masters")).build();
    }

    /** A new client as {@code user} in {@code groups}; the caller closes it. */
    public KubernetesClient newClient(String user, String... groups) {
        return new KubernetesClientBuilder().withConfig(config(user, groups)).build();
    }

    /** A kubeconfig file for {@code user} in {@code groups}. */
    public Path kubeconfig(String user, String... groups) {
        return Path.of((String) bus.apply("kubeconfig " + identity(user, groups)));
    }

    /** The Quarkus properties that make the application under test talk to this server as {@code user}. */
    public Map<String, String> quarkusProperties(String user, String... groups) {
        Config c = config(user, groups);
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", c.getMasterUrl(),
                "quarkus.kubernetes-client.ca-cert-file", c.getCaCertFile(),
                "quarkus.kubernetes-client.client-cert-file", c.getClientCertFile(),
                "quarkus.kubernetes-client.client-key-file", c.getClientKeyFile(),
                "quarkus.kubernetes-client.client-key-algo", "RSA",
                "quarkus.kubernetes-client.namespace", "default",
                "quarkus.kubernetes-client.devservices.enabled", "false",
                // the committed CRDs are installed by TestKube, as users install them
                "quarkus.operator-sdk.crd.apply", "false");
    }

    /** The API server's audit log: every request by user, verb, resource and field manager. */
    public AuditLog auditLog() {
        return AuditLog.of(Path.of((String) bus.apply("audit")));
    }

    /**
     * Fails with the last log lines of a control-plane process that died.
     *
     * @throws IllegalStateException naming the dead process
     */
    public void checkAlive() {
        bus.apply("check");
    }

    /**
     * Process ids of the control plane's binaries, {@code {etcd=…, kube-apiserver=…, kube-controller-manager=…}}:
     * benchmarks read their CPU time and peak RSS apart from the test JVM's.
     */
    public Map<String, Long> pids() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        String text = ((String) bus.apply("pids")).replaceAll("[{}]", "");
        for (String kv : text.split(",\\s*")) {
            if (kv.contains("=")) {
                out.put(kv.substring(0, kv.indexOf('=')), Long.parseLong(kv.substring(kv.indexOf('=') + 1)));
            }
        }
        return out;
    }

    /**
     * Starts one more kube-controller-manager as {@code user} (system:masters) with {@code flags} (no spaces inside
     * a flag: {@code --controllers=statefulset-controller}); see {@link ControlPlane#startPeerControllerManager}.
     * It appears in {@link #pids()} as {@code name} and stops with the control plane at the latest.
     *
     * @return its pid
     */
    public long startPeerControllerManager(String name, String user, List<String> flags) {
        return Long.parseLong((String) bus.apply("peer-start " + name + " " + user + " " + String.join(" ", flags)));
    }

    /** Stops the peer controller manager {@code name}. */
    public void stopPeerControllerManager(String name) {
        bus.apply("peer-stop " + name);
    }

    /** Compacts etcd's history up to now (see {@link ControlPlane#compactEtcd()}); returns the revision. */
    public long compactEtcd() {
        return Long.parseLong((String) bus.apply("compact-etcd"));
    }

    /** Stops the kube-apiserver process (etcd keeps the data). */
    public void stopApiServer() {
        bus.apply("stop-apiserver");
    }

    /** Starts the kube-apiserver again on the same port; returns when it is ready. */
    public void restartApiServer() {
        bus.apply("restart-apiserver");
    }

    /**
     * Creates namespace {@code name} (a test's own). On Dev Services' API server it also creates the namespace's
     * {@code default} ServiceAccount: that server admits a pod only once its ServiceAccount exists, and the api-only
     * flavor runs no kube-controller-manager, whose ServiceAccount controller would create it.
     */
    public static void createNamespace(KubernetesClient client, String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .addToLabels("ordinal.dev/test", "true").endMetadata().build()).serverSideApply();
        if (KubeResource.useDevServices()) {
            createDefaultServiceAccount(client, name);
        }
    }

    private static void createDefaultServiceAccount(KubernetesClient client, String namespace) {
        client.serviceAccounts().inNamespace(namespace).resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                .withNewMetadata().withName("default").withNamespace(namespace).endMetadata().build())
                .fieldManager("ordinal-test").serverSideApply();
    }

    /** The kubelet simulator of this control plane. */
    public Kubelet kubelet() {
        return new Kubelet();
    }

    /** Per-pod behaviour of the control plane's one simulated kubelet (see {@link KubeletSimulator}). */
    public final class Kubelet {
        /** Delay before a new pod is reported Running and Ready. */
        public Kubelet readyDelay(Duration delay) {
            bus.apply("kubelet-ready-delay " + delay.toMillis());
            return this;
        }

        /** Pods of this name report ImagePullBackOff and never become Ready. */
        public Kubelet failPod(String pod) {
            bus.apply("kubelet-fail " + pod);
            return this;
        }

        /** Pods of this name run but never become Ready. */
        public Kubelet neverReady(String pod) {
            bus.apply("kubelet-never-ready " + pod);
            return this;
        }

        /** Pods of this name are reported Unschedulable by the scheduler: Pending, never Ready. */
        public Kubelet unschedulable(String pod) {
            bus.apply("kubelet-unschedulable " + pod);
            return this;
        }

        /** Back to normal for this pod name. */
        public Kubelet healthy(String pod) {
            bus.apply("kubelet-healthy " + pod);
            return this;
        }

        /** Deleted pods stay Terminating this long (null: removed at once). */
        public Kubelet deletionGrace(Duration grace) {
            bus.apply("kubelet-deletion-grace " + (grace == null ? "" : grace.toMillis()));
            return this;
        }

        /** New pods run not Ready for {@code starting}, then turn Ready ({@link KubeletSimulator#startingFor}). */
        public Kubelet startingFor(Duration starting) {
            bus.apply("kubelet-starting-for " + starting.toMillis());
            return this;
        }

        /** Forgets every per-pod behaviour; default delay, start and deletion. */
        public Kubelet reset() {
            bus.apply("kubelet-reset");
            return this;
        }
    }
}
