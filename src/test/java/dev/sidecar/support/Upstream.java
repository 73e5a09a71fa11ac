package dev.sidecar.support;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The legacy application stand-in: a real Vert.x HTTP/1.1 server on a loopback port chosen by the OS. It
 * records what reached it and offers routes for each behaviour under test.
 */
public final class Upstream {

    /** What one request looked like on arrival. */
    public record Seen(String method, String uri, String version, MultiMap headers, String remote) {
    }

    private static final Buffer CHUNK = Buffer.buffer(new byte[64 * 1024]);

    private final Vertx vertx = Vertx.vertx();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<String> completed = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Long> uploads = new LinkedBlockingQueue<>();
    private final AtomicReference<HttpServerResponse> sse = new AtomicReference<>();
    private HttpServer server;
    private final java.util.Set<Object> connections = java.util.Collections
            .newSetFromMap(new java.util.concurrent.ConcurrentHashMap<>());

    /** Starts listening on 127.0.0.1 and an OS-chosen port. */
    public Upstream start() {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().join();
        return this;
    }

    /** The port it listens on. */
    public int port() {
        return server.actualPort();
    }

    /** Requests seen so far, oldest first. */
    public List<Seen> seen() {
        return seen;
    }

    /** The most recent request whose URI starts with {@code prefix}. */
    public Seen last(String prefix) {
        for (int i = seen.size() - 1; i >= 0; i--) {
            if (seen.get(i).uri().startsWith(prefix)) {
                return seen.get(i);
            }
        }
        throw new AssertionError("no request to " + prefix + " reached the upstream; saw " + seen);
    }

    /** URIs of requests to the echo and {@code /upload} routes whose body arrived completely, oldest first. */
    public List<String> completed() {
        return completed;
    }

    /** Forgets completed uploads, so that {@link #nextUpload} reports only what comes after. */
    public void forgetUploads() {
        uploads.clear();
    }

    /** The byte count of the next completed {@code /upload}, waiting up to {@code seconds}. */
    public long nextUpload(int seconds) throws InterruptedException {
        Long n = uploads.poll(seconds, TimeUnit.SECONDS);
        if (n == null) {
            throw new AssertionError("no upload completed within " + seconds + " s");
        }
        return n;
    }

    /** Writes one server-sent event to the open {@code /sse} stream, or ends it when {@code data} is null. */
    public void sse(String data) {
        HttpServerResponse r = sse.get();
        if (r == null) {
            throw new AssertionError("no /sse stream is open");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            if (data == null) {
                r.end();
            } else {
                r.write("data: " + data + "\n\n");
            }
            done.complete(null);
        });
        done.join();
    }

    private void handle(HttpServerRequest req) {
        seen.add(new Seen(req.method().name(), req.uri(), req.version().name(),
                MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), req.remoteAddress().toString()));
        HttpServerResponse res = req.response();
        String path = req.path();
        boolean reused = !connections.add(req.connection());
        if (path.equals("/hop")) {
            res.putHeader("Connection", "X-Hop-Secret")
                    .putHeader("X-Hop-Secret", "must not reach the client")
                    .putHeader("Keep-Alive", "timeout=5")
                    .putHeader("Proxy-Connection", "keep-alive")
                    .putHeader("Upgrade", "h2c")
                    .putHeader("X-End-To-End", "yes")
                    .end("hop");
        } else if (path.equals("/upload") || path.equals("/continue")) {
            if (path.equals("/continue") && "100-continue".equalsIgnoreCase(req.getHeader("expect"))) {
                res.writeContinue();
            }
            long[] count = { 0 };
            req.handler(b -> count[0] += b.length());
            req.endHandler(v -> {
                uploads.add(count[0]);
                completed.add(req.uri());
                res.end(Long.toString(count[0]));
            });
        } else if (path.equals("/download")) {
            long size = Long.parseLong(req.getParam("size"));
            res.putHeader("content-length", Long.toString(size));
            download(res, size);
        } else if (path.equals("/sse")) {
            res.setChunked(true).putHeader("content-type", "text/event-stream");
            res.write("data: first\n\n");
            sse.set(res);
        } else if (path.equals("/ws")) {
            req.toWebSocket().onSuccess(ws -> {
                ws.textMessageHandler(ws::writeTextMessage);
                ws.binaryMessageHandler(ws::writeBinaryMessage);
            });
        } else if (path.equals("/silent")) {
            req.pause(); // never answers
        } else if (path.equals("/reset")) {
            req.connection().close();
        } else if (path.equals("/closes-reused")) {
            // Answers on a fresh connection, closes a reused one without answering: the race of an application
            // closing an idle keep-alive connection just as the proxy sends on it.
            if (reused) {
                req.connection().close();
            } else {
                res.end("answered on a fresh connection");
            }
        } else if (path.equals("/dies-midway")) {
            res.putHeader("content-length", "100000").write(Buffer.buffer(new byte[1000]));
            vertx.setTimer(50, id -> req.connection().close());
        } else if (path.equals("/redirect-to-self")) {
            res.setStatusCode(302).putHeader("Location", "http://127.0.0.1:" + port() + "/landing?x=1").end();
        } else if (path.startsWith("/status/")) {
            res.setStatusCode(Integer.parseInt(path.substring("/status/".length()))).end();
        } else {
            StringBuilder body = new StringBuilder();
            body.append(req.method().name()).append(' ').append(req.uri()).append('\n');
            for (Map.Entry<String, String> h : req.headers()) {
                body.append(h.getKey()).append(": ").append(h.getValue()).append('\n');
            }
            req.body().onSuccess(b -> completed.add(req.uri())).onSuccess(b -> res.putHeader("content-type", "text/plain").putHeader("X-End-To-End", "yes")
                    .end(body.append("body-length: ").append(b.length()).toString()));
        }
    }

    private static void download(HttpServerResponse res, long remaining) {
        while (remaining > 0 && !res.writeQueueFull()) {
            int n = (int) Math.min(CHUNK.length(), remaining);
            res.write(n == CHUNK.length() ? CHUNK : CHUNK.getBuffer(0, n));
            remaining -= n;
        }
        if (remaining == 0) {
            res.end();
            return;
        }
        long left = remaining;
        res.drainHandler(v -> download(res, left));
    }

    /** Stops the server. */
    public void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
