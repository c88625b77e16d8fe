package dev.ordinal.packaged;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

/**
 * The production artifacts carry no test double: the packaged application (target/quarkus-app) and the plain jar
 * hold none of the dev and test tooling of {@code dev.ordinal.devcluster} (control-plane launcher, kubelet
 * simulator), nothing of the retired embedded API server, and no mock-server library. Run by failsafe after
 * {@code package}.
 */
class PackagedJarContentsIT {
    private static final Path APP = Path.of("target", "quarkus-app");

    @Test
    void theApplicationJarHoldsOrdinalsCodeButNoDevOrTestTooling() throws IOException {
        List<Path> appJars = jars(APP.resolve("app"));
        assertEquals(1, appJars.size(), "one application jar in " + APP.resolve("app") + ": " + appJars);
        List<String> entries = entries(appJars.get(0));
        assertTrue(entries.contains("dev/ordinal/controller/ops/OpsRequestReconciler.class"), "the operator is there");
        assertEquals(List.of(), entries.stream().filter(e -> e.startsWith("dev/ordinal/devcluster/")
                || e.startsWith("dev/ordinal/embedded/") || e.startsWith("dev/ordinal/testkube/")).toList(),
                "dev and test tooling in the production jar");
    }

    @Test
    void thePlainJarHoldsNoDevOrTestToolingEither() throws IOException {
        Path jar;
        try (Stream<Path> list = Files.list(Path.of("target"))) {
            jar = list.filter(p -> p.getFileName().toString().matches("ordinal-.*\\.jar")).findFirst().orElseThrow();
        }
        assertFalse(entries(jar).stream().anyMatch(e -> e.startsWith("dev/ordinal/devcluster/")), jar.toString());
    }

    @Test
    void noMockServerLibraryIsShipped() throws IOException {
        List<String> libs = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(APP.resolve("lib"))) {
            walk.filter(p -> p.toString().endsWith(".jar")).forEach(p -> libs.add(p.getFileName().toString()));
        }
        assertTrue(libs.size() > 10, "the libraries were found: " + libs.size());
        assertEquals(List.of(), libs.stream().filter(l -> l.contains("server-mock") || l.contains("mockwebserver")
                || l.contains("vertx-http-proxy")).toList());
    }

    private static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.toString().endsWith(".jar")).toList();
        }
    }

    private static List<String> entries(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(e -> e.getName()).toList();
        }
    }
}
