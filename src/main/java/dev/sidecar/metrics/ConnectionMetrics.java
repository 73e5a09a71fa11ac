package dev.sidecar.metrics;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import jakarta.inject.Singleton;

import io.quarkus.vertx.VertxOptionsCustomizer;
import io.quarkus.vertx.http.runtime.ExtendedQuarkusVertxHttpMetrics;
import io.vertx.core.VertxOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.spi.metrics.VertxMetrics;

/**
 * Open client connections on the public listener, as counted by Quarkus's connection limit
 * ({@code sidecar.limits.max-connections}), and the connections refused by that limit. Installs a Vert.x
 * metrics SPI that creates no per-request metrics at all, so it costs nothing on the request path.
 */
@Singleton
public class ConnectionMetrics implements VertxOptionsCustomizer {

    private volatile AtomicInteger open = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();

    @Override
    public void accept(VertxOptions options) {
        options.setMetricsOptions(new MetricsOptions().setEnabled(true).setFactory(o -> new Spi()));
    }

    /** Client connections open now. */
    public int open() {
        return open.get();
    }

    /** Connections closed at once because the limit was reached. */
    public long rejected() {
        return rejected.sum();
    }

    private final class Spi implements VertxMetrics, ExtendedQuarkusVertxHttpMetrics {
        @Override
        public ConnectionTracker getHttpConnectionTracker() {
            return new ConnectionTracker() {
                @Override
                public void onConnectionRejected() {
                    rejected.increment();
                }

                @Override
                public void initialize(int maxConnections, AtomicInteger current) {
                    open = current;
                }
            };
        }
    }
}
