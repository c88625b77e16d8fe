package dev.ordinal.access.tls;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.WithDefault;

/**
 * The certificate of the operator's HTTPS port ({@code ordinal.http.tls.*}, docs/install.md "TLS"), a group of
 * {@code OrdinalConfig}. Which port is HTTPS and whether plain HTTP is served is Quarkus' setting
 * ({@code quarkus.http.tls-configuration-name}, {@code quarkus.http.ssl-port}, {@code quarkus.http.insecure-requests});
 * the prod profile turns HTTPS on with {@link ServingCertificates#TLS_CONFIGURATION} and plain HTTP off.
 */
public interface HttpTlsConfig {

    /**
     * A Secret of type {@code kubernetes.io/tls} ({@code tls.crt}, {@code tls.key}, optional {@code ca.crt}) in the
     * operator's namespace, e.g. the one a cert-manager {@code Certificate} writes. It is watched: a renewed Secret is
     * served from the next TLS handshake on. Unset: a self-signed certificate made at start-up and kept in memory.
     */
    Optional<String> secret();

    /** The Secret's namespace; unset or blank: {@code POD_NAMESPACE} (the Deployment sets it), else the client's. */
    Optional<String> namespace();

    /** The operator's Service, whose DNS names the self-signed certificate carries. */
    @WithDefault("ordinal")
    String service();

    /**
     * The names of the self-signed certificate (DNS names, or IP addresses); unset: the Service's names in its
     * namespace ({@code <service>}, {@code <service>.<namespace>}, {@code <service>.<namespace>.svc},
     * {@code <service>.<namespace>.svc.cluster.local}) and {@code localhost}.
     */
    Optional<List<String>> dnsNames();

    /** How long a self-signed certificate is valid; it is replaced after two thirds of that. */
    @WithDefault("2160H")
    Duration selfSignedValidity();
}
