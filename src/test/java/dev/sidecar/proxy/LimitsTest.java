package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Optional protections switched on: a body limit (413 whether the size is announced or only discovered while
 * streaming) and HSTS.
 */
@QuarkusTest
@QuarkusTestResource(value = SidecarTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(LimitsTest.SmallBodies.class)
class LimitsTest {

    /** A 1 KiB body limit and HSTS. */
    public static class SmallBodies implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sidecar.limits.max-body-size", "1024", "sidecar.hsts", "max-age=31536000; includeSubDomains");
        }
    }

    @Test
    void addsHstsToResponses() {
        Sidecar.https().get("/hsts").then().statusCode(200)
                .header("strict-transport-security", "max-age=31536000; includeSubDomains");
    }

    @Test
    void answers413ForAnAnnouncedLargeBodyWithoutContactingTheApp() throws Exception {
        int before = SidecarTestResource.upstream().seen().size();
        String r = Sidecar.raw("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2048\r\n\r\n");
        assertTrue(r.startsWith("HTTP/1.1 413"), r);
        assertTrue(r.toLowerCase().contains("connection: close"), r);
        assertEquals(before, SidecarTestResource.upstream().seen().size());
    }

    @Test
    void answers413WhenAChunkedBodyGrowsPastTheLimit() throws Exception {
        String chunk = "400\r\n" + "a".repeat(1024) + "\r\n";
        String r = Sidecar.raw("POST /upload HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunk + chunk + "0\r\n\r\n");
        assertTrue(r.startsWith("HTTP/1.1 413"), r);
    }

    @Test
    void passesBodiesWithinTheLimit() throws Exception {
        String r = Sidecar.raw("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1024\r\n"
                + "Connection: close\r\n\r\n" + "b".repeat(1024));
        assertTrue(r.startsWith("HTTP/1.1 200"), r);
        assertTrue(r.endsWith("1024"), r);
    }
}
