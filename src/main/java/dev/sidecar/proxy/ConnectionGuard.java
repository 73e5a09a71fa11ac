package dev.sidecar.proxy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;

/**
 * Rules Vert.x 4.5 does not enforce, applied in each client connection's Netty pipeline.
 * <ul>
 * <li><b>Request head timeout</b> (slowloris). Vert.x has only an idle timeout, which a client sending a byte
 * every few seconds never triggers. The clock starts at the first byte of a request and stops when the decoder
 * has the whole head (NGINX's {@code client_header_timeout}, HAProxy's {@code timeout http-request}); the wait
 * between keep-alive requests is left to the idle timeout. When it runs out the client gets 408 and the
 * connection closes.
 * <li><b>{@code Connection: close} means closed.</b> Vert.x keeps reading after a response that says it closes
 * the connection when the request did not ask for it, so a request pipelined behind a refused one (the bytes a
 * smuggling attempt hides after an ambiguous body) would still be served. Once such a response is written,
 * nothing more is read from the client and the connection closes when the response is out.
 * <li><b>The connection limit</b> ({@code sidecar.limits.max-connections}), counted per Netty channel.
 * </ul>
 * The pipeline is reached through the TLS engine: the only per-connection hook Vert.x 4.5 leaves open while
 * Quarkus owns the server's connection handler. When the handshake is done, one handler after TLS watches bytes
 * arrive; one after the HTTP/1.1 codec sees request heads, request ends and responses. Both leave when the
 * connection stops speaking HTTP/1.1 (a WebSocket tunnel); HTTP/2 connections never get them (their limits are
 * the stream and header-list settings, and GOAWAY).
 */
public final class ConnectionGuard {

    private static final String TIMED_OUT_BODY = "408 Request Timeout: the request head was slow\n";
    /** Bytes, not a ByteBuf: a native image keeps static fields from build time, and no Netty buffer may be one. */
    private static final byte[] TIMED_OUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: " + TIMED_OUT_BODY.length() + "\r\nConnection: close\r\n\r\n" + TIMED_OUT_BODY)
            .getBytes(StandardCharsets.US_ASCII);

    /**
     * Set while a response that closes its connection is being ended on this thread: Vert.x hands the next
     * pipelined request to the proxy from inside that call, and the proxy must drop it.
     */
    private static final FastThreadLocal<Object> CLOSING = new FastThreadLocal<>();

    private final long timeoutMillis;
    private final int maxConnections;
    private final LongAdder timeouts = new LongAdder();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();

    /**
     * @param timeoutMillis  time from the first byte of a request to the end of its head
     * @param maxConnections the most client connections open at once
     */
    public ConnectionGuard(long timeoutMillis, int maxConnections) {
        this.timeoutMillis = timeoutMillis;
        this.maxConnections = maxConnections;
    }

    /** Client connections open now (handshake done, not yet closed). */
    public int open() {
        return open.get();
    }

    /** Connections closed right after their handshake because {@code maxConnections} were open. */
    public long rejected() {
        return rejected.sum();
    }

    /** Connections closed because their request head was too slow. */
    public long timeouts() {
        return timeouts.sum();
    }

    /**
     * Ends {@code response}, which says {@code Connection: close}; a request Vert.x dispatches from inside the
     * call is recognised by {@link #closing}. The pipeline handlers take care of everything read afterwards.
     */
    public static void endClosing(HttpConnection connection, Runnable end) {
        CLOSING.set(connection);
        try {
            end.run();
        } finally {
            CLOSING.remove();
        }
    }

    /** True for a request pipelined behind a response that closes the connection: it must not be forwarded. */
    public static boolean closing(HttpConnection connection) {
        return CLOSING.get() == connection;
    }

    /** The engine options given, with every server TLS connection watched once its handshake succeeds. */
    public SSLEngineOptions watching(SSLEngineOptions engine) {
        if (engine instanceof OpenSSLEngineOptions openssl) {
            return new OpenSsl(openssl);
        }
        return new Jdk((JdkSSLEngineOptions) engine);
    }

