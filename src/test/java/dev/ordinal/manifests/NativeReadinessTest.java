package dev.ordinal.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Type;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Native-image readiness, checked on the JVM. What Ordinal serialises by reflection is its CR classes
 * (dev.ordinal.api) and the fabric8 model types its code names; Quarkus and QOSDK register them for reflection
 * at build time. The registration itself lives in the native-image inputs, which
 * {@code ./mvnw package -Dnative -Dquarkus.native.sources-only=true} writes to target/native-sources (no GraalVM
 * needed; native/check-native-readiness.sh runs both steps): when they are present, every such class must be
 * registered there.
 */
class NativeReadinessTest {
    private static final Path CLASSES = Path.of("target", "classes");
    private static final Path NATIVE_SOURCES = Path.of(System.getProperty("ordinal.native.sources", "target/native-sources"));
    private static final String MODEL = "io/fabric8/kubernetes/api/model/";

    @Test
    void crClassesAreJacksonFriendly() throws Exception {
        List<String> api = ordinalClasses("dev/ordinal/api/");
        assertTrue(api.size() > 15, "api classes found: " + api);
        for (String name : api) {
            Class<?> type = Class.forName(name, false, getClass().getClassLoader());
            if (type.isEnum() || type.isInterface() || type.getSimpleName().equals("FreeForm") || type.isAnonymousClass()) {
                continue;
            }
            assertTrue(Modifier.isPublic(type.getModifiers()), name + " must be public");
            assertFalse(type.isMemberClass() && !Modifier.isStatic(type.getModifiers()), name + " must be a static nested class");
            assertTrue(Stream.of(type.getConstructors()).anyMatch(c -> c.getParameterCount() == 0), name + " needs a public no-arg constructor");
        }
    }

    @Test
    void everythingOrdinalSerialisesIsRegisteredForReflection() throws IOException {
        Path runner;
        try (Stream<Path> files = Files.exists(NATIVE_SOURCES) ? Files.list(NATIVE_SOURCES) : Stream.empty()) {
            runner = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst().orElse(null);
        }
        Assumptions.assumeTrue(runner != null, "no native sources in " + NATIVE_SOURCES
                + ": run native/check-native-readiness.sh (or ./mvnw package -Dnative -Dquarkus.native.sources-only=true)");

        Set<String> registered = new TreeSet<>();
        try (JarFile jar = new JarFile(runner.toFile())) {
            var entry = jar.getJarEntry("META-INF/native-image/reflect-config.json");
            assertTrue(entry != null, "reflect-config.json in " + runner);
            try (InputStream in = jar.getInputStream(entry)) {
                for (JsonNode c : new ObjectMapper().readTree(in)) {
                    registered.add(c.path("name").asText());
                }
            }
        }

        Set<String> needed = new TreeSet<>(ordinalClasses("dev/ordinal/api/"));
        needed.removeIf(n -> n.endsWith("FreeForm"));
        needed.addAll(fabric8ModelTypesNamedBy(List.of("dev/ordinal/api/", "dev/ordinal/controller/", "dev/ordinal/observability/",
                "dev/ordinal/access/")));
        assertTrue(needed.contains("io.fabric8.kubernetes.api.model.Pod"), "scan found " + needed);
        assertTrue(needed.contains("io.fabric8.kubernetes.api.model.authentication.TokenReview")
                && needed.contains("io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview"), "scan found " + needed);

        Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(registered);
        assertEquals(Set.of(), missing, "not registered for reflection: register them with @RegisterForReflection(targets = ...) or a reflection config "
                + "file passed through quarkus.native.additional-build-args");
    }

    /** Binary names of Ordinal's compiled classes under a package path. */
    private static List<String> ordinalClasses(String packagePath) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(CLASSES.resolve(packagePath))) {
            files.filter(p -> p.toString().endsWith(".class"))
                    .forEach(p -> out.add(CLASSES.relativize(p).toString().replace(".class", "").replace('/', '.')));
        }
        return out;
    }

    /** fabric8 model classes whose names appear in the constant pools of Ordinal's classes in these packages. */
    private static Set<String> fabric8ModelTypesNamedBy(List<String> packages) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String pkg : packages) {
            try (Stream<Path> files = Files.walk(CLASSES.resolve(pkg))) {
                for (Path file : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    ClassReader reader = new ClassReader(Files.readAllBytes(file));
                    char[] buffer = new char[reader.getMaxStringLength()];
                    for (int i = 1; i < reader.getItemCount(); i++) {
                        int offset = reader.getItem(i);
                        if (offset == 0) {
                            continue;
                        }
                        Object constant;
                        try {
                            constant = reader.readConst(i, buffer);
                        } catch (IllegalArgumentException notLoadable) {
                            continue;
                        }
                        if (constant instanceof Type t && t.getSort() == Type.OBJECT && t.getInternalName().startsWith(MODEL)
                                && !t.getInternalName().endsWith("Builder") && !t.getInternalName().contains("Fluent")) {
                            out.add(t.getClassName());
                        }
                    }
                }
            }
        }
        return out;
    }
}
