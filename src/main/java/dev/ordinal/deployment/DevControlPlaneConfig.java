package dev.ordinal.deployment;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Dev mode without a cluster: in the {@code dev} profile, unless {@code ordinal.dev.control-plane=false} or an API
 * server URL is configured, points the Quarkus Kubernetes client at the local control plane that dev mode starts
 * (kube-apiserver on {@code https://127.0.0.1:<ordinal.dev.port>}, default 18443; certificates under
 * {@code target/ordinal-dev/pki/}) and turns Dev Services for Kubernetes off. The control plane itself is started
 * by dev-only tooling ({@code src/dev/java}, not in the packaged jar) before the operator starts.
 * <p>
 * In every other profile and case it contributes nothing, so a configured cluster, {@code KUBECONFIG} and Dev
 * Services behave as Quarkus ships them. See docs/control-plane.md.
 */
public class DevControlPlaneConfig implements ConfigSourceFactory {

    /** {@code false} turns the local control plane off in dev mode. */
    public static final String ENABLED = "ordinal.dev.control-plane";
    /** The API server's port in dev mode. */
    public static final String PORT = "ordinal.dev.port";
    /** Set by this factory when dev mode is to start the local control plane. */
    public static final String ACTIVE = "ordinal.dev.control-plane.active";
    /** The API server's port in dev mode unless {@value #PORT} says otherwise. */
    public static final int DEFAULT_PORT = 18443;
    /** The user the operator is in dev mode (a client certificate of group system:masters). */
    public static final String OPERATOR_USER = "ordinal-operator";
    /** The operator's certificate and key in {@code target/ordinal-dev/pki/}: {@code <user>@<groups>.crt|.key}. */
    public static final String OPERATOR_CREDENTIALS = OPERATOR_USER + "@system_masters";

    /**
     * {@code real}: dev mode runs a real node (containerd, kubelet, kube-proxy, CoreDNS; root only) instead of the
     * kubelet simulator, and the API server on the node's address (docs/control-plane.md, "The node").
     */
    public static final String NODE = "ordinal.dev.node";
    /** The real node's address, where its API server listens (dev.ordinal.devcluster.RealNode.NODE_IP). */
    public static final String REAL_NODE_IP = "198.18.255.1";

    /** The folder dev mode keeps the control plane's state, certificates and kubeconfig in. */
    public static Path stateDir() {
        return Path.of("target", "ordinal-dev").toAbsolutePath();
    }

    /** The control plane's own folder: {@link #stateDir()}, or its {@code control-plane} folder with a real node. */
    public static Path controlPlaneDir(boolean realNode) {
        return realNode ? stateDir().resolve("control-plane") : stateDir();
    }

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<String> profiles = context.getProfiles();
        if (profiles == null || !profiles.contains("dev")) {
            return Collections.emptyList();
        }
        String enabled = value(context, ENABLED, "true");
        String explicitUrl = value(context, "quarkus.kubernetes-client.api-server-url", null);
        if (!Boolean.parseBoolean(enabled) || (explicitUrl != null && !explicitUrl.isBlank())) {
            return Collections.emptyList();
        }
        int port = Integer.parseInt(value(context, PORT, String.valueOf(DEFAULT_PORT)));
        boolean realNode = "real".equals(value(context, NODE, "simulated"));
        Path pki = controlPlaneDir(realNode).resolve("pki");
        Map<String, String> props = new HashMap<>();
        props.put(ACTIVE, "true");
        props.put("quarkus.kubernetes-client.api-server-url",
                "https://" + (realNode ? REAL_NODE_IP : "127.0.0.1") + ":" + port);
        props.put("quarkus.kubernetes-client.ca-cert-file", pki.resolve("ca.crt").toString());
        props.put("quarkus.kubernetes-client.client-cert-file", pki.resolve(OPERATOR_CREDENTIALS + ".crt").toString());
        props.put("quarkus.kubernetes-client.client-key-file", pki.resolve(OPERATOR_CREDENTIALS + ".key").toString());
        props.put("quarkus.kubernetes-client.client-key-algo", "RSA");
        props.put("quarkus.kubernetes-client.namespace", "default");
        props.put("quarkus.kubernetes-client.devservices.enabled", "false");
        // no Dev Services at all while the local control plane runs (the Kubernetes one is the only one Ordinal
        // has); without this, Quarkus logs "ERROR Cannot apply manifests because the Kubernetes dev service is not
        // running" on every dev-mode build
        props.put("quarkus.devservices.enabled", "false");
        // dev mode installs kubernetes/crds, the CRDs users install, not the generated ones
        props.put("quarkus.operator-sdk.crd.apply", "false");
        return List.of(new PropertiesConfigSource(props, "ordinal-dev-control-plane", 275));
    }

    private static String value(ConfigSourceContext context, String name, String defaultValue) {
        for (String key : new String[] { name, "%dev." + name }) {
            ConfigValue v = context.getValue(key);
            if (v != null && v.getValue() != null) {
                return v.getValue();
            }
        }
        return defaultValue;
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(275);
    }
}
