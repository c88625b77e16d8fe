package dev.ordinal.access.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.URL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The certificate of a named Secret that does not exist when the operator starts (docs/install.md "TLS"): the port
 * serves the self-signed certificate meanwhile, the Secret's once it is created, and keeps it when the Secret is
 * broken (no key) or deleted, each without a restart.
 */
@QuarkusTest
@TestProfile(SecretCertificateTest.LateSecret.class)
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class SecretCertificateTest {
    static final String NAMESPACE = "default";
    static final String SECRET = "late-tls";

    /** HTTPS only, with the certificate of the Secret default/late-tls, which does not exist yet. */
    public static class LateSecret implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.tls-configuration-name", ServingCertificates.TLS_CONFIGURATION,
                    "quarkus.http.insecure-requests", "disabled",
                    "ordinal.http.tls.secret", SECRET,
                    "ordinal.http.tls.namespace", NAMESPACE,
                    "ordinal.http.tls.dns-names", "localhost");
        }
    }

    @TestHTTPResource(value = "/q/health/live", tls = true)
    URL live;

    @KubeResource.Inject
    TestKube kube;

    @Test
    void aSecretCreatedAfterStartIsServedAndABrokenOrDeletedOneLeavesItServed() throws Exception {
        X509Certificate first = served();
        first.verify(first.getPublicKey()); // self-signed meanwhile
        TestCertificates ca = TestCertificates.authority("late-ca");
        TestCertificates.Issued issued = ca.issue("localhost");
        try (KubernetesClient admin = kube.newAdminClient()) {
            admin.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName(SECRET).withNamespace(NAMESPACE)
                    .endMetadata().withType("kubernetes.io/tls").withData(ca.secretData(issued)).build()).create();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> served().equals(issued.certificate()));

            // deleted, then back without its key (the API server validates kubernetes.io/tls Secrets, so an Opaque one):
            // the last good certificate stays served
            admin.secrets().inNamespace(NAMESPACE).withName(SECRET).withTimeout(30, java.util.concurrent.TimeUnit.SECONDS).delete();
            TestCertificates.Issued later = ca.issue("localhost");
            admin.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName(SECRET).withNamespace(NAMESPACE)
                    .endMetadata().withType("Opaque").withData(Map.of("tls.crt", ca.secretData(later).get("tls.crt"))).build()).create();
            Thread.sleep(2_000);
            assertEquals(issued.certificate(), served(), "a broken or deleted Secret leaves the last good certificate served");
            admin.secrets().inNamespace(NAMESPACE).withName(SECRET).edit(s -> {
                s.setData(ca.secretData(later));
                return s;
            });
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> served().equals(later.certificate()));
            admin.secrets().inNamespace(NAMESPACE).withName(SECRET).delete();
        }
    }

    /**
     * The certificate of a new connection. A handshake in the very moment the server swaps its certificate can fail
     * (Vert.x 4.5: the update is not finished for a channel that starts then); the waits ignore such a failure.
     */
    private X509Certificate served() throws Exception {
        return TestCertificates.served(URI.create(live.toString()));
    }
}
