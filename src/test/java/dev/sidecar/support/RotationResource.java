package dev.sidecar.support;

import java.util.Map;

import dev.sidecar.tls.DevCertificates;
import dev.sidecar.tls.DevCertificates.Issued;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A sidecar whose certificate lives in a Kubernetes-style Secret volume that tests rotate, with the poll
 * fallback set so long that only the directory watch can explain a reload seen in the tests.
 */
public class RotationResource implements QuarkusTestResourceLifecycleManager {

    private static TestPki pki;
    private static SecretVolume volume;
    private static Upstream upstream;

    @Override
    public synchronized Map<String, String> start() {
        pki = new TestPki();
        volume = new SecretVolume();
        publish(pki.server("EC"));
        upstream = new Upstream().start();
        return Map.of(
                "sidecar.upstream", "http://127.0.0.1:" + upstream.port(),
                "sidecar.tls.cert", volume.file("tls.crt").toString(),
                "sidecar.tls.key", volume.file("tls.key").toString(),
                "sidecar.tls.poll-interval", "10m",
                "sidecar.management.reload-enabled", "true");
    }

    @Override
    public synchronized void stop() {
        upstream.stop();
    }

    /** Publishes a certificate and its key the way the kubelet updates a Secret. */
    public static void publish(Issued server) {
        volume.publish(Map.of("tls.crt", DevCertificates.pem(server.certificate()),
                "tls.key", DevCertificates.pkcs8(server.keys().getPrivate())));
    }

    /** Publishes arbitrary file contents. */
    public static void publish(String cert, String key) {
        volume.publish(Map.of("tls.crt", cert, "tls.key", key));
    }

    /** Overwrites the files inside the current data directory: no event reaches the watched directory. */
    public static void overwriteUnseen(Issued server) {
        volume.overwriteInPlace(Map.of("tls.crt", DevCertificates.pem(server.certificate()),
                "tls.key", DevCertificates.pkcs8(server.keys().getPrivate())));
    }

    /** The CA that issues every certificate of this resource. */
    public static TestPki pki() {
        return pki;
    }

    /** The application. */
    public static Upstream upstream() {
        return upstream;
    }
}