    private final class OpenSsl extends OpenSSLEngineOptions {
        OpenSsl(OpenSSLEngineOptions other) {
            super(other);
        }

        @Override
        public OpenSSLEngineOptions copy() {
            return new OpenSsl(this);
        }

        @Override
        public SslContextFactory sslContextFactory() {
            return new Factory(super.sslContextFactory());
        }
    }

    private final class Jdk extends JdkSSLEngineOptions {
        Jdk(JdkSSLEngineOptions other) {
            super(other);
        }

        @Override
        public JdkSSLEngineOptions copy() {
            return new Jdk(this);
        }

        @Override
        public SslContextFactory sslContextFactory() {
            return new Factory(super.sslContextFactory());
        }
    }

    /** Passes every setting through; wraps the context it creates. */
    private final class Factory implements SslContextFactory {
        private final SslContextFactory delegate;
        private boolean forClient;

        Factory(SslContextFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public SslContextFactory useAlpn(boolean useAlpn) {
            delegate.useAlpn(useAlpn);
            return this;
        }

        @Override
        public SslContextFactory clientAuth(ClientAuth clientAuth) {
            delegate.clientAuth(clientAuth);
            return this;
        }

        @Override
        public SslContextFactory forClient(boolean forClient) {
            this.forClient = forClient;
            delegate.forClient(forClient);
            return this;
        }

        @Override
        public SslContextFactory keyMananagerFactory(KeyManagerFactory kmf) {
            delegate.keyMananagerFactory(kmf);
            return this;
        }

        @Override
        public SslContextFactory trustManagerFactory(TrustManagerFactory tmf) {
            delegate.trustManagerFactory(tmf);
            return this;
        }

        @Override
        public SslContextFactory enabledCipherSuites(java.util.Set<String> enabledCipherSuites) {
            delegate.enabledCipherSuites(enabledCipherSuites);
            return this;
        }

        @Override
        public SslContextFactory applicationProtocols(List<String> applicationProtocols) {
            delegate.applicationProtocols(applicationProtocols);
            return this;
        }

        @Override
        public SslContextFactory serverName(String serverName) {
            delegate.serverName(serverName);
            return this;
        }

        @Override
        public SslContext create() throws SSLException {
            SslContext context = delegate.create();
            return forClient ? context : new DelegatingSslContext(context) {
                @Override
                protected void initEngine(SSLEngine engine) {
                    // nothing to change in the engine
                }

                @Override
                protected void initHandler(SslHandler handler) {
                    handler.handshakeFuture().addListener(done -> {
                        if (done.isSuccess() && admit(handler.handshakeFuture().getNow(), handler)) {
                            if ("h2".equals(handler.applicationProtocol())) {
                                consolidateFlushes(handler.handshakeFuture().getNow(), handler);
                            } else {
                                watch(handler.handshakeFuture().getNow(), handler);
                            }
                        }
                    });
                }
            };
        }
    }

