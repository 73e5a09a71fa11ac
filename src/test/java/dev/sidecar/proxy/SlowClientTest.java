package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Clients that hold the sidecar's resources without finishing anything: slow request heads (slowloris), slow
 * bodies, idle connections, too many connections. Short limits so that every case ends in seconds.
 */
@QuarkusTest
@QuarkusTestResource(value = SidecarTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(SlowClientTest.ShortLimits.class)
class SlowClientTest {

    static final int MAX_CONNECTIONS = 40;

    /** A 1 s request head timeout, a 3 s idle timeout, at most 40 connections. */
    public static class ShortLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sidecar.timeouts.request-headers", "1s", "sidecar.timeouts.idle", "3s",
                    "sidecar.limits.max-connections", Integer.toString(MAX_CONNECTIONS));
        }
    }

    /** Sends a request head one header line every 200 ms until the sidecar gives up on it (or 10 s pass). */
    private static Sidecar.Reply slowloris(String path) throws IOException {
        try (SSLSocket socket = Sidecar.socket()) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long deadline = System.nanoTime() + 10_000_000_000L;
            try {
                while (System.nanoTime() < deadline && !socket.isClosed()) {
                    Thread.sleep(200); // the attack itself: a header line now and then, never the blank line
                    out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (socket.getInputStream().available() > 0) {
                        break;
                    }
                }
            } catch (IOException e) {
                // the sidecar closed the connection while we were writing: what it sent first is still readable
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            socket.setSoTimeout(5_000);
            return Sidecar.read(socket.getInputStream());
        }
    }

    @Test
    void closesAConnectionWhoseRequestHeadIsTooSlowWith408() throws Exception {
        String path = "/slow-head/" + UUID.randomUUID();
        long start = System.nanoTime();
        Sidecar.Reply reply = slowloris(path);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertEquals(408, reply.status(), reply.text());
        assertTrue(reply.closed());
        String body = reply.text().substring(reply.text().indexOf("\r\n\r\n") + 4);
        assertTrue(reply.text().contains("Content-Length: " + body.length() + "\r\n"), reply.text());
        assertTrue(seconds < 10, "cut by the head timeout, not by the client giving up");
        assertFalse(SidecarTestResource.upstream().seen().stream().anyMatch(s -> s.uri().equals(path)));
        Sidecar.management().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.matchesPattern("(?s).*sidecar_requests_head_timeouts_total(\\{[^}]*\\})? [1-9].*"));
    }

    @Test
    void servesNormalClientsWhileSlowHeadsAreHeld() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<Sidecar.Reply>> attackers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                attackers.add(pool.submit(() -> slowloris("/slow-head/" + UUID.randomUUID())));
            }
            for (int i = 0; i < 20; i++) {
                Sidecar.Reply reply = Sidecar.send("GET /normal/" + i + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertEquals(200, reply.status(), reply.text());
            }
            for (Future<Sidecar.Reply> attacker : attackers) {
                assertEquals(408, attacker.get().status());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void keepsAKeepAliveConnectionThatWaitsLongerThanTheHeadTimeout() throws Exception {
        try (SSLSocket socket = Sidecar.socket()) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /keep-alive/1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(Sidecar.readHead(socket.getInputStream()).startsWith("HTTP/1.1 200"));
            Thread.sleep(1_500); // the behaviour under test: idle between requests, past the 1 s head timeout
            out.write("GET /keep-alive/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String rest = Sidecar.readAll(socket.getInputStream());
            assertTrue(rest.contains("HTTP/1.1 200"), rest);
            assertTrue(rest.contains("GET /keep-alive/2"), rest);
        }
    }

    @Test
    void leavesAWebSocketTunnelAloneWhenItsFramesTrickle() throws Exception {
        try (SSLSocket socket = Sidecar.socket()) {
            OutputStream out = socket.getOutputStream();
            assertTrue(Sidecar.openWebSocket(socket).startsWith("HTTP/1.1 101"));
            // A masked text frame "hi" (RFC 6455 §5.2) written a byte at a time over 1.6 s: as slow as a slowloris
            // head, past the 1 s head timeout, but a tunnel is not a request head.
            byte[] frame = { (byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2 };
            for (byte b : frame) {
                out.write(b);
                out.flush();
                Thread.sleep(200); // the behaviour under test: a trickle
            }
            assertEquals("[-127, 2, 104, 105]", java.util.Arrays.toString(socket.getInputStream().readNBytes(4)));
        }
    }

    @Test
    void freesTheConnectionSlotOfAClosedWebSocketTunnel() throws Exception {
        int before = activeConnections();
        for (int i = 0; i < 3; i++) {
            try (SSLSocket socket = Sidecar.socket()) {
                assertTrue(Sidecar.openWebSocket(socket).startsWith("HTTP/1.1 101"));
                assertEquals(before + 1, activeConnections());
            }
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (activeConnections() != before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(before, activeConnections(), "closed tunnels must give their connection slot back");
    }

    @Test
    void givesBackTheConnectionWhenTheAppDiesMidResponse() throws Exception {
        int before = activeConnections();
        try (SSLSocket socket = Sidecar.socket()) {
            socket.getOutputStream().write("GET /dies-midway HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5_000);
            Sidecar.Reply reply = Sidecar.read(socket.getInputStream());
            assertTrue(reply.closed(), "the client's stream is cut, not left hanging");
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (activeConnections() != before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(before, activeConnections(), "the cut connection must not stay counted");
    }

    private static int activeConnections() {
        String line = Sidecar.management().get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith("sidecar_connections_active")).findFirst().orElseThrow();
        return (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void cutsASlowBodyAtTheIdleTimeoutWithoutCompletingItAtTheApp() throws Exception {
        String path = "/slow-body/" + UUID.randomUUID();
        try (SSLSocket socket = Sidecar.socket()) {
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
                    + "0123456789").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            Sidecar.Reply reply = Sidecar.read(socket.getInputStream());
            assertTrue(reply.closed(), "closed by the idle timeout: " + reply.text());
        }
        assertFalse(SidecarTestResource.upstream().completed().contains(path));
    }

    @Test
    void closesAnIdleConnection() throws Exception {
        try (SSLSocket socket = Sidecar.socket()) {
            assertTrue(Sidecar.read(socket.getInputStream()).closed(), "closed by the 3 s idle timeout");
        }
    }

    @Test
    void refusesConnectionsBeyondTheLimitAndAcceptsAgainWhenOneCloses() throws Exception {
        List<SSLSocket> open = new ArrayList<>();
        try {
            // Connections of earlier tests may still be closing: open until the limit refuses one.
            SSLSocket refused = null;
            for (int i = 0; i < MAX_CONNECTIONS * 2 && refused == null; i++) {
                SSLSocket socket = Sidecar.socket();
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET /limit/" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (Sidecar.readHead(socket.getInputStream()).startsWith("HTTP/1.1 200")) {
                    open.add(socket);
                } else {
                    refused = socket;
                }
            }
            assertTrue(refused != null, "no connection was refused");
            assertTrue(open.size() <= MAX_CONNECTIONS, open.size() + " connections were accepted");
            refused.close();
            Sidecar.management().get("/q/metrics").then().statusCode(200)
                    .body(org.hamcrest.Matchers.matchesPattern("(?s).*sidecar_connections_rejected_total(\\{[^}]*\\})? [1-9].*"));
            open.remove(0).close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            boolean accepted = false;
            while (!accepted && System.nanoTime() < deadline) {
                accepted = Sidecar.send("GET /limit/again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status() == 200;
            }
            assertTrue(accepted, "a new connection is accepted once one closes");
        } finally {
            for (SSLSocket s : open) {
                s.close();
            }
        }
    }
}
