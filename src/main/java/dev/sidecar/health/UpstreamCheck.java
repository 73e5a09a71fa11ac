package dev.sidecar.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.sidecar.Sidecar;
import dev.sidecar.proxy.ProxySettings;

/**
 * Ready only while the application accepts TCP connections (unless {@code sidecar.readiness.check-upstream}
 * is off), so a pod whose application is still starting gets no traffic.
 */
@Readiness
@ApplicationScoped
public class UpstreamCheck implements HealthCheck {

    private static final int TIMEOUT_MILLIS = 1000;

    private final ProxySettings settings;
    private final boolean enabled;

    UpstreamCheck(Sidecar sidecar) {
        this.settings = sidecar.proxySettings();
        this.enabled = sidecar.config().readiness().checkUpstream();
    }

    @Override
    public HealthCheckResponse call() {
        String target = settings.upstreamAuthority();
        if (!enabled) {
            return HealthCheckResponse.named("upstream").up().withData("address", target)
                    .withData("checked", false).build();
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(settings.upstreamHost(), settings.upstreamPort()), TIMEOUT_MILLIS);
            return HealthCheckResponse.named("upstream").up().withData("address", target).build();
        } catch (IOException e) {
            return HealthCheckResponse.named("upstream").down().withData("address", target)
                    .withData("error", e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    .build();
        }
    }
}
