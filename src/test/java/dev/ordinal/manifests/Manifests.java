package dev.ordinal.manifests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

/** Reads the committed manifests under kubernetes/ as a user's kubectl would: every document of every file. */
public final class Manifests {
    public static final Path ROOT = Path.of("kubernetes");
    public static final Path CRDS = ROOT.resolve("crds");
    public static final Path EXAMPLES = ROOT.resolve("examples");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Manifests() {
    }

    /** The non-empty YAML documents of a file, in order. */
    public static List<ObjectNode> documents(Path file) {
        List<ObjectNode> out = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            var docs = YAML.readValues(parser, JsonNode.class);
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc instanceof ObjectNode o && !o.isEmpty()) {
                    out.add(o);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Every *.yaml / *.yml below a directory, sorted. */
    public static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one document of {@code kind} named {@code name} in a file. */
    public static ObjectNode one(Path file, String kind, String name) {
        return documents(file).stream()
                .filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError(file + " has no " + kind + " " + name));
    }

    public static String json(JsonNode node) {
        return node.toString();
    }
}
