package dev.sidecar.k8s;

import static dev.sidecar.k8s.Manifests.K8S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The kustomize entry point and its component. */
class KustomizationTest {

    private static final String EXAMPLE_SECRET = "secret-example.yaml";

    @Test
    void everyKustomizationListsOnlyFilesThatExist() {
        for (Path file : Manifests.yamlFiles()) {
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            Path directory = file.getParent();
            JsonNode kustomization = Manifests.kustomization(directory);
            for (String field : List.of("resources", "components")) {
                for (JsonNode entry : kustomization.path(field)) {
                    Path target = directory.resolve(entry.asText()).normalize();
                    assertTrue(Files.isRegularFile(target) || Files.isRegularFile(target.resolve("kustomization.yaml")),
                            K8S.relativize(file) + " lists " + field + " " + entry.asText() + ", which does not exist");
                }
            }
            for (JsonNode patch : kustomization.path("patches")) {
                if (patch.has("path")) {
                    assertTrue(Files.isRegularFile(directory.resolve(patch.get("path").asText())),
                            K8S.relativize(file) + " lists patch " + patch.get("path").asText() + ", which does not exist");
                }
            }
        }
    }

    @Test
    void entryPointListsEveryManifestButTheExampleSecret() {
        Set<String> listed = new HashSet<>();
        Manifests.kustomization(K8S).path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> manifests = new HashSet<>();
        for (Path file : Manifests.yamlFiles()) {
            if (file.getParent().equals(K8S) && !file.getFileName().toString().equals("kustomization.yaml")) {
                manifests.add(file.getFileName().toString());
            }
        }
        assertTrue(manifests.remove(EXAMPLE_SECRET), EXAMPLE_SECRET + " is missing");
        assertFalse(listed.contains(EXAMPLE_SECRET), "the example Secret holds placeholders and must not be applied");
        assertEquals(manifests, listed, "k8s/kustomization.yaml must list every manifest beside it");
    }

    @Test
    void legacyVariantIsAComponentOfTheEntryPoint() {
        // kustomize refuses an overlay inside the directory of its base (a cycle), so the variant is a Component.
        JsonNode component = Manifests.kustomization(K8S.resolve(Manifests.LEGACY_COMPONENT));
        assertEquals("kustomize.config.k8s.io/v1alpha1", component.path("apiVersion").asText());
        assertEquals("Component", component.path("kind").asText());
    }

    @Test
    void imageOverridesNameAnImageTheManifestsUse() {
        List<String> images = new ArrayList<>();
        Manifests.containers(Manifests.pod(Manifests.deployment()))
                .forEach(c -> images.add(c.getImage().replaceFirst(":[^:/]+$", "")));
        for (JsonNode image : Manifests.kustomization(K8S).path("images")) {
            assertTrue(images.contains(image.path("name").asText()),
                    "images entry " + image.path("name").asText() + " matches no container image " + images);
        }
    }
}
