package dev.sidecar.proxy;

import io.vertx.core.MultiMap;

/**
 * Sets {@code X-Forwarded-For/-Proto/-Host/-Port} and RFC 7239 {@code Forwarded} on a request to the
 * upstream. A client that is not a trusted proxy cannot influence them: its copies were already dropped by
 * {@link HeaderRules#copyRequestHeaders}. A trusted proxy's values are kept and the sidecar's hop appended.
 */
public final class ForwardedHeaders {

    private ForwardedHeaders() {
    }

    /**
     * @param received the client's headers (read only for a trusted client)
     * @param to       the upstream request's headers
     * @param trusted  whether the client is a trusted proxy
     * @param clientIp the address the connection came from
     * @param host     the host the client asked for ({@code Host} or {@code :authority}), or {@code null}
     * @param port     the port the client connected to
     */
    public static void apply(MultiMap received, MultiMap to, boolean trusted, String clientIp, String host, int port) {
        String priorFor = trusted ? joined(received, "x-forwarded-for") : null;
        to.set("x-forwarded-for", priorFor == null ? clientIp : priorFor + ", " + clientIp);
        to.set("x-forwarded-proto", keepOr(trusted, received, "x-forwarded-proto", "https"));
        String fwdHost = keepOr(trusted, received, "x-forwarded-host", host);
        if (fwdHost != null) {
            to.set("x-forwarded-host", fwdHost);
        }
        to.set("x-forwarded-port", keepOr(trusted, received, "x-forwarded-port", Integer.toString(port)));

        StringBuilder element = new StringBuilder(64).append("for=").append(node(clientIp));
        if (host != null) {
            element.append(";host=").append(value(host));
        }
        element.append(";proto=https");
        String priorForwarded = trusted ? joined(received, "forwarded") : null;
        to.set("forwarded", priorForwarded == null ? element.toString() : priorForwarded + ", " + element);
    }

    private static String keepOr(boolean trusted, MultiMap received, String name, String fallback) {
        if (trusted) {
            String v = received.get(name);
            if (v != null) {
                return v;
            }
        }
        return fallback;
    }

    private static String joined(MultiMap headers, String name) {
        var all = headers.getAll(name);
        return all.isEmpty() ? null : String.join(", ", all);
    }

    /** RFC 7239 §6: an IPv6 node is a bracketed, quoted string. */
    static String node(String ip) {
        return ip.indexOf(':') >= 0 ? "\"[" + ip + "]\"" : ip;
    }

    /** RFC 7239 §4: a value that is not a token (e.g. {@code host:port}) is a quoted string. */
    static String value(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!(Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
            }
        }
        return v;
    }
}
