package dev.ordinal.packaged;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.ordinal.access.tls.TestCertificates;
import dev.ordinal.manifests.OperatorServiceAccount;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The cluster side of the packaged-artifact tests, in the test JVM (failsafe's, so a control plane of its own:
 * {@link TestKube#shared} {@value #KUBE}, with the CRDs users install from kubernetes/crds and the kubelet
 * simulator), the operator's namespace, ServiceAccount and RBAC from kubernetes/ ({@link OperatorServiceAccount}).
 * The packaged operator (jar, or native binary with -Dnative) is started by Quarkus in its own process, in the prod
 * profile, with the properties returned here: it talks to the API server as the ServiceAccount, with leader
 * election on (Lease ordinal-leader in ordinal-system, holder {@value #IDENTITY}), as the Deployment runs it.
 * <p>
 * Its HTTPS port serves the certificate of the Secret {@value #TLS_SECRET}, issued by {@link #AUTHORITY} for
 * localhost (as cert-manager's CA issuer would), and re-checks open streams' tokens every
 * {@value #STREAM_RECHECK_SECONDS} s with review answers kept {@value #CACHE_TTL_SECONDS} s.
 */
public class PackagedApiServerResource implements QuarkusTestResourceLifecycleManager {
    /**
     * The control plane's name. "quarkus", because the KubeResource other test classes declare is global and so
     * starts that one in this JVM too: one control plane, not two. (Its state folder, target/kube-quarkus, is
     * emptied first, replacing what the surefire run left there.)
     */
    static final String KUBE = "quarkus";
    /** The packaged operator's leader-election identity (the Deployment uses the pod name). */
    static final String IDENTITY = "packaged-it";
    /** The kubernetes.io/tls Secret the operator serves (the name kubernetes/rbac lets it read). */
    static final String TLS_SECRET = "ordinal-tls";
    /** The CA the callers are given. */
    static final TestCertificates AUTHORITY = TestCertificates.authority("packaged-it-ca");
    static final long STREAM_RECHECK_SECONDS = 2;
    static final long CACHE_TTL_SECONDS = 2;

    /** The IT's control plane (started on first use, stopped when the test JVM exits). */
    static TestKube kube() {
        return TestKube.shared(KUBE);
    }

    /** After the global KubeResource, whose client properties these replace (see RbacKubeResource#order). */
    @Override
    public int order() {
        return OperatorServiceAccount.RESOURCE_ORDER;
    }

    @Override
    public Map<String, String> start() {
        TestKube kube = kube();
        kube.kubelet().reset().readyDelay(Duration.ofMillis(50));
        Map<String, String> props = new HashMap<>(OperatorServiceAccount.quarkusProperties(kube));
        // As the Deployment runs it (POD_NAMESPACE and POD_NAME from the downward API).
        props.put("ordinal.leader-election.enabled", "true");
        props.put("ordinal.leader-election.lease-namespace", OperatorServiceAccount.NAMESPACE);
        props.put("ordinal.leader-election.identity", IDENTITY);
        // HTTPS with a certificate from a Secret, as with cert-manager (docs/install.md "TLS")
        try (KubernetesClient admin = kube.newAdminClient()) {
            admin.secrets().inNamespace(OperatorServiceAccount.NAMESPACE).resource(tlsSecret(AUTHORITY, AUTHORITY.issue("localhost")))
                    .serverSideApply();
        }
        props.put("ordinal.http.tls.secret", TLS_SECRET);
        props.put("ordinal.http.tls.namespace", OperatorServiceAccount.NAMESPACE);
        props.put("ordinal.http.auth.stream-recheck", STREAM_RECHECK_SECONDS + "S");
        props.put("ordinal.http.auth.cache-ttl", CACHE_TTL_SECONDS + "S");
        return props;
    }

    /** The Secret {@value #TLS_SECRET} holding {@code issued} and the CA that issued it, as cert-manager writes it. */
    static Secret tlsSecret(TestCertificates ca, TestCertificates.Issued issued) {
        return new SecretBuilder().withNewMetadata().withName(TLS_SECRET).withNamespace(OperatorServiceAccount.NAMESPACE).endMetadata()
                .withType("kubernetes.io/tls").withData(ca.secretData(issued)).build();
    }

    @Override
    public void stop() {
        // the control plane is stopped when the test JVM exits
    }
}
