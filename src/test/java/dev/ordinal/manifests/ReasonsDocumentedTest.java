package dev.ordinal.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.ordinal.controller.support.PodFacts;
import dev.ordinal.vocabulary.ClusterPhase;
import dev.ordinal.vocabulary.ComponentPhase;
import dev.ordinal.vocabulary.ConditionType;
import dev.ordinal.vocabulary.DetailStatus;
import dev.ordinal.vocabulary.GuardResult;
import dev.ordinal.vocabulary.OpsPhase;
import dev.ordinal.vocabulary.Reasons;

/**
 * docs/troubleshooting.md explains every phase, condition type, reason and Event reason the controllers can write. They
 * are read from the typed vocabulary ({@code dev.ordinal.vocabulary}) and, for the Kubernetes reasons Ordinal
 * reports about pods, from {@link PodFacts}; and no controller may write a capitalised word that bypasses them.
 */
class ReasonsDocumentedTest {
    private static final Path CONTROLLERS = Path.of("src/main/java/dev/ordinal/controller");
    private static final Pattern WORD = Pattern.compile("\"([A-Z][A-Za-z]+)\"");
    /** Block and line comments: a word quoted in a comment is not written anywhere. */
    private static final Pattern COMMENT = Pattern.compile("/\\*.*?\\*/|//[^\n]*", Pattern.DOTALL);
    /**
     * Capitalised literals a controller may hold that are no reason or phase of Ordinal's: condition statuses, the pod
     * conditions and phases Kubernetes reports, a managedFields operation, a Service's clusterIP.
     */
    private static final Set<String> KUBERNETES_WORDS = Set.of("True", "False", "PodScheduled", "Ready", "Pending", "Failed",
            "Apply", "None");

    static Set<String> vocabulary() throws IllegalAccessException {
        Set<String> words = new TreeSet<>();
        Stream.of(OpsPhase.values()).map(OpsPhase::value).forEach(words::add);
        Stream.of(ComponentPhase.values()).map(ComponentPhase::value).forEach(words::add);
        Stream.of(ClusterPhase.values()).map(ClusterPhase::value).forEach(words::add);
        Stream.of(DetailStatus.values()).map(DetailStatus::value).forEach(words::add);
        Stream.of(GuardResult.values()).map(GuardResult::value).forEach(words::add);
        for (Class<?> constants : List.of(ConditionType.class, Reasons.class)) {
            for (Field f : constants.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                    words.add((String) f.get(null));
                }
            }
        }
        words.addAll(PodFacts.PERMANENT_WAITING_REASONS);
        words.add(PodFacts.UNSCHEDULABLE);
        return words;
    }

    @Test
    void everyReasonIsExplained() throws IOException, IllegalAccessException {
        String doc = Files.readString(Path.of("docs/troubleshooting.md"));
        Set<String> reasons = vocabulary();
        assertTrue(reasons.size() > 40, "reasons found: " + reasons);
        Set<String> missing = new TreeSet<>();
        for (String reason : reasons) {
            if (!doc.contains("`" + reason + "`")) {
                missing.add(reason);
            }
        }
        assertEquals(Set.of(), missing, "docs/troubleshooting.md does not explain these");
    }

    @Test
    void theControllersSpellNoReasonOfTheirOwn() throws IOException, IllegalAccessException {
        Set<String> known = vocabulary();
        Set<String> stray = new TreeSet<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(CONTROLLERS)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() > 20, "controller sources: " + sources);
        for (Path source : sources) {
            String code = COMMENT.matcher(Files.readString(source)).replaceAll("");
            Matcher m = WORD.matcher(code);
            while (m.find()) {
                if (!KUBERNETES_WORDS.contains(m.group(1)) && !known.contains(m.group(1))) {
                    stray.add(m.group(1) + " in " + CONTROLLERS.relativize(source));
                }
            }
        }
        assertEquals(Set.of(), stray, "a reason or phase spelled outside dev.ordinal.vocabulary: " + Arrays.toString(stray.toArray()));
    }
}
