package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.MultiMap;

class HeaderRulesTest {

    @Test
    void knowsTheHopByHopHeadersOfRfc9110() {
        for (String name : List.of("Connection", "keep-alive", "Proxy-Connection", "TE", "Transfer-Encoding",
                "Upgrade", "Trailer")) {
            assertTrue(HeaderRules.isHopByHop(name), name);
        }
        for (String name : List.of("Content-Length", "Host", "Cookie", "Trailers", "X-Upgrade")) {
            assertFalse(HeaderRules.isHopByHop(name), name);
        }
    }

    @Test
    void stripsHeadersNamedInConnection() {
        MultiMap in = MultiMap.caseInsensitiveMultiMap()
                .add("Connection", "keep-alive, X-Secret").add("Connection", " x-other ")
                .add("X-Secret", "1").add("X-Other", "2").add("X-Kept", "3").add("Cookie", "a=b");
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        HeaderRules.copyRequestHeaders(in, out);
        assertNull(out.get("x-secret"));
        assertNull(out.get("x-other"));
        assertNull(out.get("connection"));
        assertEquals("3", out.get("x-kept"));
        assertEquals("a=b", out.get("cookie"));
    }

    @Test
    void neverCopiesClientForwardingOrIdentityHeaders() {
        MultiMap in = MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "6.6.6.6")
                .add("Forwarded", "for=6.6.6.6").add("Client-Cert", ":abc:").add("Client-Cert-Chain", ":abc:")
                .add("Host", "h").add("X-Request-Id", "r").add("X-Forwarded-Prefix", "/kept");
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        HeaderRules.copyRequestHeaders(in, out);
        assertEquals(List.of("x-forwarded-prefix"), out.names().stream().map(String::toLowerCase).toList());
    }

    @Test
    void keepsContentLengthOnResponsesButNotTransferEncoding() {
        MultiMap in = MultiMap.caseInsensitiveMultiMap().add("Content-Length", "5").add("Transfer-Encoding", "chunked")
                .add("Connection", "close").add("Set-Cookie", "a").add("Set-Cookie", "b");
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        HeaderRules.copyResponseHeaders(in, out);
        assertEquals("5", out.get("content-length"));
        assertNull(out.get("transfer-encoding"));
        assertNull(out.get("connection"));
        assertEquals(List.of("a", "b"), out.getAll("set-cookie"));
    }

    @Test
    void dropsTheApplicationsServerHeader() {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        HeaderRules.copyResponseHeaders(MultiMap.caseInsensitiveMultiMap().add("Server", "Apache/2.2.15 (CentOS)")
                .add("X-Kept", "1"), out);
        assertNull(out.get("server"));
        assertEquals("1", out.get("x-kept"));
    }

    @Test
    void keepsPooledConnectionsASecondLessThanTheApplicationAndNoLongerThanTheSidecar() {
        assertEquals("timeout=4", HeaderRules.keepAliveForPool("timeout=65", 4));
        assertEquals("timeout=4", HeaderRules.keepAliveForPool("timeout=5, max=100", 4), "Node.js's default");
        assertEquals("timeout=2", HeaderRules.keepAliveForPool("max=10, timeout=3", 4));
        assertEquals("timeout=1", HeaderRules.keepAliveForPool("timeout=1", 4));
        assertEquals("timeout=4", HeaderRules.keepAliveForPool("timeout=soon", 4));
        assertEquals("max=10", HeaderRules.keepAliveForPool("max=10", 4));
    }

    @Test
    void recognisesWebSocketUpgradesOnly() {
        assertTrue(HeaderRules.isWebSocketUpgrade(MultiMap.caseInsensitiveMultiMap()
                .add("Upgrade", "WebSocket").add("Connection", "keep-alive, Upgrade")));
        assertFalse(HeaderRules.isWebSocketUpgrade(MultiMap.caseInsensitiveMultiMap()
                .add("Upgrade", "h2c").add("Connection", "Upgrade")));
        assertFalse(HeaderRules.isWebSocketUpgrade(MultiMap.caseInsensitiveMultiMap().add("Upgrade", "websocket")));
    }

    @Test
    void rewritesLocationsThatPointAtTheApplicationItself() {
        MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Location", "http://127.0.0.1:8080/login?next=/a")
                .add("Content-Location", "http://127.0.0.1:8080");
        HeaderRules.rewriteLocations(h, "http://127.0.0.1:8080", "app.example.com");
        assertEquals("https://app.example.com/login?next=/a", h.get("location"));
        assertEquals("https://app.example.com", h.get("content-location"));
    }

    @Test
    void leavesOtherLocationsAlone() {
        MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Location", "http://127.0.0.1:80801/x");
        HeaderRules.rewriteLocations(h, "http://127.0.0.1:8080", "app.example.com");
        assertEquals("http://127.0.0.1:80801/x", h.get("location"));
        h.set("Location", "https://elsewhere.example/x");
        HeaderRules.rewriteLocations(h, "http://127.0.0.1:8080", "app.example.com");
        assertEquals("https://elsewhere.example/x", h.get("location"));
        h.set("Location", "/relative");
        HeaderRules.rewriteLocations(h, "http://127.0.0.1:8080", "app.example.com");
        assertEquals("/relative", h.get("location"));
    }
}
