package dev.sidecar.tls;

import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

/**
 * Counts failed TLS handshakes by reason. Vert.x 4.5 reports a failed handshake only to the HTTP server's
 * exception handler, which Quarkus leaves at its default: a TRACE log line on {@code HttpServerImpl}. This
 * handler takes those records (and only those: it stops them from reaching the console) and classifies the
 * exception. See docs/observability.md.
 */
public final class HandshakeFailures extends Handler {

    /** The logger Vert.x's default server exception handler writes to. */
    static final String CATEGORY = "io.vertx.core.http.impl.HttpServerImpl";

    private final Map<String, LongAdder> byReason = new ConcurrentHashMap<>();

    /** Starts counting; idempotent per instance. */
    public void install() {
        Logger logger = Logger.getLogger(CATEGORY);
        logger.setLevel(Level.ALL);
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    /** Failures so far, by reason. */
    public Map<String, LongAdder> byReason() {
        return byReason;
    }

    /** The reason label for a handshake exception. */
    public static String reason(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return "not_tls";
            }
            if (t instanceof SslHandshakeTimeoutException) {
                return "timeout";
            }
            if (t instanceof ClosedChannelException) {
                return "closed";
            }
            if (t instanceof SSLException) {
                String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
                if (m.contains("protocol") && (m.contains("not enabled") || m.contains("not supported")
                        || m.contains("no appropriate protocol") || m.contains("unsupported_protocol"))
                        || m.contains("wrong_version_number")) {
                    return "protocol_version";
                }
                if (m.contains("cipher")) {
                    return "no_shared_cipher";
                }
                if (m.contains("certificate") || m.contains("unknown_ca") || m.contains("bad_certificate")) {
                    return "certificate";
                }
                if (m.contains("unrecognized_name") || m.contains("sni")) {
                    return "sni";
                }
                if (m.contains("closed") || m.contains("eof")) {
                    return "closed";
                }
            }
        }
        return "other";
    }

    @Override
    public void publish(LogRecord record) {
        Throwable t = record.getThrown();
        if (t != null) {
            byReason.computeIfAbsent(reason(t), r -> new LongAdder()).increment();
        }
    }

    @Override
    public void flush() {
        // counts only
    }

    @Override
    public void close() {
        // counts only
    }
}
