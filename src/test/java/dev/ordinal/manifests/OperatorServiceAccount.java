package dev.ordinal.manifests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.ordinal.devcluster.ControlPlane;
import dev.ordinal.testkube.TestKube;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The operator's identity as {@code kubectl apply --server-side -k kubernetes/} installs it, on a real API server: the
 * ServiceAccount {@value #NAME} in {@value #NAMESPACE}, bound to the ClusterRole and Role of kubernetes/rbac.
 * Applies kubernetes/namespace.yaml and every file in kubernetes/rbac/ (server-side apply, field manager
 * {@value #FIELD_MANAGER}), waits until the API server's RBAC authorizer grants each committed rule to the
 * ServiceAccount, requests a token for it (TokenRequest API) and gives the Quarkus properties that make an
 * operator talk to the server as that ServiceAccount, so the real authorizer enforces least privilege.
 * Used by {@link RbacKubeResource} and the packaged-jar IT.
 */
public final class OperatorServiceAccount {
    public static final String NAMESPACE = "ordinal-system";
    public static final String NAME = "ordinal";
    /** The user name the API server (and its audit log) gives requests made with the ServiceAccount's token. */
    public static final String USER = "system:serviceaccount:" + NAMESPACE + ":" + NAME;
    /** The field manager {@code kubectl apply --server-side} uses. */
    public static final String FIELD_MANAGER = "kubectl";
    /** Long enough for any test run; the token is never refreshed. */
    private static final long TOKEN_SECONDS = 7200;
    /**
     * {@code order()} of the test resources that use {@link #quarkusProperties}: higher than any other resource's,
     * so that they start last and their client properties replace those of a global resource.
     */
    public static final int RESOURCE_ORDER = 1000;
    private static final Duration RBAC_PROPAGATION = Duration.ofSeconds(30);

    private OperatorServiceAccount() {
    }

    /**
     * Installs the ServiceAccount and its RBAC on {@code kube} and returns the Quarkus properties that point an
     * operator at it as the ServiceAccount: API server URL, CA, bearer token, namespace {@code default}, Dev
     * Services off and no CRD install (TestKube installed kubernetes/crds, as users do; the ServiceAccount may
     * not touch CRDs).
     */
    public static Map<String, String> quarkusProperties(TestKube kube) {
        String token;
        try (KubernetesClient admin = kube.newAdminClient()) {
            install(admin);
            awaitGranted(admin);
            token = requestToken(admin);
        }
        Map<String, String> props = new HashMap<>();
        props.put("quarkus.kubernetes-client.api-server-url", kube.url());
        props.put("quarkus.kubernetes-client.ca-cert-file", kube.config(ControlPlane.ADMIN, "system:masters").getCaCertFile());
        props.put("quarkus.kubernetes-client.trust-certs", "false");
        props.put("quarkus.kubernetes-client.token", token);
        // The token only: a client certificate another resource set (KubeResource is global) would authenticate first.
        for (String unset : List.of("client-cert-file", "client-key-file", "client-cert-data", "client-key-data",
                "client-key-algo", "username", "password")) {
            props.put("quarkus.kubernetes-client." + unset, "");
        }
        props.put("quarkus.kubernetes-client.namespace", "default");
        props.put("quarkus.kubernetes-client.devservices.enabled", "false");
        props.put("quarkus.operator-sdk.crd.apply", "false");
        return props;
    }

    /** Server-side applies kubernetes/namespace.yaml and every file of kubernetes/rbac/, as kubectl would. */
    public static void install(KubernetesClient admin) {
        List<Path> files = new ArrayList<>(List.of(Manifests.ROOT.resolve("namespace.yaml")));
        files.addAll(Manifests.yamlFiles(Manifests.ROOT.resolve("rbac")));
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                for (HasMetadata item : admin.load(in).items()) {
                    admin.resource(item).fieldManager(FIELD_MANAGER).serverSideApply();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A bearer token for the ServiceAccount (TokenRequest API, valid two hours). */
    public static String requestToken(KubernetesClient admin) {
        TokenRequest answer = admin.serviceAccounts().inNamespace(NAMESPACE).withName(NAME).tokenRequest(
                new TokenRequestBuilder().withNewSpec().withExpirationSeconds(TOKEN_SECONDS).endSpec().build());
        String token = answer.getStatus() == null ? null : answer.getStatus().getToken();
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("the API server issued no token for " + USER);
        }
        return token;
    }

    /**
     * Waits until the API server's authorizer allows the ServiceAccount every rule of kubernetes/rbac (asked with
     * SubjectAccessReviews in {@value #NAMESPACE}, where both the ClusterRole and the Role apply): the RBAC
     * authorizer reads roles from a cache, so a just-applied binding takes a moment to count.
     *
     * @throws IllegalStateException naming the rules still denied after 30 s
     */
    public static void awaitGranted(KubernetesClient admin) {
        Instant deadline = Instant.now().plus(RBAC_PROPAGATION);
        Set<String> denied = new TreeSet<>(RbacRules.granted());
        while (true) {
            denied.removeIf(rule -> allowed(admin, rule));
            if (denied.isEmpty()) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the API server still denies " + USER + " these rules of kubernetes/rbac: "
                        + denied);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Whether the authorizer allows the ServiceAccount a "group/resource[/sub] verb" rule in its namespace. */
    private static boolean allowed(KubernetesClient admin, String rule) {
        String[] resourceAndVerb = rule.split(" ");
        String[] parts = resourceAndVerb[0].split("/");
        SubjectAccessReview review = new SubjectAccessReviewBuilder().withNewSpec()
                .withUser(USER)
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + NAMESPACE, "system:authenticated")
                .withNewResourceAttributes()
                .withGroup(parts[0])
                .withResource(parts[1])
                .withSubresource(parts.length > 2 ? parts[2] : null)
                .withVerb(resourceAndVerb[1])
                .withName(RbacRules.resourceName(rule))
                .withNamespace(NAMESPACE)
                .endResourceAttributes()
                .endSpec().build();
        SubjectAccessReview answer = admin.authorization().v1().subjectAccessReview().create(review);
        return answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    }
}
