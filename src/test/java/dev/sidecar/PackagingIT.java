package dev.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The packaged application carries BouncyCastle without its jar signatures: the JDK verifies a signed jar when
 * it loads the first class from it (~0.15 s of start-up on one core) and an AOT cache cannot hold its classes.
 */
class PackagingIT {

    private static final Path LIB = Path.of("target/quarkus-app/lib/main");

    @Test
    void bouncyCastleJarsAreUnsigned() throws IOException {
        List<Path> jars;
        try (Stream<Path> files = Files.list(LIB)) {
            jars = files.filter(p -> p.getFileName().toString().startsWith("org.bouncycastle.")).toList();
        }
        assertEquals(3, jars.size(), "bcprov, bcpkix and bcutil in " + LIB + ": " + jars);
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                List<String> signatures = file.stream().map(e -> e.getName())
                        .filter(n -> n.startsWith("META-INF/") && n.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)"))
                        .toList();
                assertTrue(signatures.isEmpty(), jar + " still carries " + signatures);
            }
        }
    }
}
