package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import io.vertx.core.MultiMap;

class RequestChecksTest {

    private static MultiMap headers(String... pairs) {
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < pairs.length; i += 2) {
            m.add(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private static Integer status(MultiMap headers) {
        RequestChecks.Refusal r = RequestChecks.checkHttp1(headers, true, 10);
        return r == null ? null : r.status();
    }

    @Test
    void passesAPlainRequestAndAChunkedOne() {
        assertNull(status(headers("Host", "a")));
        assertNull(status(headers("Host", "a", "Transfer-Encoding", "chunked")));
        assertNull(status(headers("Host", "a", "Transfer-Encoding", " Chunked ")));
    }

    @Test
    void requiresExactlyOneHostOnHttp11() {
        assertEquals(400, status(headers()));
        assertEquals(400, status(headers("Host", "a", "host", "b")));
        assertNull(RequestChecks.checkHttp1(headers(), false, 10), "HTTP/1.0 may omit Host");
    }

    @Test
    void refusesTransferEncodingWithContentLength() {
        assertEquals(400, status(headers("Host", "a", "Transfer-Encoding", "chunked", "Content-Length", "3")));
    }

    @Test
    void refusesTransferEncodingsThatDoNotEndWithChunked() {
        assertEquals(400, status(headers("Host", "a", "Transfer-Encoding", "gzip")));
        assertEquals(400, status(headers("Host", "a", "Transfer-Encoding", "chunked, gzip")));
        assertEquals(400, status(headers("Host", "a", "Transfer-Encoding", "chunked", "Transfer-Encoding", "x")));
        assertEquals(400, status(headers("Host", "a", "Transfer-Encoding", "xchunked")));
    }

    @Test
    void answers501ForCodingsBeforeChunked() {
        assertEquals(501, status(headers("Host", "a", "Transfer-Encoding", "gzip, chunked")));
        assertEquals(501, status(headers("Host", "a", "Transfer-Encoding", "gzip", "Transfer-Encoding", "chunked")));
    }

    @Test
    void countsRepeatedHeaderNamesAgainstTheLimit() {
        MultiMap many = headers("Host", "a");
        for (int i = 0; i < 9; i++) {
            many.add("X-Same", "v");
        }
        assertNull(status(many), "10 fields: at the limit");
        many.add("X-Same", "v");
        assertEquals(431, status(many));
    }

    @Test
    void keepsOriginFormAndAsterisk() {
        assertEquals(new RequestChecks.Target("/a?b", "h"), RequestChecks.target("/a?b", "h"));
        assertEquals(new RequestChecks.Target("*", "h"), RequestChecks.target("*", "h"));
    }

    @Test
    void turnsAbsoluteFormIntoOriginFormWithTheTargetsAuthority() {
        assertEquals(new RequestChecks.Target("/p?q=1", "example.com:8443"),
                RequestChecks.target("https://example.com:8443/p?q=1", "other"));
        assertEquals(new RequestChecks.Target("/", "example.com"), RequestChecks.target("HTTP://example.com", "other"));
        assertEquals(new RequestChecks.Target("/?q", "example.com"), RequestChecks.target("http://example.com?q", null));
    }

    @Test
    void refusesOtherTargets() {
        assertNull(RequestChecks.target("example.com:443", "h"), "authority-form is for CONNECT only");
        assertNull(RequestChecks.target("ftp://example.com/", "h"));
        assertNull(RequestChecks.target("http:///path", "h"), "empty authority");
        assertNull(RequestChecks.target("http://user:pw@example.com/", "h"), "userinfo");
        assertNull(RequestChecks.target("", "h"));
    }

    @Test
    void findsControlCharactersInHttp2ValuesButAllowsTabAndObsText() {
        for (String value : java.util.List.of("a\0b", "a\rb", "a\nb", "a\r\n b", "a\u0001b", "a\u007fb")) {
            RequestChecks.Refusal r = RequestChecks.checkHttp2(headers("x-good", "1", "x-bad", value));
            assertEquals(400, r.status(), value);
            assertEquals(true, r.why().contains("x-bad"), r.why());
        }
        assertNull(RequestChecks.checkHttp2(headers("x-tab", "a\tb", "x-latin", "caf\u00e9", "x-empty", "")));
    }
}
