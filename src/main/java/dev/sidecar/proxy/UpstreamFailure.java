package dev.sidecar.proxy;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;

/**
 * Why the upstream could not answer, and what the client is told. The one place failures map to a status:
 * refused or reset means 502, a timeout means 504.
 */
public enum UpstreamFailure {
    /** Nothing listens on the upstream port. */
    REFUSED(502, "refused", "the application refused the connection"),
    /** The TCP connection could not be opened within the connect timeout. */
    CONNECT_TIMEOUT(504, "connect_timeout", "the application did not accept the connection in time"),
    /** No response headers within the response-headers timeout. */
    RESPONSE_TIMEOUT(504, "response_timeout", "the application did not answer in time"),
    /** The upstream closed or reset the connection before a complete response. */
    RESET(502, "reset", "the application closed the connection"),
    /** The upstream sent something that is not valid HTTP. */
    MALFORMED(502, "malformed", "the application sent an invalid response");

    private final int status;
    private final String label;
    private final String explanation;

    UpstreamFailure(int status, String label, String explanation) {
        this.status = status;
        this.label = label;
        this.explanation = explanation;
    }

    /** The status the client gets. */
    public int status() {
        return status;
    }

    /** The metric label. */
    public String label() {
        return label;
    }

    /** A short, safe sentence for the client (details go to the log). */
    public String explanation() {
        return explanation;
    }

    /** Classifies an exception from the upstream client. */
    public static UpstreamFailure of(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectTimeoutException) {
                return CONNECT_TIMEOUT;
            }
            if (t instanceof TimeoutException) {
                return RESPONSE_TIMEOUT;
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException
                    || t instanceof UnknownHostException) {
                return REFUSED;
            }
            if (t instanceof DecoderException || t instanceof TooLongFrameException
                    || t instanceof IllegalArgumentException) {
                return MALFORMED;
            }
        }
        return RESET;
    }
}
