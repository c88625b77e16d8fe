package dev.ordinal.access;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.ordinal.config.OrdinalConfig;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpecBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfigBuilder;

/**
 * {@link Reviews} answered by the Kubernetes API server through the operator's own client: {@code TokenReview}
 * ({@code authentication.k8s.io/v1}) and {@code SubjectAccessReview} ({@code authorization.k8s.io/v1}), the
 * delegated authentication and authorization of kube-rbac-proxy and controller-runtime's metrics filters. The
 * operator's ServiceAccount needs {@code create} on both (kubernetes/rbac/cluster-role.yaml).
 * <p>
 * Requests go without the client's retries and with {@code ordinal.http.auth.review-timeout}: a caller waits for
 * an answer or a 503, not for the client's back-off.
 */
@ApplicationScoped
public class KubernetesReviews implements Reviews {
    private final KubernetesClient client;
    private final List<String> audiences;

    @Inject
    public KubernetesReviews(KubernetesClient client, OrdinalConfig ordinal) {
        this(client, ordinal.http().auth().tokenAudiences(), ordinal.http().auth().reviewTimeout().toMillis());
    }

    KubernetesReviews(KubernetesClient client, Optional<List<String>> audiences, long timeoutMillis) {
        this.client = client.newClient(new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
                .withRequestRetryBackoffLimit(0).withRequestTimeout((int) timeoutMillis).build())
                .adapt(KubernetesClient.class);
        this.audiences = audiences.orElse(List.of());
    }

    @Override
    public Authentication authenticate(String token) {
        TokenReview review = new TokenReviewBuilder().withNewSpec().withToken(token)
                .withAudiences(audiences.isEmpty() ? null : audiences).endSpec().build();
        TokenReview answer;
        try {
            answer = client.authentication().v1().tokenReviews().create(review);
        } catch (RuntimeException e) {
            throw new ReviewUnavailableException("the Kubernetes API server did not answer the TokenReview: " + describe(e), e);
        }
        return authentication(answer.getStatus(), audiences);
    }

    /**
     * What a TokenReview's status says. With audiences asked for, the answer must name one of them: an API server
     * that does not check audiences leaves {@code status.audiences} empty, and its "authenticated" cannot be trusted
     * for them (Kubernetes API reference, TokenReviewSpec.audiences).
     */
    static Authentication authentication(TokenReviewStatus status, List<String> audiences) {
        if (status == null || !Boolean.TRUE.equals(status.getAuthenticated()) || status.getUser() == null) {
            return Authentication.rejected(status == null ? null : status.getError());
        }
        if (!audiences.isEmpty() && (status.getAudiences() == null || status.getAudiences().stream().noneMatch(audiences::contains))) {
            return Authentication.rejected("the token is not meant for " + String.join(", ", audiences));
        }
        UserInfo user = status.getUser();
        return Authentication.accepted(new Caller(user.getUsername(), user.getUid(), user.getGroups(), user.getExtra()));
    }

    @Override
    public Decision authorize(Caller caller, Permission permission) {
        SubjectAccessReviewSpecBuilder spec = new SubjectAccessReviewSpecBuilder()
                .withUser(caller.user())
                .withUid(caller.uid().isEmpty() ? null : caller.uid())
                .withGroups(caller.groups())
                .withExtra(caller.extra().isEmpty() ? null : caller.extra());
        if (permission.isResource()) {
            spec.withNewResourceAttributes()
                    .withVerb(permission.verb())
                    .withGroup(permission.group())
                    .withResource(permission.resource())
                    .withNamespace(permission.namespace())
                    .endResourceAttributes();
        } else {
            spec.withNewNonResourceAttributes().withVerb(permission.verb()).withPath(permission.path()).endNonResourceAttributes();
        }
        SubjectAccessReview answer;
        try {
            answer = client.authorization().v1().subjectAccessReview()
                    .create(new SubjectAccessReviewBuilder().withSpec(spec.build()).build());
        } catch (RuntimeException e) {
            throw new ReviewUnavailableException("the Kubernetes API server did not answer the SubjectAccessReview: " + describe(e), e);
        }
        SubjectAccessReviewStatus status = answer.getStatus();
        boolean allowed = status != null && Boolean.TRUE.equals(status.getAllowed());
        String reason = status == null || status.getReason() == null ? "" : status.getReason();
        return new Decision(allowed, reason);
    }

    private static String describe(RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e ? message : message + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
}
