package dev.ordinal.access.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ordinal.testkube.KubeResource;
import dev.ordinal.testkube.RequiresControlPlane;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The self-signed certificate of the HTTPS port (docs/install.md "TLS"), as the prod profile serves it but valid for
 * 15 s only: a new one, with a new key, is served after two thirds of that, made before the first one expired, and
 * the server was not restarted for it (the same port answers throughout).
 */
@QuarkusTest
@TestProfile(SelfSignedRenewalTest.ShortLivedCertificate.class)
@QuarkusTestResource(KubeResource.class)
@RequiresControlPlane
class SelfSignedRenewalTest {

    /** HTTPS only, as in the prod profile, with a certificate valid for 15 s. */
    public static class ShortLivedCertificate implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.tls-configuration-name", ServingCertificates.TLS_CONFIGURATION,
                    "quarkus.http.insecure-requests", "disabled",
                    "ordinal.http.tls.self-signed-validity", "15S",
                    "ordinal.http.tls.dns-names", "localhost,127.0.0.1");
        }
    }

    @TestHTTPResource(value = "/q/health/live", tls = true)
    URL live;

    @Test
    void theSelfSignedCertificateIsReplacedBeforeItExpiresWithoutARestart() throws Exception {
        assertEquals("https", live.getProtocol(), live.toString());
        X509Certificate first = served();
        first.verify(first.getPublicKey());
        assertEquals(List.of(List.of(2, "localhost"), List.of(7, "127.0.0.1")), List.copyOf(first.getSubjectAlternativeNames()));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> !served().equals(first));
        X509Certificate second = served();
        second.verify(second.getPublicKey());
        assertNotEquals(first.getPublicKey(), second.getPublicKey(), "a new key");
        assertTrue(second.getNotBefore().toInstant().plus(SelfSignedCertificate.BACKDATE).isBefore(first.getNotAfter().toInstant()),
                "made before the first one expired: " + second.getNotBefore() + " + backdate, first until " + first.getNotAfter());
    }

    private X509Certificate served() throws Exception {
        return TestCertificates.served(URI.create(live.toString()));
    }
}
