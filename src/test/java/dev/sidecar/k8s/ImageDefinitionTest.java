package dev.sidecar.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The image definitions, read as text (no Docker engine is needed): ports, user, entry point and build context
 * agree with the sidecar's configuration and with the manifests.
 */
class ImageDefinitionTest {

    static Stream<Named<Dockerfile>> dockerfiles() {
        return Stream.of(Named.of("Dockerfile.native", Dockerfile.read("Dockerfile.native")),
                Named.of("src/main/docker/Dockerfile.jvm", Dockerfile.read("src/main/docker/Dockerfile.jvm")));
    }

    @ParameterizedTest
    @MethodSource("dockerfiles")
    void exposesTheHttpsAndManagementPorts(Dockerfile dockerfile) {
        EffectiveConfig config = EffectiveConfig.defaults();
        Set<String> exposed = new HashSet<>();
        dockerfile.all("EXPOSE").forEach(line -> exposed.addAll(List.of(line.split("\\s+"))));
        assertEquals(Set.of(String.valueOf(config.integer("quarkus.http.ssl-port")),
                String.valueOf(config.integer("quarkus.management.port"))), exposed);
    }

    @ParameterizedTest
    @MethodSource("dockerfiles")
    void runsAsTheUnprivilegedUserTheManifestsExpect(Dockerfile dockerfile) {
        List<String> users = dockerfile.finalStage("USER");
        assertFalse(users.isEmpty(), "the runtime stage must set USER");
        assertEquals("1001", users.get(users.size() - 1), "numeric, so kubelet can verify runAsNonRoot");
        long sidecarUid = Manifests.sidecar(Manifests.pod(Manifests.deployment())).getSecurityContext().getRunAsUser();
        assertEquals(sidecarUid, Long.parseLong(users.get(users.size() - 1)), "deployment runAsUser and image USER differ");
    }

    @ParameterizedTest
    @MethodSource("dockerfiles")
    void entryPointListensOnAllInterfaces(Dockerfile dockerfile) {
        assertTrue(dockerfile.entryPoint().contains("-Dquarkus.http.host=0.0.0.0"), "entry point: " + dockerfile.entryPoint());
    }

    @ParameterizedTest
    @MethodSource("dockerfiles")
    void startsOnAReadOnlyRootFilesystem(Dockerfile dockerfile) {
        Map<String, String> env = dockerfile.environment();
        assertEquals("false", env.get("QUARKUS_VERTX_CACHING"), "Vert.x would create a file cache under /tmp");
        assertEquals("false", env.get("QUARKUS_VERTX_CLASSPATH_RESOLVING"), "Vert.x would create a file cache under /tmp");
    }

    @ParameterizedTest
    @MethodSource("dockerfiles")
    void buildsFromSourceWithTheMavenWrapper(Dockerfile dockerfile) {
        assertTrue(dockerfile.all("FROM").size() >= 2, "multi-stage: build, then a runtime image without the toolchain");
        assertTrue(dockerfile.all("RUN").stream().anyMatch(r -> r.startsWith("./mvnw -B package") && r.contains("-DskipTests")),
                "the build stage must run ./mvnw -B package -DskipTests");
    }

    @Test
    void nativeImageIsBuiltByMandrelOnTheSameUbiAsItRunsOn() {
        Dockerfile dockerfile = Dockerfile.read("Dockerfile.native");
        List<String> stages = dockerfile.all("FROM");
        String builder = stages.get(0);
        String runtime = stages.get(stages.size() - 1);
        Matcher mandrel = Pattern.compile("quay\\.io/quarkus/(ubi9?)-quarkus-mandrel-builder-image:jdk-(21|25)\\b.*").matcher(builder);
        assertTrue(mandrel.matches(), "build with the official Mandrel builder image: " + builder);
        assertTrue(dockerfile.all("RUN").contains("./mvnw -B package -Dnative -DskipTests"));
        // The executable links the builder's glibc: a UBI 9 build does not start on a UBI 8 runtime.
        String expectedRuntime = mandrel.group(1).equals("ubi9")
                ? "quay\\.io/quarkus/ubi9-quarkus-micro-image:2\\.0|registry\\.access\\.redhat\\.com/ubi9/ubi-micro.*"
                : "quay\\.io/quarkus/quarkus-micro-image:2\\.0|registry\\.access\\.redhat\\.com/ubi8/ubi-micro.*";
        assertTrue(runtime.matches(expectedRuntime), "runtime " + runtime + " does not match the builder " + builder);
    }

