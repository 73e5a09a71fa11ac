package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * 1 GiB each way through the sidecar. The test JVM runs with a heap far smaller than 1 GiB (see the
 * surefire argLine), so any buffering of a whole body fails; the peak heap in use is also asserted.
 */
@QuarkusTest
@QuarkusTestResource(value = SidecarTestResource.class, restrictToAnnotatedClass = true)
class StreamingTest {

    private static final long GIB = 1L << 30;
    private static final long HEAP_GROWTH_LIMIT = 192L << 20;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicBoolean sampling = new AtomicBoolean();
    private long baseline;
    private Thread sampler;

    @BeforeEach
    void startSampling() {
        System.gc();
        baseline = memory.getHeapMemoryUsage().getUsed();
        sampling.set(true);
        sampler = new Thread(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(20); // sampling period, not synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
    }

    @AfterEach
    void stopSampling() throws InterruptedException {
        sampling.set(false);
        sampler.join();
    }

    @Test
    void streamsAOneGibibyteUploadWithFlatMemory() throws Exception {
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
            String head = Sidecar.readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
        }
        assertEquals(GIB, SidecarTestResource.upstream().nextUpload(30));
        assertBoundedHeap();
    }

    @Test
    void streamsAOneGibibyteDownloadWithFlatMemory() throws Exception {
        long received = 0;
        try (SSLSocket socket = Sidecar.socket()) {
            socket.getOutputStream().write(("GET /download?size=" + GIB + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = Sidecar.readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.toLowerCase().contains("content-length: " + GIB), head);
            byte[] buf = new byte[256 * 1024];
            while (received < GIB) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                received += n;
            }
        }
        assertEquals(GIB, received);
        assertBoundedHeap();
    }

    private void assertBoundedHeap() {
        long growth = peak.get() - baseline;
        System.out.printf("heap baseline %d MiB, peak %d MiB during 1 GiB transfer%n", baseline >> 20,
                peak.get() >> 20);
        assertTrue(growth < HEAP_GROWTH_LIMIT, "heap grew by " + (growth >> 20) + " MiB while streaming");
    }
}
