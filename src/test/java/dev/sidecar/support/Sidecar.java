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
        return socket(SidecarTestResource.clientContext());
    }

    /** Like {@link #socket()}, with the client TLS context given. */
    public static SSLSocket socket(javax.net.ssl.SSLContext context) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", httpsPort());
        SSLParameters params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] { "http/1.1" });
        socket.setSSLParameters(params);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    /** Sends a WebSocket handshake for {@code /ws} (RFC 6455 §4.1) on {@code socket}; returns the response head. */
    public static String openWebSocket(SSLSocket socket) throws IOException {
        socket.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return readHead(socket.getInputStream());
    }

    /** Sends raw bytes on a new connection and reads until the server closes it or the timeout. */
    public static String raw(String request) throws IOException {
        try (SSLSocket socket = socket()) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return readAll(socket.getInputStream());
        }
    }

    /** What came back on one connection: everything the sidecar sent, and whether it closed the connection. */
    public record Reply(String text, boolean closed) {
        /** The status code of the first response, or 0 when none arrived. */
        public int status() {
            return text.startsWith("HTTP/1.") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : 0;
        }
    }

    /** Sends raw bytes on a new connection; reads until the sidecar closes it, or for at most 5 s. */
    public static Reply send(String request) throws IOException {
        try (SSLSocket socket = socket()) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return read(socket.getInputStream());
        }
    }

    /** Reads until the peer closes the connection (closed) or nothing arrives for the socket timeout (open). */
    public static Reply read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        boolean closed = true;
        try {
            for (int n; (n = in.read(buf)) > 0;) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            closed = false;
        } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
            // closed without close_notify, or reset: closed all the same
        }
        return new Reply(out.toString(StandardCharsets.ISO_8859_1), closed);
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

    /** Reads lines until one contains {@code text}; false at end of stream. */
    public static boolean readUntil(java.io.BufferedReader in, String text) throws IOException {
        for (String l; (l = in.readLine()) != null;) {
            if (l.contains(text)) {
                return true;
            }
        }
        return false;
    }

    /** POSTs {@code bytes} zero bytes to {@code /upload} as fast as TLS takes them; returns the response head. */
    public static String upload(long bytes) throws IOException {
        try (SSLSocket socket = socket()) {
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + bytes + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[256 * 1024];
            for (long sent = 0; sent < bytes; sent += block.length) {
                out.write(block, 0, (int) Math.min(block.length, bytes - sent));
            }
            out.flush();
            return readHead(socket.getInputStream());
        }
    }

    /** GETs {@code /download} of {@code bytes}; returns how many body bytes arrived. */
    public static long download(long bytes) throws IOException {
        long received = 0;
        try (SSLSocket socket = socket()) {
            socket.getOutputStream().write(("GET /download?size=" + bytes + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (!head.startsWith("HTTP/1.1 200") || !head.toLowerCase().contains("content-length: " + bytes)) {
                throw new IOException("unexpected response: " + head);
            }
            byte[] buf = new byte[256 * 1024];
            for (int n; received < bytes && (n = in.read(buf)) > 0;) {
                received += n;
            }
        }
        return received;
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
