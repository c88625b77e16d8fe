package dev.ordinal.access.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * A certificate chain and its private key, as the HTTPS port serves them, and where they came from.
 *
 * @param chain  the server certificate first, then its issuers (at least one certificate)
 * @param key    the private key of {@code chain.get(0)}
 * @param source where it came from, for logs: {@code Secret ns/name} or {@code self-signed}
 * @param renewAt when Ordinal replaces it by a new one it makes itself; null when its issuer renews it (a Secret)
 */
public record ServingCertificate(List<X509Certificate> chain, PrivateKey key, String source, Instant renewAt) {
    /** The key store entry's alias. */
    static final String ALIAS = "ordinal-https";

    public ServingCertificate {
        if (chain == null || chain.isEmpty() || key == null) {
            throw new IllegalArgumentException("a serving certificate needs a certificate and its private key");
        }
        chain = List.copyOf(chain);
    }

    /** The server certificate. */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** The end of the server certificate's validity. */
    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** The server certificate's SHA-256 fingerprint, hex, as {@code openssl x509 -fingerprint -sha256} prints it. */
    public String fingerprint() {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the serving certificate", e);
        }
    }

    /** The DNS names and IP addresses of the server certificate (its subjectAltName entries). */
    public List<String> names() {
        try {
            Collection<List<?>> alt = leaf().getSubjectAlternativeNames();
            List<String> names = new ArrayList<>();
            if (alt != null) {
                alt.stream().filter(e -> e.get(0) instanceof Integer t && (t == 2 || t == 7)).forEach(e -> names.add(String.valueOf(e.get(1))));
            }
            return names;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    /** One line for the log: source, names, expiry, fingerprint. */
    public String describe() {
        return source + " (" + String.join(", ", names()) + "; valid until " + notAfter() + "; SHA-256 " + fingerprint() + ")";
    }

    /**
     * The chain and key as an in-memory PKCS#12 store, serialised.
     *
     * @param password the store's and the entry's password
     */
    public byte[] toPkcs12(char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password, chain.toArray(Certificate[]::new));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot put the serving certificate in a PKCS#12 store: " + e.getMessage(), e);
        }
    }
}
