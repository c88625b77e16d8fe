package dev.ordinal.devcluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A real single-node Kubernetes for tests and dev mode: the control plane ({@link ControlPlane#startForNode}) plus
 * containerd, a kubelet, kube-scheduler, kube-proxy (iptables mode), CoreDNS and a host-path volume provisioner
 * ({@link HostPathProvisioner}), so that pods, volumes, probes, Services and cluster DNS are real. Needs root on
 * Linux, the binaries {@code kube/build-node.sh} builds and the images {@code kube/build-images.sh} builds; see
 * docs/control-plane.md, "The node".
 * <p>
 * Network (nothing routed or translated off the machine): the node's address {@value #NODE_IP} on a bridge of its
 * own, pods in 198.18.0.0/24 on the CNI bridge with a route to 198.18.0.0/15 only (no default route), Services in
 * {@value #SERVICE_CIDR}, cluster DNS at {@value #DNS_IP}; DROP rules keep anything from 198.18.0.0/15 off the
 * uplink. {@code kube/node/node.sh} makes and removes that plumbing.
 * <p>
 * One node per machine (a lock file says so). {@link #close()} deletes the pods, stops every process and removes
 * every interface, mount, network namespace and iptables rule the node made; a watchdog process does the same when
 * the JVM dies without closing it.
 */
public final class RealNode implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RealNode.class);

    /** The node's address, on bridge {@code ordnode0}. The API server and the kubelet listen here. */
    public static final String NODE_IP = "198.18.255.1";
    /** The node's name, as the kubelet registers it. */
    public static final String NODE_NAME = "ordinal-node";
    /** Service ClusterIPs; the {@code kubernetes} Service is the first address. */
    public static final String SERVICE_CIDR = "198.19.0.0/16";
    /** The cluster DNS Service's ClusterIP ({@code kube-system/kube-dns}). */
    public static final String DNS_IP = "198.19.0.10";
    /** The pods' address range (the CNI bridge plugin's host-local range on {@code ordcni0}). */
    public static final String POD_CIDR = "198.18.0.0/24";
    /** The default StorageClass; {@link HostPathProvisioner} makes its volumes. */
    public static final String STORAGE_CLASS = "ordinal-hostpath";
    /** Runtime folder: sockets, pids, containerd's state. Short, because unix socket paths are. */
    public static final Path RUN = Path.of("/run/ordinal-node");
    /** Versions of the binaries {@code kube/build-node.sh} builds. */
    public static final String CONTAINERD_VERSION = "2.4.2";
    private static final Path LOCK = Path.of("/run/ordinal-node.lock");

    private final Path dir;
    private final Path scripts;
    private final Path nodeBin;
    private final Path containerdBin;
    private final List<ChildProcess> children = new ArrayList<>();
    private FileChannel lockChannel;
    private FileLock lock;
    private Process watchdog;
    private ControlPlane controlPlane;
    private KubernetesClient admin;
    private HostPathProvisioner provisioner;
    private volatile boolean closed;

    private final int apiPort;

    private RealNode(Path dir, Path scripts, int apiPort) {
        this.dir = dir;
        this.apiPort = apiPort;
        this.scripts = scripts;
        this.nodeBin = nodeCache().resolve("kube-" + ControlPlane.KUBE_VERSION);
        this.containerdBin = nodeCache().resolve("containerd-" + CONTAINERD_VERSION);
    }

    /**
     * Starts the node with its state (control plane, containerd root, kubelet root, volumes, logs) in {@code dir}
     * (emptied first) and the project's {@code kube/} folder at {@code kubeDir}; blocks until the node is Ready and
     * CoreDNS answers, at most {@code timeout}.
     *
     * @throws IllegalStateException naming what is missing (root, a command, a binary, an image) or which process
     *                               did not come up, with its last log lines; nothing is left running then
     */
    public static RealNode start(Path dir, Path kubeDir, Duration timeout) {
        return start(dir, kubeDir, 0, timeout);
    }

    /**
     * As {@link #start(Path, Path, Duration)}, with the API server on {@code apiPort} of {@value #NODE_IP} (0 = a
     * free port; dev mode uses a fixed one).
     */
    public static RealNode start(Path dir, Path kubeDir, int apiPort, Duration timeout) {
        RealNode node = new RealNode(dir.toAbsolutePath(), kubeDir.toAbsolutePath().resolve("node"), apiPort);
        try {
            node.startAll(Instant.now().plus(timeout));
        } catch (RuntimeException e) {
            try {
                node.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return node;
    }

    /** Where {@code kube/build-node.sh} puts its binaries: {@code $ORDINAL_NODE_CACHE} or ~/.cache/ordinal/node. */
    public static Path nodeCache() {
        String cache = System.getenv("ORDINAL_NODE_CACHE");
        return cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "ordinal", "node");
    }

    /** Where {@code kube/build-images.sh} puts its image archives and their index {@code images.tsv}. */
    public static Path imageCache() {
        String cache = System.getenv("ORDINAL_IMAGE_CACHE");
        return cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "ordinal", "images");
    }

    /** The node's control plane. */
    public ControlPlane controlPlane() {
        return controlPlane;
    }

    /** The folder holding the node's state and logs. */
    public Path dir() {
        return dir;
    }

    /** The containerd socket, for {@code ctr -a}. */
    public Path containerdSocket() {
        return RUN.resolve("containerd").resolve("containerd.sock");
    }

    private void startAll(Instant deadline) {
        Instant started = Instant.now();
        preflight();
        takeLock();
        // a node of an earlier run that was killed together with its watchdog may have left plumbing behind: remove
        // it (with the folders that run recorded) before its state folder is deleted
        ProcessResult earlier = runScript(scripts.resolve("node.sh"), "teardown",
                Map.of("ORDINAL_NODE_RUN", RUN.toString()));
        ControlPlane.deleteRecursively(dir);
        mkdirs(dir, RUN.resolve("pids"));
        appendLog(earlier.output());
        write(RUN.resolve("state-dir"), dir.toString());
        write(RUN.resolve("bin-dir"), binDirs());
        write(RUN.resolve("owner"), String.valueOf(ProcessHandle.current().pid()));
        startWatchdog();
        script("net-up");

        controlPlane = ControlPlane.startForNode(dir.resolve("control-plane"), new ControlPlane.NodeSettings(
                address(NODE_IP), SERVICE_CIDR, List.of("IP:198.19.0.1")), apiPort,
                Duration.between(Instant.now(), deadline));
        admin = controlPlane.adminClient();

        startContainerd(deadline);
        importImages();
        startKubelet();
        startScheduler();
        startProxy();
        waitForNodeReady(deadline);
        admin.storage().v1().storageClasses().resource(new StorageClassBuilder()
                .withNewMetadata().withName(STORAGE_CLASS)
                .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true").endMetadata()
                .withProvisioner(HostPathProvisioner.PROVISIONER).withReclaimPolicy("Delete")
                .withVolumeBindingMode("Immediate").build()).serverSideApply();
        provisioner = new HostPathProvisioner(admin, dir.resolve("volumes")).start();
        startCoreDns(deadline);
        LOG.infof("Real node %s Ready at %s in %.1f s (API server %s, pods %s, Services %s, DNS %s), state in %s",
                NODE_NAME, NODE_IP, Duration.between(started, Instant.now()).toMillis() / 1000.0, controlPlane.url(),
                POD_CIDR, SERVICE_CIDR, DNS_IP, dir);
    }

    private void preflight() {
        List<String> missing = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name")) && !isRoot()) {
            missing.add("root (the kubelet, containerd and the network setup need it)");
        }
        for (String command : List.of("runc", "iptables", "ip", "mount")) {
            if (which(command) == null) {
                missing.add("the " + command + " command");
            }
        }
        if (cniBinDir() == null) {
            missing.add("the CNI plugins (bridge, host-local, loopback, portmap)");
        }
        for (String b : List.of("kubelet", "kube-scheduler", "kube-proxy")) {
            if (!Files.isExecutable(nodeBin.resolve(b))) {
                missing.add(nodeBin.resolve(b) + " (bash kube/build-node.sh)");
            }
        }
        for (String b : List.of("containerd", "containerd-shim-runc-v2", "ctr")) {
            if (!Files.isExecutable(containerdBin.resolve(b))) {
                missing.add(containerdBin.resolve(b) + " (bash kube/build-node.sh)");
            }
        }
        if (imageIndex().isEmpty()) {
            missing.add("the images in " + imageCache().resolve("images.tsv") + " (bash kube/build-images.sh)");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("a real node cannot start here; missing: " + String.join("; ", missing)
                    + ". Debian: apt-get install runc containernetworking-plugins iptables conntrack; the binaries and"
                    + " images: ./mvnw verify builds them (docs/control-plane.md, \"The node\").");
        }
    }

    private void takeLock() {
        try {
            lockChannel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // this JVM runs a node already
            }
            if (lock == null) {
                lockChannel.close();
                throw new IllegalStateException("another real node runs on this machine (" + LOCK
                        + " is locked): one node per machine, its address and bridges are fixed; stop it first");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A process outside this JVM's process group that runs {@code node.sh teardown} once this JVM is gone, so that a
     * killed test run leaves no interface, rule or mount; {@link #close()} stops it after its own teardown.
     */
    private void startWatchdog() {
        long jvm = ProcessHandle.current().pid();
        // the script path is an argument ($1), never part of the command text; ORDINAL_NODE_OWNER makes the teardown
        // leave alone a node that a newer run started meanwhile
        String loop = "while kill -0 " + jvm + " 2>/dev/null; do sleep 1; done; exec bash \"$1\" teardown";
        try {
            ProcessBuilder pb = new ProcessBuilder("setsid", "bash", "-c", loop, "ordinal-node-watchdog",
                    scripts.resolve("node.sh").toString());
            pb.environment().put("ORDINAL_NODE_RUN", RUN.toString());
            pb.environment().put("ORDINAL_NODE_OWNER", String.valueOf(jvm));
            watchdog = pb.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("watchdog.log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the node's watchdog", e);
        }
    }

    private void startContainerd(Instant deadline) {
        Path cniConf = dir.resolve("cni").resolve("net.d");
        mkdirs(cniConf, dir.resolve("cni").resolve("ipam"), dir.resolve("containerd"), RUN.resolve("containerd"));
        write(cniConf.resolve("10-ordinal.conflist"), """
                {
                  "cniVersion": "1.0.0",
                  "name": "ordinal-pods",
                  "plugins": [
                    {
                      "type": "bridge",
                      "bridge": "ordcni0",
                      "isGateway": true,
                      "isDefaultGateway": false,
                      "ipMasq": false,
                      "hairpinMode": true,
                      "ipam": {
                        "type": "host-local",
                        "dataDir": "%s",
                        "ranges": [[{"subnet": "%s", "gateway": "198.18.0.1"}]],
                        "routes": [{"dst": "198.18.0.0/15"}]
                      }
                    },
                    {"type": "portmap", "capabilities": {"portMappings": true}}
                  ]
                }
                """.formatted(dir.resolve("cni").resolve("ipam"), POD_CIDR));
        Path config = dir.resolve("containerd.toml");
        write(config, """
                # containerd for the test node (dev.ordinal.devcluster.RealNode); keys as `containerd config default`
                version = 4
                root = "%1$s"
                state = "%2$s"
                imports = []
                disabled_plugins = ["io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
                [plugins."io.containerd.server.v1.grpc"]
                  address = "%2$s/containerd.sock"
                [plugins."io.containerd.server.v1.ttrpc"]
                  address = "%2$s/containerd.sock.ttrpc"
                [plugins."io.containerd.cri.v1.images"]
                  snapshotter = "overlayfs"
                  [plugins."io.containerd.cri.v1.images".pinned_images]
                    sandbox = "ordinal.local/pause:3.10"
                  [plugins."io.containerd.cri.v1.images".registry]
                    config_path = "%7$s"
                [plugins."io.containerd.cri.v1.runtime"]
                  enable_selinux = false
                  # root here lacks CAP_SYS_RESOURCE: the kernel refuses a negative oom_score_adj (pause: -998)
                  restrict_oom_score_adj = true
                  netns_mounts_under_state_dir = true
                  [plugins."io.containerd.cri.v1.runtime".containerd]
                    default_runtime_name = "runc"
                    [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options]
                        BinaryName = "%3$s"
                        Root = "%4$s"
                        SystemdCgroup = false
                  [plugins."io.containerd.cri.v1.runtime".cni]
                    bin_dirs = ["%5$s"]
                    conf_dir = "%6$s"
                    max_conf_num = 1
                [plugins."io.containerd.grpc.v1.cri"]
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                """.formatted(dir.resolve("containerd"), RUN.resolve("containerd"), which("runc"), RUN.resolve("runc"),
                cniBinDir(), cniConf, dir.resolve("registries")));
        // No registry may be contacted from here (and none is reachable): every registry without a folder of its
        // own, i.e. all of them, is served by a closed port on loopback, so a missing image fails at once with
        // ErrImagePull and no name is looked up.
        write(dir.resolve("registries").resolve("_default").resolve("hosts.toml"), """
                server = "https://127.0.0.1:1"
                [host."https://127.0.0.1:1"]
                  capabilities = ["pull", "resolve"]
                """);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", containerdBin + ":" + System.getenv("PATH"));
        spawn("containerd", containerdBin.resolve("containerd"), List.of("--config", config.toString()), env);
        while (!Files.exists(containerdSocket())) {
            checkStarted(deadline, "containerd did not open " + containerdSocket());
            ControlPlane.sleep(100);
        }
    }

    /**
     * The images to import, ref → archive: every line of the image cache's {@code images.tsv}, with the operator
     * image of this work tree's {@code target/images.tsv} in place of the cache's (kube/build-images.sh writes both;
     * work trees sharing the cache build different operators under one ref, and the tree's own file is written only
     * when its operator image is built, so only that line of it is taken).
     */
    private Map<String, Path> imageIndex() {
        Map<String, Path> images = new LinkedHashMap<>(readIndex(imageCache().resolve("images.tsv")));
        Path own = scripts.getParent().getParent().resolve("target").resolve("images.tsv");
        readIndex(own).forEach((ref, archive) -> {
            if (ref.contains(OPERATOR_IMAGE)) {
                images.put(ref, archive);
            }
        });
        return images;
    }

    /** The operator image's name, as {@code kubernetes/kustomization.yaml} sets it. */
    private static final String OPERATOR_IMAGE = "ordinal/ordinal-operator";

    private static Map<String, Path> readIndex(Path file) {
        Map<String, Path> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.split("\t");
                if (!line.isBlank() && !line.startsWith("#") && parts.length >= 2) {
                    out.put(parts[0], imageCache().resolve(parts[1]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Imports every image of {@link #imageIndex()} into containerd's k8s.io namespace. */
    private void importImages() {
        for (var image : imageIndex().entrySet()) {
            Path archive = image.getValue();
            if (!Files.isRegularFile(archive)) {
                throw new IllegalStateException("image " + image.getKey() + ": " + archive
                        + " is missing; run bash kube/build-images.sh");
            }
            run(List.of(containerdBin.resolve("ctr").toString(), "-a", containerdSocket().toString(), "-n", "k8s.io",
                    "images", "import", "--local", archive.toString()), Duration.ofMinutes(3));
            LOG.debugf("imported %s from %s", image.getKey(), archive);
        }
    }

    private void startKubelet() {
        Path config = dir.resolve("kubelet.yaml");
        int port = ControlPlane.freePort(address(NODE_IP));
        int healthz = ControlPlane.freePort();
        write(config, """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                address: %1$s
                port: %2$d
                readOnlyPort: 0
                healthzBindAddress: 127.0.0.1
                healthzPort: %3$d
                authentication:
                  anonymous: {enabled: false}
                  webhook: {enabled: true}
                  x509: {clientCAFile: %4$s}
                authorization: {mode: Webhook}
                containerRuntimeEndpoint: unix://%5$s
                cgroupDriver: cgroupfs
                # these machines run cgroup v1, which kubelet 1.37 refuses unless told otherwise
                failCgroupV1: false
                failSwapOn: false
                clusterDomain: cluster.local
                clusterDNS: [%6$s]
                # the host's resolver is outside this machine: pods get cluster DNS only
                resolvConf: ""
                podLogsDir: %7$s
                rotateCertificates: false
                serializeImagePulls: false
                evictionHard: {memory.available: 100Mi, nodefs.available: 1%%, imagefs.available: 1%%}
                imageGCHighThresholdPercent: 100
                imageGCLowThresholdPercent: 99
                maxPods: 60
                """.formatted(NODE_IP, port, healthz, controlPlane.caCert(), containerdSocket(), DNS_IP,
                dir.resolve("pod-logs")));
        Path kubeconfig = controlPlane.kubeconfig("system:node:" + NODE_NAME, "system:nodes");
        spawn("kubelet", nodeBin.resolve("kubelet"), List.of("--config", config.toString(),
                "--kubeconfig", kubeconfig.toString(), "--root-dir", dir.resolve("kubelet").toString(),
                "--cert-dir", dir.resolve("kubelet-certs").toString(), "--hostname-override", NODE_NAME,
                "--node-ip", NODE_IP, "--v", "1"), Map.of());
    }

    private void startScheduler() {
        Path kubeconfig = controlPlane.kubeconfig("system:kube-scheduler");
        spawn("kube-scheduler", nodeBin.resolve("kube-scheduler"), List.of("--kubeconfig", kubeconfig.toString(),
                "--authentication-kubeconfig", kubeconfig.toString(), "--authorization-kubeconfig",
                kubeconfig.toString(), "--bind-address", "127.0.0.1", "--secure-port",
                String.valueOf(ControlPlane.freePort()), "--leader-elect=false"), Map.of());
    }

    private void startProxy() {
        Path config = dir.resolve("kube-proxy.yaml");
        write(config, """
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                kind: KubeProxyConfiguration
                clientConnection: {kubeconfig: %s}
                hostnameOverride: %s
                mode: iptables
                clusterCIDR: 198.18.0.0/16
                bindAddress: %s
                healthzBindAddress: 127.0.0.1:%d
                metricsBindAddress: 127.0.0.1:%d
                nodePortAddresses: ["%s/32"]
                iptables: {localhostNodePorts: false, masqueradeAll: false}
                # zeros: leave the host's conntrack settings alone
                conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
                """.formatted(controlPlane.kubeconfig("system:kube-proxy"), NODE_NAME, NODE_IP,
                ControlPlane.freePort(), ControlPlane.freePort(), NODE_IP));
        spawn("kube-proxy", nodeBin.resolve("kube-proxy"), List.of("--config", config.toString()), Map.of());
    }

    private void waitForNodeReady(Instant deadline) {
        while (true) {
            Node node = admin.nodes().withName(NODE_NAME).get();
            if (node != null && node.getStatus() != null && node.getStatus().getConditions() != null
                    && node.getStatus().getConditions().stream()
                            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
                return;
            }
            checkStarted(deadline, "node " + NODE_NAME + " is not Ready" + (node == null ? " (not registered)"
                    : ": " + node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                            .map(NodeCondition::getMessage).findFirst().orElse("")));
            ControlPlane.sleep(200);
        }
    }

    private void startCoreDns(Instant deadline) {
        try (InputStream in = Files.newInputStream(scripts.resolve("coredns.yaml"))) {
            for (HasMetadata item : admin.load(in).items()) {
                admin.resource(item).fieldManager("ordinal-node").forceConflicts().serverSideApply();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        while (true) {
            var deployment = admin.apps().deployments().inNamespace("kube-system").withName("coredns").get();
            if (deployment != null && deployment.getStatus() != null
                    && Integer.valueOf(1).equals(deployment.getStatus().getReadyReplicas())) {
                return;
            }
            checkStarted(deadline, "CoreDNS is not Ready");
            ControlPlane.sleep(200);
        }
    }

    private void checkStarted(Instant deadline, String what) {
        for (ChildProcess c : children) {
            if (!c.isAlive()) {
                throw new IllegalStateException(c.name() + " of the real node exited (" + c.exitValue()
                        + "); last lines of " + c.log() + ":\n" + c.tail(30));
            }
        }
        if (Instant.now().isAfter(deadline)) {
            throw new IllegalStateException(what + " in time; logs in " + dir);
        }
    }

    /**
     * Fails with the last log lines of every node process (and control-plane process) that has died.
     *
     * @throws IllegalStateException naming the dead process
     */
    public void checkAlive() {
        controlPlane.checkAlive();
        for (ChildProcess c : children) {
            if (!c.stoppedOnPurpose() && !c.isAlive()) {
                throw new IllegalStateException(c.name() + " of the real node died (exit " + c.exitValue()
                        + "); last lines of " + c.log() + ":\n" + c.tail(30));
            }
        }
    }

    /** Process ids of the node's binaries by name (containerd, kubelet, kube-scheduler, kube-proxy). */
    public Map<String, Long> pids() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (ChildProcess c : children) {
            if (c.isAlive()) {
                out.put(c.name(), c.binaryPid());
            }
        }
        return out;
    }

    /**
     * What the node left on this machine, as {@code node.sh leftovers} reports it: empty when nothing is left
     * (no process, bridge, 198.18/15 address, mount under {@code stateDir} or {@link #RUN}, KUBE-/CNI- chain or
     * guard rule).
     */
    public static String leftovers(Path kubeDir, Path stateDir) {
        ProcessResult r = runScript(kubeDir.toAbsolutePath().resolve("node").resolve("node.sh"), "leftovers",
                Map.of("ORDINAL_NODE_RUN", RUN.toString(), "ORDINAL_NODE_STATE", stateDir.toAbsolutePath().toString()));
        return r.exit() == 0 ? "" : r.output().strip();
    }

    /**
     * Saves the containers' logs, stops every process of the node and its control plane, then runs {@code node.sh
     * teardown}, which kills what is left (containers through runc), unmounts, and removes the bridges, rules and
     * cgroups; the watchdog and the machine-wide lock go last, whatever failed before.
     *
     * @throws IllegalStateException when the teardown leaves something behind (named)
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (provisioner != null) {
                provisioner.close();
            }
            if (admin != null) {
                // through the API server only while it runs (a signal to the whole process group stops it at once,
                // as Ctrl-C in dev mode does), and for a bounded time
                if (controlPlane != null && controlPlane.pids().containsKey("kube-apiserver")) {
                    bounded(Duration.ofSeconds(60), this::saveContainerLogs);
                }
                admin.close();
            }
            List<ChildProcess> reverse = new ArrayList<>(children);
            java.util.Collections.reverse(reverse);
            reverse.forEach(ChildProcess::stop);
            if (controlPlane != null) {
                controlPlane.close();
            }
            if (lock != null) {
                script("teardown");
            }
        } finally {
            if (watchdog != null) {
                watchdog.descendants().forEach(ProcessHandle::destroy);
                watchdog.destroy();
            }
            if (lock != null) {
                try {
                    lock.release();
                    lockChannel.close();
                } catch (IOException e) {
                    LOG.debugf("lock release: %s", e.getMessage());
                }
            }
        }
    }

    /**
     * Keeps what every container logged (and, for a restarted one, what its previous run logged) in
     * {@code <dir>/container-logs/<namespace>_<pod>_<container>[.previous].log}, since the kubelet deletes its logs
     * with the pods: a failed test run can still be read afterwards.
     */
    private void saveContainerLogs() {
        Path out = dir.resolve("container-logs");
        try {
            mkdirs(out);
            for (var pod : admin.pods().inAnyNamespace().list().getItems()) {
                String ns = pod.getMetadata().getNamespace();
                String name = pod.getMetadata().getName();
                var statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
                for (var c : statuses == null ? List.<io.fabric8.kubernetes.api.model.ContainerStatus>of() : statuses) {
                    var logs = admin.pods().inNamespace(ns).withName(name).inContainer(c.getName());
                    String prefix = ns + "_" + name + "_" + c.getName();
                    try {
                        write(out.resolve(prefix + ".log"), logs.getLog());
                        if (c.getRestartCount() != null && c.getRestartCount() > 0) {
                            write(out.resolve(prefix + ".previous.log"), logs.terminated().getLog());
                        }
                    } catch (RuntimeException e) {
                        LOG.debugf("no logs of %s: %s", prefix, e.getMessage());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf("container logs not saved: %s", e.getMessage());
        }
    }

    private static void bounded(Duration limit, Runnable work) {
        Thread t = new Thread(work, "ordinal-node-close");
        t.setDaemon(true);
        t.start();
        try {
            t.join(limit.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.infof("the API server did not answer within %s while the node closed; its containers are killed", limit);
            t.interrupt();
        }
    }

    /** The folders of the node's binaries, as node.sh takes them: its processes are those running a binary from here. */
    private String binDirs() {
        return nodeBin + ":" + containerdBin;
    }

    private void spawn(String name, Path binary, List<String> args, Map<String, String> env) {
        ChildProcess c = ChildProcess.start(name, binary, args, env, dir.resolve(name + ".log"));
        children.add(c);
        for (int i = 0; i < 50 && c.binaryPid() < 0 && c.isAlive(); i++) {
            ControlPlane.sleep(20);
        }
        long pid = c.binaryPid();
        if (pid > 0) { // a binary that exited at once has no pid to record (its wrapper reports the exit)
            write(RUN.resolve("pids").resolve(name), String.valueOf(pid));
        }
    }

    private void script(String command) {
        ProcessResult r = runScript(scripts.resolve("node.sh"), command, Map.of("ORDINAL_NODE_RUN", RUN.toString(),
                "ORDINAL_NODE_STATE", dir.toString(), "ORDINAL_NODE_BIN", binDirs(),
                "ORDINAL_NODE_OWNER", String.valueOf(ProcessHandle.current().pid())));
        appendLog(r.output());
        if (r.exit() != 0) {
            throw new IllegalStateException("node.sh " + command + " failed (" + r.exit() + "):\n" + r.output());
        }
    }

    private void appendLog(String text) {
        try {
            Files.writeString(dir.resolve("node.sh.log"), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.debugf("cannot write node.sh.log: %s", e.getMessage());
        }
    }

    private record ProcessResult(int exit, String output) {
    }

    private static ProcessResult runScript(Path script, String command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), command).redirectErrorStream(true);
        pb.environment().putAll(env);
        return exec(pb, Duration.ofMinutes(2));
    }

    private void run(List<String> command, Duration timeout) {
        ProcessResult r = exec(new ProcessBuilder(command).redirectErrorStream(true), timeout);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.exit() + "): " + r.output());
        }
    }

    private static ProcessResult exec(ProcessBuilder pb, Duration timeout) {
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new ProcessResult(-1, "timed out after " + timeout);
            }
            return new ProcessResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static boolean isRoot() {
        try {
            return exec(new ProcessBuilder("id", "-u").redirectErrorStream(true), Duration.ofSeconds(5)).output()
                    .strip().equals("0");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String which(String command) {
        for (String d : (System.getenv("PATH") + ":/usr/sbin:/sbin").split(":")) {
            Path p = Path.of(d, command);
            if (!d.isBlank() && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** The folder of the CNI plugins (Debian: /usr/lib/cni; upstream: /opt/cni/bin), or null. */
    private static Path cniBinDir() {
        for (String d : List.of("/usr/lib/cni", "/opt/cni/bin")) {
            if (Files.isExecutable(Path.of(d, "bridge")) && Files.isExecutable(Path.of(d, "host-local"))) {
                return Path.of(d);
            }
        }
        return null;
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    private static void mkdirs(Path... dirs) {
        try {
            for (Path d : dirs) {
                Files.createDirectories(d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
