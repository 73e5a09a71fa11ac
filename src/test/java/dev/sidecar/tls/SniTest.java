package dev.sidecar.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import dev.sidecar.support.Scratch;
import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import dev.sidecar.support.TestPki;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Several certificates chosen by SNI, ECDSA and RSA for the same name, and a default for everyone else. */
@QuarkusTest
@QuarkusTestResource(value = SidecarTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(SniTest.TwoNames.class)
class SniTest {

    /** api.example.com with an ECDSA and an RSA certificate, shop.example.com with ECDSA. */
    public static class TwoNames implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            SidecarTestResource.certificateConfig();
            TestPki pki = SidecarTestResource.pki();
            try {
                Path dir = Scratch.directory("sni-");
                write(pki, dir, "api-ec", "EC", "api.example.com");
                write(pki, dir, "api-rsa", "RSA", "api.example.com");
                write(pki, dir, "shop", "EC", "shop.example.com");
                Map<String, String> config = new HashMap<>();
                config.put("sidecar.tls.sni-dir", dir.toString());
                // ECDSA and RSA for one name are told apart by the client's signature algorithms, which only
                // the JDK engine passes to the key manager (see README, "Certificates").
                config.put("sidecar.tls.engine", "jdk");
                return config;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private static void write(TestPki pki, Path dir, String file, String type, String name) throws Exception {
            var issued = pki.server(type, name, List.of(name), Instant.now().minus(Duration.ofHours(1)),
                    Instant.now().plus(Duration.ofDays(1)));
            Files.writeString(dir.resolve(file + ".crt"), DevCertificates.pem(issued.certificate()));
            Files.writeString(dir.resolve(file + ".key"), DevCertificates.pkcs8(issued.keys().getPrivate()));
        }
    }

    private static X509Certificate served(String serverName, String... signatureSchemes) throws Exception {
        javax.net.ssl.SSLContext ctx = SidecarTestResource.clientContext();
        if (signatureSchemes.length > 0) {
            // A client limited to some signature schemes cannot verify a chain signed with others; this test
            // looks only at which certificate it is given.
            ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] { new AcceptAnyServer() }, null);
        }
        try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", Sidecar.httpsPort())) {
            SSLParameters p = socket.getSSLParameters();
            if (serverName != null) {
                p.setServerNames(List.of(new SNIHostName(serverName)));
            }
            p.setEndpointIdentificationAlgorithm(null); // the test reads the certificate; names are checked below
            if (signatureSchemes.length > 0) {
                p.setSignatureSchemes(signatureSchemes);
            }
            socket.setSSLParameters(p);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void servesTheCertificateForTheRequestedName() throws Exception {
        assertEquals("CN=api.example.com", served("api.example.com").getSubjectX500Principal().getName());
        assertEquals("CN=shop.example.com", served("shop.example.com").getSubjectX500Principal().getName());
    }

    @Test
    void servesTheDefaultWithoutOrForAnUnknownName() throws Exception {
        assertEquals("CN=localhost", served(null).getSubjectX500Principal().getName());
        assertEquals("CN=localhost", served("unknown.example.org").getSubjectX500Principal().getName());
    }

    /**
     * Trusts any server: only for reading which certificate is served. Extended, so that JSSE does not add
     * its own algorithm checks on the chain (the test CA signs with ECDSA).
     */
    static final class AcceptAnyServer extends javax.net.ssl.X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
            // accepted: the test inspects the chain itself
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
            // accepted: the test inspects the chain itself
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // accepted: the test inspects the chain itself
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    @Test
    void servesRsaOrEcdsaByWhatTheClientSupports() throws Exception {
        X509Certificate ec = served("api.example.com", "ecdsa_secp256r1_sha256");
        assertEquals("EC", ec.getPublicKey().getAlgorithm());
        X509Certificate rsa = served("api.example.com", "rsa_pss_rsae_sha256", "rsa_pkcs1_sha256");
        assertEquals("RSA", rsa.getPublicKey().getAlgorithm());
        assertEquals("CN=api.example.com", rsa.getSubjectX500Principal().getName());
    }
}
