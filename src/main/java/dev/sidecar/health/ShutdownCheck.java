package dev.sidecar.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.sidecar.Lifecycle;

/** Not ready from the moment SIGTERM arrives, so Kubernetes stops routing here while requests drain. */
@Readiness
@ApplicationScoped
public class ShutdownCheck implements HealthCheck {

    private final Lifecycle lifecycle;

    ShutdownCheck(Lifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("shutdown").status(!lifecycle.stopping()).build();
    }
}
