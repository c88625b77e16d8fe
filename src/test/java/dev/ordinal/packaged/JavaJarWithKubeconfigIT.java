package dev.ordinal.packaged;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.ordinal.access.tls.TestCertificates;
import dev.ordinal.testkube.RequiresControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The packaged jar started the way README and docs/install.md tell a user to run it outside a cluster:
 * {@code KUBECONFIG=… java -jar target/quarkus-app/quarkus-run.jar}, prod profile, nothing else configured (no
 * {@code POD_NAMESPACE}). It must become ready, elect itself on a Lease in the kubeconfig context's namespace, and
 * log no stack trace (before, it died with "Lease namespace is not set and cannot be inferred").
 */
@RequiresControlPlane
class JavaJarWithKubeconfigIT {
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    @Test
    void javaDashJarWithAKubeconfigBecomesReadyAndLeadsFromTheKubeconfigNamespace() throws Exception {
        TestKube kube = TestKube.shared("quarkus");
        Path kubeconfig = kube.kubeconfig(TestKube.OPERATOR_USER, "system:masters"); // context namespace: default
        runAndCheck(kube, kubeconfig, Path.of("target", "java-jar-with-kubeconfig.log"), true);
    }

    /** A kubeconfig whose context names no namespace: the operator still starts, and says what it did. */
    @Test
    void javaDashJarWithAKubeconfigWithoutNamespaceStillStarts() throws Exception {
        TestKube kube = TestKube.shared("quarkus");
        Path withNamespace = kube.kubeconfig(TestKube.OPERATOR_USER, "system:masters");
        Path without = Path.of("target", "kubeconfig-without-namespace.yaml");
        Files.writeString(without, Files.readString(withNamespace).replace(", namespace: default", ""));
        assertFalse(Files.readString(without).contains("namespace:"), "the context names no namespace");
        runAndCheck(kube, without, Path.of("target", "java-jar-without-namespace.log"), false);
    }

    private void runAndCheck(TestKube kube, Path kubeconfig, Path log, boolean leaseInDefault) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.ssl-port=" + port, "-jar", JAR.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("POD_NAMESPACE");
        builder.environment().remove("POD_NAME");
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        Process jar = builder.start();
        try (KubernetesClient admin = kube.newAdminClient()) {
            // HTTPS with the self-signed certificate made at start-up: probed without verification, as the kubelet does
            HttpClient http = HttpClient.newBuilder().sslContext(TestCertificates.trustingAny()).connectTimeout(Duration.ofSeconds(1)).build();
            HttpRequest ready = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build();
            AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertTrue(jar.isAlive(), () -> "the jar exited (" + jar.exitValue() + "):\n" + tail(log));
                try {
                    answer.set(http.send(ready, HttpResponse.BodyHandlers.ofString()));
                    return answer.get().statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
            X509Certificate served = (X509Certificate) answer.get().sslSession().orElseThrow().getPeerCertificates()[0];
            served.verify(served.getPublicKey());
            assertTrue(served.getSubjectAlternativeNames().contains(List.of(2, "localhost")), "self-signed for localhost: " + served);
            assertTrue(Files.readString(log).contains("HTTPS: serving the certificate of self-signed"), tail(log));
            assertTrue(Files.readString(log).contains("plain HTTP is off"), tail(log));
            if (leaseInDefault) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    Lease lease = admin.leases().inNamespace("default").withName("ordinal-leader").get();
                    assertNotNull(lease, "the Lease in the kubeconfig's namespace:\n" + tail(log));
                    assertNotNull(lease.getSpec().getHolderIdentity(), "a holder");
                });
            } else {
                // fabric8 gives a kubeconfig without namespace the namespace "default", or none: then Ordinal runs
                // without election and says so; either way the log says which
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(log).contains("New leader with identity")
                        || Files.readString(log).contains("leader election is off: no namespace for the Lease"));
            }
            assertTrue(jar.isAlive(), "still running after the election:\n" + tail(log));
            String text = Files.readString(log);
            assertFalse(text.contains("cannot be inferred"), tail(log));
            assertFalse(text.lines().anyMatch(l -> l.startsWith("\tat ")), "no stack trace in the log:\n" + tail(log));
            // SIGTERM, as the kubelet stops a pod: the operator gives up the Lease and the JVM exits by itself (a
            // System.exit inside the shutdown hook used to hang it until it was killed)
            jar.destroy();
            assertTrue(jar.waitFor(60, TimeUnit.SECONDS), "the operator exits on SIGTERM:\n" + tail(log));
        } finally {
            jar.destroy();
            if (!jar.waitFor(15, TimeUnit.SECONDS)) {
                jar.destroyForcibly().waitFor();
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
