package dev.sidecar.proxy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import javax.net.ssl.SSLSession;

import org.jboss.logging.Logger;

import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

/**
 * The request path: takes each request from the TLS listener, forwards it to the upstream application over
 * a pooled HTTP/1.1 connection, and streams the response back. Bodies flow chunk by chunk with
 * back-pressure in both directions and are never held whole. WebSocket upgrades become a byte tunnel once
 * the application accepts them.
 */
public final class ProxyHandler implements Handler<HttpServerRequest> {

    /**
     * The largest piece of a body the HTTP/1.1 decoders hand on, both ways (client to sidecar, application to
     * sidecar). Every piece is written and flushed on its own: at Netty's default of 8 KiB each 8 KiB of a download
     * became a TLS record and a {@code send()} of its own. At 64 KiB a piece is what one socket read brought, and it
     * leaves as full 16 KiB records in one {@code writev}.
     */
    public static final int MAX_BODY_CHUNK = 64 * 1024;

    private static final Logger LOG = Logger.getLogger(ProxyHandler.class);

    private final Vertx vertx;
    private final ProxySettings settings;
    private final ExchangeObserver observer;
    private final SocketAddress upstream;
    private final String upstreamOrigin;
    private final HttpClientOptions clientOptions;
    private final long poolKeepAliveSeconds;
    private final PoolOptions poolOptions;
    /** One client per event loop, so a request and its upstream connection share a thread. */
    private final FastThreadLocal<HttpClient> clients = new FastThreadLocal<>();
    private final List<HttpClient> allClients = new CopyOnWriteArrayList<>();
    /** Unpooled: a retry must not land on another pooled connection the application is closing too. */
    private final HttpClient freshConnections;
    private final LongAdder active = new LongAdder();
    private final Set<NetSocket> tunnels = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    /**
     * @param eventLoops how many event loops serve requests; the upstream pool is split between them
     */
    public ProxyHandler(Vertx vertx, ProxySettings settings, ExchangeObserver observer, int eventLoops) {
        this.vertx = vertx;
        this.settings = settings;
        this.observer = observer;
        this.upstream = SocketAddress.inetSocketAddress(settings.upstreamPort(), settings.upstreamHost());
        this.upstreamOrigin = "http://" + settings.upstreamAuthority();
        this.poolKeepAliveSeconds = Math.max(1, settings.keepAliveTimeout().toSeconds());
        this.clientOptions = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setKeepAliveTimeout((int) poolKeepAliveSeconds)
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setIdleTimeout((int) settings.idleTimeout().toSeconds())
                .setTryUseCompression(false)
                .setMaxInitialLineLength(64 * 1024)
                .setMaxHeaderSize(64 * 1024)
                .setMaxChunkSize(MAX_BODY_CHUNK)
                .setTcpNoDelay(true)
                .setName("sidecar-upstream");
        this.freshConnections = vertx.createHttpClient(new HttpClientOptions(clientOptions).setKeepAlive(false)
                .setName("sidecar-upstream-retry"));
        this.poolOptions = new PoolOptions()
                .setHttp1MaxSize(Math.max(1, settings.poolSize() / Math.max(1, eventLoops)));
    }

    private HttpClient client() {
        HttpClient client = clients.get();
        if (client == null) {
            client = vertx.createHttpClient(clientOptions, poolOptions);
            clients.set(client);
            allClients.add(client);
        }
        return client;
    }

    /** Closes the upstream pools. */
    public void close() {
        for (HttpClient c : allClients) {
            c.close();
        }
        freshConnections.close();
    }

    /** Responses from now on close HTTP/1.1 connections and send GOAWAY on HTTP/2 ones. */
    public void startDraining() {
        draining = true;
    }

    /** Exchanges not yet finished, open tunnels included. */
    public long activeExchanges() {
        return active.sum();
    }

    /** Closes every open WebSocket tunnel. */
    public void closeTunnels() {
        for (NetSocket s : tunnels) {
            s.close();
        }
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (ConnectionGuard.closing(request.connection())) {
            return; // pipelined behind a refused request: never forwarded, the connection is closing
        }
        new Exchange(request).start();
    }