    /**
     * Counts the connection, or closes it when the limit is reached. Counted on the Netty channel, whose close
     * future completes exactly once whatever Vert.x does with the connection: Quarkus's own limit counts on
     * Vert.x's connection object, which never reports the close of a connection that became a WebSocket tunnel,
     * so every tunnel leaked one slot until the limit refused everyone.
     */
    private boolean admit(Channel channel, SslHandler tls) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            rejected.increment();
            // A request sent together with the client's Finished is decrypted right after this point: drop it.
            addAfterTls(channel, tls, "sidecar-refused", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ReferenceCountUtil.release(msg);
                }
            });
            channel.close();
            return false;
        }
        channel.closeFuture().addListener(closed -> open.decrementAndGet());
        return true;
    }

    /**
     * HTTP/2: the responses of concurrent streams arrive from as many upstream connections, and Vert.x flushes
     * each one, so every response became a TLS record and a {@code send()} of its own. Flushes made in one
     * event-loop turn (or while the connection is reading) now go out together.
     */
    private static void consolidateFlushes(Channel channel, SslHandler tls) {
        addAfterTls(channel, tls, "sidecar-flush-consolidation",
                new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
    }

    /** Runs on the connection's event loop right after the handshake, before any request byte is read. */
    private void watch(Channel channel, SslHandler tls) {
        addAfterTls(channel, tls, "sidecar-request-head-bytes", new Watch());
    }

    /** Adds {@code handler} right after TLS, where it sees plain bytes; nothing if TLS has left the pipeline. */
    private static void addAfterTls(Channel channel, SslHandler tls, String name, ChannelHandler handler) {
        ChannelHandlerContext tlsContext = channel.pipeline().context(tls);
        if (tlsContext != null) {
            channel.pipeline().addAfter(tlsContext.name(), name, handler);
        }
    }

    /** Starts the clock at the first byte of each request; after TLS, so it sees plain bytes. */
    private final class Watch extends ChannelInboundHandlerAdapter {
        private final Heads heads = new Heads();
        private ScheduledFuture<?> clock;
        private boolean headsAdded;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!headsAdded) {
                // Vert.x adds the HTTP/1.1 codec when the handshake completes, after this handler.
                ChannelHandlerContext encoder = ctx.pipeline().context("httpEncoder");
                if (encoder == null) {
                    ctx.pipeline().remove(this);
                    ctx.fireChannelRead(msg);
                    return;
                }
                ctx.pipeline().addAfter(encoder.name(), "sidecar-request-head-ends", heads);
                headsAdded = true;
            }
            if (clock == null && !heads.inRequest && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                clock = ctx.executor().schedule(() -> timedOut(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
            }
            ctx.fireChannelRead(msg);
        }

        /** The decoder produced a request head. */
        void headArrived() {
            if (clock != null) {
                clock.cancel(false);
                clock = null;
            }
        }

        private void timedOut(ChannelHandlerContext ctx) {
            clock = null;
            if (heads.inRequest || !ctx.channel().isActive()) {
                return;
            }
            timeouts.increment();
            if (heads.responding) {
                ctx.close(); // mid-response to an earlier request: no room for a status line
            } else {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMED_OUT)).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void stop(ChannelPipeline pipeline) {
            headArrived();
            pipeline.remove(heads);
            pipeline.remove(this);
        }

        /**
         * A response ends the connection when it says so, and when it refuses a request without having passed
         * through the proxy (every proxied response has an {@code x-request-id}): Quarkus answers a path it cannot
         * decode with a bare 400 and would go on reading the bytes that follow.
         */
        private static boolean closes(HttpResponse response) {
            int status = response.status().code();
            return status >= 200 && response.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)
                    || status >= 400 && !response.headers().contains("x-request-id");
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            headArrived();
            ctx.fireChannelInactive();
        }

        /**
         * Sits after the HTTP/1.1 codec: sees where request heads and bodies end, and whether a response is being
         * written (a 408 can then no longer be sent).
         */
        private final class Heads extends ChannelDuplexHandler {
            boolean inRequest;
            boolean responding;
            /** A response said {@code Connection: close}: what the client sends now is never read. */
            boolean closing;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (closing) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                if (msg instanceof HttpRequest) {
                    inRequest = true;
                    headArrived();
                }
                if (msg instanceof LastHttpContent) {
                    inRequest = false;
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof HttpResponse response && response.status().code() == 101) {
                    ctx.write(msg, promise);
                    stop(ctx.pipeline()); // a WebSocket tunnel from now on: no more requests on this connection
                    return;
                }
                if (msg instanceof HttpResponse response && closes(response)) {
                    closing = true;
                    ctx.channel().config().setAutoRead(false);
                }
                if (msg instanceof HttpResponse) {
                    responding = true;
                }
                if (msg instanceof LastHttpContent) {
                    responding = false;
                    if (closing) {
                        ctx.write(msg, promise.unvoid()).addListener(ChannelFutureListener.CLOSE);
                        return;
                    }
                }
                ctx.write(msg, promise);
            }
        }
    }
}
