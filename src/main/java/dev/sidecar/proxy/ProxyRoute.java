package dev.sidecar.proxy;

import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import dev.sidecar.Sidecar;
import dev.sidecar.config.SidecarConfig;
import dev.sidecar.metrics.SidecarMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/**
 * Installs the proxy as the one catch-all route of the public router. Nothing else runs before it: no body
 * handler, so bodies stream.
 */
@Singleton
public class ProxyRoute {

    private ProxyHandler handler;

    void install(@Observes Router router, Sidecar sidecar, Vertx vertx, MeterRegistry registry) {
        SidecarMetrics metrics = new SidecarMetrics(registry);
        SidecarConfig.AccessLogFormat format = sidecar.config().accessLog();
        ExchangeObserver observer = format == SidecarConfig.AccessLogFormat.OFF ? metrics
                : both(metrics, new AccessLog(AccessLog.Format.valueOf(format.name())));
        handler = new ProxyHandler(vertx, sidecar.proxySettings(), observer,
                Runtime.getRuntime().availableProcessors() * 2);
        router.route().order(Integer.MIN_VALUE).handler(ctx -> handler.handle(ctx.request()))
                .failureHandler(ctx -> handler.refuse(ctx.request(), ctx.statusCode()));
    }

    private static ExchangeObserver both(ExchangeObserver a, ExchangeObserver b) {
        List<ExchangeObserver> all = List.of(a, b);
        return r -> all.forEach(o -> o.completed(r));
    }

    /** From now on responses close their HTTP/1.1 connection and HTTP/2 connections get GOAWAY. */
    public void startDraining() {
        handler.startDraining();
    }

    /** Requests, streams and tunnels not yet finished. */
    public long activeExchanges() {
        return handler == null ? 0 : handler.activeExchanges();
    }

    /** Closes WebSocket tunnels still open at the end of the drain. */
    public void closeTunnels() {
        handler.closeTunnels();
    }

    void stop(@Observes ShutdownEvent event) {
        if (handler != null) {
            handler.close();
        }
    }
}
