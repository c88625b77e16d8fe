package dev.ordinal.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Cluster DNS names for the test JVM, which runs on the host and whose resolver knows no {@code cluster.local}: keeps
 * the file named by the system property {@code jdk.net.hosts.file} (the JDK then resolves from that file only, read
 * on every lookup) filled with what CoreDNS answers inside the cluster: {@code <hostname>.<subdomain>.<ns>.svc} for
 * pods with a hostname and subdomain (Ordinal's instances, so Kafka's advertised listeners), and {@code
 * <service>.<ns>.svc} for Services with a ClusterIP, each also with {@code .cluster.local}; plus localhost. Without
 * that property it does nothing. The failsafe execution {@code real-node} sets it, and a short address cache TTL
 * ({@code networkaddress.cache.ttl}) so that a pod that comes back with a new address is found.
 */
final class ClusterHosts implements AutoCloseable {
    private final KubernetesClient client;
    private final Path file;
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<Service> services;

    private ClusterHosts(KubernetesClient client, Path file) {
        this.client = client;
        this.file = file;
    }

    /** Starts keeping the hosts file up to date with {@code client} (closed by {@link #close()}). */
    static ClusterHosts start(KubernetesClient client) {
        String property = System.getProperty("jdk.net.hosts.file");
        ClusterHosts hosts = new ClusterHosts(client, property == null ? null : Path.of(property).toAbsolutePath());
        if (hosts.file != null) {
            hosts.write();
            hosts.pods = client.pods().inAnyNamespace().inform(hosts.onChange());
            hosts.services = client.services().inAnyNamespace().inform(hosts.onChange());
            hosts.write(); // what the informers listed before both fields were set
        }
        return hosts;
    }

    private <T> ResourceEventHandler<T> onChange() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                write();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                write();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                write();
            }
        };
    }

    private synchronized void write() {
        Map<String, String> names = new TreeMap<>();
        if (pods != null) {
            for (Pod p : pods.getStore().list()) {
                String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
                if (ip != null && p.getSpec().getHostname() != null && p.getSpec().getSubdomain() != null
                        && p.getMetadata().getDeletionTimestamp() == null) {
                    add(names, p.getSpec().getHostname() + "." + p.getSpec().getSubdomain() + "."
                            + p.getMetadata().getNamespace() + ".svc", ip);
                }
            }
        }
        if (services != null) {
            for (Service s : services.getStore().list()) {
                String ip = s.getSpec().getClusterIP();
                if (ip != null && !"None".equals(ip)) {
                    add(names, s.getMetadata().getName() + "." + s.getMetadata().getNamespace() + ".svc", ip);
                }
            }
        }
        StringBuilder text = new StringBuilder("127.0.0.1 localhost\n");
        names.forEach((name, ip) -> text.append(ip).append(' ').append(name).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void add(Map<String, String> names, String name, String ip) {
        names.put(name, ip);
        names.put(name + ".cluster.local", ip);
    }

    @Override
    public void close() {
        if (pods != null) {
            pods.close();
        }
        if (services != null) {
            services.close();
        }
        client.close();
    }
}
