package dev.ordinal.controller.ops;

import static dev.ordinal.controller.ops.OpsFixtures.T0;
import static dev.ordinal.controller.ops.OpsFixtures.offline;
import static dev.ordinal.controller.ops.OpsFixtures.ops;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.ordinal.api.ops.OpsRequest;
import dev.ordinal.api.ops.OpsRequestStatus;

/**
 * {@link OpsDeadlines}: the precondition deadline, the deadline of a started ops (never infinite, counted from its
 * start) and the TTL (spec §6; docs/ops-controller.md "The deadline is never infinite").
 */
class OpsDeadlinesTest {
    private static final Duration DEFAULT = Duration.ofMinutes(30);

    @Test
    void anAbsentOrZeroTimeoutIsTheOperatorDefault() {
        OpsRequest ops = ops("t", offline("kafka-broker-2"));
        assertEquals(DEFAULT, OpsDeadlines.timeout(ops, DEFAULT));
        ops.getSpec().timeoutSeconds = 0;
        assertEquals(DEFAULT, OpsDeadlines.timeout(ops, DEFAULT));
        ops.getSpec().timeoutSeconds = 90;
        assertEquals(Duration.ofSeconds(90), OpsDeadlines.timeout(ops, DEFAULT));
    }

    @Test
    void theDeadlineCountsFromTheStartSoTimeInTheQueueDoesNotCount() {
        OpsRequest ops = ops("t", offline("kafka-broker-2"));
        ops.getSpec().timeoutSeconds = 60;
        assertEquals(T0.plusSeconds(60), OpsDeadlines.deadline(ops, DEFAULT, T0), "not started: from its creation");
        ops.setStatus(new OpsRequestStatus());
        ops.getStatus().startTimestamp = T0.plusSeconds(300).toString();
        assertEquals(T0.plusSeconds(360), OpsDeadlines.deadline(ops, DEFAULT, T0));
    }

    @Test
    void thePreconditionDeadlineIsCreationPlusItsSecondsAndNoneMeansNoWaiting() {
        OpsRequest ops = ops("t", offline("kafka-broker-2"));
        assertEquals(T0, OpsDeadlines.precondition(ops, T0.plusSeconds(5)));
        ops.getSpec().preConditionDeadlineSeconds = 120;
        assertEquals(T0.plusSeconds(120), OpsDeadlines.precondition(ops, T0.plusSeconds(5)));
    }

    @Test
    void theTtlDependsOnHowTheOpsEnded() {
        OpsRequest ops = OpsFixtures.inPhase(ops("t", offline("kafka-broker-2")), "Aborted");
        ops.getSpec().ttlSecondsAfterSucceed = 600;
        assertEquals(Optional.empty(), OpsDeadlines.ttlDue(ops), "no completionTimestamp, nothing to count from");
        ops.getStatus().completionTimestamp = T0.toString();
        assertEquals(Optional.empty(), OpsDeadlines.ttlDue(ops), "Aborted is unsuccessful: its own TTL, unset");
        ops.getSpec().ttlSecondsAfterUnsuccessfulCompletion = 30;
        assertEquals(Optional.of(T0.plusSeconds(30)), OpsDeadlines.ttlDue(ops));
        ops.getStatus().phase = "Succeed";
        assertEquals(Optional.of(T0.plusSeconds(600)), OpsDeadlines.ttlDue(ops));
    }
}
