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
                case "kubelet-ready-delay":
                    kubelet.readyDelay(Duration.ofMillis(Long.parseLong(arg)));
                    return "ok";
                case "kubelet-fail":
                    kubelet.failPod(arg);
                    return "ok";
                case "kubelet-never-ready":
                    kubelet.neverReady(arg);
                    return "ok";
                case "kubelet-unschedulable":
                    kubelet.unschedulable(arg);
                    return "ok";
                case "kubelet-healthy":
                    kubelet.healthy(arg);
                    return "ok";
                case "kubelet-starting-for":
                    kubelet.startingFor(Duration.ofMillis(Long.parseLong(arg)));
                    return "ok";
                case "kubelet-reset":
                    kubelet.reset();
                    kubelet.readyDelay(Duration.ofMillis(50));
                    kubelet.deletionGrace(null);
                    return "ok";
                case "kubelet-deletion-grace":
                    kubelet.deletionGrace(arg.isEmpty() ? null : Duration.ofMillis(Long.parseLong(arg)));
                    return "ok";
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

    /** Creates namespace {@code name} (a test's own). */
    public static void createNamespace(KubernetesClient client, String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .addToLabels("ordinal.dev/test", "true").endMetadata().build()).serverSideApply();
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
