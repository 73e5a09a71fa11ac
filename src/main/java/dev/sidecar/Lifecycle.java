package dev.sidecar;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.sidecar.proxy.ProxyRoute;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;

/**
 * Graceful shutdown that fits a Kubernetes pod. On SIGTERM: readiness turns DOWN at once; the listener keeps
 * serving normally for {@code sidecar.shutdown.delay} while endpoints stop routing here; then it drains
 * (HTTP/1.1 responses say {@code Connection: close}, HTTP/2 connections get GOAWAY) until every exchange,
 * WebSocket tunnels and SSE streams included, has finished or {@code sidecar.shutdown.drain-timeout} has
 * passed; then the process exits 0.
 * <p>
 * This runs in Quarkus's pre-shutdown phase, before the listener closes, and replaces Quarkus's own
 * graceful-shutdown filter: that filter never sees a WebSocket tunnel end, so one proxied WebSocket would
 * make every shutdown wait the full timeout (see docs/graceful-shutdown.md).
 */
@Singleton
public class Lifecycle {

    private static final Logger LOG = Logger.getLogger(Lifecycle.class);
    private static final long POLL_MILLIS = 50;

    private final Sidecar sidecar;
    private final ProxyRoute proxy;
    private volatile boolean stopping;

    Lifecycle(Sidecar sidecar, ProxyRoute proxy) {
        this.sidecar = sidecar;
        this.proxy = proxy;
    }

    /** True from SIGTERM on: readiness reports DOWN. */
    public boolean stopping() {
        return stopping;
    }

    void onSigterm(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
        Duration delay = sidecar.config().shutdown().delay();
        Duration drain = sidecar.config().shutdown().drainTimeout();
        LOG.infof("Shutting down: readiness is DOWN; serving for %s more, then draining for up to %s",
                Sidecar.human(delay), Sidecar.human(drain));
        pause(delay);
        proxy.startDraining();
        Instant deadline = Instant.now().plus(drain);
        long active;
        while ((active = proxy.activeExchanges()) > 0 && Instant.now().isBefore(deadline)) {
            pause(Duration.ofMillis(POLL_MILLIS));
        }
        if (active > 0) {
            LOG.warnf("Drain timeout: closing %d exchanges still open (WebSockets, streams, slow requests)", active);
            proxy.closeTunnels();
        } else {
            LOG.info("All exchanges finished");
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
