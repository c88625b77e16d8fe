package dev.ordinal.access.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import dev.ordinal.config.OrdinalConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.tls.runtime.KeyStoreAndKeyCertOptions;
import io.quarkus.tls.runtime.KeyStoreProvider;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.KeyStoreOptions;

/**
 * The certificate of the operator's HTTPS port: the key store of the Quarkus TLS configuration
 * {@value #TLS_CONFIGURATION} (Quarkus "TLS registry reference", key store providers), which the prod profile gives
 * to the HTTP server ({@code quarkus.http.tls-configuration-name}).
 * <ul>
 * <li>With {@code ordinal.http.tls.secret}: the Secret's {@code tls.crt} and {@code tls.key} ({@link TlsSecrets}),
 * read at start-up and then watched; a changed Secret (cert-manager's renewal) is served from the next handshake on,
 * the server is not restarted. A Secret missing or wrong is logged (WARN, naming the Secret and the fault) and the
 * last good certificate stays, the self-signed one when there was none.</li>
 * <li>Without: a self-signed certificate for the Service's DNS names ({@link SelfSignedCertificate}), made in memory at
 * start-up and replaced by a new one after two thirds of {@code ordinal.http.tls.self-signed-validity}.</li>
 * </ul>
 * Each change reloads the TLS configuration and fires Quarkus' {@link CertificateUpdatedEvent}, on which the HTTP
 * server takes the new key store.
 */
@ApplicationScoped
@Identifier(ServingCertificates.TLS_CONFIGURATION)
public class ServingCertificates implements KeyStoreProvider {
    /** The name of the Quarkus TLS configuration this provides ({@code quarkus.tls.ordinal-https.*}). */
    public static final String TLS_CONFIGURATION = "ordinal-https";
    /** How long start-up waits for the named Secret before it serves a self-signed certificate meanwhile. */
    static final Duration FIRST_READ = Duration.ofSeconds(5);
    /** How often the Secret's watch is checked, and started again when it stopped (a refusal, an error of the watch). */
    static final Duration WATCH_CHECK = Duration.ofSeconds(30);
    /** How soon a renewal that failed is tried again. */
    static final Duration RENEWAL_RETRY = Duration.ofMinutes(1);
    private static final Logger LOG = Logger.getLogger(ServingCertificates.class);

