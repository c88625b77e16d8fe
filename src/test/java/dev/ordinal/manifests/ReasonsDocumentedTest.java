package dev.ordinal.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docs/troubleshooting.md explains every phase, condition type, reason and Event reason the controllers can write:
 * each capitalised string literal of the controllers that set them must appear there in backticks.
 */
class ReasonsDocumentedTest {
    private static final Path CONTROLLERS = Path.of("src/main/java/dev/ordinal/controller");
    private static final List<String> FILES = List.of("cluster/ClusterReconciler.java", "cluster/ClusterStatusBuilder.java",
            "instanceset/InstanceSetReconciler.java", "instanceset/InstanceSetStatusBuilder.java", "ops/OpsRequestReconciler.java",
            "ops/OpsPhase.java", "support/PodFacts.java", "cluster/NameCheck.java", "ops/ComponentPhases.java", "ops/OpsStatus.java",
            "ops/ScaleInGuardGate.java");
    private static final Pattern WORD = Pattern.compile("\"([A-Z][A-Za-z]+)\"");
    /** Literals in those files that are not reasons or phases: a pod condition type Ordinal reads. */
    private static final Set<String> NOT_REASONS = Set.of("True", "PodScheduled");

    @Test
    void everyReasonIsExplained() throws IOException {
        String doc = Files.readString(Path.of("docs/troubleshooting.md"));
        Set<String> reasons = new TreeSet<>();
        for (String file : FILES) {
            Matcher m = WORD.matcher(Files.readString(CONTROLLERS.resolve(file)));
            while (m.find()) {
                reasons.add(m.group(1));
            }
        }
        reasons.removeAll(NOT_REASONS);
        assertTrue(reasons.size() > 40, "reasons found: " + reasons);
        Set<String> missing = new TreeSet<>();
        for (String reason : reasons) {
            if (!doc.contains("`" + reason + "`")) {
                missing.add(reason);
            }
        }
        assertEquals(Set.of(), missing, "docs/troubleshooting.md does not explain these");
    }
}
