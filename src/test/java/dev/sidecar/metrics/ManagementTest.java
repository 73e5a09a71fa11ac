package dev.sidecar.metrics;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Health and Prometheus metrics on the plain-HTTP management port; the TLS policy of the public port. */
@QuarkusTest
@QuarkusTestResource(value = SidecarTestResource.class, restrictToAnnotatedClass = true)
class ManagementTest {

    @Test
    void reportsLiveReadyAndStarted() {
        Sidecar.management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        Sidecar.management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'certificate' }.data.subject", equalTo("CN=localhost"))
                .body("checks.find { it.name == 'upstream' }.status", equalTo("UP"));
        Sidecar.management().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void showsTheServedCertificatesWithoutKeyMaterial() throws Exception {
        java.nio.file.Path cert = java.nio.file.Path.of(SidecarTestResource.certificateConfig().get("sidecar.tls.cert"));
        java.security.cert.X509Certificate served = dev.sidecar.tls.CertificateLoader.parseChain(cert,
                java.nio.file.Files.readAllBytes(cert))[0];
        String fingerprint = java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(served.getEncoded()));
        String body = Sidecar.management().get("/q/sidecar/certificates").then().statusCode(200)
                .body("served[0].subject", equalTo("CN=localhost"))
                .body("served[0].serial", equalTo(served.getSerialNumber().toString(16)))
                .body("served[0].sha256", equalTo(fingerprint))
                .body("served[0].sans", org.hamcrest.Matchers.hasItems("localhost", "127.0.0.1"))
                .body("served[0].default", equalTo(true))
                .extract().asString();
        assertTrue(!body.contains("PRIVATE") && !body.contains("key\":"), body);
    }

    @Test
    void keepsStateChangingEndpointsOffByDefault() {
        Sidecar.management().post("/q/sidecar/reload").then().statusCode(404)
                .body(containsString("sidecar.management.reload-enabled"));
        Sidecar.management().post("/q/sidecar/shutdown").then().statusCode(404);
    }

    @Test
    void healthIsNotServedOnThePublicPort() {
        Sidecar.https().get("/q/health/live").then().body(containsString("GET /q/health/live"));
    }

    @Test
    void exportsTheSidecarsOwnMetrics() {
        Sidecar.https().get("/metrics-probe").then().statusCode(200);
        Sidecar.https().get("/status/404").then().statusCode(404);
        Sidecar.management().get("/q/metrics").then().statusCode(200)
                .body(containsString("sidecar_requests_total{method=\"GET\",status=\"2xx\"}"))
                .body(containsString("sidecar_requests_total{method=\"GET\",status=\"4xx\"}"))
                .body(containsString("sidecar_request_duration_seconds_bucket{le=\"0.1\"}"))
                .body(containsString("sidecar_upstream_duration_seconds_count"))
                .body(containsString("sidecar_received_bytes_total"))
                .body(containsString("sidecar_sent_bytes_total"))
                .body(containsString("sidecar_connections_active"))
                .body(containsString("sidecar_tls_handshakes_total"))
                .body(containsString("sidecar_certificate_expiry_timestamp_seconds{serial=\""))
                .body(containsString("sidecar_certificate_reloads_total"));
    }

    @Test
    void exportsTheServedCertificatesExpiryAsItsNotAfter() throws Exception {
        java.nio.file.Path cert = java.nio.file.Path.of(SidecarTestResource.certificateConfig().get("sidecar.tls.cert"));
        java.security.cert.X509Certificate served = dev.sidecar.tls.CertificateLoader.parseChain(cert,
                java.nio.file.Files.readAllBytes(cert))[0];
        String line = Sidecar.management().get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith("sidecar_certificate_expiry_timestamp_seconds{")
                        && l.contains("serial=\"" + served.getSerialNumber().toString(16) + "\""))
                .findFirst().orElseThrow(() -> new AssertionError("no expiry gauge for the served certificate"));
        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        org.junit.jupiter.api.Assertions.assertEquals(served.getNotAfter().toInstant().getEpochSecond(), (long) value);
    }

    @Test
    void refusesTls10And11WithAProtocolVersionAlertAndCountsIt() throws Exception {
        // The JDK's client will not even offer TLS 1.0/1.1 any more, so the ClientHello is written by hand.
        for (int minor : new int[] { 1, 2 }) {
            try (Socket plain = new Socket("localhost", Sidecar.httpsPort())) {
                plain.getOutputStream().write(legacyClientHello(minor));
                plain.getOutputStream().flush();
                plain.setSoTimeout(5000);
                byte[] answer = plain.getInputStream().readAllBytes();
                assertTrue(answer.length >= 7 && answer[0] == 0x15 && answer[5] == 2 && answer[6] == 70,
                        "a fatal protocol_version alert, then the end: " + java.util.HexFormat.of().formatHex(answer));
            }
        }
        awaitMetric("sidecar_tls_handshake_failures_total{reason=\"protocol_version\"}");
    }

    /** A TLS 1.{minor - 1} ClientHello with ECDHE-CBC and RSA suites, without the TLS 1.3 supported_versions extension. */
    private static byte[] legacyClientHello(int minor) {
        java.io.ByteArrayOutputStream hello = new java.io.ByteArrayOutputStream();
        hello.writeBytes(new byte[] { 3, (byte) minor });
        hello.writeBytes(new byte[32]); // client random
        hello.write(0); // no session id
        hello.writeBytes(new byte[] { 0, 4, (byte) 0xc0, 0x13, 0x00, 0x2f }); // two cipher suites
        hello.writeBytes(new byte[] { 1, 0 }); // null compression only
        byte[] body = hello.toByteArray();
        java.nio.ByteBuffer record = java.nio.ByteBuffer.allocate(9 + body.length);
        record.put((byte) 0x16).put((byte) 3).put((byte) 1).putShort((short) (4 + body.length));
        record.put((byte) 1).put((byte) 0).putShort((short) body.length).put(body);
        return record.array();
    }

    @Test
    void refusesTls12WithoutForwardSecrecyOrAead() throws Exception {
        for (String cipher : new String[] { "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256" }) {
            try (SSLSocket socket = (SSLSocket) SidecarTestResource.clientContext().getSocketFactory()
                    .createSocket("localhost", Sidecar.httpsPort())) {
                socket.setEnabledProtocols(new String[] { "TLSv1.2" });
                socket.setEnabledCipherSuites(new String[] { cipher });
                assertThrows(SSLHandshakeException.class, socket::startHandshake, cipher);
            }
        }
        awaitMetric("sidecar_tls_handshake_failures_total{reason=\"no_shared_cipher\"}");
        try (SSLSocket socket = (SSLSocket) SidecarTestResource.clientContext().getSocketFactory()
                .createSocket("localhost", Sidecar.httpsPort())) {
            socket.setEnabledProtocols(new String[] { "TLSv1.2" });
            socket.setEnabledCipherSuites(new String[] { "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" });
            socket.startHandshake();
        }
    }

    @Test
    void refusesClientInitiatedRenegotiation() throws Exception {
        try (SSLSocket socket = (SSLSocket) SidecarTestResource.clientContext().getSocketFactory()
                .createSocket("localhost", Sidecar.httpsPort())) {
            socket.setEnabledProtocols(new String[] { "TLSv1.2" });
            socket.setSoTimeout(5000);
            socket.startHandshake();
            socket.getSession().invalidate();
            assertThrows(java.io.IOException.class, () -> {
                socket.startHandshake(); // a second handshake on the same connection: renegotiation
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                if (socket.getInputStream().read() < 0) {
                    throw new java.io.EOFException("closed");
                }
            });
        }
    }

    @Test
    void offersH2AndHttp11ThroughAlpn() throws Exception {
        try (SSLSocket socket = (SSLSocket) SidecarTestResource.clientContext().getSocketFactory()
                .createSocket("localhost", Sidecar.httpsPort())) {
            SSLParameters p = socket.getSSLParameters();
            p.setApplicationProtocols(new String[] { "h2", "http/1.1" });
            socket.setSSLParameters(p);
            socket.startHandshake();
            assertTrue("h2".equals(socket.getApplicationProtocol()), socket.getApplicationProtocol());
            assertTrue("TLSv1.3".equals(socket.getSession().getProtocol()));
        }
    }

    @Test
    void countsPlainHttpSentToTheTlsPort() throws Exception {
        try (Socket plain = new Socket("localhost", Sidecar.httpsPort())) {
            OutputStream out = plain.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            plain.setSoTimeout(5000);
            plain.getInputStream().read();
        }
        awaitMetric("sidecar_tls_handshake_failures_total{reason=\"not_tls\"}");
    }

    @Test
    void closesAConnectionThatSendsGarbageAndCountsIt() throws Exception {
        byte[] garbage = new byte[512];
        new java.util.Random(42).nextBytes(garbage);
        // A TLS handshake record header announcing the 507 bytes that follow, whose contents make no sense: the
        // whole record arrives, so each engine must judge it (not wait for more until the handshake timeout).
        garbage[0] = 0x16;
        garbage[1] = 0x03;
        garbage[2] = 0x03;
        garbage[3] = 0x01;
        garbage[4] = (byte) 0xfb;
        try (Socket plain = new Socket("localhost", Sidecar.httpsPort())) {
            plain.getOutputStream().write(garbage);
            plain.getOutputStream().flush();
            plain.setSoTimeout(5000);
            byte[] answer = plain.getInputStream().readAllBytes(); // at most a TLS alert, then end of stream
            assertTrue(answer.length < 64, "only an alert may come back: " + answer.length + " bytes");
        }
        awaitMetric("sidecar_tls_handshake_failures_total{reason=\"other\"}");
    }

    private static void awaitMetric(String text) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (true) {
            String body = Sidecar.management().get("/q/metrics").asString();
            if (body.contains(text)) {
                return;
            }
            assertTrue(Instant.now().isBefore(deadline), text + " not in\n" + body.lines()
                    .filter(l -> l.startsWith("sidecar_tls")).toList());
            Thread.sleep(100);
        }
    }
}
