package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sidecar.support.Ports;
import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * 1 GiB each way through the packaged sidecar while its resident memory is sampled from /proc: the body
 * must stream, so RSS stays within a bound far below the transfer size.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = SidecarTestResource.class, restrictToAnnotatedClass = true)
class StreamingIT {

    private static final long GIB = 1L << 30;
    private static final long RSS_GROWTH_LIMIT_KIB = 64 * 1024;

    private final AtomicLong peakKib = new AtomicLong();
    private final AtomicBoolean sampling = new AtomicBoolean();
    private long baselineKib;
    private Thread sampler;

    @BeforeEach
    void sample() throws Exception {
        long pid = Ports.pidListeningOn(Sidecar.httpsPort());
        assertTrue(pid > 0, "cannot find the sidecar process");
        Sidecar.https().get("/warm-up").then().statusCode(200);
        baselineKib = Ports.rssKib(pid);
        sampling.set(true);
        sampler = new Thread(() -> {
            while (sampling.get()) {
                try {
                    peakKib.accumulateAndGet(Ports.rssKib(pid), Math::max);
                    Thread.sleep(50); // sampling period, not synchronisation
                } catch (Exception e) {
                    return;
                }
            }
        });
        sampler.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        sampling.set(false);
        sampler.join();
        long growth = peakKib.get() - baselineKib;
        System.out.printf("sidecar RSS baseline %d MiB, peak %d MiB during a 1 GiB transfer%n", baselineKib / 1024,
                peakKib.get() / 1024);
        assertTrue(growth < RSS_GROWTH_LIMIT_KIB, "sidecar RSS grew by " + growth / 1024 + " MiB");
    }

    @Test
    void uploadsOneGibibyteWithFlatMemory() throws Exception {
        SidecarTestResource.upstream().forgetUploads();
        try (SSLSocket socket = Sidecar.socket()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + GIB + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] block = new byte[256 * 1024];
            for (long sent = 0; sent < GIB; sent += block.length) {
                out.write(block);
            }
            out.flush();
            assertTrue(Sidecar.readHead(socket.getInputStream()).startsWith("HTTP/1.1 200"));
        }
        assertEquals(GIB, SidecarTestResource.upstream().nextUpload(30));
    }

    @Test
    void downloadsOneGibibyteWithFlatMemory() throws Exception {
        long received = 0;
        try (SSLSocket socket = Sidecar.socket()) {
            socket.getOutputStream().write(("GET /download?size=" + GIB + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            assertTrue(Sidecar.readHead(in).startsWith("HTTP/1.1 200"));
            byte[] buf = new byte[256 * 1024];
            for (int n; received < GIB && (n = in.read(buf)) > 0;) {
                received += n;
            }
        }
        assertEquals(GIB, received);
    }
}
