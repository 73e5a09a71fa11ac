package dev.sidecar.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;

import dev.sidecar.tls.CertificateException;
import dev.sidecar.tls.CertificateLoader;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the upstream application and writes a certificate issued by a per-run CA, then points the sidecar
 * at both. Shared by every {@code @QuarkusTest} through {@code @QuarkusTestResource}.
 */
public class SidecarTestResource implements QuarkusTestResourceLifecycleManager {

    private static final String PKI_PROPERTY = "test.sidecar-pki";
    private static volatile Upstream upstream;

    @Override
    public synchronized Map<String, String> start() {
        if (upstream == null) {
            upstream = new Upstream().start();
        }
        Map<String, String> config = new java.util.HashMap<>(certificateConfig());
        config.put("sidecar.upstream", "http://127.0.0.1:" + upstream.port());
        if (Boolean.getBoolean("test.sidecar-packaged")) {
            // The packaged application runs in its own process with the prod profile: give it free ports
            // and the test timeouts, and tell the tests where it listens.
            int https = Ports.free();
            int management = Ports.free();
            config.put("sidecar.port", Integer.toString(https));
            config.put("quarkus.http.ssl-port", Integer.toString(https));
            config.put("quarkus.http.test-ssl-port", Integer.toString(https));
            config.put("sidecar.management-port", Integer.toString(management));
            config.put("sidecar.timeouts.response-headers", "2s");
            System.setProperty(Sidecar.HTTPS_PORT_PROPERTY, Integer.toString(https));
            System.setProperty(Sidecar.MANAGEMENT_PORT_PROPERTY, Integer.toString(management));
        }
        return config;
    }

    /**
     * The certificate settings alone, for test profiles that bring their own upstream. Test profiles and
     * tests run in different class loaders, so the PKI is found through a system property, not a field.
     */
    public static synchronized Map<String, String> certificateConfig() {
        String dir = System.getProperty(PKI_PROPERTY);
        if (dir == null) {
            TestPki pki = new TestPki();
            pki.write("tls", pki.server("EC"));
            dir = pki.dir().toString();
            System.setProperty(PKI_PROPERTY, dir);
        }
        return Map.of("sidecar.tls.cert", Path.of(dir, "tls.crt").toString(),
                "sidecar.tls.key", Path.of(dir, "tls.key").toString());
    }

    /** The per-run PKI, with its CA key, to issue more certificates. */
    public static TestPki pki() {
        certificateConfig();
        return TestPki.load(Path.of(System.getProperty(PKI_PROPERTY)));
    }

    /** The CA that issued the served certificate. */
    public static X509Certificate ca() {
        certificateConfig();
        Path file = Path.of(System.getProperty(PKI_PROPERTY), "ca.crt");
        try {
            return CertificateLoader.parseChain(file, Files.readAllBytes(file))[0];
        } catch (IOException | CertificateException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client TLS context trusting only the test CA. */
    public static SSLContext clientContext() {
        return TestPki.clientContext(ca());
    }

    @Override
    public synchronized void stop() {
        // The upstream and PKI live for the whole test JVM: several Quarkus restarts share them.
    }

    /** The upstream application. */
    public static Upstream upstream() {
        return upstream;
    }

}
