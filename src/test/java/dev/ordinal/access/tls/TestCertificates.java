package dev.ordinal.access.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for tests, as cert-manager's CA issuer would be: RSA keys (cert-manager's default),
 * server certificates for given DNS names, and the {@code data} of a {@code kubernetes.io/tls} Secret holding them.
 */
public final class TestCertificates {
    private final KeyPair caKeys;
    private final X509Certificate ca;

    private TestCertificates(KeyPair caKeys, X509Certificate ca) {
        this.caKeys = caKeys;
        this.ca = ca;
    }

    /** A new CA valid for a day. */
    public static TestCertificates authority(String name) {
        try {
            KeyPair keys = rsa();
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            X509Certificate ca = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
            return new TestCertificates(keys, ca);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CA certificate in PEM, as a client's trust bundle ({@code ca.crt}). */
    public String caPem() {
        return pem(ca);
    }

    /** The CA certificate. */
    public X509Certificate caCertificate() {
        return ca;
    }

    /** A server certificate and key, issued by this CA. */
    public record Issued(X509Certificate certificate, KeyPair keys, String certificatePem, String keyPem) {
    }

    /** A server certificate for {@code dnsNames}, valid from {@code from} for {@code validity}. */
    public Issued issue(List<String> dnsNames, Instant from, Duration validity) {
        try {
            KeyPair keys = rsa();
            var builder = new JcaX509v3CertificateBuilder(new X500Name("CN=" + ca.getSubjectX500Principal().getName().substring(3)),
                    BigInteger.valueOf(System.nanoTime()), Date.from(from), Date.from(from.plus(validity)), new X500Name("CN=" + dnsNames.get(0)),
                    keys.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
            return new Issued(certificate, keys, pem(certificate), pem(keys.getPrivate()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server certificate for {@code dnsNames}, valid for a day from now. */
    public Issued issue(String... dnsNames) {
        return issue(List.of(dnsNames), Instant.now().minusSeconds(60), Duration.ofDays(1));
    }

    /** The {@code data} of a {@code kubernetes.io/tls} Secret: tls.crt (certificate then CA), tls.key, ca.crt. */
    public Map<String, String> secretData(Issued issued) {
        return Map.of("tls.crt", base64(issued.certificatePem() + caPem()), "tls.key", base64(issued.keyPem()), "ca.crt", base64(caPem()));
    }

    /**
     * A trust store holding only {@code anchors} (PKCS#12, in memory).
     *
     * @throws IllegalStateException when the JDK cannot make one
     */
    public static KeyStore trustStore(X509Certificate... anchors) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < anchors.length; i++) {
                store.setCertificateEntry("anchor-" + i, anchors[i]);
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS context that trusts {@code anchors} only, as a client that was given them (host names still checked). */
    public static SSLContext trusting(X509Certificate... anchors) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore(anchors));
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS context that trusts any server certificate, as the kubelet's HTTPS probes do. */
    public static SSLContext trustingAny() {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] { new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            } }, null);
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The certificate a server presents on a new connection (a new client each time: a kept connection would show an
     * older one), asking {@code uri} and expecting 200; any certificate is accepted.
     */
    public static X509Certificate served(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> answer = HttpClient.newBuilder().sslContext(trustingAny()).connectTimeout(Duration.ofSeconds(5)).build()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + answer.statusCode());
        }
        return (X509Certificate) answer.sslSession().orElseThrow().getPeerCertificates()[0];
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }
}
