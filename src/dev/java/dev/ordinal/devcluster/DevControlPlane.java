package dev.ordinal.devcluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.ordinal.deployment.DevControlPlaneConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Dev mode without a cluster ({@code ./mvnw quarkus:dev}): before the operator starts, runs the real control plane
 * ({@link ControlPlane}: etcd, kube-apiserver on {@code 127.0.0.1:18443}, kube-controller-manager), installs
 * {@code kubernetes/crds/} and the example cluster, runs the kubelet simulator and writes
 * {@code target/ordinal-dev-kubeconfig} (an administrator's kubeconfig) for kubectl.
 * <p>
 * The control plane is started once per dev-mode JVM and survives live reloads (a reload builds a new class loader,
 * so the running instance is kept in the JVM's system properties); it stops when dev mode ends. Builds the binaries
 * first when they are missing ({@code kube/build-control-plane.sh}). Exists only in the dev build profile, acts
 * only when {@link DevControlPlaneConfig} activated it, and is not in the packaged jar.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class DevControlPlane {

    private static final Logger LOG = Logger.getLogger(DevControlPlane.class);
    private static final String RUNNING = "ordinal.dev.control-plane.running";

    @ConfigProperty(name = DevControlPlaneConfig.ACTIVE, defaultValue = "false")
    boolean active;

    @ConfigProperty(name = DevControlPlaneConfig.PORT, defaultValue = "" + DevControlPlaneConfig.DEFAULT_PORT)
    int port;

    @ConfigProperty(name = "ordinal.dev.ready-delay", defaultValue = "PT0.5S")
    Duration readyDelay;

    @ConfigProperty(name = DevControlPlaneConfig.NODE, defaultValue = "simulated")
    String node;

    private KubeletSimulator kubelet;
    private KubernetesClient kubeletClient;

    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        if (!active) {
            return;
        }
        boolean realNode = "real".equals(node);
        Path dir = DevControlPlaneConfig.stateDir();
        synchronized (System.getProperties().computeIfAbsent(RUNNING + ".lock", k -> new Object())) {
            if (System.getProperties().get(RUNNING) == null) {
                AutoCloseable running = realNode ? startRealNode(dir) : startControlPlane(dir);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        running.close();
                    } catch (Exception e) {
                        LOG.warnf("stopping the dev-mode cluster: %s", e.getMessage());
                    }
                }, "ordinal-dev-control-plane-stop"));
                System.getProperties().put(RUNNING, dir.toString());
            }
        }
        ControlPlane.Handle cp = ControlPlane.Handle.of(DevControlPlaneConfig.controlPlaneDir(realNode));
        Path kubeconfig = Path.of("target", "ordinal-dev-kubeconfig").toAbsolutePath();
        if (realNode) {
            LOG.infof("Kubernetes %s on a real node: API server %s, containerd, kubelet, kube-proxy, CoreDNS (state and "
                    + "logs in %s). Try: export KUBECONFIG=%s; kubectl get cl,its,ops,pods; kubectl logs kafka-broker-0",
                    ControlPlane.KUBE_VERSION, cp.url(), dir, kubeconfig);
            return;
        }
        kubeletClient = new KubernetesClientBuilder().withConfig(cp.config("ordinal-kubelet", "system:masters")).build();
        kubelet = new KubeletSimulator(kubeletClient).readyDelay(readyDelay).start();
        LOG.infof("Kubernetes %s control plane on %s (etcd, kube-apiserver, kube-controller-manager; simulated kubelet). "
                + "Try: export KUBECONFIG=%s; kubectl get cl,its,ops,pods   (a real node instead: -Dordinal.dev.node=real, "
                + "as root; a real cluster: -Dordinal.dev.control-plane=false)", ControlPlane.KUBE_VERSION, cp.url(),
                kubeconfig);
    }

    private ControlPlane startControlPlane(Path dir) {
        buildIfMissing(ControlPlane.binariesPresent(), "kube/build-control-plane.sh",
                "the Kubernetes control plane from Go modules into " + ControlPlane.binaryDir() + " (first time only, 15-25 min)");
        ControlPlane cp = ControlPlane.start(dir, port, Duration.ofSeconds(90));
        prepare(cp, false);
        return cp;
    }

    /**
     * A real node for dev mode: builds what is missing (control plane, node binaries, the images the example needs;
     * each script does nothing when its output is there), starts it with the API server on the dev port of the
     * node's address, then prepares it as the simulated one.
     */
    private RealNode startRealNode(Path dir) {
        buildIfMissing(ControlPlane.binariesPresent(), "kube/build-control-plane.sh",
                "the Kubernetes control plane from Go modules into " + ControlPlane.binaryDir() + " (first time only, 15-25 min)");
        buildIfMissing(false, "kube/build-node.sh", "the node's binaries (kubelet, containerd, CoreDNS) if missing");
        buildIfMissing(false, "kube/build-images.sh", "the node's images (pause, busybox, CoreDNS, Kafka) if missing",
                "--quiet", "pause", "busybox", "coredns", "kafka");
        RealNode node = RealNode.start(dir, Path.of("kube"), port, Duration.ofMinutes(4));
        try {
            prepare(node.controlPlane(), true);
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** Installs the CRDs and the examples, and writes the operator's and the user's kubeconfigs. */
    private void prepare(ControlPlane cp, boolean realNode) {
        Path dir = cp.dir();
        try (KubernetesClient admin = cp.adminClient()) {
            ControlPlane.installCrds(admin, Path.of("kubernetes", "crds"));
            int examples = applyExamples(admin, Path.of("kubernetes", "examples"), realNode);
            LOG.debugf("applied %d example objects", examples);
        }
        cp.kubeconfig(DevControlPlaneConfig.OPERATOR_USER, "system:masters");
        Path operatorCert = dir.resolve("pki").resolve(DevControlPlaneConfig.OPERATOR_CREDENTIALS + ".crt");
        if (!Files.exists(operatorCert)) {
            throw new IllegalStateException("dev mode points the operator at " + operatorCert
                    + ", which the control plane did not issue (Pki and DevControlPlaneConfig disagree on names)");
        }
        cp.credentials("ordinal-kubelet", "system:masters");
        Path userKubeconfig = Path.of("target", "ordinal-dev-kubeconfig").toAbsolutePath();
        try {
            Files.copy(cp.kubeconfig(ControlPlane.ADMIN, "system:masters"), userKubeconfig,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void buildIfMissing(boolean present, String script, String what, String... args) {
        if (present) {
            return;
        }
        LOG.infof("Building %s (%s)", what, script);
        try {
            List<String> command = new java.util.ArrayList<>(List.of("bash", script));
            command.addAll(List.of(args));
            ProcessBuilder build = new ProcessBuilder(command).inheritIO();
            build.environment().put("KUBE_VERSION", ControlPlane.KUBE_VERSION);
            Process p = build.start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(script + " failed (see its output above)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int applyExamples(KubernetesClient admin, Path dir, boolean realNode) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted()
                    .toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    List<HasMetadata> items = admin.load(in).items();
                    for (HasMetadata item : items) {
                        withoutScaleInGuard(item);
                        if (realNode) {
                            withLocalKafkaImage(item);
                        }
                        admin.resource(item).fieldManager("kubectl").forceConflicts().serverSideApply();
                        n++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return n;
    }

    /**
     * The real node has no registry to pull {@code apache/kafka} from: the example runs on the local image
     * {@value #LOCAL_KAFKA_IMAGE} that kube/build-images.sh builds to the official image's environment contract.
     */
    @SuppressWarnings("unchecked")
    private static void withLocalKafkaImage(HasMetadata item) {
        if (item instanceof dev.ordinal.api.cluster.Cluster typed && typed.getSpec() != null) {
            for (var component : typed.getSpec().componentSpecs) {
                if (component.template != null && component.template.getSpec() != null) {
                    component.template.getSpec().getContainers().stream()
                            .filter(c -> c.getImage() != null && c.getImage().startsWith("apache/kafka:"))
                            .forEach(c -> c.setImage(LOCAL_KAFKA_IMAGE));
                }
            }
        } else if (item instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource g
                && "Cluster".equals(g.getKind()) && g.getAdditionalProperties().get("spec") instanceof java.util.Map<?, ?> spec
                && spec.get("componentSpecs") instanceof List<?> components) {
            for (Object c : components) {
                if (((java.util.Map<String, Object>) c).get("template") instanceof java.util.Map<?, ?> template
                        && template.get("spec") instanceof java.util.Map<?, ?> podSpec
                        && podSpec.get("containers") instanceof List<?> containers) {
                    for (Object container : containers) {
                        var map = (java.util.Map<String, Object>) container;
                        if (String.valueOf(map.get("image")).startsWith("apache/kafka:")) {
                            map.put("image", LOCAL_KAFKA_IMAGE);
                        }
                    }
                }
            }
        }
    }

    private static final String LOCAL_KAFKA_IMAGE = "ordinal.local/kafka:3.9.0";

    /**
     * Dev mode's operator runs in this JVM, on the host: with the simulated kubelet no Kafka runs at all, and on a real
     * node the brokers' advertised names are cluster DNS names the host's resolver does not know. Either way the
     * example's Kafka scale-in guard could never get an answer and every offline would end ScaleInGuardUnavailable:
     * it is taken out here, and said so.
     */
    @SuppressWarnings("unchecked")
    private static void withoutScaleInGuard(HasMetadata item) {
        if (item instanceof dev.ordinal.api.cluster.Cluster typed && typed.getSpec() != null) {
            typed.getSpec().componentSpecs.stream().filter(c -> c.scaleInGuard != null).forEach(c -> {
                c.scaleInGuard = null;
                LOG.infof("dev mode's operator cannot reach Kafka: scaleInGuard of %s/%s component %s left out (docs/kafka-broker-offline.md)",
                        typed.getMetadata().getNamespace(), typed.getMetadata().getName(), c.name);
            });
        } else if (item instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource g && "Cluster".equals(g.getKind())
                && g.getAdditionalProperties().get("spec") instanceof java.util.Map<?, ?> spec
                && spec.get("componentSpecs") instanceof List<?> components) {
            for (Object c : components) {
                if (((java.util.Map<String, Object>) c).remove("scaleInGuard") != null) {
                    LOG.infof("dev mode's operator cannot reach Kafka: scaleInGuard of %s/%s component %s left out (docs/kafka-broker-offline.md)",
                            g.getMetadata().getNamespace(), g.getMetadata().getName(), ((java.util.Map<String, Object>) c).get("name"));
                }
            }
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (kubelet != null) {
            kubelet.stop();
            kubelet = null;
        }
        if (kubeletClient != null) {
            kubeletClient.close();
            kubeletClient = null;
        }
    }
}
