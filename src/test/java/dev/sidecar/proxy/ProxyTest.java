package dev.sidecar.proxy;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import dev.sidecar.support.Upstream;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
@QuarkusTestResource(value = SidecarTestResource.class, restrictToAnnotatedClass = true)
class ProxyTest {

    private static Upstream upstream() {
        return SidecarTestResource.upstream();
    }

    @Test
    void forwardsPathAndQueryByteForByte() throws Exception {
        String target = "/a%2Fb/%7Euser;p=1/..%2F/x?q=%20x&y=%41&z=a+b&&e=%E2%82%AC&f=/?:@";
        String response = Sidecar.raw("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertEquals(target, upstream().last("/a%2Fb").uri());
    }

    @Test
    void forwardsEveryMethodAndBody() {
        for (String method : new String[] { "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" }) {
            Sidecar.https().body("payload").request(method, "/methods").then().statusCode(200)
                    .body(containsString(method + " /methods"));
            assertEquals(method, upstream().last("/methods").method());
        }
    }

    @Test
    void stripsHopByHopRequestHeadersIncludingThoseNamedInConnection() throws Exception {
        String response = Sidecar.raw("GET /hop-request HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close, X-Client-Secret\r\nX-Client-Secret: s3cr3t\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: foo/1\r\nTrailer: X-Foo\r\n"
                + "X-Kept: yes\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        Upstream.Seen seen = upstream().last("/hop-request");
        for (String name : new String[] { "X-Client-Secret", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade",
                "Trailer" }) {
            assertNull(seen.headers().get(name), name + " reached the application");
        }
        assertNotEquals("close", seen.headers().get("connection"));
        assertEquals("yes", seen.headers().get("x-kept"));
    }

    @Test
    void stripsHopByHopResponseHeadersIncludingThoseNamedInConnection() {
        Response r = Sidecar.https().get("/hop");
        r.then().statusCode(200).body(equalTo("hop")).header("x-end-to-end", "yes");
        for (String name : new String[] { "X-Hop-Secret", "Keep-Alive", "Proxy-Connection", "Upgrade" }) {
            assertNull(r.header(name), name + " reached the client");
        }
        assertFalse("X-Hop-Secret".equalsIgnoreCase(r.header("connection")));
    }

    @Test
    void setsForwardedHeadersAndReplacesSpoofedOnes() {
        int port = Sidecar.httpsPort();
        Sidecar.https()
                .header("X-Forwarded-For", "6.6.6.6").header("X-Forwarded-Proto", "http")
                .header("X-Forwarded-Host", "evil.example").header("X-Forwarded-Port", "1")
                .header("Forwarded", "for=6.6.6.6;proto=http")
                .get("/forwarded").then().statusCode(200);
        Upstream.Seen seen = upstream().last("/forwarded");
        assertEquals("127.0.0.1", seen.headers().get("x-forwarded-for"));
        assertEquals("https", seen.headers().get("x-forwarded-proto"));
        assertEquals("localhost:" + port, seen.headers().get("x-forwarded-host"));
        assertEquals(Integer.toString(port), seen.headers().get("x-forwarded-port"));
        assertEquals("for=127.0.0.1;host=\"localhost:" + port + "\";proto=https", seen.headers().get("forwarded"));
        assertEquals(1, seen.headers().getAll("forwarded").size());
    }

    @Test
    void keepsTheClientHostHeader() {
        Sidecar.https().header("Host", "app.example.com").get("/host").then().statusCode(200);
        assertEquals("app.example.com", upstream().last("/host").headers().get("host"));
    }

    @Test
    void sendsARequestIdToTheAppAndBackToTheClient() {
        String generated = Sidecar.https().get("/rid-new").then().statusCode(200).extract().header("x-request-id");
        assertTrue(generated.matches("[0-9a-f]{32}"), generated);
        assertEquals(generated, upstream().last("/rid-new").headers().get("x-request-id"));

        Sidecar.https().header("X-Request-Id", "abc-123").get("/rid-kept").then().statusCode(200)
                .header("x-request-id", "abc-123");
        assertEquals("abc-123", upstream().last("/rid-kept").headers().get("x-request-id"));

        String replaced = Sidecar.https().header("X-Request-Id", "bad\tid\"{}").get("/rid-bad").then()
                .extract().header("x-request-id");
        assertTrue(replaced.matches("[0-9a-f]{32}"), replaced);
    }

    @Test
    void streamsChunkedRequestBodies() throws Exception {
        upstream().forgetUploads();
        String response = Sidecar.raw("POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.endsWith("11"), response);
        assertEquals(11, upstream().nextUpload(5));
    }

    @Test
    void relaysExpectContinueFromTheApp() throws Exception {
        upstream().forgetUploads();
        try (SSLSocket socket = Sidecar.socket()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /continue HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
                    + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String interim = Sidecar.readHead(socket.getInputStream());
            assertTrue(interim.startsWith("HTTP/1.1 100"), interim);
            out.write("body".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = Sidecar.readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
        }
        assertEquals(4, upstream().nextUpload(5));
    }

    @Test
    void deliversServerSentEventsAsTheAppWritesThem() throws Exception {
        try (SSLSocket socket = Sidecar.socket()) {
            socket.getOutputStream().write("GET /sse HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            assertTrue(Sidecar.readUntil(in, "data: first"), "first event not delivered while the stream is open");
            upstream().sse("second");
            assertTrue(Sidecar.readUntil(in, "data: second"), "second event not delivered");
            upstream().sse(null);
        }
    }

    @Test
    void tunnelsWebSocketsBothWays() throws Exception {
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket ws = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .sslContext(SidecarTestResource.clientContext()).build().newWebSocketBuilder()
                .buildAsync(Sidecar.base().resolve("/ws").toString().replace("https:", "wss:")
                        .transform(java.net.URI::create), new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                echoed.complete(data.toString());
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        ws.sendText("hello through the tunnel", true);
        assertEquals("hello through the tunnel", echoed.get(10, TimeUnit.SECONDS));
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        assertEquals("websocket", upstream().last("/ws").headers().get("upgrade"));
    }

    @Test
    void answersTheWebSocketHandshakeWithTheAppsAccept() throws Exception {
        try (SSLSocket socket = Sidecar.socket()) {
            String head = Sidecar.openWebSocket(socket);
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new AssertionError(head + Sidecar.readAll(socket.getInputStream()));
            }
            assertTrue(head.toLowerCase().contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="), head);
            // One masked text frame "hi" (RFC 6455 §5.2); the app echoes it unmasked.
            socket.getOutputStream().write(new byte[] { (byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2 });
            socket.getOutputStream().flush();
            byte[] echo = socket.getInputStream().readNBytes(4);
            assertEquals("[-127, 2, 104, 105]", java.util.Arrays.toString(echo));
        }
    }

    @Test
    void servesHttp2ClientsAgainstAnHttp11App() throws Exception {
        HttpResponse<String> r = Sidecar.httpClient().send(
                HttpRequest.newBuilder(Sidecar.base().resolve("/h2?x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(java.net.http.HttpClient.Version.HTTP_2, r.version());
        assertTrue(r.body().startsWith("GET /h2?x=1"), r.body());
        assertEquals("HTTP_1_1", upstream().last("/h2").version());
        assertEquals("localhost:" + Sidecar.httpsPort(), upstream().last("/h2").headers().get("host"));
        assertTrue(r.headers().firstValue("connection").isEmpty(), "HTTP/2 forbids Connection");
    }

    @Test
    void postsHttp2BodiesWithoutContentLength() throws Exception {
        HttpResponse<String> r = Sidecar.httpClient().send(
                HttpRequest.newBuilder(Sidecar.base().resolve("/upload"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new java.io.ByteArrayInputStream(new byte[100_000])))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("100000", r.body());
    }

    @Test
    void reusesUpstreamConnections() throws Exception {
        try (SSLSocket socket = Sidecar.socket()) {
            for (String path : new String[] { "/pool-1", "/pool-2" }) {
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String head = Sidecar.readHead(socket.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 200"), head);
                int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
                socket.getInputStream().readNBytes(length);
            }
        }
        assertEquals(upstream().last("/pool-1").remote(), upstream().last("/pool-2").remote());
    }

    @Test
    void answers504WhenTheAppDoesNotAnswerInTime() {
        Sidecar.https().get("/silent").then().statusCode(504)
                .header("content-type", containsString("text/plain"))
                .body(containsString("did not answer in time"));
    }

    @Test
    void answers502WhenTheAppClosesTheConnection() {
        Sidecar.https().get("/reset").then().statusCode(502).body(containsString("closed the connection"));
    }

    /** Sends {@code first}, reads its whole response, then sends {@code second} on the same connection. */
    private static String afterWarmUp(String second) throws Exception {
        try (SSLSocket socket = Sidecar.socket()) {
            socket.getOutputStream().write("GET /pool-warm HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String head = Sidecar.readHead(socket.getInputStream());
            int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
            socket.getInputStream().readNBytes(length);
            // The upstream connection that served the warm-up is back in the pool and is reused now.
            socket.getOutputStream().write(second.getBytes(StandardCharsets.US_ASCII));
            return Sidecar.readAll(socket.getInputStream());
        }
    }

    @Test
    void retriesAnIdempotentRequestOnceWhenTheAppClosesAReusedConnection() throws Exception {
        String response = afterWarmUp("GET /closes-reused HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.contains("answered on a fresh connection"), response);
    }

    @Test
    void doesNotRetryARequestWithABody() throws Exception {
        String response = afterWarmUp("PUT /closes-reused HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n"
                + "Connection: close\r\n\r\nbody");
        assertTrue(response.startsWith("HTTP/1.1 502"), response);
    }

    @Test
    void rewritesARedirectToTheAppsOwnAddressToTheClientsOrigin() {
        Sidecar.https().redirects().follow(false).get("/redirect-to-self").then().statusCode(302)
                .header("location", "https://localhost:" + Sidecar.httpsPort() + "/landing?x=1");
    }

    @Test
    void cutsTheClientsStreamWhenTheAppDiesMidResponse() throws Exception {
        long start = System.nanoTime();
        String response = Sidecar.raw("GET /dies-midway HTTP/1.1\r\nHost: localhost\r\n\r\n");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        int body = response.length() - response.indexOf("\r\n\r\n") - 4;
        assertTrue(body < 100_000, "the client must not get a complete-looking response");
        assertTrue(millis < 5000, "the connection was left hanging for " + millis + " ms");
    }

    @Test
    void relaysTheAppsStatusCodes() {
        Sidecar.https().get("/status/404").then().statusCode(404);
        Sidecar.https().get("/status/503").then().statusCode(503);
        Sidecar.https().head("/status/204").then().statusCode(204);
    }

    @Test
    void answers431ForOversizedHeadersAnd414ForLongRequestLines() throws Exception {
        String bigHeader = "X-Big: " + "a".repeat(40_000) + "\r\n";
        String r1 = Sidecar.raw("GET /big HTTP/1.1\r\nHost: localhost\r\n" + bigHeader + "\r\n");
        assertTrue(r1.startsWith("HTTP/1.1 431"), r1);
        String r2 = Sidecar.raw("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertTrue(r2.matches("(?s)HTTP/1\\.[01] 414.*"), r2);
    }

    @Test
    void refusesConnect() throws Exception {
        int before = upstream().seen().size();
        String r = Sidecar.raw("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nConnection: close\r\n\r\n");
        assertTrue(r.matches("(?s)HTTP/1\\.1 4\\d\\d.*"), r);
        assertEquals(before, upstream().seen().size(), "CONNECT reached the application");
    }

    /**
     * A download leaves in full-size TLS records: the sidecar writes what it read from the application in one
     * piece, not cut at the HTTP decoder's default of 8 KiB (each piece a record and a {@code send()} of its own).
     */
    @Test
    void sendsADownloadInFullSizeTlsRecords() throws Exception {
        int size = 4 << 20;
        RecordSizes records = new RecordSizes(Sidecar.httpsPort());
        try (SSLSocket tls = (SSLSocket) SidecarTestResource.clientContext().getSocketFactory()
                .createSocket(records, "localhost", Sidecar.httpsPort(), true)) {
            tls.getOutputStream().write(("GET /download?size=" + size + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = tls.getInputStream();
            assertTrue(Sidecar.readHead(in).startsWith("HTTP/1.1 200"));
            assertEquals(size, in.transferTo(OutputStream.nullOutputStream()));
        }
        // An 8 KiB piece is a record of 8,209 bytes (content type and AEAD tag added); a full one carries 16 KiB.
        assertTrue(records.over(9000) > records.over(0) / 2, "bytes in records over 9,000 bytes: "
                + records.over(9000) + " of " + records.over(0) + "; largest record " + records.largest());
    }

    /** A TCP socket that notes the size of every TLS application-data record it receives. */
    private static final class RecordSizes extends Socket {
        private final List<Integer> sizes = new ArrayList<>();
        private InputStream in;

        RecordSizes(int port) throws IOException {
            super("localhost", port);
        }

        long over(int bytes) {
            return sizes.stream().filter(n -> n > bytes).mapToLong(Integer::longValue).sum();
        }

        int largest() {
            return sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new FilterInputStream(super.getInputStream()) {
                    private final byte[] header = new byte[5];
                    private int headerRead;
                    private int bodyLeft;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        for (int i = off; i < off + n;) {
                            if (bodyLeft > 0) {
                                int skip = Math.min(bodyLeft, off + n - i);
                                bodyLeft -= skip;
                                i += skip;
                                continue;
                            }
                            header[headerRead++] = b[i++];
                            if (headerRead == header.length) {
                                headerRead = 0;
                                bodyLeft = (header[3] & 0xff) << 8 | header[4] & 0xff;
                                if (header[0] == 23) {
                                    sizes.add(bodyLeft);
                                }
                            }
                        }
                        return n;
                    }
                };
            }
            return in;
        }
    }
}
