package dev.ordinal.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;

/** How a TokenReview's answer and an Authorization header are read, and how a refusal is worded. */
class ReviewAnswersTest {

    private static TokenReviewStatus accepted(List<String> audiences) {
        return new TokenReviewStatusBuilder().withAuthenticated(true).withAudiences(audiences)
                .withNewUser().withUsername("system:serviceaccount:a:viewer").withUid("uid-1")
                .withGroups("system:serviceaccounts", "system:authenticated")
                .withExtra(Map.of("authentication.kubernetes.io/credential-id", List.of("JTI=1"))).endUser().build();
    }

    @Test
    void anAcceptedTokenGivesTheUserWithGroupsUidAndExtra() {
        var a = KubernetesReviews.authentication(accepted(List.of("https://kubernetes.default.svc.cluster.local")), List.of());
        assertTrue(a.authenticated());
        assertEquals(new Caller("system:serviceaccount:a:viewer", "uid-1", List.of("system:serviceaccounts", "system:authenticated"),
                Map.of("authentication.kubernetes.io/credential-id", List.of("JTI=1"))), a.caller());
    }

    @Test
    void aRejectedTokenCarriesTheApiServersReason() {
        var a = KubernetesReviews.authentication(new TokenReviewStatusBuilder().withAuthenticated(false)
                .withError("invalid bearer token").build(), List.of());
        assertFalse(a.authenticated());
        assertEquals("invalid bearer token", a.error());
        assertEquals("the token is not valid", KubernetesReviews.authentication(null, List.of()).error());
    }

    @Test
    void withAudiencesTheAnswerMustNameOne() {
        assertTrue(KubernetesReviews.authentication(accepted(List.of("ordinal")), List.of("ordinal")).authenticated());
        var none = KubernetesReviews.authentication(accepted(List.of()), List.of("ordinal"));
        assertFalse(none.authenticated(), "an API server that did not check audiences says nothing about them");
        assertTrue(none.error().contains("ordinal"), none.error());
        assertFalse(KubernetesReviews.authentication(accepted(List.of("other")), List.of("ordinal")).authenticated());
    }

    @Test
    void onlyABearerHeaderCarriesAToken() {
        assertEquals("abc.def", HttpAccessFilter.bearerToken("Bearer abc.def"));
        assertEquals("abc", HttpAccessFilter.bearerToken("bearer  abc "));
        assertNull(HttpAccessFilter.bearerToken(null));
        assertNull(HttpAccessFilter.bearerToken("Bearer "));
        assertNull(HttpAccessFilter.bearerToken("Basic dXNlcjpwYXNz"));
        assertNull(HttpAccessFilter.bearerToken("Bearerabc"));
    }

    @Test
    void verbsAndRefusalsAreWordedAsKubernetesDoes() {
        assertEquals("get", HttpAccessFilter.verb("GET"));
        assertEquals("get", HttpAccessFilter.verb("HEAD"));
        assertEquals("post", HttpAccessFilter.verb("POST"));
        Caller c = new Caller("system:serviceaccount:c:nobody", "", List.of(), Map.of());
        assertEquals("user \"system:serviceaccount:c:nobody\" may not get /q/metrics (SubjectAccessReview denied)",
                HttpAccessFilter.forbidden(c, Permission.nonResource("get", "/q/metrics"), ""));
        assertEquals("user \"system:serviceaccount:c:nobody\" may not watch opsrequests.operations.ordinal.dev in namespace \"a\""
                + " (SubjectAccessReview denied: no rule)", HttpAccessFilter.forbidden(c,
                        Permission.resource("watch", "operations.ordinal.dev", "opsrequests", "a"), "no rule"));
        assertEquals("get opsrequests.operations.ordinal.dev in all namespaces",
                Permission.resource("get", "operations.ordinal.dev", "opsrequests", "").toString());
    }

    @Test
    void aBearerNeverPrintsItsToken() {
        Bearer b = new Bearer("secret-token", new Caller("alice", null, null, null));
        assertFalse(b.toString().contains("secret-token"), b.toString());
        assertEquals("", b.caller().uid());
    }
}
