package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.sidecar.support.Ports;
import dev.sidecar.support.SidecarTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The opt-in plain-HTTP listener redirects and forwards nothing. */
@QuarkusTest
@QuarkusTestResource(value = SidecarTestResource.class, restrictToAnnotatedClass = true)
@TestProfile(HttpRedirectTest.RedirectOn.class)
class HttpRedirectTest {

    /** The redirect listener on a free port, clients reaching HTTPS on 8443. */
    public static class RedirectOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sidecar.http-redirect.port", Integer.toString(Ports.free()),
                    "sidecar.http-redirect.https-port", "8443");
        }
    }

    private static String plain(String request) throws IOException {
        int port = ConfigProvider.getConfig().getValue("sidecar.http-redirect.port", Integer.class);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void redirectsToTheSameUrlOverHttpsWithoutReachingTheApp() throws Exception {
        int before = SidecarTestResource.upstream().seen().size();
        String response = plain("POST /form?a=1&b=%20 HTTP/1.1\r\nHost: shop.example:8080\r\nContent-Length: 3\r\n"
                + "Connection: close\r\n\r\nx=1");
        assertTrue(response.startsWith("HTTP/1.1 308"), response);
        assertTrue(response.contains("location: https://shop.example:8443/form?a=1&b=%20\r\n"), response);
        assertEquals(before, SidecarTestResource.upstream().seen().size());
    }

    @Test
    void refusesAHostThatCouldInjectIntoTheLocation() throws Exception {
        String response = plain("GET / HTTP/1.1\r\nHost: evil.example/@x\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 400"), response);
        assertFalse(response.toLowerCase().contains("location:"), response);
    }

    @Test
    void buildsLocations() {
        assertEquals("https://a.example/x?y", HttpRedirect.location("a.example", "/x?y", 443));
        assertEquals("https://a.example:8443/", HttpRedirect.location("a.example:80", "/", 8443));
        assertEquals("https://[::1]/", HttpRedirect.location("[::1]:8080", "/", 443));
        assertNull(HttpRedirect.location(null, "/", 443));
        assertNull(HttpRedirect.location("a b", "/", 443));
        assertNull(HttpRedirect.location("a.example", "http://other/", 443));
    }
}
