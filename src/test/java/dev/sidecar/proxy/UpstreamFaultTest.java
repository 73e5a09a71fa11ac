package dev.sidecar.proxy;

import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import dev.sidecar.support.Ports;
import dev.sidecar.support.RawUpstream;
import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An application that is down, comes up late, answers garbage, and closes idle keep-alive connections after
 * 30 ms without announcing it.
 */
@QuarkusTest
@QuarkusTestResource(value = UpstreamFaultTest.FaultyApp.class, restrictToAnnotatedClass = true)
class UpstreamFaultTest {

    /** Reserves a port for the application but does not start it: the sidecar starts with its app down. */
    public static class FaultyApp implements QuarkusTestResourceLifecycleManager {
        static final RawUpstream APP = new RawUpstream(30);
        static int port;

        @Override
        public Map<String, String> start() {
            port = Ports.free();
            Map<String, String> config = new java.util.HashMap<>(SidecarTestResource.certificateConfig());
            config.put("sidecar.upstream", "http://127.0.0.1:" + port);
            config.put("sidecar.pool.keep-alive-timeout", "2s");
            return config;
        }

        @Override
        public void stop() {
            APP.close();
        }
    }

    private static void appUp() {
        if (!FaultyApp.APP.running()) {
            FaultyApp.APP.start(FaultyApp.port);
        }
    }

    @Test
    void servesTheAppOnceItComesUpAfterTheSidecar() throws Exception {
        FaultyApp.APP.stop();
        Sidecar.https().get("/early").then().statusCode(502);
        Sidecar.management().get("/q/health/ready").then().statusCode(503);
        appUp();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Sidecar.management().get("/q/health/ready").statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "readiness never came up");
            Thread.sleep(50);
        }
        Sidecar.https().get("/late").then().statusCode(200).body(org.hamcrest.Matchers.equalTo("ok"));
    }

    @Test
    void answers502ForMalformedResponses() {
        appUp();
        for (String path : new String[] { "/malformed-status", "/malformed-length", "/garbage" }) {
            Sidecar.https().get(path).then().statusCode(502).body(containsString("request id: "));
        }
        Sidecar.management().get("/q/metrics").then().statusCode(200)
                .body(containsString("sidecar_upstream_failures_total{kind=\"malformed\"}"));
    }

    /**
     * The application announces {@code Keep-Alive: timeout=10}; the pool must not keep the connection that long
     * (the HTTP client would, and reuse it just as the application closes it) but close it after its own 2 s.
     */
    @Test
    void closesPooledConnectionsBeforeTheApplicationsAnnouncedKeepAliveRunsOut() throws Exception {
        appUp();
        Sidecar.https().get("/announces-keep-alive").then().statusCode(200);
        long answered = System.nanoTime();
        long closedAt = FaultyApp.APP.announcedConnectionClosed().get(8, java.util.concurrent.TimeUnit.SECONDS);
        double seconds = (closedAt - answered) / 1e9;
        assertTrue(seconds < 5, "the sidecar kept the connection " + seconds + " s (the app announced 10 s)");
    }

    /** A response with both framings must not reach the client with a length its body does not have. */
    @Test
    void neverPassesOnAResponseWhoseLengthContradictsItsBody() throws Exception {
        appUp();
        try (javax.net.ssl.SSLSocket socket = Sidecar.socket()) {
            java.io.OutputStream out = socket.getOutputStream();
            out.write("GET /both-lengths HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            String head = Sidecar.readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200") || head.startsWith("HTTP/1.1 502"), head);
            assertTrue(!head.toLowerCase().contains("content-length: 100"), head);
            // The client connection is still in step: a second request on it gets its own answer.
            out.write("GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            String rest = Sidecar.readAll(socket.getInputStream());
            assertTrue(rest.contains("HTTP/1.1 200 OK"), rest);
            assertTrue(rest.endsWith("ok"), rest);
        }
    }

    /**
     * The application closes each keep-alive connection after 30 ms idle; clients pause 0–60 ms between requests,
     * so the sidecar keeps reusing connections just as they close. Every GET must still succeed: a request sent
     * on a connection closed under it is retried once on a new one.
     */
    @Test
    void noSpurious502UnderSteadyLoadAgainstAnAppWithAShortKeepAlive() throws Exception {
        appUp();
        int before = FaultyApp.APP.answered();
        HttpClient client = HttpClient.newBuilder().sslContext(SidecarTestResource.clientContext())
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Integer>>> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                clients.add(pool.submit(() -> {
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        HttpRequest get = HttpRequest.newBuilder(URI.create(Sidecar.base() + "/steady/" + i)).build();
                        statuses.add(client.send(get, HttpResponse.BodyHandlers.ofString()).statusCode());
                        Thread.sleep(ThreadLocalRandom.current().nextInt(60)); // the load's shape, not a wait
                    }
                    return statuses;
                }));
            }
            for (Future<List<Integer>> f : clients) {
                List<Integer> statuses = f.get();
                assertEquals(100, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(400, FaultyApp.APP.answered() - before, "each request answered once by the app");
    }
}