    /**
     * Answers a request the router refused before it reached the proxy (an HTTP/1.1 request without
     * {@code Host}, a path it cannot decode), the same way the proxy answers its own refusals.
     */
    public void refuse(HttpServerRequest request, int status) {
        if (request.response().headWritten()) {
            request.connection().close();
            return;
        }
        boolean clientError = status >= 400 && status < 500;
        new Exchange(request).reject(clientError ? status : 500,
                clientError ? "the request is malformed" : "the sidecar failed to handle the request");
    }

    /** One request on its way through. All methods run on the request's event loop. */
    private final class Exchange {
        private final HttpServerRequest request;
        private final HttpServerResponse response;
        private final long startNanos = System.nanoTime();
        private final long startMillis = System.currentTimeMillis();
        private final String requestId;
        private HttpClientRequest upstreamRequest;
        private long sentNanos;
        private long upstreamNanos = -1;
        private long bytesIn;
        private long bytesOut;
        private boolean done;
        private Buffer pending;
        private boolean flushScheduled;
        private RequestOptions options;
        private boolean retried;
        /** An open tunnel stays active after it is logged; its close ends it. */
        private boolean tunnelOpen;
        private UpstreamFailure failure;
        /** The authority the client asked for ({@code Host}, {@code :authority}, or an absolute target's). */
        private String authority;

        Exchange(HttpServerRequest request) {
            this.request = request;
            this.response = request.response();
            this.requestId = RequestIds.pick(request.getHeader("x-request-id"));
            active.increment();
        }

        void start() {
            response.putHeader("x-request-id", requestId);
            response.closeHandler(v -> clientGone());
            if (request.method() == HttpMethod.CONNECT) {
                reject(405, "CONNECT is not supported");
                return;
            }
            if (request.version() == null) {
                reject(505, "only HTTP/1.0, HTTP/1.1 and HTTP/2 are supported"); // e.g. HTTP/1.2, which Vert.x parses
                return;
            }
            boolean http2 = request.version() == HttpVersion.HTTP_2;
            RequestChecks.Refusal refusal = http2 ? RequestChecks.checkHttp2(request.headers())
                    : RequestChecks.checkHttp1(request.headers(), request.version() == HttpVersion.HTTP_1_1,
                            settings.maxHeaders());
            if (refusal != null) {
                reject(refusal.status(), refusal.why());
                return;
            }
            String host = http2 ? (request.authority() == null ? null : request.authority().toString())
                    : request.getHeader("host");
            RequestChecks.Target target = RequestChecks.target(request.uri(), host);
            if (target == null || http2 && !target.uri().equals(request.uri())) {
                // RFC 9113 §8.3.1: an HTTP/2 :path is origin-form or "*", never a URL.
                reject(400, http2 ? "the :path must be a path" : "the request target must be a path or an http(s) URL");
                return;
            }
            authority = target.authority();
            long max = settings.maxBodySize();
            if (max >= 0) {
                String length = request.getHeader("content-length");
                if (length != null && parseLength(length) > max) {
                    reject(413, "the request body is larger than " + max + " bytes");
                    return;
                }
            }
            request.pause();
            boolean webSocket = request.version() == HttpVersion.HTTP_1_1 && request.method() == HttpMethod.GET
                    && HeaderRules.isWebSocketUpgrade(request.headers());
            options = new RequestOptions()
                    .setServer(upstream)
                    .setMethod(request.method())
                    .setURI(target.uri());
            if (http2) {
                // Rapid reset (CVE-2023-44487): a client can open a stream and cancel it in the same packet. Taken
                // now, an idle upstream connection would carry the request before the reset is read; after the
                // frames already received are handled, a cancelled stream is done and costs the app nothing.
                vertx.runOnContext(v -> {
                    if (!done) {
                        send(false);
                    }
                });
            } else {
                send(webSocket);
            }
        }

