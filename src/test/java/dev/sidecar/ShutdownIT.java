package dev.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sidecar.support.Ports;
import dev.sidecar.support.TestPki;
import dev.sidecar.support.Upstream;

/**
 * SIGTERM to a real sidecar process while a slow request is in flight: readiness goes DOWN first, the
 * request completes, the process exits 0, and the whole shutdown is bounded by delay + request time.
 */
class ShutdownIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private Process sidecar;
    private Upstream upstream;

    @AfterEach
    void cleanUp() {
        if (sidecar != null && sidecar.isAlive()) {
            sidecar.destroyForcibly();
        }
        if (upstream != null) {
            upstream.stop();
        }
    }

    private TestPki pki;
    private int https;
    private int management;
    private Path log;
    private HttpClient client;

    /** Starts the packaged sidecar as a real process and waits until it is ready. */
    private void launch(String... extraEnv) throws Exception {
        assertTrue(Files.exists(JAR), "package the application first (mvn verify does)");
        upstream = new Upstream().start();
        pki = new TestPki();
        Path[] files = pki.write("tls", pki.server("EC"));
        https = Ports.free();
        management = Ports.free();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-jar", JAR.toString());
        pb.environment().put("SIDECAR_PORT", Integer.toString(https));
        pb.environment().put("SIDECAR_MANAGEMENT_PORT", Integer.toString(management));
        pb.environment().put("SIDECAR_UPSTREAM", "http://127.0.0.1:" + upstream.port());
        pb.environment().put("SIDECAR_TLS_CERT", files[0].toString());
        pb.environment().put("SIDECAR_TLS_KEY", files[1].toString());
        pb.environment().put("SIDECAR_SHUTDOWN_DELAY", "1s");
        pb.environment().put("SIDECAR_SHUTDOWN_DRAIN_TIMEOUT", "20s");
        for (int i = 0; i < extraEnv.length; i += 2) {
            pb.environment().put(extraEnv[i], extraEnv[i + 1]);
        }
        log = Files.createTempFile("sidecar-shutdown", ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        sidecar = pb.start();
        client = HttpClient.newBuilder().sslContext(pki.clientContext()).build();
        awaitStatus(client, ready(), 200, Duration.ofSeconds(60), log);
    }

    private URI ready() {
        return URI.create("http://127.0.0.1:" + management + "/q/health/ready");
    }

    @Test
    void drainsInFlightRequestsAndExitsZeroOnSigterm() throws Exception {
        launch();
        URI ready = ready();

        // A request the application answers only when the test says so.
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                HttpRequest.newBuilder(URI.create("https://localhost:" + https + "/sse")).build(),
                HttpResponse.BodyHandlers.ofString());
        awaitSeen("/sse", Duration.ofSeconds(10));

        Instant sigterm = Instant.now();
        sidecar.toHandle().destroy(); // SIGTERM
        awaitStatus(client, ready, 503, Duration.ofSeconds(5), log);
        assertTrue(sidecar.isAlive(), "the sidecar must keep running while the request is in flight");

        upstream.sse("last");
        upstream.sse(null);
        HttpResponse<String> answer = slow.get(20, TimeUnit.SECONDS);
        assertEquals(200, answer.statusCode());
        assertTrue(answer.body().contains("data: last"), answer.body());

        assertTrue(sidecar.waitFor(20, TimeUnit.SECONDS), "the sidecar did not exit");
        Duration took = Duration.between(sigterm, Instant.now());
        assertEquals(0, sidecar.exitValue(), () -> "exit code; log:\n" + read(log));
        System.out.println("SIGTERM to exit: " + took.toMillis() + " ms");
        assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "shutdown took " + took);
    }

    @Test
    void aClosedWebSocketDoesNotHoldTheShutdown() throws Exception {
        launch();
        java.util.concurrent.CompletableFuture<String> echoed = new java.util.concurrent.CompletableFuture<>();
        java.net.http.WebSocket ws = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(pki.clientContext()).build().newWebSocketBuilder()
                .buildAsync(URI.create("wss://localhost:" + https + "/ws"), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data,
                            boolean last) {
                        echoed.complete(data.toString());
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("ping", true);
        assertEquals("ping", echoed.get(10, TimeUnit.SECONDS));
        ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        ws.abort();
        Thread.sleep(200); // let the close travel through the tunnel; the assertion below is on total time

        Instant sigterm = Instant.now();
        sidecar.toHandle().destroy();
        assertTrue(sidecar.waitFor(15, TimeUnit.SECONDS), "the sidecar did not exit");
        Duration took = Duration.between(sigterm, Instant.now());
        assertEquals(0, sidecar.exitValue());
        // delay 1 s + drain with nothing open: far below the 20 s drain timeout
        assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, "a closed WebSocket held the shutdown for " + took);
    }

    @Test
    void shutsDownFromTheManagementPortWhenEnabled() throws Exception {
        launch("SIDECAR_MANAGEMENT_SHUTDOWN_ENABLED", "true");
        int status = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management
                + "/q/sidecar/shutdown")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
        assertEquals(202, status);
        assertTrue(sidecar.waitFor(15, TimeUnit.SECONDS), "the sidecar did not exit");
        assertEquals(0, sidecar.exitValue(), () -> read(log));
    }

    private void awaitSeen(String prefix, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (upstream.seen().stream().noneMatch(s -> s.uri().startsWith(prefix))) {
            assertTrue(Instant.now().isBefore(deadline), prefix + " never reached the application");
            Thread.sleep(20);
        }
    }

    private void awaitStatus(HttpClient client, URI uri, int status, Duration timeout, Path log) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        int last = -1;
        while (Instant.now().isBefore(deadline)) {
            try {
                last = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (last == status) {
                    return;
                }
            } catch (IOException e) {
                last = -1; // not listening yet
            }
            assertTrue(sidecar.isAlive(), () -> "the sidecar exited early:\n" + read(log));
            Thread.sleep(50);
        }
        throw new AssertionError(uri + " answered " + last + ", expected " + status + "; log:\n" + read(log));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
