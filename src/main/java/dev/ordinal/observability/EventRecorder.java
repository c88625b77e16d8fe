package dev.ordinal.observability;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Writes core/v1 Events on Ordinal's resources, as {@code kubectl describe} shows them. Recording an event never
 * fails a reconcile: a lost event is logged, not retried.
 */
@ApplicationScoped
public class EventRecorder {
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";

    private final KubernetesClient client;

    public EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void normal(HasMetadata on, String reason, String message) {
        record(on, NORMAL, reason, message);
    }

    public void warning(HasMetadata on, String reason, String message) {
        record(on, WARNING, reason, message);
    }

    private void record(HasMetadata on, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        var event = new EventBuilder()
                .withNewMetadata()
                .withName(on.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
                .withNamespace(on.getMetadata().getNamespace())
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(on.getApiVersion()).withKind(on.getKind())
                        .withName(on.getMetadata().getName()).withNamespace(on.getMetadata().getNamespace())
                        .withUid(on.getMetadata().getUid()).build())
                .withType(type)
                .withReason(reason)
                .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource("ordinal", null)
                .withReportingComponent("ordinal")
                .build();
        try {
            client.v1().events().inNamespace(on.getMetadata().getNamespace()).resource(event).create();
        } catch (RuntimeException e) {
            LOG.debugf(e, "could not record event %s on %s/%s", reason, on.getKind(), on.getMetadata().getName());
        }
    }
}
