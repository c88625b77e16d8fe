package dev.ordinal.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * A package per controller (docs/architecture.md "Packages"): {@code cluster}, {@code instanceset} and {@code ops}
 * import only {@code support}, never each other; {@code support} imports none of them; and nothing lives in
 * {@code controller} itself.
 */
class ControllerLayersTest {
    private static final Path CONTROLLER = Path.of("src/main/java/dev/ordinal/controller");
    private static final List<String> CONTROLLERS = List.of("cluster", "instanceset", "ops");

    @Test
    void noControllerBorrowsFromAnotherAndSupportServesAll() throws IOException {
        Set<String> wrong = new TreeSet<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(CONTROLLER)) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() > 20, "controller sources: " + sources);
        for (Path source : sources) {
            Path relative = CONTROLLER.relativize(source);
            if (relative.getNameCount() < 2) {
                wrong.add(relative + " is in controller/ itself, not in a package of a controller or support");
                continue;
            }
            String own = relative.getName(0).toString();
            String text = Files.readString(source);
            for (String other : CONTROLLERS) {
                if (!other.equals(own) && (text.contains("dev.ordinal.controller." + other + "."))) {
                    wrong.add(relative + " uses controller/" + other);
                }
            }
        }
        assertEquals(Set.of(), wrong);
    }
}
