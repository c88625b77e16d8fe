package dev.ordinal.access.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes the certificate the HTTPS port serves when no Secret is named: self-signed, an ECDSA P-256 key, the given
 * names as subjectAltName entries (RFC 5280 4.2.1.6; clients check the name there, RFC 6125), key usage
 * digitalSignature and extended key usage serverAuth, not a CA, to be replaced after two thirds of its validity
 * (counted from when it is made, not from its backdated start). The key never leaves the process. Signing is done by
 * the JDK's own providers; Bouncy Castle only builds the certificate.
 */
public final class SelfSignedCertificate {
    /** Allowance for clocks behind ours: the certificate is valid from this long before it was made. */
    static final Duration BACKDATE = Duration.ofMinutes(5);

    private SelfSignedCertificate() {
    }

    /**
     * @param names    DNS names or IP address literals, the first one also the subject's CN (at least one)
     * @param validity how long it is valid from {@code now}
     * @param now      the time it is made
     * @throws IllegalArgumentException for no names, a blank one, or a validity that is not positive
     */
    public static ServingCertificate create(List<String> names, Duration validity, Instant now) {
        if (names == null || names.isEmpty() || names.stream().anyMatch(n -> n == null || n.isBlank())) {
            throw new IllegalArgumentException("ordinal.http.tls.dns-names: a self-signed certificate needs at least one name, got " + names);
        }
        if (validity == null || validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("ordinal.http.tls.self-signed-validity must be positive, was " + validity);
        }
        try {
            // made here, not held in a static field: a native image would otherwise carry its seed (GraalVM refuses it)
            SecureRandom random = new SecureRandom();
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "ordinal").addRDN(BCStyle.CN, names.get(0)).build();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(127, random).add(BigInteger.ONE),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.stream().map(SelfSignedCertificate::generalName).toArray(GeneralName[]::new)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new ServingCertificate(List.of(certificate), pair.getPrivate(), "self-signed", now.plus(validity.multipliedBy(2).dividedBy(3)));
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IllegalStateException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /** An IP literal (v4, or v6 with a colon) as an iPAddress entry, anything else as a dNSName. */
    private static GeneralName generalName(String name) {
        boolean ip = name.contains(":") || name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        return new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name);
    }
}
