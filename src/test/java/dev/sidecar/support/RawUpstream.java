package dev.sidecar.support;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * An application that misbehaves on the wire, written byte by byte on a raw TCP server: malformed responses,
 * and keep-alive connections it closes after a very short idle time without saying so (the race a proxy must
 * survive when it reuses a pooled connection just as the application closes it).
 * <ul>
 * <li>{@code /malformed-status}: a status line that is not HTTP;
 * <li>{@code /malformed-length}: a {@code Content-Length} that is not a number;
 * <li>{@code /garbage}: binary noise, then close;
 * <li>{@code /both-lengths}: {@code Content-Length: 100} and a chunked body of two bytes (a framing conflict);
 * <li>{@code /announces-keep-alive}: {@code 200 ok} with {@code Keep-Alive: timeout=10}, and this connection is
 * then kept for as long as the sidecar keeps it ({@link #announcedConnectionClosed});
 * <li>anything else: {@code 200 ok}, keep-alive, closed after {@code idleCloseMillis} without traffic.
 * </ul>
 */
public final class RawUpstream {

    private final Vertx vertx = Vertx.vertx();
    private final long idleCloseMillis;
    private final AtomicInteger answered = new AtomicInteger();
    private final java.util.concurrent.CompletableFuture<Long> announcedClosed = new java.util.concurrent.CompletableFuture<>();
    private NetServer server;

    /** @param idleCloseMillis how long a connection may sit idle before this application closes it */
    public RawUpstream(long idleCloseMillis) {
        this.idleCloseMillis = idleCloseMillis;
    }

    /** Listens on 127.0.0.1 and {@code port} (0: chosen by the OS). */
    public synchronized RawUpstream start(int port) {
        server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(port)).connectHandler(this::serve);
        server.listen().toCompletionStage().toCompletableFuture().join();
        return this;
    }

    /** Stops listening (open connections are closed). */
    public synchronized void stop() {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().join();
            server = null;
        }
    }

    /** Whether it is listening. */
    public synchronized boolean running() {
        return server != null;
    }

    /** The port it listens on. */
    public synchronized int port() {
        return server.actualPort();
    }

    /** Requests answered with 200 so far. */
    public int answered() {
        return answered.get();
    }

    /** When (System.nanoTime) the sidecar closed the connection that got {@code Keep-Alive: timeout=10}. */
    public java.util.concurrent.CompletableFuture<Long> announcedConnectionClosed() {
        return announcedClosed;
    }

    private void serve(NetSocket socket) {
        Buffer[] pending = { Buffer.buffer() };
        long[] idleTimer = { -1 };
        boolean[] announced = { false };
        Runnable armIdle = () -> idleTimer[0] = vertx.setTimer(idleCloseMillis, id -> socket.close());
        armIdle.run();
        socket.handler(data -> {
            vertx.cancelTimer(idleTimer[0]);
            pending[0].appendBuffer(data);
            String text = pending[0].toString(StandardCharsets.ISO_8859_1);
            int end;
            while ((end = text.indexOf("\r\n\r\n")) >= 0) {
                String head = text.substring(0, end);
                int bodyLength = contentLength(head);
                if (text.length() < end + 4 + bodyLength) {
                    break; // the body is still coming
                }
                text = text.substring(end + 4 + bodyLength);
                String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                announced[0] |= path.equals("/announces-keep-alive");
                if (!answer(socket, path)) {
                    return;
                }
            }
            pending[0] = Buffer.buffer(text.getBytes(StandardCharsets.ISO_8859_1));
            if (!announced[0]) {
                armIdle.run(); // after a Keep-Alive announcement the sidecar decides when the connection closes
            }
        });
    }

    /** Writes the answer for {@code path}; false when the connection is closed after it. */
    private boolean answer(NetSocket socket, String path) {
        switch (path) {
            case "/malformed-status" -> socket.write("HTTP/1.1 OK maybe\r\n\r\n").onComplete(v -> socket.close());
            case "/malformed-length" -> socket.write("HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\nok")
                    .onComplete(v -> socket.close());
            case "/both-lengths" -> socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n").onComplete(v -> socket.close());
            case "/garbage" -> socket.write(Buffer.buffer(new byte[] { 0, 1, 2, 3, (byte) 0xff, 10, 13, 10, 13 }))
                    .onComplete(v -> socket.close());
            case "/announces-keep-alive" -> {
                socket.write("HTTP/1.1 200 OK\r\nKeep-Alive: timeout=10\r\nContent-Length: 2\r\n\r\nok");
                socket.closeHandler(v -> announcedClosed.complete(System.nanoTime()));
                return true;
            }
            default -> {
                answered.incrementAndGet();
                socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                return true;
            }
        }
        return false;
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    /** Stops the server and its Vert.x instance. */
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