    @Test
    void jvmImageSizesTheHeapFromTheContainerLimit() {
        Dockerfile dockerfile = Dockerfile.read("src/main/docker/Dockerfile.jvm");
        String options = dockerfile.environment().getOrDefault("JDK_JAVA_OPTIONS", "") + " " + dockerfile.entryPoint();
        assertTrue(options.matches(".*-XX:MaxRAMPercentage=\\d+.*"), "heap as a share of the limit: " + options);
        assertTrue(options.contains("-XX:-UsePerfData"), "no hsperfdata file under a read-only /tmp");
    }

    @Test
    void buildContextHoldsTheSourcesButNoBuildOutputOrKeys() {
        DockerIgnore ignore = DockerIgnore.read(Manifests.PROJECT.resolve(".dockerignore"));
        for (String included : List.of("pom.xml", "mvnw", ".mvn/wrapper/maven-wrapper.properties",
                "src/main/java/dev/sidecar/Sidecar.java", "src/main/resources/application.properties")) {
            assertFalse(ignore.excludes(included), included + " must be in the build context");
        }
        for (String excluded : List.of("target/quarkus-app/quarkus-run.jar", "certs-dev/tls.key", "certs-dev/tls.crt",
                "src/main/resources/server.key", "src/test/resources/keystore.p12", ".git/config", "k8s/deployment.yaml")) {
            assertTrue(ignore.excludes(excluded), excluded + " must stay out of the build context");
        }
    }

    /** A Dockerfile as a list of instructions, continuation lines joined and comments dropped. */
    record Dockerfile(List<String[]> instructions) {

        static Dockerfile read(String relative) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Manifests.PROJECT.resolve(relative));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String[]> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : lines) {
                String trimmed = line.trim();
                if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                    continue;
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                    continue;
                }
                current.append(trimmed);
                String[] parts = current.toString().trim().split("\\s+", 2);
                instructions.add(new String[] { parts[0].toUpperCase(), parts.length > 1 ? parts[1].trim() : "" });
                current.setLength(0);
            }
            return new Dockerfile(instructions);
        }

        List<String> all(String keyword) {
            return instructions.stream().filter(i -> i[0].equals(keyword)).map(i -> i[1]).toList();
        }

        /** Instructions of the last stage only. */
        List<String> finalStage(String keyword) {
            int last = 0;
            for (int i = 0; i < instructions.size(); i++) {
                if (instructions.get(i)[0].equals("FROM")) {
                    last = i;
                }
            }
            return instructions.subList(last, instructions.size()).stream()
                    .filter(i -> i[0].equals(keyword)).map(i -> i[1]).toList();
        }

        /** The final stage's ENTRYPOINT as one string (exec form). */
        String entryPoint() {
            List<String> entryPoints = finalStage("ENTRYPOINT");
            assertEquals(1, entryPoints.size(), "one ENTRYPOINT in the runtime stage");
            try {
                List<?> words = new ObjectMapper().readValue(entryPoints.get(0), List.class);
                return String.join(" ", words.stream().map(Object::toString).toList());
            } catch (IOException e) {
                throw new AssertionError("ENTRYPOINT must use the exec form (a JSON array), so that signals reach the sidecar", e);
            }
        }

        /** ENV of the final stage. */
        Map<String, String> environment() {
            Map<String, String> env = new HashMap<>();
            Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"([^\"]*)\"|\\S+)");
            for (String line : finalStage("ENV")) {
                Matcher matcher = pair.matcher(line);
                while (matcher.find()) {
                    env.put(matcher.group(1), matcher.group(3) != null ? matcher.group(3) : matcher.group(2));
                }
            }
            return env;
        }
    }

    /** The rules of {@code .dockerignore}: patterns in order, the last match wins, {@code !} includes again. */
    record DockerIgnore(List<String> patterns) {

        static DockerIgnore read(Path file) {
            try {
                return new DockerIgnore(Files.readAllLines(file).stream()
                        .map(String::trim)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                        .toList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        boolean excludes(String path) {
            boolean excluded = false;
            for (String pattern : patterns) {
                boolean include = pattern.startsWith("!");
                String glob = (include ? pattern.substring(1) : pattern).replaceAll("/+$", "");
                if (matches(glob, path)) {
                    excluded = !include;
                }
            }
            return excluded;
        }

        /** A pattern matches a path or any of its parent directories; a leading **&#47; also matches at the top. */
        private static boolean matches(String glob, String path) {
            List<String> globs = glob.startsWith("**/") ? List.of(glob, glob.substring(3)) : List.of(glob);
            Path candidate = Path.of(path);
            while (candidate != null) {
                for (String g : globs) {
                    if (FileSystems.getDefault().getPathMatcher("glob:" + g).matches(candidate)) {
                        return true;
                    }
                }
                candidate = candidate.getParent();
            }
            return false;
        }
    }
}
