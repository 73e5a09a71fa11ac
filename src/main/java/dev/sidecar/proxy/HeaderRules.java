package dev.sidecar.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.vertx.core.MultiMap;

/**
 * Which headers cross the sidecar. Pure functions over header maps: hop-by-hop headers (RFC 9110 §7.6.1)
 * are dropped in both directions, along with every header the {@code Connection} header names; forwarding
 * headers and client-certificate headers from the client are never passed on as received.
 */
public final class HeaderRules {

    private HeaderRules() {
    }

    /** True for the hop-by-hop headers RFC 9110 §7.6.1 lists, plus the non-standard {@code Proxy-Connection}. */
    public static boolean isHopByHop(String name) {
        return switch (name.length()) {
            case 2 -> name.equalsIgnoreCase("te");
            case 7 -> name.equalsIgnoreCase("upgrade") || name.equalsIgnoreCase("trailer");
            case 10 -> name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
            case 16 -> name.equalsIgnoreCase("proxy-connection");
            case 17 -> name.equalsIgnoreCase("transfer-encoding");
            default -> false;
        };
    }

    /** Headers the sidecar itself sets on requests to the upstream; a client's copies are replaced. */
    static boolean isSetBySidecar(String name) {
        return switch (name.length()) {
            case 4 -> name.equalsIgnoreCase("host");
            case 9 -> name.equalsIgnoreCase("forwarded");
            case 11 -> name.equalsIgnoreCase("client-cert");
            case 12 -> name.equalsIgnoreCase("x-request-id");
            case 15 -> name.equalsIgnoreCase("x-forwarded-for");
            case 16 -> name.equalsIgnoreCase("x-forwarded-host") || name.equalsIgnoreCase("x-forwarded-port");
            case 17 -> name.equalsIgnoreCase("x-forwarded-proto") || name.equalsIgnoreCase("client-cert-chain");
            default -> false;
        };
    }

    /** The header names listed in every {@code Connection} header of {@code headers}, or an empty list. */
    public static List<String> connectionOptions(MultiMap headers) {
        List<String> values = headers.getAll("connection");
        if (values.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>(2);
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim();
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
        }
        return names;
    }

    private static boolean isNamedIn(List<String> options, String name) {
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i).equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Copies the end-to-end request headers: everything except hop-by-hop headers, headers named in
     * {@code Connection}, and the headers the sidecar sets itself.
     */
    public static void copyRequestHeaders(MultiMap from, MultiMap to) {
        List<String> options = connectionOptions(from);
        for (Map.Entry<String, String> h : from) {
            String name = h.getKey();
            if (!isHopByHop(name) && !isSetBySidecar(name) && (options.isEmpty() || !isNamedIn(options, name))) {
                to.add(name, h.getValue());
            }
        }
    }

    /**
     * Copies the end-to-end response headers: everything except hop-by-hop headers, headers named in
     * {@code Connection}, and the application's {@code Server} header, which tends to name the software and
     * version of an application nobody patches any more (NGINX drops it too). The listener frames the body itself
     * ({@code Content-Length} is kept).
     */
    public static void copyResponseHeaders(MultiMap from, MultiMap to) {
        List<String> options = connectionOptions(from);
        for (Map.Entry<String, String> h : from) {
            String name = h.getKey();
            if (!isHopByHop(name) && !name.equalsIgnoreCase("server")
                    && (options.isEmpty() || !isNamedIn(options, name))) {
                to.add(name, h.getValue());
            }
        }
    }

    /**
     * Rewrites {@code Location} and {@code Content-Location} values that point at the application's own
     * address ({@code http://127.0.0.1:8080/x}) to the origin the client used ({@code https://host/x}), as NGINX's
     * {@code proxy_redirect default} does: a legacy application that builds absolute URLs from its own socket
     * would otherwise send clients to an address they cannot reach.
     *
     * @param upstreamOrigin {@code http://host:port} of the application
     * @param clientAuthority the {@code Host} the client asked for, or {@code null} to leave the headers alone
     */
    public static void rewriteLocations(MultiMap headers, String upstreamOrigin, String clientAuthority) {
        if (clientAuthority == null) {
            return;
        }
        for (String name : LOCATION_HEADERS) {
            String value = headers.get(name);
            if (value != null && value.regionMatches(true, 0, upstreamOrigin, 0, upstreamOrigin.length())
                    && (value.length() == upstreamOrigin.length() || "/?#".indexOf(value.charAt(upstreamOrigin.length())) >= 0)) {
                headers.set(name, "https://" + clientAuthority + value.substring(upstreamOrigin.length()));
            }
        }
    }

    private static final String[] LOCATION_HEADERS = { "location", "content-location" };

    /**
     * The {@code Keep-Alive} value to leave on an upstream response for the pool to read. The HTTP client keeps an
     * idle connection exactly as long as the application's {@code Keep-Alive: timeout=N} says, which is the moment
     * the application closes it: a request sent then meets a closing connection. A second less, and never longer
     * than the sidecar's own pool setting.
     *
     * @return {@code timeout=M} with M = min(N - 1, ours), at least 1; or the value unchanged if it has no timeout
     */
    public static String keepAliveForPool(String value, long ourSeconds) {
        for (String part : value.split(",")) {
            String p = part.strip();
            if (p.regionMatches(true, 0, "timeout=", 0, 8)) {
                try {
                    long theirs = Long.parseLong(p.substring(8).strip());
                    return "timeout=" + Math.max(1, Math.min(theirs - 1, ourSeconds));
                } catch (NumberFormatException e) {
                    return "timeout=" + ourSeconds; // unreadable: ours
                }
            }
        }
        return value;
    }

    /** True when the request asks for a WebSocket upgrade (RFC 6455 §4.1). */
    public static boolean isWebSocketUpgrade(MultiMap headers) {
        String upgrade = headers.get("upgrade");
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            return false;
        }
        return isNamedIn(connectionOptions(headers), "upgrade");
    }
}