    private final HttpTlsConfig config;
    private final Instance<KubernetesClient> clients;
    private final Instance<TlsConfigurationRegistry> registry;
    private final Event<CertificateUpdatedEvent> updated;
    private final Clock clock;
    private final char[] password;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ordinal-https-certificate");
        t.setDaemon(true);
        return t;
    });
    private volatile ServingCertificate current;
    private String namespace;
    private ScheduledFuture<?> renewal;
    private volatile SharedIndexInformer<Secret> informer;
    private volatile String lastFault;

    @Inject
    public ServingCertificates(OrdinalConfig ordinal, Instance<KubernetesClient> clients, Instance<TlsConfigurationRegistry> registry,
            Event<CertificateUpdatedEvent> updated) {
        this.config = ordinal.http().tls();
        this.clients = clients;
        this.registry = registry;
        this.updated = updated;
        this.clock = Clock.systemUTC();
        char[] random = new char[24];
        SecureRandom r = new SecureRandom();
        for (int i = 0; i < random.length; i++) {
            random[i] = (char) ('a' + r.nextInt(26));
        }
        this.password = random;
    }

    /** True when the HTTP server serves this TLS configuration (the prod profile; a test that asks for it). */
    public static boolean inUse() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.http.tls-configuration-name", String.class)
                .filter(TLS_CONFIGURATION::equals).isPresent();
    }

    /** Called by the TLS registry at start-up and at each reload: the current certificate as a PKCS#12 key store. */
    @Override
    public KeyStoreAndKeyCertOptions getKeyStore(Vertx vertx) {
        byte[] pkcs12 = current().toPkcs12(password);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(pkcs12), password);
            return new KeyStoreAndKeyCertOptions(store,
                    new KeyStoreOptions().setType("PKCS12").setValue(Buffer.buffer(pkcs12)).setPassword(new String(password)));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot load the serving certificate's key store: " + e.getMessage(), e);
        }
    }

    /** The certificate served now (made or read on first use, its renewal scheduled at once). */
    public synchronized ServingCertificate current() {
        if (current == null) {
            current = first();
            if (inUse()) {
                scheduleRenewal(current);
            }
        }
        return current;
    }

    private ServingCertificate first() {
        Optional<String> secret = secretName();
        if (secret.isPresent()) {
            String where = namespace() + "/" + secret.get();
            try {
                // The client bean is made here, on the starting thread (made on another one it waits for this one's
                // start-up to end); only the request runs elsewhere, bounded.
                var secrets = client().secrets().inNamespace(namespace()).withName(secret.get());
                Secret found = CompletableFuture.supplyAsync(secrets::get).get(FIRST_READ.toMillis(), TimeUnit.MILLISECONDS);
                if (found == null) {
                    fault("Secret " + where + " (ordinal.http.tls.secret) does not exist yet");
                } else {
                    return TlsSecrets.read(where, found.getData(), clock.instant());
                }
            } catch (IllegalArgumentException e) {
                fault(e.getMessage());
            } catch (Exception e) {
                fault("cannot read Secret " + where + " (ordinal.http.tls.secret): " + e);
            }
        }
        return selfSigned();
    }

    private ServingCertificate selfSigned() {
        return SelfSignedCertificate.create(names(), config.selfSignedValidity(), clock.instant());
    }

    /** The names a self-signed certificate carries: configured, else the Service's DNS names and localhost. */
    List<String> names() {
        if (config.dnsNames().isPresent() && !config.dnsNames().get().isEmpty()) {
            return config.dnsNames().get();
        }
        String service = config.service();
        List<String> names = new ArrayList<>();
        String ns = namespace();
        if (ns != null) {
            names.addAll(List.of(service + "." + ns + ".svc", service + "." + ns + ".svc.cluster.local", service + "." + ns));
        }
        names.addAll(List.of(service, "localhost"));
        return names;
    }

    void start(@Observes StartupEvent start) {
        if (!inUse()) {
            return;
        }
        ServingCertificate serving = current();
        LOG.infof("HTTPS: serving the certificate of %s; plain HTTP is %s", serving.describe(),
                ConfigProvider.getConfig().getOptionalValue("quarkus.http.insecure-requests", String.class).orElse("enabled")
                        .equalsIgnoreCase("disabled") ? "off" : "on too (quarkus.http.insecure-requests)");
        if (secretName().isPresent()) {
            String name = secretName().get();
            scheduler.scheduleWithFixedDelay(() -> keepWatching(name), 0, WATCH_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Starts the Secret's watch, or starts it again once it stopped: fabric8 gives up on a watch that was refused
     * (403: the Role names another Secret) or failed otherwise, and renewals would go unseen from then on. A refusal is
     * one WARN line; the current certificate stays served.
     */
    private void keepWatching(String name) {
        try {
            if (informer != null && !informer.stopped().toCompletableFuture().isDone()) {
                return;
            }
            if (informer != null) {
                fault("the watch of Secret " + namespace() + "/" + name + " stopped; starting it again");
                informer.close();
                informer = null;
            }
            informer = watch(name);
            lastFault = null;
        } catch (RuntimeException e) {
            fault("cannot watch Secret " + namespace() + "/" + name + " (ordinal.http.tls.secret): " + e.getMessage()
                    + "; trying again in " + WATCH_CHECK.toSeconds() + " s, still serving " + current().describe());
        }
    }

    private SharedIndexInformer<Secret> watch(String name) {
        String where = namespace() + "/" + name;
        SharedIndexInformer<Secret> started = client().secrets().inNamespace(namespace()).withName(name).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Secret secret) {
                scheduler.execute(() -> safely(() -> offer(where, secret)));
            }

            @Override
            public void onUpdate(Secret before, Secret secret) {
                scheduler.execute(() -> safely(() -> offer(where, secret)));
            }

            @Override
            public void onDelete(Secret secret, boolean unknownFinalState) {
                scheduler.execute(() -> fault("Secret " + where + " (ordinal.http.tls.secret) was deleted; still serving "
                        + current().describe()));
            }
        }, 0);
        LOG.infof("HTTPS: watching Secret %s for a renewed certificate", where);
        return started;
    }

    /** A new version of the Secret: served when valid and different, else a WARN and the current one stays. */
    void offer(String where, Secret secret) {
        ServingCertificate next;
        try {
            next = TlsSecrets.read(where, secret.getData(), clock.instant());
        } catch (IllegalArgumentException e) {
            fault(e.getMessage() + "; still serving " + current().describe());
            return;
        }
        lastFault = null;
        if (!next.chain().equals(current().chain())) {
            serve(next);
        }
    }

    private void serve(ServingCertificate next) {
        synchronized (this) {
            current = next;
        }
        LOG.infof("HTTPS: now serving the certificate of %s", next.describe());
        registry.get().get(TLS_CONFIGURATION).ifPresent(tls -> {
            if (tls.reload()) {
                updated.fire(new CertificateUpdatedEvent(TLS_CONFIGURATION, tls));
            } else {
                LOG.warnf("HTTPS: the TLS configuration %s did not reload; the server keeps its previous certificate", TLS_CONFIGURATION);
            }
        });
        scheduleRenewal(next);
    }

    /** A self-signed certificate is replaced after two thirds of its validity; a Secret's is renewed by its issuer. */
    private synchronized void scheduleRenewal(ServingCertificate serving) {
        if (renewal != null) {
            renewal.cancel(false);
            renewal = null;
        }
        if (serving.renewAt() == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(clock.instant(), serving.renewAt()).toMillis());
        renewal = scheduler.schedule(() -> renew(serving), delay, TimeUnit.MILLISECONDS);
    }

    /** Replaces {@code serving} by a new self-signed certificate; a failure is logged and tried again a minute later. */
    private void renew(ServingCertificate serving) {
        if (current != serving) {
            return;
        }
        try {
            serve(selfSigned());
        } catch (RuntimeException e) {
            LOG.warnf("HTTPS: could not replace the self-signed certificate (valid until %s): %s; trying again in %d s",
                    serving.notAfter(), e.getMessage(), RENEWAL_RETRY.toSeconds());
            synchronized (this) {
                renewal = scheduler.schedule(() -> renew(serving), RENEWAL_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Runs a task of the certificate's thread, logging what it throws instead of losing it. */
    private static void safely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warnf("HTTPS: %s", e.toString());
        }
    }

    private void fault(String message) {
        if (!Objects.equals(message, lastFault)) {
            LOG.warn("HTTPS: " + message);
            lastFault = message;
        }
    }

    private Optional<String> secretName() {
        return config.secret().filter(s -> !s.isBlank());
    }

    private synchronized String namespace() {
        if (namespace == null) {
            namespace = config.namespace().filter(s -> !s.isBlank()).orElseGet(() -> {
                try {
                    return clients.get().getNamespace();
                } catch (RuntimeException e) {
                    return null;
                }
            });
        }
        return namespace;
    }

    private KubernetesClient client() {
        return clients.get();
    }

    @PreDestroy
    void stop() {
        if (informer != null) {
            informer.close();
        }
        scheduler.shutdownNow();
    }
}
