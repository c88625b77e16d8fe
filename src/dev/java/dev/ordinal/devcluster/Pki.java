package dev.ordinal.devcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The certificates and keys of one test control plane, made with the {@code openssl} command: a CA, the API
 * server's serving certificate (SANs 127.0.0.1, localhost), the ServiceAccount token signing key pair, and one
 * client certificate per user ({@code CN=user}, one {@code O=} per group, as the API server reads them).
 */
public final class Pki {

    /** A client certificate and its key, PEM files. */
    public record Credentials(Path cert, Path key) {
    }

    private final Path dir;
    private final Map<String, Credentials> issued = new ConcurrentHashMap<>();

    Pki(Path dir) {
        this.dir = dir;
    }

    void init() {
        init(List.of());
    }

    /**
     * Makes the CA, the API server's serving certificate (SANs 127.0.0.1, localhost, kubernetes,
     * kubernetes.default and {@code extraSans}, each written as openssl takes them: {@code IP:…} or {@code DNS:…})
     * and the ServiceAccount signing key pair.
     */
    void init(List<String> extraSans) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=ordinal-test-ca",
                "-keyout", caKey().toString(), "-out", caCert().toString());
        Path csr = dir.resolve("apiserver.csr");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=kube-apiserver",
                "-keyout", serverKey().toString(), "-out", csr.toString());
        Path ext = dir.resolve("apiserver.ext");
        List<String> sans = new ArrayList<>(List.of("IP:127.0.0.1", "DNS:localhost", "DNS:kubernetes",
                "DNS:kubernetes.default"));
        sans.addAll(extraSans);
        write(ext, "subjectAltName=" + String.join(",", sans) + "\n" + "extendedKeyUsage=serverAuth\n");
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert().toString(), "-CAkey", caKey().toString(),
                "-CAcreateserial", "-days", "3650", "-extfile", ext.toString(), "-out", serverCert().toString());
        openssl("genrsa", "-out", serviceAccountKey().toString(), "2048");
        openssl("rsa", "-in", serviceAccountKey().toString(), "-pubout", "-out", serviceAccountPublicKey().toString());
    }

    Path caCert() {
        return dir.resolve("ca.crt");
    }

    Path caKey() {
        return dir.resolve("ca.key");
    }

    Path serverCert() {
        return dir.resolve("apiserver.crt");
    }

    Path serverKey() {
        return dir.resolve("apiserver.key");
    }

    Path serviceAccountKey() {
        return dir.resolve("sa.key");
    }

    Path serviceAccountPublicKey() {
        return dir.resolve("sa.pub");
    }

    /**
     * Issues (once per user and groups) a client certificate for {@code user} with its {@code groups}, as
     * {@code <user>@<group+group>.crt} and {@code .key} ({@code <user>.crt} without groups; ':' written as '_').
     */
    synchronized Credentials issue(String user, String... groups) {
        String id = groups.length == 0 ? user : user + "@" + String.join("+", groups);
        return issued.computeIfAbsent(id, k -> {
            String u = user;
            String file = id.replace(':', '_');
            Path key = dir.resolve(file + ".key");
            Path csr = dir.resolve(file + ".csr");
            Path cert = dir.resolve(file + ".crt");
            if (Files.exists(cert) && Files.exists(key)) {
                return new Credentials(cert, key); // issued earlier (by this JVM before a dev-mode reload, say)
            }
            StringBuilder subject = new StringBuilder();
            for (String g : groups) {
                subject.append("/O=").append(g);
            }
            subject.append("/CN=").append(u);
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject.toString(),
                    "-keyout", key.toString(), "-out", csr.toString());
            Path ext = dir.resolve(file + ".ext");
            write(ext, "extendedKeyUsage=clientAuth\n");
            openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert().toString(), "-CAkey", caKey().toString(),
                    "-CAcreateserial", "-days", "3650", "-extfile", ext.toString(), "-out", cert.toString());
            return new Credentials(cert, key);
        });
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("openssl " + args[0] + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("the openssl command is needed to make the test control plane's "
                    + "certificates (apt-get install openssl): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
