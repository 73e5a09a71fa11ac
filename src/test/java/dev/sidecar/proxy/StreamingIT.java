package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sidecar.support.PeakSampler;
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

    private long baselineKib;
    private PeakSampler rss;

    @BeforeEach
    void sample() throws Exception {
        long pid = Ports.pidListeningOn(Sidecar.httpsPort());
        assertTrue(pid > 0, "cannot find the sidecar process");
        Sidecar.https().get("/warm-up").then().statusCode(200);
        baselineKib = Ports.rssKib(pid);
        rss = new PeakSampler(() -> {
            try {
                return Ports.rssKib(pid);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, 50);
    }

    @AfterEach
    void assertFlatRss() throws InterruptedException {
        rss.close();
        long growth = rss.peak() - baselineKib;
        System.out.printf("sidecar RSS baseline %d MiB, peak %d MiB during a 1 GiB transfer%n", baselineKib / 1024,
                rss.peak() / 1024);
        assertTrue(growth < RSS_GROWTH_LIMIT_KIB, "sidecar RSS grew by " + growth / 1024 + " MiB");
    }

    @Test
    void uploadsOneGibibyteWithFlatMemory() throws Exception {
        SidecarTestResource.upstream().forgetUploads();
        assertTrue(Sidecar.upload(GIB).startsWith("HTTP/1.1 200"));
        assertEquals(GIB, SidecarTestResource.upstream().nextUpload(30));
    }

    @Test
    void downloadsOneGibibyteWithFlatMemory() throws Exception {
        assertEquals(GIB, Sidecar.download(GIB));
    }
}
