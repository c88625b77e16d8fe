package dev.ordinal.access.tls;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads a Secret of type {@code kubernetes.io/tls} (Kubernetes "Secrets", TLS secrets): {@code tls.crt} holds the
 * server certificate first, then any intermediates, in PEM; {@code tls.key} its private key in PEM, PKCS#1, SEC1 or
 * PKCS#8 (what cert-manager and {@code kubectl create secret tls} write). {@code ca.crt} is not served.
 */
public final class TlsSecrets {
    /** The certificate chain's key in the Secret's data. */
    public static final String CERTIFICATE = "tls.crt";
    /** The private key's key in the Secret's data. */
    public static final String KEY = "tls.key";

    private TlsSecrets() {
    }

    /**
     * @param where the Secret's {@code namespace/name}, for messages and the source
     * @param data  the Secret's {@code data} (base64 values, as the API returns them); null when the Secret has none
     * @param now   to refuse a certificate that expired
     * @return what to serve
     * @throws IllegalArgumentException naming the Secret, the key and what is wrong: missing, not PEM, no certificate,
     *                                  a key that does not belong to the certificate, a certificate expired or not
     *                                  valid yet
     */
    public static ServingCertificate read(String where, Map<String, String> data, Instant now) {
        String crt = text(where, data, CERTIFICATE);
        String key = text(where, data, KEY);
        List<X509Certificate> chain = certificates(where, crt);
        PrivateKey privateKey = privateKey(where, key);
        X509Certificate leaf = chain.get(0);
        if (!matches(privateKey, leaf)) {
            throw new IllegalArgumentException("Secret " + where + ": " + KEY + " is not the private key of the first certificate in "
                    + CERTIFICATE + " (" + leaf.getSubjectX500Principal().getName() + ")");
        }
        if (leaf.getNotBefore().toInstant().isAfter(now)) {
            throw new IllegalArgumentException("Secret " + where + ": the certificate in " + CERTIFICATE + " is not valid before "
                    + leaf.getNotBefore().toInstant());
        }
        if (leaf.getNotAfter().toInstant().isBefore(now)) {
            throw new IllegalArgumentException("Secret " + where + ": the certificate in " + CERTIFICATE + " expired at "
                    + leaf.getNotAfter().toInstant());
        }
        return new ServingCertificate(chain, privateKey, "Secret " + where, null);
    }

    private static String text(String where, Map<String, String> data, String name) {
        String value = data == null ? null : data.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Secret " + where + " has no " + name + " (a kubernetes.io/tls Secret holds "
                    + CERTIFICATE + " and " + KEY + ")");
        }
        try {
            return new String(Base64.getDecoder().decode(value.strip()), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Secret " + where + ": " + name + " is not base64: " + e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(String where, String pem) {
        List<X509Certificate> chain = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    chain.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("Secret " + where + ": " + CERTIFICATE + " is not PEM certificates: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("Secret " + where + ": " + CERTIFICATE + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return chain;
    }

    private static PrivateKey privateKey(String where, String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Secret " + where + ": " + KEY + " is not a PEM private key: " + e.getMessage());
        }
        throw new IllegalArgumentException("Secret " + where + ": " + KEY
                + " holds no unencrypted PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /** Whether the key signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
