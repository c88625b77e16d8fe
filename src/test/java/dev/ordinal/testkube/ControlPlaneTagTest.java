package dev.ordinal.testkube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The pure tier ({@code ./mvnw test -Ppure}) leaves out exactly the test classes that need the control plane: every
 * test class that starts an API server or an operator on one (a Quarkus test resource, the reliability rig,
 * {@link TestKube}) carries {@link RequiresControlPlane}.
 */
class ControlPlaneTagTest {
    private static final Path TESTS = Path.of("src/test/java");
    private static final Pattern USES_CONTROL_PLANE = Pattern.compile("@QuarkusTestResource|Rig\\.start\\(|TestKube\\.(create|shared)\\(|TestNode\\.(shared|admin)\\(");
    private static final Pattern IS_TEST = Pattern.compile("@(Test|ParameterizedTest|RepeatedTest)\\b");

    @Test
    void everyTestThatNeedsTheControlPlaneIsTagged() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(TESTS)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        Set<String> untagged = new TreeSet<>();
        int tagged = 0;
        for (Path source : sources) {
            String text = Files.readString(source);
            if (!IS_TEST.matcher(text).find() || !USES_CONTROL_PLANE.matcher(text).find()) {
                continue;
            }
            if (text.contains("@RequiresControlPlane") || text.contains("@RequiresRealNode")) {
                tagged++;
            } else {
                untagged.add(TESTS.relativize(source).toString());
            }
        }
        assertTrue(tagged >= 20, "tagged test classes: " + tagged);
        assertEquals(Set.of(), untagged, "these need the control plane: annotate them with @RequiresControlPlane");
    }
}
