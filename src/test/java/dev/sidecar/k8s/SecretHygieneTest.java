package dev.sidecar.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Secret;

/** No key in the repository's deployment files; the example Secret is a template only. */
class SecretHygieneTest {

    private static final Pattern PRIVATE_KEY = Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----");
    private static final Pattern BASE64_BLOB = Pattern.compile("[A-Za-z0-9+/]{64,}");

    @Test
    void exampleSecretIsATlsSecretWithPlaceholdersOnly() {
        Manifests.Document document = Manifests.only("Secret");
        Secret secret = document.as(Secret.class);
        assertEquals("kubernetes.io/tls", secret.getType());
        assertEquals(Manifests.pod(Manifests.deployment()).getVolumes().stream()
                .filter(v -> v.getSecret() != null).findFirst().orElseThrow().getSecret().getSecretName(),
                secret.getMetadata().getName(), "the example must create the Secret the deployment mounts");
        assertTrue(secret.getData() == null || secret.getData().isEmpty(), "no base64 data: it would hide a real key");
        Map<String, String> data = secret.getStringData();
        assertEquals(Set.of("tls.crt", "tls.key"), data.keySet());
        data.values().forEach(value -> assertTrue(value.startsWith("REPLACE"), "placeholder expected, found: " + value));
        Manifests.assertNoUnknownFields(document);
    }

    @Test
    void noDeploymentFileHoldsAPrivateKey() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> k8s = Files.walk(Manifests.K8S)) {
            k8s.filter(Files::isRegularFile).forEach(files::add);
        }
        for (String name : List.of("Dockerfile.native", "src/main/docker/Dockerfile.jvm", ".dockerignore")) {
            files.add(Manifests.PROJECT.resolve(name));
        }
        for (Path file : files) {
            String text = Files.readString(file);
            assertFalse(PRIVATE_KEY.matcher(text).find(), file + " contains a PEM private key");
            assertFalse(BASE64_BLOB.matcher(text).find(), file + " contains a long base64 blob; keys belong in Secrets only");
        }
    }
}
