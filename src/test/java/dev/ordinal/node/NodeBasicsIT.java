package dev.ordinal.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.ordinal.devcluster.RealNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The real node itself, before Ordinal runs on it: a pod with a dynamically provisioned claim runs, logs and exec
 * work through the API server, cluster DNS answers a Service's and a pod's stable names, a ClusterIP reaches its
 * pod from the host and from another pod, data on a claim outlives its pod, and a pod has no route off the test
 * network. When this class fails, the node is broken, not Ordinal.
 */
@RequiresRealNode
@Order(1)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeBasicsIT {
    private static final String NS = "node-basics";
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static KubernetesClient client;

    @BeforeAll
    static void start() throws Exception {
        client = TestNode.admin();
        // the node at idle, CoreDNS its only pod: docs/control-plane.md's figures
        java.nio.file.Files.writeString(TestNode.shared().dir().resolve("memory-idle.md"), MemoryFigures.table(client));
        NodeKubectl.ok("create", "namespace", NS);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
    }

    private static String web(String podName) {
        return """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: data-%1$s, namespace: %2$s}
                spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 64Mi}}}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: %1$s, namespace: %2$s, labels: {app: web}}
                spec:
                  hostname: %1$s
                  subdomain: web-headless
                  terminationGracePeriodSeconds: 1
                  securityContext: {runAsUser: 1000, runAsGroup: 1000}
                  containers:
                    - name: httpd
                      image: ordinal.local/busybox:1.35
                      command: ["sh", "-c", "mkdir -p /data/www; [ -f /data/www/first ] || hostname > /data/www/first; date >> /data/www/starts; echo serving; exec httpd -f -p 8000 -h /data/www"]
                      ports: [{containerPort: 8000}]
                      readinessProbe: {tcpSocket: {port: 8000}, periodSeconds: 1}
                      volumeMounts: [{name: data, mountPath: /data}]
                  volumes: [{name: data, persistentVolumeClaim: {claimName: data-%1$s}}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: %2$s}
                spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8000}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-headless, namespace: %2$s}
                spec: {clusterIP: None, selector: {app: web}, ports: [{port: 8000}]}
                """.formatted(podName, NS);
    }

    private static final String CLIENT = """
            apiVersion: v1
            kind: Pod
            metadata: {name: client, namespace: %s}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
                - {name: sh, image: ordinal.local/busybox:1.35, command: ["sleep", "100000"]}
            """.formatted(NS);

    @Test
    @Order(1)
    void aPodWithAProvisionedClaimRunsAndAnswersLogsAndExec() {
        NodeKubectl.apply("basics-web", web("web-0"));
        NodeKubectl.apply("basics-client", CLIENT);
        NodeKubectl.ok("wait", "-n", NS, "--for=condition=Ready", "pod/web-0", "pod/client", "--timeout=120s");
        assertEquals("Bound", client.persistentVolumeClaims().inNamespace(NS).withName("data-web-0").get()
                .getStatus().getPhase());
        assertTrue(NodeKubectl.ok("logs", "-n", NS, "web-0").contains("serving"));
        assertEquals("web-0", NodeKubectl.ok("exec", "-n", NS, "web-0", "--", "cat", "/data/www/first").strip());
        assertEquals("1000", NodeKubectl.ok("exec", "-n", NS, "web-0", "--", "id", "-u").strip(),
                "the container runs as the pod's runAsUser and may write to its claim");
    }

    @Test
    @Order(2)
    void clusterDnsAndServicesWorkFromPodsAndFromTheHost() throws IOException {
        Pod web = client.pods().inNamespace(NS).withName("web-0").get();
        String clusterIp = client.services().inNamespace(NS).withName("web").get().getSpec().getClusterIP();
        assertTrue(clusterIp.startsWith("198.19."), clusterIp);
        assertTrue(web.getStatus().getPodIP().startsWith("198.18.0."), web.getStatus().getPodIP());
        String viaDns = NodeKubectl.ok("exec", "-n", NS, "client", "--", "sh", "-c",
                "printf 'GET /first HTTP/1.0\\r\\n\\r\\n' | nc -w 3 web." + NS + ".svc.cluster.local 80");
        assertTrue(viaDns.contains("web-0"), viaDns);
        String podName = NodeKubectl.ok("exec", "-n", NS, "client", "--", "nslookup",
                "web-0.web-headless." + NS + ".svc.cluster.local");
        assertTrue(podName.contains(web.getStatus().getPodIP()), podName);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(clusterIp, 80), 3000);
            s.getOutputStream().write("GET /first HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.contains("web-0"), "the host reaches a ClusterIP through kube-proxy: " + answer);
        }
    }

    @Test
    @Order(3)
    void aPodHasNoRouteOffTheTestNetwork() {
        String routes = NodeKubectl.ok("exec", "-n", NS, "client", "--", "ip", "route");
        assertTrue(routes.contains("198.18.0.0/15"), routes);
        assertTrue(!routes.contains("default"), "a pod must have no default route: " + routes);
        // asked of the routing table, so that no packet is sent even if the rule did not hold
        var r = NodeKubectl.run("exec", "-n", NS, "client", "--", "ip", "route", "get", "203.0.113.1");
        assertNotEquals(0, r.exit(), "an address off the test network has no route from a pod: " + r.output());
        assertTrue(r.output().contains("unreachable"), r.output());
    }

    @Test
    @Order(4)
    void dataOnAClaimOutlivesItsPod() {
        String uid = client.pods().inNamespace(NS).withName("web-0").get().getMetadata().getUid();
        NodeKubectl.ok("delete", "-n", NS, "pod", "web-0", "--wait=true");
        NodeKubectl.apply("basics-web", web("web-0"));
        await().atMost(WAIT).until(() -> {
            Pod p = client.pods().inNamespace(NS).withName("web-0").get();
            return p != null && !uid.equals(p.getMetadata().getUid()) && p.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        });
        assertEquals("web-0", NodeKubectl.ok("exec", "-n", NS, "web-0", "--", "cat", "/data/www/first").strip());
        assertEquals(2, NodeKubectl.ok("exec", "-n", NS, "web-0", "--", "cat", "/data/www/starts").strip()
                .lines().count(), "the second pod found the first one's files");
    }

    @Test
    @Order(5)
    void aDeletedClaimLosesItsVolumeAndFolder() {
        String volume = client.persistentVolumeClaims().inNamespace(NS).withName("data-web-0").get().getSpec()
                .getVolumeName();
        var folder = java.nio.file.Path.of(client.persistentVolumes().withName(volume).get().getSpec().getHostPath()
                .getPath());
        assertTrue(folder.startsWith(TestNode.shared().dir()), folder.toString());
        assertTrue(java.nio.file.Files.isDirectory(folder));
        NodeKubectl.ok("delete", "namespace", NS, "--wait=true", "--timeout=120s");
        await().atMost(WAIT).until(() -> client.persistentVolumes().withName(volume).get() == null);
        assertTrue(!java.nio.file.Files.exists(folder), "the provisioner deletes a released volume's folder");
        assertEquals(RealNode.NODE_NAME, client.nodes().list().getItems().get(0).getMetadata().getName());
    }
}
