package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.MultiMap;

class ForwardedHeadersTest {

    private static MultiMap spoofed() {
        return MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "203.0.113.7")
                .add("X-Forwarded-Proto", "http").add("X-Forwarded-Host", "shop.example")
                .add("X-Forwarded-Port", "80").add("Forwarded", "for=203.0.113.7;proto=http");
    }

    @Test
    void replacesEverythingFromAnUntrustedClient() {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        ForwardedHeaders.apply(spoofed(), out, false, "192.0.2.1", "app.example:8443", 8443);
        assertEquals("192.0.2.1", out.get("x-forwarded-for"));
        assertEquals("https", out.get("x-forwarded-proto"));
        assertEquals("app.example:8443", out.get("x-forwarded-host"));
        assertEquals("8443", out.get("x-forwarded-port"));
        assertEquals("for=192.0.2.1;host=\"app.example:8443\";proto=https", out.get("forwarded"));
    }

    @Test
    void appendsToATrustedProxysHeaders() {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        ForwardedHeaders.apply(spoofed(), out, true, "10.0.0.9", "app.example", 8443);
        assertEquals("203.0.113.7, 10.0.0.9", out.get("x-forwarded-for"));
        assertEquals("http", out.get("x-forwarded-proto"));
        assertEquals("shop.example", out.get("x-forwarded-host"));
        assertEquals("80", out.get("x-forwarded-port"));
        assertEquals("for=203.0.113.7;proto=http, for=10.0.0.9;host=app.example;proto=https", out.get("forwarded"));
    }

    @Test
    void quotesIpv6NodesAsRfc7239Requires() {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        ForwardedHeaders.apply(MultiMap.caseInsensitiveMultiMap(), out, false, "2001:db8::1", null, 8443);
        assertEquals("for=\"[2001:db8::1]\";proto=https", out.get("forwarded"));
        assertFalse(out.contains("x-forwarded-host"));
    }

    @Test
    void matchesTrustedProxyRanges() {
        TrustedProxies trusted = TrustedProxies.parse(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8"));
        assertTrue(trusted.trusts("10.200.3.4"));
        assertTrue(trusted.trusts("192.168.1.7"));
        assertFalse(trusted.trusts("192.168.1.8"));
        assertTrue(trusted.trusts("fd12::1"));
        assertFalse(trusted.trusts("fe80::1"));
        assertFalse(trusted.trusts("not-an-ip"));
        assertFalse(TrustedProxies.none().trusts("10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(List.of("10.0.0.0/33")));
        assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(List.of("proxy.local")));
    }
}
