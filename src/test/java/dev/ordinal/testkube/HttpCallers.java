package dev.ordinal.testkube;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpecBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Callers of the operator's HTTP port as Kubernetes users, made on a real API server: ServiceAccounts with tokens
 * from the TokenRequest API (what {@code kubectl create token} asks), and the RBAC that lets them read OpsRequests
 * or scrape /q/metrics. Every grant waits until the API server's authorizer allows it (its RBAC cache lags a just
 * created binding), so a test never meets a stale denial.
 */
public final class HttpCallers {
    /** The namespace of {@link #reader}. */
    public static final String READER_NAMESPACE = "ordinal-test-callers";
    /** The shipped ClusterRole for scrapers. */
    public static final Path METRICS_READER_ROLE = Path.of("kubernetes", "monitoring", "metrics-reader-cluster-role.yaml");
    private static final Duration RBAC_PROPAGATION = Duration.ofSeconds(30);
    private static final Map<String, Account> READERS = new ConcurrentHashMap<>();

    private HttpCallers() {
    }

    /**
     * A ServiceAccount and a token of it.
     *
     * @param namespace the ServiceAccount's namespace
     * @param name      its name
     * @param token     a bearer token for it (valid two hours)
     */
    public record Account(String namespace, String name, String token) {
        /** The user name the API server gives the token. */
        public String user() {
            return "system:serviceaccount:" + namespace + ":" + name;
        }

        /** The value of an {@code Authorization} header carrying the token. */
        public String authorization() {
            return "Bearer " + token;
        }

        List<String> groups() {
            return List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated");
        }

        @Override
        public String toString() {
            return user();
        }
    }

    /**
     * The run's all-seeing caller on this API server: may get and watch OpsRequests in every namespace and scrape
     * /q/metrics (the shipped ClusterRole). Made once per API server.
     */
    public static Account reader(KubernetesClient admin) {
        return READERS.computeIfAbsent(admin.getConfiguration().getMasterUrl(), url -> {
            Account reader = serviceAccount(admin, READER_NAMESPACE, "reader");
            mayReadOpsEverywhere(admin, reader);
            mayScrapeMetrics(admin, reader);
            return reader;
        });
    }

    /** Creates (or keeps) the namespace and the ServiceAccount and asks a fresh token for it. */
    public static Account serviceAccount(KubernetesClient admin, String namespace, String name) {
        if (admin.namespaces().withName(namespace).get() == null) {
            TestKube.createNamespace(admin, namespace);
        }
        admin.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().build()).serverSideApply();
        return new Account(namespace, name, token(admin, namespace, name));
    }

    /** Another token of the same ServiceAccount (TokenRequest: every answer is a new token). */
    public static Account newToken(KubernetesClient admin, Account account) {
        return new Account(account.namespace(), account.name(), token(admin, account.namespace(), account.name()));
    }

    private static String token(KubernetesClient admin, String namespace, String name) {
        var answer = admin.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(
                new TokenRequestBuilder().withNewSpec().withExpirationSeconds(7200L).endSpec().build());
        return answer.getStatus().getToken();
    }

    /** A Role in {@code namespace} with get, list and watch on OpsRequests, bound to the account. */
    public static void mayReadOps(KubernetesClient admin, Account account, String namespace) {
        String name = "ops-reader-" + account.name();
        admin.rbac().roles().inNamespace(namespace).resource(new RoleBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().withRules(opsRule()).build()).serverSideApply();
        admin.rbac().roleBindings().inNamespace(namespace).resource(new RoleBindingBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                .addNewSubject().withKind("ServiceAccount").withName(account.name()).withNamespace(account.namespace()).endSubject()
                .build()).serverSideApply();
        awaitAllowed(admin, account, namespace);
    }

    /** The same as a ClusterRole bound cluster-wide. */
    public static void mayReadOpsEverywhere(KubernetesClient admin, Account account) {
        String name = "ordinal-test-ops-reader";
        admin.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName(name).endMetadata()
                .withRules(opsRule()).build()).serverSideApply();
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName(name + "-" + account.namespace() + "-" + account.name()).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", name)
                .addNewSubject().withKind("ServiceAccount").withName(account.name()).withNamespace(account.namespace()).endSubject()
                .build()).serverSideApply();
        awaitAllowed(admin, account, "");
    }

    /** Binds the account to the shipped ClusterRole ordinal-metrics-reader (applied from kubernetes/monitoring). */
    public static void mayScrapeMetrics(KubernetesClient admin, Account account) {
        try (InputStream in = Files.newInputStream(METRICS_READER_ROLE)) {
            for (HasMetadata item : admin.load(in).items()) {
                admin.resource(item).serverSideApply();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName("ordinal-metrics-reader-" + account.namespace() + "-" + account.name()).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "ordinal-metrics-reader")
                .addNewSubject().withKind("ServiceAccount").withName(account.name()).withNamespace(account.namespace()).endSubject()
                .build()).serverSideApply();
        await(admin, account, "get /q/metrics", new SubjectAccessReviewSpecBuilder().withNewNonResourceAttributes()
                .withVerb("get").withPath("/q/metrics").endNonResourceAttributes());
    }

    private static io.fabric8.kubernetes.api.model.rbac.PolicyRule opsRule() {
        return new PolicyRuleBuilder().withApiGroups("operations.ordinal.dev").withResources("opsrequests")
                .withVerbs("get", "list", "watch").build();
    }

    private static void awaitAllowed(KubernetesClient admin, Account account, String namespace) {
        await(admin, account, "watch opsrequests in \"" + namespace + "\"", new SubjectAccessReviewSpecBuilder()
                .withNewResourceAttributes().withGroup("operations.ordinal.dev").withResource("opsrequests").withVerb("watch")
                .withNamespace(namespace).endResourceAttributes());
    }

    private static void await(KubernetesClient admin, Account account, String what, SubjectAccessReviewSpecBuilder spec) {
        Instant deadline = Instant.now().plus(RBAC_PROPAGATION);
        var review = new SubjectAccessReviewBuilder().withSpec(spec.withUser(account.user()).withGroups(account.groups()).build()).build();
        while (true) {
            var answer = admin.authorization().v1().subjectAccessReview().create(review);
            if (answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the API server still denies " + account.user() + " " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