        /** Takes an upstream connection from the pool (a new one for a retry) and hands the request to it. */
        private void send(boolean webSocket) {
            sentNanos = System.nanoTime();
            (retried ? freshConnections : client()).request(options).onComplete(ar -> {
                if (ar.failed()) {
                    fail(ar.cause());
                } else if (done) {
                    // The client left while a connection was found: nothing was sent, nothing to report.
                    ar.result().exceptionHandler(err -> LOG.tracef("[%s] unsent request dropped", requestId)).reset();
                } else if (webSocket) {
                    tunnel(ar.result());
                } else {
                    forward(ar.result());
                }
            });
        }

        private void prepare(HttpClientRequest out) {
            upstreamRequest = out;
            MultiMap in = request.headers();
            MultiMap headers = out.headers();
            HeaderRules.copyRequestHeaders(in, headers);
            String host = authority;
            if (settings.preserveHost() && host != null) {
                headers.set("host", host);
            } else {
                out.authority(HostAndPort.create(settings.upstreamHost(), settings.upstreamPort()));
            }
            String clientIp = request.remoteAddress().hostAddress();
            ForwardedHeaders.apply(in, headers, !settings.trustedProxies().isEmpty()
                    && settings.trustedProxies().trusts(clientIp), clientIp, host, request.localAddress().port());
            headers.set("x-request-id", requestId);
            if (settings.forwardClientCert()) {
                ClientCertHeaders.apply(request.sslSession(), headers);
            }
        }

        private void forward(HttpClientRequest out) {
            prepare(out);
            out.exceptionHandler(err -> failed(out, err));
            String length = request.getHeader("content-length");
            if (request.version() == null) {
                reject(505, "only HTTP/1.0, HTTP/1.1 and HTTP/2 are supported"); // e.g. HTTP/1.2, which Vert.x parses
                return;
            }
            boolean http2 = request.version() == HttpVersion.HTTP_2;
            if (length != null) {
                out.putHeader("content-length", length);
            } else if (!http2 && request.headers().contains("transfer-encoding")) {
                out.setChunked(true);
            }
            boolean expectContinue = "100-continue".equalsIgnoreCase(request.getHeader("expect"));
            if (expectContinue) {
                out.continueHandler(v -> response.writeContinue());
                if (length == null && http2) {
                    out.setChunked(true);
                }
                out.sendHead();
            }
            out.response().onComplete(ar -> {
                if (ar.succeeded()) {
                    respond(ar.result());
                } else {
                    failed(out, ar.cause());
                }
            });
            if (request.isEnded()) {
                sent(out); // a retry: the (empty) body was read before the first attempt
                return;
            }
            boolean lengthUnknown = length == null && http2;
            request.handler(chunk -> {
                bytesIn += chunk.length();
                if (settings.maxBodySize() >= 0 && bytesIn > settings.maxBodySize()) {
                    tooLarge();
                    return;
                }
                if (lengthUnknown && !out.isChunked()) {
                    out.setChunked(true); // an HTTP/2 body without content-length: only known once data arrives
                }
                out.write(chunk);
                if (out.writeQueueFull()) {
                    request.pause();
                    out.drainHandler(v -> request.resume());
                }
            });
            request.endHandler(v -> sent(out));
            request.exceptionHandler(err -> clientGone());
            request.resume();
        }

        private void sent(HttpClientRequest out) {
            out.end();
            // Like NGINX's proxy_read_timeout, the wait for the answer starts once the request is sent:
            // a long upload is not a slow application.
            if (upstreamNanos < 0) {
                out.idleTimeout(settings.responseTimeout().toMillis());
            }
        }

        /**
         * A pooled connection can be closed by the application just as it is reused; RFC 9110 §9.2.2 lets a
         * proxy repeat an idempotent request then. Once, on a new connection, only without a body and before any
         * response.
         */
        private boolean retry(Throwable err) {
            if (retried || response.headWritten() || upstreamNanos >= 0 || bytesIn > 0 || !request.isEnded()
                    || !isIdempotent(request.method()) || UpstreamFailure.of(err) != UpstreamFailure.RESET) {
                return false;
            }
            retried = true;
            LOG.debugf("[%s] upstream closed a reused connection (%s); retrying once", requestId, err.getMessage());
            upstreamRequest = null;
            send(false);
            return true;
        }

