package dev.ordinal.controller.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.ops.OpsRequestStatus;
import dev.ordinal.controller.ops.OpsDecision.DrainKafka;
import dev.ordinal.controller.ops.OpsDecision.Finish;
import dev.ordinal.controller.ops.OpsDecision.Notes;
import dev.ordinal.controller.ops.OpsDecision.Wait;
import dev.ordinal.core.KafkaDrain;
import dev.ordinal.vocabulary.OpsPhase;

/**
 * An ops that ends after a step (a drain's cancel ends once Kafka took it) goes through the same clean-up as one that
 * ends at once (review of #28: the leadership undo was skipped for the first kind).
 */
class OpsDecisionTest {
    private static final Finish CANCELLED = new Finish(new OpsRequestStatus(), OpsPhase.CANCELLED, "CancelledWhilePending", "x", Notes.NONE);
    private static final Finish CLEANED = new Finish(new OpsRequestStatus(), OpsPhase.CANCELLED, "CancelledWhilePending", "cleaned", Notes.NONE);

    @Test
    void anEndAfterAStepIsCleanedUpLikeAnEndAtOnce() {
        assertSame(CLEANED, OpsDecision.onFinish(CANCELLED, f -> CLEANED));
        KafkaDrain.Step step = KafkaDrain.Step.cancel(Set.of(), KafkaDrain.throttle(Map.of(), Map.of()));
        DrainKafka wrapped = assertInstanceOf(DrainKafka.class, OpsDecision.onFinish(new DrainKafka("broker", step, e -> CANCELLED),
                f -> CLEANED));
        assertSame(CLEANED, wrapped.then().apply(null));
        Wait waiting = new Wait(new OpsRequestStatus(), java.time.Duration.ofSeconds(1), false, Notes.NONE);
        assertSame(waiting, assertInstanceOf(DrainKafka.class, OpsDecision.onFinish(new DrainKafka("broker", step, e -> waiting),
                f -> CLEANED)).then().apply(null), "a step that does not end the ops is left as it is");
        assertEquals(List.of(), CLEANED.notes().events());
    }
}
