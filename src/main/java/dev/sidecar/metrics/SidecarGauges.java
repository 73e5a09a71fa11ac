package dev.sidecar.metrics;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.sidecar.Sidecar;
import dev.sidecar.proxy.ConnectionGuard;
import dev.sidecar.tls.CertificateGeneration;
import dev.sidecar.tls.CertificateReloader;
import dev.sidecar.tls.HandshakeFailures;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Meters read from state other code keeps: connections, TLS handshakes, and the served certificates. The
 * certificate meters read the same reference that handshakes do, so they always show what is served.
 */
@Singleton
public class SidecarGauges {

    private static final long REFRESH_MILLIS = 1000;

    private final MeterRegistry registry;
    private final CertificateReloader certificates;
    private final ConnectionGuard connectionGuard;
    private final HandshakeFailures handshakeFailures = new HandshakeFailures();
    private final Set<String> failureReasons = ConcurrentHashMap.newKeySet();
    private final Set<String> reloadFailureReasons = ConcurrentHashMap.newKeySet();
    private final Map<String, CertificateGeneration> expiryByName = new ConcurrentHashMap<>();

    SidecarGauges(MeterRegistry registry, Sidecar sidecar) {
        this.registry = registry;
        this.certificates = sidecar.certificates();
        this.connectionGuard = sidecar.connectionGuard();
    }

    void register(@Observes StartupEvent event, Vertx vertx) {
        handshakeFailures.install();
        Gauge.builder("sidecar.connections.active", connectionGuard, ConnectionGuard::open)
                .description("Client connections open on the HTTPS listener").register(registry);
        FunctionCounter.builder("sidecar.connections.rejected", connectionGuard, ConnectionGuard::rejected)
                .description("Connections closed at once because sidecar.limits.max-connections was reached")
                .register(registry);
        FunctionCounter.builder("sidecar.requests.head.timeouts", connectionGuard, ConnectionGuard::timeouts)
                .description("Connections closed because a request head took longer than sidecar.timeouts.request-headers")
                .register(registry);
        FunctionCounter.builder("sidecar.tls.handshakes", certificates.keyManager(), k -> k.handshakes())
                .description("Full TLS handshakes that were given a certificate").register(registry);
        FunctionCounter.builder("sidecar.certificate.reloads", certificates, CertificateReloader::successes)
                .description("Certificate reloads that replaced the served certificates").register(registry);
        Gauge.builder("sidecar.certificate.last.reload.timestamp", certificates,
                c -> c.lastSuccess().toEpochMilli() / 1000.0).baseUnit("seconds")
                .description("When the served certificates were last loaded, seconds since the epoch")
                .register(registry);
        refresh();
        vertx.setPeriodic(REFRESH_MILLIS, id -> refresh());
    }

    /**
     * Registers meters for labels seen since the last call (new failure reasons, newly served certificates)
     * and removes the expiry gauge of certificates no longer served. Runs every second on an event loop.
     */
    private void refresh() {
        handshakeFailures.byReason().forEach((reason, count) -> {
            if (failureReasons.add(reason)) {
                FunctionCounter.builder("sidecar.tls.handshake.failures", count, c -> c.sum())
                        .tag("reason", reason).description("Failed TLS handshakes by reason").register(registry);
            }
        });
        certificates.failures().forEach((reason, count) -> {
            if (reloadFailureReasons.add(reason)) {
                FunctionCounter.builder("sidecar.certificate.reload.failures", count, AtomicLong::get)
                        .tag("reason", reason).description("Certificate reloads refused, by reason")
                        .register(registry);
            }
        });
        for (CertificateGeneration g : certificates.served().generations()) {
            String key = g.subject() + "/" + g.serial();
            if (expiryByName.putIfAbsent(key, g) == null) {
                Gauge.builder("sidecar.certificate.expiry.timestamp", g, x -> x.notAfter().getEpochSecond())
                        .tags(Tags.of("subject", g.subject(), "serial", g.serial()))
                        .description("notAfter of each served certificate, seconds since the epoch")
                        .baseUnit("seconds").register(registry);
            }
        }
        // Certificates no longer served drop out of the expiry gauge.
        expiryByName.entrySet().removeIf(e -> {
            boolean gone = certificates.served().generations().stream().noneMatch(g -> g == e.getValue());
            if (gone) {
                registry.find("sidecar.certificate.expiry.timestamp").tags("serial", e.getValue().serial())
                        .meters().forEach(registry::remove);
            }
            return gone;
        });
    }
}
