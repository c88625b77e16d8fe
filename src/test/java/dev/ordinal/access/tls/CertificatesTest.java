package dev.ordinal.access.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The certificates the HTTPS port serves: the self-signed one Ordinal makes, and those it reads from a TLS Secret. */
class CertificatesTest {
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
    private static final String WHERE = "ordinal-system/ordinal-tls";

    @Test
    void theSelfSignedCertificateNamesTheServiceIsForServersOnlyAndIsRenewedAfterTwoThirdsOfItsValidity() throws Exception {
        List<String> names = List.of("ordinal.ordinal-system.svc", "ordinal", "localhost", "127.0.0.1");
        ServingCertificate made = SelfSignedCertificate.create(names, Duration.ofDays(90), NOW);
        X509Certificate leaf = made.leaf();
        assertEquals(names, made.names(), "DNS names and the IP address, as subjectAltName entries");
        assertTrue(leaf.getSubjectX500Principal().getName().contains("CN=ordinal.ordinal-system.svc"), leaf.getSubjectX500Principal().getName());
        assertEquals(-1, leaf.getBasicConstraints(), "not a CA");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), leaf.getExtendedKeyUsage(), "serverAuth only");
        assertTrue(leaf.getKeyUsage()[0], "digitalSignature");
        leaf.verify(leaf.getPublicKey());
        assertEquals(NOW.plus(Duration.ofDays(90)), made.notAfter());
        assertEquals(NOW.minus(SelfSignedCertificate.BACKDATE), leaf.getNotBefore().toInstant(), "allowance for clocks behind");
        assertEquals(NOW.plus(Duration.ofDays(60)), made.renewAt(), "two thirds of its validity from when it was made");
        assertEquals(NOW.plus(Duration.ofSeconds(4)), SelfSignedCertificate.create(names, Duration.ofSeconds(6), NOW).renewAt(),
                "a short validity is not eaten by the backdated start");
        assertEquals("self-signed", made.source());
    }

    @Test
    void twoSelfSignedCertificatesHaveTheirOwnKeysAndSerials() {
        ServingCertificate a = SelfSignedCertificate.create(List.of("ordinal"), Duration.ofHours(1), NOW);
        ServingCertificate b = SelfSignedCertificate.create(List.of("ordinal"), Duration.ofHours(1), NOW);
        assertTrue(!a.fingerprint().equals(b.fingerprint()) && !a.leaf().getSerialNumber().equals(b.leaf().getSerialNumber()));
        assertTrue(!a.leaf().getPublicKey().equals(b.leaf().getPublicKey()));
    }

    @Test
    void aSelfSignedCertificateNeedsANameAndAPositiveValidity() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SelfSignedCertificate.create(List.of(), Duration.ofDays(1), NOW))
                .getMessage().contains("ordinal.http.tls.dns-names"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SelfSignedCertificate.create(List.of("ordinal"), Duration.ZERO, NOW))
                .getMessage().contains("ordinal.http.tls.self-signed-validity must be positive, was PT0S"));
    }

    @Test
    void theKeyStoreHoldsTheChainAndTheKeyUnderThePassword() throws Exception {
        TestCertificates ca = TestCertificates.authority("test-ca");
        ServingCertificate served = TlsSecrets.read(WHERE, ca.secretData(ca.issue("ordinal.ordinal-system.svc")), Instant.now());
        char[] password = "pw".toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(served.toPkcs12(password)), password);
        assertEquals(2, store.getCertificateChain(ServingCertificate.ALIAS).length, "server certificate, then the CA");
        assertEquals(served.key(), store.getKey(ServingCertificate.ALIAS, password));
    }

    @Test
    void aTlsSecretAsCertManagerWritesItIsServedWithItsChain() {
        TestCertificates ca = TestCertificates.authority("test-ca");
        TestCertificates.Issued issued = ca.issue("ordinal.ordinal-system.svc", "ordinal");
        ServingCertificate served = TlsSecrets.read(WHERE, ca.secretData(issued), Instant.now());
        assertEquals(issued.certificate(), served.leaf());
        assertEquals(List.of(issued.certificate(), ca.caCertificate()), served.chain());
        assertEquals("Secret " + WHERE, served.source());
        assertEquals(null, served.renewAt(), "its issuer renews it, not Ordinal");
        assertEquals(List.of("ordinal.ordinal-system.svc", "ordinal"), served.names());
    }

    @Test
    void aPkcs8KeyIsReadAsWellAsAPkcs1One() {
        TestCertificates ca = TestCertificates.authority("test-ca");
        TestCertificates.Issued issued = ca.issue("ordinal");
        Map<String, String> data = new HashMap<>(ca.secretData(issued));
        String pkcs8 = "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(issued.keys().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        data.put("tls.key", TestCertificates.base64(pkcs8));
        assertEquals(issued.keys().getPrivate(), TlsSecrets.read(WHERE, data, Instant.now()).key());
    }

    @Test
    void aWrongSecretIsRefusedWithAMessageNamingTheSecretTheKeyAndTheFault() {
        TestCertificates ca = TestCertificates.authority("test-ca");
        TestCertificates.Issued issued = ca.issue("ordinal");
        TestCertificates.Issued other = ca.issue("other");
        Map<String, String> good = ca.secretData(issued);

        assertRefused(Map.of("tls.key", good.get("tls.key")), "Secret " + WHERE + " has no tls.crt");
        assertRefused(Map.of("tls.crt", good.get("tls.crt")), "Secret " + WHERE + " has no tls.key");
        assertRefused(null, "has no tls.crt");
        assertRefused(with(good, "tls.crt", "%%%"), "tls.crt is not base64");
        assertRefused(with(good, "tls.crt", TestCertificates.base64("hello")), "tls.crt holds no PEM certificate");
        assertRefused(with(good, "tls.key", TestCertificates.base64(TestCertificates.pem(issued.certificate()))), "tls.key holds no unencrypted PEM private key");
        assertRefused(with(good, "tls.key", TestCertificates.base64(other.keyPem())),
                "tls.key is not the private key of the first certificate in tls.crt (CN=ordinal)");
        TestCertificates.Issued expired = ca.issue(List.of("ordinal"), Instant.now().minus(Duration.ofDays(2)), Duration.ofDays(1));
        assertRefused(ca.secretData(expired), "the certificate in tls.crt expired at " + expired.certificate().getNotAfter().toInstant());
        TestCertificates.Issued future = ca.issue(List.of("ordinal"), Instant.now().plus(Duration.ofHours(1)), Duration.ofDays(1));
        assertRefused(ca.secretData(future), "the certificate in tls.crt is not valid before " + future.certificate().getNotBefore().toInstant());
    }

    private static Map<String, String> with(Map<String, String> data, String key, String value) {
        Map<String, String> changed = new HashMap<>(data);
        changed.put(key, value);
        return changed;
    }

    private static void assertRefused(Map<String, String> data, String message) {
        String got = assertThrows(IllegalArgumentException.class, () -> TlsSecrets.read(WHERE, data, Instant.now())).getMessage();
        assertTrue(got.contains(message), got);
    }
}
