package dev.sidecar.proxy;

/**
 * What happened to one request, for logging and metrics.
 *
 * @param startMillis        wall-clock start, epoch milliseconds
 * @param requestId          the request id sent to the application and the client
 * @param clientIp           the client's address
 * @param method             request method
 * @param uri                request target as received
 * @param protocol           {@code h1} or {@code h2}
 * @param status             status sent to the client; 0 when the client went away first
 * @param bytesIn            request body bytes received from the client
 * @param bytesOut           response body bytes sent to the client
 * @param totalNanos         from request headers to the end of the response
 * @param upstreamNanos      from sending to the upstream to its response headers, or -1
 * @param tlsProtocol        negotiated TLS version
 * @param cipher             negotiated cipher suite
 * @param failure            why the upstream failed, or {@code null}
 */
public record ExchangeRecord(long startMillis, String requestId, String clientIp, String method, String uri,
        String protocol, int status, long bytesIn, long bytesOut, long totalNanos, long upstreamNanos,
        String tlsProtocol, String cipher, UpstreamFailure failure) {
}
