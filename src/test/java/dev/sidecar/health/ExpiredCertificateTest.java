package dev.sidecar.health;

import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.sidecar.support.Sidecar;
import dev.sidecar.support.TestPki;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** A served certificate past its notAfter (allowed by the override) makes the sidecar unready. */
@QuarkusTest
@TestProfile(ExpiredCertificateTest.ExpiredButAllowed.class)
class ExpiredCertificateTest {

    /** An expired certificate, served because sidecar.tls.allow-expired is set. */
    public static class ExpiredButAllowed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            TestPki pki = new TestPki();
            var expired = pki.server("EC", "localhost", List.of("localhost"), Instant.now().minus(Duration.ofDays(30)),
                    Instant.now().minus(Duration.ofDays(1)));
            Path[] files = pki.write("expired", expired);
            return Map.of("sidecar.tls.cert", files[0].toString(), "sidecar.tls.key", files[1].toString(),
                    "sidecar.tls.allow-expired", "true", "sidecar.readiness.check-upstream", "false");
        }
    }

    @Test
    void reportsNotReadyWhileServingAnExpiredCertificate() {
        Sidecar.management().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'certificate' }.status", equalTo("DOWN"));
        Sidecar.management().get("/q/health/live").then().statusCode(200);
    }
}
