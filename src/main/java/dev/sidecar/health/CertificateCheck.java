package dev.sidecar.health;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

import dev.sidecar.Sidecar;
import dev.sidecar.tls.CertificateException;
import dev.sidecar.tls.CertificateGeneration;
import dev.sidecar.tls.CertificateReloader;

/**
 * Ready while the served certificate is within its validity period. A failed reload does not make the
 * sidecar unready (the old certificate still serves) but shows in the data as {@code last-reload-error}.
 */
@Readiness
@Startup
@ApplicationScoped
public class CertificateCheck implements HealthCheck {

    private final CertificateReloader certificates;

    CertificateCheck(Sidecar sidecar) {
        this.certificates = sidecar.certificates();
    }

    @Override
    public HealthCheckResponse call() {
        CertificateGeneration served = certificates.served().defaultGeneration();
        Instant now = Instant.now();
        boolean valid = now.isBefore(served.notAfter()) && !now.isBefore(served.leaf().getNotBefore().toInstant());
        HealthCheckResponseBuilder b = HealthCheckResponse.named("certificate").status(valid)
                .withData("subject", served.subject())
                .withData("serial", served.serial())
                .withData("not-after", served.notAfter().toString())
                .withData("reloads", certificates.successes());
        java.util.List<String> warnings = certificates.expiryWarnings();
        if (!warnings.isEmpty()) {
            b.withData("expiry-warning", String.join("; ", warnings));
        }
        CertificateException failure = certificates.lastFailure();
        if (failure != null) {
            b.withData("last-reload-error", failure.getMessage());
        }
        return b.build();
    }
}
