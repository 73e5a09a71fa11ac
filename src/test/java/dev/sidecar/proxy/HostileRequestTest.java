package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import dev.sidecar.support.Upstream;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A corpus of malformed and ambiguous HTTP/1.1 requests (RFC 9112 §6, §11.2). Each case asserts three things:
 * the status the client got, that the connection was closed (nothing after a refused request is trusted), and
 * what the application saw: nothing at all, neither the request nor the one smuggled behind it. A recording
 * upstream is the judge.
 */
@QuarkusTest
@QuarkusTestResource(value = SidecarTestResource.class, restrictToAnnotatedClass = true)
class HostileRequestTest {

    private static Upstream upstream() {
        return SidecarTestResource.upstream();
    }

    /** A second request hidden where a parser that disagrees would find it. */
    private static String smuggled(String name) {
        return "GET /smuggled/" + name + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    static Stream<Arguments> refusedBeforeTheApp() {
        return Stream.of(
                refused("content-length-and-chunked", 400, "POST", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                        "0\r\n\r\n"),
                refused("chunked-and-content-length", 400, "POST", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                        "0\r\n\r\n"),
                refused("two-different-content-lengths", 400, "POST", "Content-Length: 5\r\nContent-Length: 6\r\n", "abcde"),
                refused("content-length-list", 400, "POST", "Content-Length: 5, 6\r\n", "abcde"),
                refused("content-length-with-sign", 400, "POST", "Content-Length: +5\r\n", "abcde"),
                refused("negative-content-length", 400, "POST", "Content-Length: -1\r\n", "abcde"),
                refused("identity-then-content-length", 400, "POST",
                        "Transfer-Encoding: identity\r\nContent-Length: 5\r\n", "abcde"),
                refused("gzip-without-chunked", 400, "POST", "Transfer-Encoding: gzip\r\n", "0\r\n\r\n"),
                refused("unknown-coding-named-like-chunked", 400, "POST", "Transfer-Encoding: xchunked\r\n", "0\r\n\r\n"),
                refused("chunked-not-last", 400, "POST", "Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n"),
                refused("second-transfer-encoding-line", 400, "POST",
                        "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n", "0\r\n\r\n"),
                refused("coding-before-chunked", 501, "POST", "Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"),
                refused("vertical-tab-before-chunked", 400, "POST", "Transfer-Encoding: \u000bchunked\r\n", "0\r\n\r\n"),
                refused("space-before-colon-transfer-encoding", 400, "POST", "Transfer-Encoding : chunked\r\n",
                        "0\r\n\r\n"),
                refused("space-before-colon-content-length", 400, "POST", "Content-Length : 5\r\n", "abcde"),
                refused("nul-in-header-name", 400, "GET", "X-\u0000A: b\r\n", ""),
                refused("nul-in-header-value", 400, "GET", "X-A: b\u0000c\r\n", ""),
                refused("control-character-in-value", 400, "GET", "X-A: b\u0001c\r\n", ""),
                refused("delete-in-value", 400, "GET", "X-A: b\u007fc\r\n", ""),
                refused("bare-cr-in-value", 400, "GET", "X-A: a\rX-B: b\r\n", ""),
                refused("space-in-header-name", 400, "GET", "X A: b\r\n", ""),
                refused("header-line-without-colon", 400, "GET", "XA\r\n", ""),
                refused("two-host-headers", 400, "GET", "Host: y\r\n", ""),
                refused("too-many-header-fields", 431, "GET", "X-Many: 1\r\n".repeat(100), ""),
                // Heads the builder above cannot make: bare LF line ends, a fold before any header, no Host, a NUL path.
                raw("bare-lf", 400, "GET /hostile/bare-lf HTTP/1.1\nHost: x\n\n"),
                raw("first-fold", 400, "GET /hostile/first-fold HTTP/1.1\r\n Host: x\r\n\r\n"),
                raw("no-host", 400, "GET /hostile/no-host HTTP/1.1\r\n\r\n"),
                raw("nul-target", 400, "GET /hostile/nul-target\u0000x HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    private static Arguments raw(String name, int status, String head) {
        return Arguments.of(name, status, head + smuggled(name));
    }

    private static Arguments refused(String name, int status, String method, String headers, String body) {
        String request = method + " /hostile/" + name + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n" + body
                + smuggled(name);
        return Arguments.of(name, status, request);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusedBeforeTheApp(String name, int status, String request) throws Exception {
        Sidecar.Reply reply = Sidecar.send(request);
        assertEquals(status, reply.status(), reply.text());
        assertTrue(reply.closed(), "the connection must close after a refused request: " + reply.text());
        assertNothingReachedTheApp(name);
    }

    @Test
    void refusesAnUnknownHttpVersion() throws Exception {
        Sidecar.Reply reply = Sidecar.send("GET /hostile/version HTTP/1.2\r\nHost: x\r\n\r\n" + smuggled("version"));
        // Netty refuses some unknown versions itself (501), the sidecar the ones it lets through (505).
        assertTrue(reply.status() == 501 || reply.status() == 505, reply.text());
        assertTrue(reply.closed());
        assertNothingReachedTheApp("version");
    }

    static Stream<Arguments> brokenChunks() {
        return Stream.of(
                Arguments.of("chunk-size-not-hex", "zz\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("chunk-size-overflow", "ffffffffffffffffff1\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("chunk-without-crlf", "3\r\nabcXY0\r\n\r\n"),
                Arguments.of("chunk-extension-broken", "3;\nx\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("good-chunk-then-bad-size", "3\r\nabc\r\nzz\r\n0\r\n\r\n"));
    }

    /** The request head is fine, the body framing is not: the body never completes at the app, the client is cut. */
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void brokenChunks(String name, String body) throws Exception {
        Sidecar.Reply reply = Sidecar.send("POST /hostile/" + name + " HTTP/1.1\r\nHost: x\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + body + smuggled(name));
        assertTrue(reply.closed(), reply.text());
        assertTrue(reply.status() == 0 || reply.status() == 400, reply.text());
        assertFalse(upstream().completed().stream().anyMatch(u -> u.contains(name)),
                "a request with a broken body completed at the app: " + upstream().completed());
        assertFalse(upstream().seen().stream().anyMatch(s -> s.uri().startsWith("/smuggled/" + name)));
    }

    @Test
    void answersPipelinedRequestsInOrderEachReachingTheAppOnce() throws Exception {
        Sidecar.Reply reply = Sidecar.send("GET /pipeline/1 HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /pipeline/2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde"
                + "POST /pipeline/3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                + "GET /pipeline/4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        int at = 0;
        for (String expected : List.of("GET /pipeline/1", "POST /pipeline/2", "POST /pipeline/3", "GET /pipeline/4")) {
            int next = reply.text().indexOf(expected, at);
            assertTrue(next > at, "missing or out of order: " + expected + " in " + reply.text());
            at = next;
        }
        assertTrue(reply.closed());
        for (int i = 1; i <= 4; i++) {
            String uri = "/pipeline/" + i;
            assertEquals(1, upstream().seen().stream().filter(s -> s.uri().equals(uri)).count(), uri);
        }
    }

    @Test
    void forwardsAnAbsoluteFormTargetInOriginFormWithItsAuthorityAsHost() throws Exception {
        Sidecar.Reply reply = Sidecar.send("GET http://public.example/hostile/absolute?q=1 HTTP/1.1\r\n"
                + "Host: other.example\r\nConnection: close\r\n\r\n");
        assertEquals(200, reply.status(), reply.text());
        Upstream.Seen seen = upstream().last("/hostile/absolute");
        assertEquals("/hostile/absolute?q=1", seen.uri());
        assertEquals("public.example", seen.headers().get("host"));
    }

    @Test
    void refusesAnAbsoluteFormTargetWithUserinfo() throws Exception {
        Sidecar.Reply reply = Sidecar.send("GET http://user@public.example/hostile/userinfo HTTP/1.1\r\n"
                + "Host: x\r\n\r\n");
        assertEquals(400, reply.status(), reply.text());
        assertTrue(reply.closed());
        assertNothingReachedTheApp("userinfo");
    }

    @Test
    void replacesObsoleteLineFoldingWithASpace() throws Exception {
        // RFC 9112 §5.2 allows replacing obs-fold with SP before forwarding; the app never sees the CRLF.
        Sidecar.Reply reply = Sidecar.send("GET /hostile/fold HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n"
                + "Connection: close\r\n\r\n");
        assertEquals(200, reply.status(), reply.text());
        assertEquals("a b", upstream().last("/hostile/fold").headers().get("x-folded"));
    }

    @Test
    void removesUpgradesOtherThanWebSocket() throws Exception {
        Sidecar.Reply reply = Sidecar.send("GET /hostile/h2c HTTP/1.1\r\nHost: x\r\n"
                + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
                + "Connection: close\r\n\r\n");
        assertEquals(200, reply.status(), "no 101: " + reply.text());
        Upstream.Seen seen = upstream().last("/hostile/h2c");
        assertNull(seen.headers().get("upgrade"));
        assertNull(seen.headers().get("http2-settings"));
        assertFalse(seen.headers().contains("connection") && seen.headers().get("connection").contains("pgrade"));
    }

    private static void assertNothingReachedTheApp(String name) {
        List<String> reached = upstream().seen().stream().map(Upstream.Seen::uri)
                .filter(u -> u.contains("/hostile/" + name) || u.contains("/smuggled/" + name)).toList();
        assertEquals(List.of(), reached, "reached the app");
    }
}
