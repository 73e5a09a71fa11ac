package dev.sidecar.proxy;

import java.time.Duration;

/**
 * The typed settings the request path uses.
 *
 * @param upstreamHost     host of the upstream application
 * @param upstreamPort     port of the upstream application
 * @param preserveHost     pass the client's {@code Host} unchanged (otherwise send the upstream's)
 * @param trustedProxies   clients whose forwarding headers are believed
 * @param maxBodySize      largest request body accepted, or -1 for no limit
 * @param maxHeaders       most header fields a request may have
 * @param forwardClientCert send the client's certificate to the application (RFC 9440 headers)
 * @param connectTimeout   time to open an upstream connection
 * @param responseTimeout  time from sending a request to receiving the response headers
 * @param poolSize         maximum open upstream connections
 * @param keepAliveTimeout pooled upstream connections idle this long are closed
 * @param idleTimeout      an upstream connection with no traffic for this long is closed
 * @param hsts             {@code Strict-Transport-Security} value added to responses that lack one, if any
 */
public record ProxySettings(String upstreamHost, int upstreamPort, boolean preserveHost,
        TrustedProxies trustedProxies, long maxBodySize, int maxHeaders, boolean forwardClientCert, Duration connectTimeout, Duration responseTimeout,
        int poolSize, Duration keepAliveTimeout, Duration idleTimeout, java.util.Optional<String> hsts) {

    /** The authority to send when the client's {@code Host} is not preserved. */
    public String upstreamAuthority() {
        return upstreamHost.indexOf(':') >= 0 ? "[" + upstreamHost + "]:" + upstreamPort
                : upstreamHost + ":" + upstreamPort;
    }
}
