package dev.sidecar.proxy;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The application is not listening: requests get 502, readiness is DOWN, liveness stays UP. */
@QuarkusTest
@TestProfile(UpstreamDownTest.AppDown.class)
class UpstreamDownTest {

    /** Points the sidecar at a loopback port that nothing listens on. */
    public static class AppDown implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try (ServerSocket s = new ServerSocket(0)) {
                Map<String, String> config = new java.util.HashMap<>(SidecarTestResource.certificateConfig());
                config.put("sidecar.upstream", "http://127.0.0.1:" + s.getLocalPort());
                return config;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void answers502WhenTheAppRefusesConnections() {
        Sidecar.https().get("/anything").then().statusCode(502)
                .header("content-type", containsString("text/plain"))
                .body(containsString("refused the connection"))
                .body(containsString("request id: "));
    }

    @Test
    void reportsNotReadyButAlive() {
        Sidecar.management().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'upstream' }.status", equalTo("DOWN"));
        Sidecar.management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void countsRefusedConnections() {
        Sidecar.https().get("/counted").then().statusCode(502);
        Sidecar.management().get("/q/metrics").then().statusCode(200)
                .body(containsString("sidecar_upstream_failures_total{kind=\"refused\"}"))
                .body(containsString("sidecar_requests_total{method=\"GET\",status=\"5xx\"}"));
    }
}
