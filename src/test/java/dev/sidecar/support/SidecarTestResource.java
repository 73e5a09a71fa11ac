package dev.sidecar.support;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the upstream application and writes a certificate issued by a per-run CA, then points the sidecar
 * at both. Shared by every {@code @QuarkusTest} through {@code @QuarkusTestResource}.
 */
public class SidecarTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile TestPki pki;
    private static volatile Upstream upstream;
    private static volatile Path[] serverFiles;

    @Override
    public synchronized Map<String, String> start() {
        if (pki == null) {
            pki = new TestPki();
            serverFiles = pki.write("tls", pki.server("EC"));
        }
        if (upstream == null) {
            upstream = new Upstream().start();
        }
        return Map.of(
                "sidecar.upstream", "http://127.0.0.1:" + upstream.port(),
                "sidecar.tls.cert", serverFiles[0].toString(),
                "sidecar.tls.key", serverFiles[1].toString());
    }

    @Override
    public synchronized void stop() {
        // The upstream and PKI live for the whole test JVM: several Quarkus restarts share them.
    }

    /** The upstream application. */
    public static Upstream upstream() {
        return upstream;
    }

    /** The per-run PKI. */
    public static TestPki pki() {
        return pki;
    }

    /** The served certificate and key files. */
    public static Path[] serverFiles() {
        return serverFiles;
    }
}
