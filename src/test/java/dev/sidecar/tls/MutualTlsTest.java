package dev.sidecar.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import dev.sidecar.support.TestPki;
import dev.sidecar.support.Upstream;
import dev.sidecar.tls.DevCertificates.Issued;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Client certificates required, with allow-lists: allowed clients reach the application with their
 * certificate in RFC 9440 headers; anyone else fails the handshake and nothing reaches the application.
 */
@QuarkusTest
@QuarkusTestResource(value = SidecarTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(MutualTlsTest.ClientCertificatesRequired.class)
class MutualTlsTest {

    /** mTLS on, trusting the test CA, allowing one CN and one SPIFFE ID. */
    public static class ClientCertificatesRequired implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>();
            String cert = SidecarTestResource.certificateConfig().get("sidecar.tls.cert");
            config.put("sidecar.tls.client-auth", "required");
            config.put("sidecar.tls.client-ca", cert.replace("tls.crt", "ca.crt"));
            config.put("sidecar.tls.allow-cn", "trusted-client");
            config.put("sidecar.tls.allow-uri", "spiffe://example.org/ns/prod/sa/billing");
            return config;
        }
    }

    private static String request(SSLContext ctx, String request) throws IOException {
        try (SSLSocket socket = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", Sidecar.httpsPort())) {
            SSLParameters p = socket.getSSLParameters();
            p.setApplicationProtocols(new String[] { "http/1.1" });
            socket.setSSLParameters(p);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String response = Sidecar.readAll(socket.getInputStream());
            if (response.isEmpty()) {
                throw new IOException("connection closed without a response");
            }
            return response;
        }
    }

    private static Upstream upstream() {
        return SidecarTestResource.upstream();
    }

    @Test
    void forwardsAnAllowedClientsCertificateInRfc9440Headers() throws Exception {
        TestPki pki = SidecarTestResource.pki();
        Issued client = pki.client("trusted-client", List.of());
        String response = request(TestPki.clientContext(pki.ca().certificate(), client),
                "GET /mtls HTTP/1.1\r\nHost: localhost\r\nClient-Cert: :Zm9yZ2Vk:\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        String expected = ":" + Base64.getEncoder().encodeToString(client.certificate().getEncoded()) + ":";
        assertEquals(expected, upstream().last("/mtls").headers().get("client-cert"));
        assertEquals(1, upstream().last("/mtls").headers().getAll("client-cert").size(), "the forged copy must go");
        assertNull(upstream().last("/mtls").headers().get("client-cert-chain"));
    }

    @Test
    void acceptsAnAllowedSpiffeId() throws Exception {
        TestPki pki = SidecarTestResource.pki();
        Issued client = pki.client("workload", List.of("spiffe://example.org/ns/prod/sa/billing"));
        String response = request(TestPki.clientContext(pki.ca().certificate(), client),
                "GET /spiffe HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
    }

    @Test
    void refusesAClientOutsideTheAllowLists() {
        TestPki pki = SidecarTestResource.pki();
        Issued stranger = pki.client("someone-else", List.of("spiffe://example.org/ns/dev/sa/x"));
        int before = upstream().seen().size();
        assertThrows(IOException.class, () -> request(TestPki.clientContext(pki.ca().certificate(), stranger),
                "GET /denied HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        assertEquals(before, upstream().seen().size(), "a refused client reached the application");
    }

    @Test
    void refusesAClientWithoutCertificateOrFromAnotherCa() {
        TestPki pki = SidecarTestResource.pki();
        assertThrows(IOException.class, () -> request(TestPki.clientContext(pki.ca().certificate()),
                "GET /no-cert HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        TestPki other = new TestPki();
        Issued foreign = other.client("trusted-client", List.of());
        assertThrows(IOException.class, () -> request(TestPki.clientContext(pki.ca().certificate(), foreign),
                "GET /foreign HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
    }
}