        private void respond(HttpClientResponse in) {
            upstreamNanos = System.nanoTime() - sentNanos;
            if (done) {
                upstreamRequest.reset();
                return;
            }
            response.setStatusCode(in.statusCode());
            if (request.version() != HttpVersion.HTTP_2) {
                response.setStatusMessage(in.statusMessage());
            }
            String keepAlive = in.headers().get("keep-alive");
            if (keepAlive != null) {
                // Read by the pool when the response ends (Vert.x would otherwise keep the connection exactly until
                // the application closes it).
                in.headers().set("keep-alive", HeaderRules.keepAliveForPool(keepAlive, poolKeepAliveSeconds));
            }
            HeaderRules.copyResponseHeaders(in.headers(), response.headers());
            HeaderRules.rewriteLocations(response.headers(), upstreamOrigin, authority);
            response.headers().set("x-request-id", requestId);
            settings.hsts().ifPresent(hsts -> {
                if (!response.headers().contains("strict-transport-security")) {
                    response.headers().set("strict-transport-security", hsts);
                }
            });
            if (draining && request.version() != HttpVersion.HTTP_2) {
                response.headers().set("connection", "close");
            }
            if (!response.headers().contains("content-length") && request.method() != HttpMethod.HEAD
                    && in.statusCode() != 204 && in.statusCode() != 304 && in.statusCode() >= 200) {
                response.setChunked(true);
            }
            in.handler(chunk -> {
                bytesOut += chunk.length();
                if (pending != null) {
                    writePending(in);
                }
                // Held until the end of this event-loop turn: when the end follows in the same read (most small
                // responses), body and end go out as one write (HTTP/2: one DATA frame with END_STREAM).
                pending = chunk;
                if (!flushScheduled) {
                    flushScheduled = true;
                    vertx.runOnContext(v -> {
                        flushScheduled = false;
                        if (pending != null && !done) {
                            writePending(in);
                        }
                    });
                }
            });
            in.exceptionHandler(err -> upstreamBroke(err));
            in.endHandler(v -> {
                if (!in.trailers().isEmpty()) {
                    HeaderRules.copyResponseHeaders(in.trailers(), response.trailers());
                }
                Buffer last = pending;
                pending = null;
                if (last != null) {
                    response.end(last);
                } else {
                    response.end();
                }
                finish(in.statusCode());
            });
        }

        private void writePending(HttpClientResponse in) {
            Buffer chunk = pending;
            pending = null;
            response.write(chunk);
            if (response.writeQueueFull()) {
                in.pause();
                response.drainHandler(v -> in.resume());
            }
        }

        /** WebSocket: forward the handshake; on 101, join the two connections byte for byte. */
        private void tunnel(HttpClientRequest out) {
            prepare(out);
            out.headers().set("connection", "Upgrade").set("upgrade", request.getHeader("upgrade"));
            out.idleTimeout(settings.responseTimeout().toMillis());
            Future<HttpClientResponse> handshake = out.connect();
            request.handler(out::write);
            request.resume();
            handshake.onComplete(ar -> {
                if (ar.failed()) {
                    fail(ar.cause());
                    return;
                }
                HttpClientResponse in = ar.result();
                upstreamNanos = System.nanoTime() - sentNanos;
                if (in.statusCode() != 101) {
                    // Refused: relay the answer as a plain response and never open a tunnel.
                    response.putHeader("connection", "close");
                    respond(in);
                    return;
                }
                response.setStatusCode(101);
                HeaderRules.copyResponseHeaders(in.headers(), response.headers());
                response.headers().set("connection", "Upgrade").set("upgrade", in.getHeader("upgrade"));
                response.headers().set("x-request-id", requestId);
                NetSocket app = in.netSocket();
                out.exceptionHandler(err -> LOG.debugf("[%s] tunnel closed: %s", requestId, err.toString()));
                request.toNetSocket().onComplete(client -> {
                    if (client.failed()) {
                        app.close();
                        finish(0);
                        return;
                    }
                    NetSocket peer = client.result();
                    tunnels.add(peer);
                    peer.closeHandler(v -> {
                        tunnels.remove(peer);
                        app.close();
                        active.decrement();
                    });
                    app.closeHandler(v -> peer.close());
                    app.pipeTo(peer);
                    peer.pipeTo(app);
                    tunnelOpen = true;
                    finish(101);
                });
            });
        }

