package dev.sidecar.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.sidecar.proxy.ExchangeObserver;
import dev.sidecar.proxy.ExchangeRecord;
import dev.sidecar.proxy.UpstreamFailure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The request metrics. Meter names are a public contract ({@code sidecar_*}); tags take few, fixed values.
 * Meters are looked up once and cached, so recording an exchange costs a map lookup and a few adds.
 */
public final class SidecarMetrics implements ExchangeObserver {

    private static final String[] STATUS_CLASSES = { "none", "1xx", "2xx", "3xx", "4xx", "5xx" };
    private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE",
            "PATCH", "OPTIONS", "TRACE", "CONNECT");

    private final MeterRegistry registry;
    private final Map<String, Counter[]> requests = new ConcurrentHashMap<>();
    private final Map<UpstreamFailure, Counter> failures = new ConcurrentHashMap<>();
    private final Timer duration;
    private final Timer upstreamDuration;
    private final Counter bytesIn;
    private final Counter bytesOut;

    /** Registers the request meters in {@code registry}. */
    public SidecarMetrics(MeterRegistry registry) {
        this.registry = registry;
        Duration[] buckets = { Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
                Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
                Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
                Duration.ofSeconds(10), Duration.ofSeconds(30) };
        this.duration = Timer.builder("sidecar.request.duration")
                .description("Time from request headers to the end of the response")
                .serviceLevelObjectives(buckets).register(registry);
        this.upstreamDuration = Timer.builder("sidecar.upstream.duration")
                .description("Time from sending a request to the application to its response headers")
                .serviceLevelObjectives(buckets).register(registry);
        this.bytesIn = Counter.builder("sidecar.received.bytes").description("Request body bytes from clients")
                .register(registry);
        this.bytesOut = Counter.builder("sidecar.sent.bytes").description("Response body bytes to clients")
                .register(registry);
        for (UpstreamFailure f : UpstreamFailure.values()) {
            failures.put(f, Counter.builder("sidecar.upstream.failures").tag("kind", f.label())
                    .description("Requests the application could not answer, by kind").register(registry));
        }
    }

    @Override
    public void completed(ExchangeRecord r) {
        String method = METHODS.contains(r.method()) ? r.method() : "OTHER";
        Counter[] byClass = requests.computeIfAbsent(method, this::countersFor);
        byClass[r.status() / 100 > 5 ? 0 : r.status() / 100].increment();
        duration.record(r.totalNanos(), TimeUnit.NANOSECONDS);
        if (r.upstreamNanos() >= 0) {
            upstreamDuration.record(r.upstreamNanos(), TimeUnit.NANOSECONDS);
        }
        if (r.failure() != null) {
            failures.get(r.failure()).increment();
        }
        bytesIn.increment(r.bytesIn());
        bytesOut.increment(r.bytesOut());
    }

    private Counter[] countersFor(String method) {
        Counter[] counters = new Counter[STATUS_CLASSES.length];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = Counter.builder("sidecar.requests").tag("method", method).tag("status", STATUS_CLASSES[i])
                    .description("Requests by method and status class; status=none when the client left first")
                    .register(registry);
        }
        return counters;
    }
}
