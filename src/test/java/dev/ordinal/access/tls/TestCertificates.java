package dev.ordinal.access.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

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