        private void tooLarge() {
            request.handler(null);
            if (!response.headWritten()) {
                reject(413, "the request body is larger than " + settings.maxBodySize() + " bytes");
            } else {
                finish(response.getStatusCode());
                request.connection().close();
            }
            if (upstreamRequest != null) {
                upstreamRequest.reset();
            }
        }

        private void upstreamBroke(Throwable err) {
            if (done) {
                return;
            }
            failure = UpstreamFailure.of(err);
            LOG.debugf("[%s] upstream failed mid-response: %s", requestId, err.toString());
            // The status line is gone: the only honest signal left is to cut the stream.
            if (request.version() == HttpVersion.HTTP_2) {
                response.reset();
            } else {
                request.connection().close();
            }
            finish(response.getStatusCode());
        }

        /** A failure reported by one upstream request; ignored once a retry has replaced that request. */
        private void failed(HttpClientRequest out, Throwable err) {
            if (out == upstreamRequest) {
                fail(err);
            }
        }

        private void fail(Throwable err) {
            if (done || retry(err)) {
                return;
            }
            failure = UpstreamFailure.of(err);
            LOG.warnf("[%s] %s %s: upstream %s (%s)", requestId, request.method(), request.path(),
                    failure.label(), err.getMessage());
            if (upstreamRequest != null) {
                upstreamRequest.reset();
            }
            if (response.headWritten()) {
                upstreamBroke(err);
                return;
            }
            reject(failure.status(), failure.explanation());
        }

        /**
         * A short plain-text answer. The connection closes after a refused request (what follows it on the same
         * connection cannot be trusted to start where the sidecar thinks it does) and after any answer given before
         * the request was read completely; it stays open only after an upstream failure (502/504).
         */
        private void reject(int status, String why) {
            if (done) {
                return;
            }
            response.headers().clear();
            response.setStatusCode(status);
            response.putHeader("content-type", "text/plain; charset=utf-8");
            response.putHeader("x-request-id", requestId);
            boolean close = (failure == null || !request.isEnded()) && request.version() != HttpVersion.HTTP_2;
            String body = status + " " + response.getStatusMessage() + ": " + why + "\nrequest id: " + requestId
                    + "\n";
            if (close) {
                response.putHeader("connection", "close");
                ConnectionGuard.endClosing(request.connection(), () -> response.end(body));
            } else {
                response.end(body);
            }
            bytesOut += body.length();
            finish(status);
        }

        private void clientGone() {
            if (done || response.ended()) {
                return; // closing after a complete response is the normal end of an HTTP/2 stream
            }
            finish(0); // first: the reset below must not be mistaken for an upstream failure
            if (upstreamRequest != null) {
                upstreamRequest.reset();
            }
        }

        private void finish(int status) {
            if (done) {
                return;
            }
            done = true;
            if (!tunnelOpen) {
                active.decrement();
            }
            if (draining && request.version() == HttpVersion.HTTP_2) {
                request.connection().goAway(0);
            }
            SSLSession ssl = request.sslSession();
            observer.completed(new ExchangeRecord(startMillis, requestId, request.remoteAddress().hostAddress(),
                    request.method().name(), request.uri(), request.version() == HttpVersion.HTTP_2 ? "h2" : "h1",
                    status, bytesIn, bytesOut, System.nanoTime() - startNanos, upstreamNanos,
                    ssl == null ? "-" : ssl.getProtocol(), ssl == null ? "-" : ssl.getCipherSuite(), failure));
        }
    }

    /** RFC 9110 §9.2.2. */
    private static boolean isIdempotent(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS
                || method == HttpMethod.TRACE || method == HttpMethod.PUT || method == HttpMethod.DELETE;
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
