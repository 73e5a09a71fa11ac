package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sidecar.support.PeakSampler;
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
    private long baseline;
    private PeakSampler heap;

    @BeforeEach
    void startSampling() {
        System.gc();
        baseline = memory.getHeapMemoryUsage().getUsed();
        heap = new PeakSampler(() -> memory.getHeapMemoryUsage().getUsed(), 20);
    }

    @AfterEach
    void assertBoundedHeap() throws InterruptedException {
        heap.close();
        long growth = heap.peak() - baseline;
        System.out.printf("heap baseline %d MiB, peak %d MiB during 1 GiB transfer%n", baseline >> 20,
                heap.peak() >> 20);
        assertTrue(growth < HEAP_GROWTH_LIMIT, "heap grew by " + (growth >> 20) + " MiB while streaming");
    }

    @Test
    void streamsAOneGibibyteUploadWithFlatMemory() throws Exception {
        SidecarTestResource.upstream().forgetUploads();
        String head = Sidecar.upload(GIB);
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        assertEquals(GIB, SidecarTestResource.upstream().nextUpload(30));
    }

    @Test
    void streamsAOneGibibyteDownloadWithFlatMemory() throws Exception {
        assertEquals(GIB, Sidecar.download(GIB));
    }
}
