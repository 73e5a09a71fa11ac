package dev.sidecar.proxy;

import java.time.Instant;

import org.jboss.logging.Logger;

/** One line per request, as text or JSON, on the {@code sidecar.access} log category. */
public final class AccessLog implements ExchangeObserver {

    private static final Logger LOG = Logger.getLogger("sidecar.access");

    /** Line formats. */
    public enum Format {
        /** Space-separated fields. */
        TEXT,
        /** One JSON object. */
        JSON
    }

    private final Format format;

    /** An access log in this format. */
    public AccessLog(Format format) {
        this.format = format;
    }

    @Override
    public void completed(ExchangeRecord r) {
        if (LOG.isInfoEnabled()) {
            LOG.info(format == Format.JSON ? json(r) : text(r));
        }
    }

    /** {@code time id client "METHOD uri proto" status in out total_ms upstream_ms tls cipher [failure]}. */
    public static String text(ExchangeRecord r) {
        StringBuilder b = new StringBuilder(192)
                .append(Instant.ofEpochMilli(r.startMillis())).append(' ')
                .append(r.requestId()).append(' ')
                .append(r.clientIp()).append(" \"")
                .append(r.method()).append(' ').append(escape(r.uri())).append(' ').append(r.protocol()).append("\" ")
                .append(r.status()).append(' ')
                .append(r.bytesIn()).append(' ')
                .append(r.bytesOut()).append(' ');
        millis(b, r.totalNanos()).append(' ');
        if (r.upstreamNanos() < 0) {
            b.append('-');
        } else {
            millis(b, r.upstreamNanos());
        }
        b.append(' ').append(r.tlsProtocol()).append(' ').append(r.cipher());
        if (r.failure() != null) {
            b.append(" upstream=").append(r.failure().label());
        }
        return b.toString();
    }

    /** The same fields as one JSON object. */
    public static String json(ExchangeRecord r) {
        StringBuilder b = new StringBuilder(256).append('{')
                .append("\"time\":\"").append(Instant.ofEpochMilli(r.startMillis())).append('"')
                .append(",\"request_id\":\"").append(escape(r.requestId())).append('"')
                .append(",\"client_ip\":\"").append(r.clientIp()).append('"')
                .append(",\"method\":\"").append(escape(r.method())).append('"')
                .append(",\"path\":\"").append(escape(r.uri())).append('"')
                .append(",\"protocol\":\"").append(r.protocol()).append('"')
                .append(",\"status\":").append(r.status())
                .append(",\"bytes_in\":").append(r.bytesIn())
                .append(",\"bytes_out\":").append(r.bytesOut())
                .append(",\"duration_ms\":");
        millis(b, r.totalNanos()).append(",\"upstream_ms\":");
        if (r.upstreamNanos() < 0) {
            b.append("null");
        } else {
            millis(b, r.upstreamNanos());
        }
        b.append(",\"tls\":\"").append(r.tlsProtocol()).append('"')
                .append(",\"cipher\":\"").append(r.cipher()).append('"');
        if (r.failure() != null) {
            b.append(",\"upstream_failure\":\"").append(r.failure().label()).append('"');
        }
        return b.append('}').toString();
    }

    private static StringBuilder millis(StringBuilder b, long nanos) {
        long micros = nanos / 1000;
        b.append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            b.append('0');
        }
        if (frac < 10) {
            b.append('0');
        }
        return b.append(frac);
    }

    /** Keeps a line one line and valid JSON: quotes, backslashes and control characters are escaped. */
    static String escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) {
                return escapeFrom(s, i);
            }
        }
        return s;
    }

    private static String escapeFrom(String s, int from) {
        StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, from);
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
