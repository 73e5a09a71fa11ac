package dev.sidecar.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * The manifests under {@code k8s/} as plain trees and as fabric8 models, and the deployment as kustomize renders
 * it with a component. Everything is read from the working tree, so the tests see what {@code kubectl apply -k}
 * would apply.
 */
final class Manifests {

    /** The project directory (Surefire runs in it and also passes it as {@code basedir}). */
    static final Path PROJECT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final Path K8S = PROJECT.resolve("k8s");
    /** Name of the sidecar's container in every variant of the deployment. */
    static final String SIDECAR = "https-sidecar";
    /** The component that turns the native sidecar into a regular container for clusters before 1.29. */
    static final String LEGACY_COMPONENT = "legacy-sidecar";

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Manifests() {
    }

    /** One YAML document of one file. */
    record Document(Path file, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        <T> T as(Class<T> type) {
            return model(node, type);
        }

        @Override
        public String toString() {
            return K8S.relativize(file) + " " + kind() + "/" + name();
        }
    }

    /** Every YAML file under {@code k8s/}, kustomizations included, in a stable order. */
    static List<Path> yamlFiles() {
        try (Stream<Path> files = Files.walk(K8S)) {
            List<Path> found = files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
            assertTrue(!found.isEmpty(), "no YAML files under " + K8S);
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every non-empty document of one file. */
    static List<Document> documents(Path file) {
        try {
            List<Document> documents = new ArrayList<>();
            for (JsonNode node : YAML.readerFor(JsonNode.class).<JsonNode> readValues(file.toFile()).readAll()) {
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    documents.add(new Document(file, node));
                }
            }
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    /** Every document of every YAML file under {@code k8s/}. */
    static List<Document> all() {
        return yamlFiles().stream().flatMap(f -> documents(f).stream()).toList();
    }

    /** The only document of the given kind under {@code k8s/}; fails if there is none or more than one. */
    static Document only(String kind) {
        List<Document> matches = all().stream().filter(d -> d.kind().equals(kind)).toList();
        assertEquals(1, matches.size(), "expected exactly one " + kind + " under k8s/, found " + matches);
        return matches.get(0);
    }

    static <T> T model(JsonNode node, Class<T> type) {
        try {
            return JSON.treeToValue(node, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + type.getSimpleName(), e);
        }
    }

    /** The kustomization (or component) file of a directory. */
    static JsonNode kustomization(Path directory) {
        Path file = directory.resolve("kustomization.yaml");
        assertTrue(Files.isRegularFile(file), "no kustomization.yaml in " + directory);
        List<Document> documents = documents(file);
        assertEquals(1, documents.size(), file + " must hold one document");
        return documents.get(0).node();
    }

    /** The deployment as {@code deployment.yaml} declares it: the sidecar as a native sidecar container. */
    static Deployment deployment() {
        return only("Deployment").as(Deployment.class);
    }

    /** The deployment as kustomize renders it with the given component of {@code k8s/} applied. */
    static Deployment deploymentWith(String component) {
        Path directory = K8S.resolve(component);
        JsonNode kustomization = kustomization(directory);
        assertEquals("Component", kustomization.path("kind").asText(), directory + " is not a kustomize Component");
        Set<String> understood = Set.of("apiVersion", "kind", "patches");
        kustomization.fieldNames().forEachRemaining(field -> assertTrue(understood.contains(field),
                "this test renders only JSON 6902 patches; teach it '" + field + "' of " + directory));

        JsonNode rendered = only("Deployment").node();
        int applied = 0;
        for (JsonNode patch : kustomization.path("patches")) {
            JsonNode target = patch.path("target");
            if (!target.path("kind").asText().equals("Deployment")
                    || !target.path("name").asText().equals(rendered.path("metadata").path("name").asText())) {
                continue;
            }
            String text;
            try {
                text = patch.has("patch") ? patch.get("patch").asText()
                        : Files.readString(directory.resolve(patch.path("path").asText()));
                JsonNode operations = YAML.readTree(text);
                if (!(operations instanceof ArrayNode list)) {
                    throw new AssertionError("only JSON 6902 patches (a list of operations) are rendered here: " + text);
                }
                rendered = JsonPatch.apply(rendered, list);
                applied++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertTrue(applied > 0, directory + " has no patch for the Deployment");
        return model(rendered, Deployment.class);
    }

    /** The pod spec of a deployment. */
    static PodSpec pod(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec();
    }

    /** Init containers (native sidecars included) and regular containers. */
    static List<Container> containers(PodSpec pod) {
        List<Container> all = new ArrayList<>();
        if (pod.getInitContainers() != null) {
            all.addAll(pod.getInitContainers());
        }
        all.addAll(pod.getContainers());
        return all;
    }

    /** The sidecar, wherever the variant puts it; fails unless there is exactly one. */
    static Container sidecar(PodSpec pod) {
        List<Container> found = containers(pod).stream().filter(c -> SIDECAR.equals(c.getName())).toList();
        assertEquals(1, found.size(), "expected one container named " + SIDECAR);
        return found.get(0);
    }

    /** Every container except the sidecar: the application. */
    static List<Container> applicationContainers(PodSpec pod) {
        return containers(pod).stream().filter(c -> !SIDECAR.equals(c.getName())).toList();
    }

    /**
     * Fields that the fabric8 model did not recognise, as paths. The model keeps unknown fields aside instead of
     * failing, and the API server would reject them (or silently drop them), so a typo such as
     * {@code readOnlyRootFileSystem} must show up here.
     */
    static List<String> unknownFields(Object model) {
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(model, "", unknown);
        return unknown;
    }

    private static void collectUnknownFields(Object value, String path, List<String> unknown) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                collectUnknownFields(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collectUnknownFields(v, path + "[" + k + "]", unknown));
            return;
        }
        if (!value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class || !getter.getName().startsWith("get")) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(getter.toString(), e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
            } else {
                collectUnknownFields(child, path + "." + decapitalize(getter.getName().substring(3)), unknown);
            }
        }
    }

    private static String decapitalize(String name) {
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    /** Fails with the file in the message when a model has unknown fields. */
    static void assertNoUnknownFields(Document document) {
        Class<?> type = switch (document.kind()) {
            case "Deployment" -> Deployment.class;
            case "Service" -> io.fabric8.kubernetes.api.model.Service.class;
            case "Secret" -> io.fabric8.kubernetes.api.model.Secret.class;
            case "NetworkPolicy" -> io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class;
            default -> null;
        };
        if (type == null) {
            fail("no model for " + document);
        }
        List<String> unknown = unknownFields(document.as(type));
        assertTrue(unknown.isEmpty(), document + " has fields the Kubernetes API does not know: " + unknown);
    }
}
