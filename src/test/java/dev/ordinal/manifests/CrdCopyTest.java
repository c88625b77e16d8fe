package dev.ordinal.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The CRDs users install (kubernetes/crds) are exactly what the build generates, post-processed by {@link CrdManifests}. */
class CrdCopyTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @BeforeAll
    static void updateWhenAsked() throws IOException {
        if (Boolean.getBoolean("ordinal.crds.update")) {
            CrdManifests.writeAll();
        }
    }

    @Test
    void committedCrdsMatchTheBuild() throws IOException {
        for (String crd : CrdManifests.NAMES) {
            var committed = CrdManifests.COMMITTED.resolve(CrdManifests.fileName(crd));
            assertTrue(Files.exists(committed), committed + " is missing; run ./mvnw test -Dtest=CrdCopyTest -Dordinal.crds.update=true");
            assertEquals(CrdManifests.installable(crd), Files.readString(committed),
                    committed + " differs from the generated CRD; run ./mvnw test -Dtest=CrdCopyTest -Dordinal.crds.update=true and commit");
        }
    }

    @Test
    void componentSpecsMergePerComponentUnderServerSideApply() throws IOException {
        JsonNode components = schema("clusters.apps.ordinal.dev").at("/properties/spec/properties/componentSpecs");
        assertEquals("map", components.path("x-kubernetes-list-type").asText());
        assertEquals("name", components.path("x-kubernetes-list-map-keys").path(0).asText());
    }

    @Test
    void opsColumnsReadLikeKubectlUsersExpect() throws IOException {
        JsonNode columns = version("opsrequests.operations.ordinal.dev").path("additionalPrinterColumns");
        StringBuilder names = new StringBuilder();
        columns.forEach(c -> names.append(c.path("name").asText()).append(' '));
        assertEquals("TYPE CLUSTER STATUS PROGRESS AGE", names.toString().trim());
    }

    @Test
    void opsSpecIsImmutableExceptCancel() throws IOException {
        JsonNode rules = schema("opsrequests.operations.ordinal.dev").at("/properties/spec/x-kubernetes-validations");
        StringBuilder text = new StringBuilder();
        rules.forEach(r -> text.append(r.path("rule").asText()).append('\n'));
        assertTrue(text.toString().contains("self.clusterName == oldSelf.clusterName"), text.toString());
        assertTrue(text.toString().contains("!oldSelf.cancel"), text.toString());
        assertTrue(!text.toString().contains("self.cancel == oldSelf.cancel"), "cancel must stay mutable: " + text);
    }

    @Test
    void everyResourceHasStatusSubresourceAndShortName() throws IOException {
        for (String crd : CrdManifests.NAMES) {
            JsonNode root = YAML.readTree(CrdManifests.COMMITTED.resolve(CrdManifests.fileName(crd)).toFile());
            assertTrue(root.at("/spec/versions/0/subresources/status").isObject(), crd + " has no status subresource");
            assertEquals(1, root.at("/spec/names/shortNames").size(), crd);
        }
    }

    private static JsonNode version(String crd) throws IOException {
        return YAML.readTree(CrdManifests.COMMITTED.resolve(CrdManifests.fileName(crd)).toFile()).at("/spec/versions/0");
    }

    private static JsonNode schema(String crd) throws IOException {
        return version(crd).at("/schema/openAPIV3Schema");
    }
}
