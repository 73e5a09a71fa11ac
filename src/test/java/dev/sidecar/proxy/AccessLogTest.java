package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AccessLogTest {

    private static final ExchangeRecord RECORD = new ExchangeRecord(0L, "abc", "127.0.0.1", "GET",
            "/p?q=\"x\"\n", "h2", 200, 5, 1234, 12_345_678L, 2_000_000L, "TLSv1.3", "TLS_AES_128_GCM_SHA256", null);

    @Test
    void writesOneTextLineWithEveryField() {
        assertEquals("1970-01-01T00:00:00Z abc 127.0.0.1 \"GET /p?q=\\\"x\\\"\\u000a h2\" 200 5 1234 12.345 2.000 "
                + "TLSv1.3 TLS_AES_128_GCM_SHA256", AccessLog.text(RECORD));
    }

    @Test
    void writesValidJson() {
        assertEquals("{\"time\":\"1970-01-01T00:00:00Z\",\"request_id\":\"abc\",\"client_ip\":\"127.0.0.1\","
                + "\"method\":\"GET\",\"path\":\"/p?q=\\\"x\\\"\\u000a\",\"protocol\":\"h2\",\"status\":200,"
                + "\"bytes_in\":5,\"bytes_out\":1234,\"duration_ms\":12.345,\"upstream_ms\":2.000,"
                + "\"tls\":\"TLSv1.3\",\"cipher\":\"TLS_AES_128_GCM_SHA256\"}", AccessLog.json(RECORD));
    }

    @Test
    void namesTheUpstreamFailure() {
        ExchangeRecord failed = new ExchangeRecord(0L, "abc", "::1", "POST", "/", "h1", 504, 0, 60, 1_000_000L, -1,
                "TLSv1.2", "X", UpstreamFailure.RESPONSE_TIMEOUT);
        assertEquals("1970-01-01T00:00:00Z abc ::1 \"POST / h1\" 504 0 60 1.000 - TLSv1.2 X upstream=response_timeout",
                AccessLog.text(failed));
    }
}
