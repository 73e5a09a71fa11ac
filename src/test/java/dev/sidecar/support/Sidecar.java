package dev.sidecar.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.eclipse.microprofile.config.ConfigProvider;

import io.restassured.RestAssured;
import io.restassured.config.SSLConfig;
import io.restassured.specification.RequestSpecification;

/** How tests reach the running sidecar: its real ports, REST Assured over HTTPS, raw TLS sockets. */
public final class Sidecar {

    private Sidecar() {
    }

    /** Set when the sidecar runs as a packaged application in its own process. */
    static final String HTTPS_PORT_PROPERTY = "test.sidecar-https-port";
    static final String MANAGEMENT_PORT_PROPERTY = "test.sidecar-management-port";

    /** The HTTPS port the sidecar listens on (chosen by the OS). */
    public static int httpsPort() {
        Integer packaged = Integer.getInteger(HTTPS_PORT_PROPERTY);
        return packaged != null ? packaged
                : ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class);
    }

    /** The management port (chosen by the OS). */
    public static int managementPort() {
        Integer packaged = Integer.getInteger(MANAGEMENT_PORT_PROPERTY);
        return packaged != null ? packaged
                : ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }

    /** The public base URI. */
    public static URI base() {
        return URI.create("https://localhost:" + httpsPort());
    }

    /** REST Assured against the HTTPS listener, trusting only the test CA and checking the host name. */
    public static RequestSpecification https() {
        return RestAssured.given()
                .baseUri("https://localhost").port(httpsPort())
                .config(RestAssured.config().sslConfig(SSLConfig.sslConfig()
                        .trustStore(TestPki.trustStore(SidecarTestResource.ca()))));
    }

    /** REST Assured against the management interface. */
    public static RequestSpecification management() {
        return RestAssured.given().baseUri("http://localhost").port(managementPort());
    }

    /** A JDK HTTP client (HTTP/2 preferred) trusting the test CA. */
    public static HttpClient httpClient() {
        return HttpClient.newBuilder().sslContext(SidecarTestResource.clientContext())
                .version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A connected, handshaken TLS socket to the sidecar offering only http/1.1. */
    public static SSLSocket socket() throws IOException {
        SSLSocket socket = (SSLSocket) SidecarTestResource.clientContext().getSocketFactory()
                .createSocket("localhost", httpsPort());
        SSLParameters params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] { "http/1.1" });
        socket.setSSLParameters(params);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    /** Sends raw bytes on a new connection and reads until the server closes it or the timeout. */
    public static String raw(String request) throws IOException {
        try (SSLSocket socket = socket()) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readAll(socket.getInputStream());
        }
    }

    /** Reads until end of stream (or the socket timeout). */
    public static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) > 0;) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            // what arrived before the timeout is the answer
        } catch (javax.net.ssl.SSLException e) {
            // the peer closed without close_notify
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one HTTP/1.1 response head (up to the blank line). */
    public static String readHead(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            b.append((char) c);
            if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return b.toString();
    }
}
