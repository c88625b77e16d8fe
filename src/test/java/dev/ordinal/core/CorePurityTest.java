package dev.ordinal.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The core must stay plain Java so it can be reasoned about and tested without a cluster. */
class CorePurityTest {
    private static final List<String> FORBIDDEN = List.of(
            "import io.fabric8", "import io.quarkus", "import io.javaoperatorsdk", "import io.kubernetes",
            "import dev.ordinal.api", "import dev.ordinal.controller", "import jakarta.", "import io.smallrye");

    @Test
    void coreSourcesImportNoKubernetesQuarkusOrApiTypes() throws IOException {
        Path dir = Path.of("src/main/java/dev/ordinal/core");
        assertTrue(Files.isDirectory(dir), "run from the project root: " + dir.toAbsolutePath());
        List<Path> sources;
        try (Stream<Path> files = Files.list(dir)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() >= 10, "expected the core sources, found " + sources);
        for (Path source : sources) {
            for (String line : Files.readAllLines(source)) {
                for (String forbidden : FORBIDDEN) {
                    assertFalse(line.trim().startsWith(forbidden), source + " has " + line.trim());
                }
                assertFalse(line.contains("io.fabric8."), source + " mentions fabric8: " + line.trim());
            }
        }
    }
}
