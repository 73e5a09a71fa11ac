package dev.sidecar.proxy;

import java.util.Locale;
import java.util.Map;

import io.vertx.core.MultiMap;

/**
 * The request rules the HTTP/1.1 decoder leaves to the proxy. Netty already refuses the framing errors it can
 * see alone (two {@code Content-Length}s, whitespace before a colon, bare CR or LF, control characters,
 * invalid chunk lines); what is left are the rules that need the request as a whole. Each is a place where
 * two parsers could disagree about where a request ends or whom it is for, so the request is refused and the
 * connection closed rather than guessed at. Pure functions.
 */
public final class RequestChecks {

    private RequestChecks() {
    }

    /** Why a request is refused: the status and a short explanation for the client. */
    public record Refusal(int status, String why) {
    }

    /** The origin-form target and the authority it names, for an absolute-form request target. */
    public record Target(String uri, String authority) {
    }

    /**
     * Checks the headers of an HTTP/1.x request.
     *
     * @param http11     whether the request is HTTP/1.1 (a {@code Host} is then required)
     * @param maxHeaders the most header fields a request may have
     * @return the refusal, or {@code null} when the request may pass
     */
    public static Refusal checkHttp1(MultiMap headers, boolean http11, int maxHeaders) {
        // One pass, no allocation: this runs for every request.
        int fields = 0;
        int hosts = 0;
        boolean length = false;
        boolean encoding = false;
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey();
            fields++;
            switch (name.length()) {
                case 4 -> hosts += name.equalsIgnoreCase("host") ? 1 : 0;
                case 14 -> length |= name.equalsIgnoreCase("content-length");
                case 17 -> encoding |= name.equalsIgnoreCase("transfer-encoding");
                default -> {
                }
            }
        }
        if (fields > maxHeaders) {
            return new Refusal(431, "a request may have at most " + maxHeaders + " header fields");
        }
        if (hosts > 1 || http11 && hosts == 0) {
            // RFC 9112 §3.2: exactly one Host; two could name different sites to two parsers.
            return new Refusal(400, "an HTTP/1.1 request needs exactly one Host header");
        }
        if (!encoding) {
            return null;
        }
        if (length) {
            // RFC 9112 §6.3: the pair is the classic request smuggling vector; refuse instead of choosing.
            return new Refusal(400, "Transfer-Encoding and Content-Length must not both be sent");
        }
        String codings = String.join(",", headers.getAll("transfer-encoding")).toLowerCase(Locale.ROOT);
        int last = codings.lastIndexOf(',');
        if (!codings.substring(last + 1).strip().equals("chunked")) {
            // RFC 9112 §6.3: without a final chunked the body length cannot be known.
            return new Refusal(400, "Transfer-Encoding must end with chunked");
        }
        if (last >= 0) {
            return new Refusal(501, "only the chunked transfer coding is supported");
        }
        return null;
    }

    /**
     * Checks the header values of an HTTP/2 request: RFC 9113 §8.2.1 makes NUL, CR and LF in a field value
     * malformed, and RFC 9110 §5.5 allows no other control character but HTAB either. Netty validates HTTP/2
     * names only; over HTTP/1.1 to the upstream a CR LF would start a new header line. (An HTTP/1.1 request with
     * one never gets past the decoder.)
     *
     * @return the refusal, or {@code null} when the request may pass
     */
    public static Refusal checkHttp2(MultiMap headers) {
        for (var h : headers) {
            String value = h.getValue();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    return new Refusal(400, "the value of the request header " + h.getKey() + " holds a control character");
                }
            }
        }
        return null;
    }

    /**
     * Turns an absolute-form request target ({@code http://host/path}) into origin-form and the authority
     * that replaces the {@code Host} header (RFC 9112 §3.2.2). Origin-form and {@code *} pass as they are.
     *
     * @return the target to forward, or {@code null} when the target is neither form
     */
    public static Target target(String uri, String host) {
        if (!uri.isEmpty() && uri.charAt(0) == '/' || uri.equals("*")) {
            return new Target(uri, host);
        }
        int start = uri.regionMatches(true, 0, "http://", 0, 7) ? 7
                : uri.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
        if (start < 0) {
            return null;
        }
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        String authority = uri.substring(start, end);
        if (authority.isEmpty() || authority.indexOf('@') >= 0) {
            return null; // RFC 9110 §4.2.4: userinfo is not allowed in http(s) URIs
        }
        String path = uri.substring(end);
        return new Target(path.isEmpty() || path.charAt(0) != '/' ? "/" + path : path, authority);
    }
}
