package dev.sidecar.support;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** Samples a value every few milliseconds on its own thread and keeps the largest seen. */
public final class PeakSampler implements AutoCloseable {

    private final AtomicLong peak = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    /** Starts sampling {@code value} every {@code periodMillis}. */
    public PeakSampler(LongSupplier value, long periodMillis) {
        thread = new Thread(() -> {
            while (running.get()) {
                try {
                    peak.accumulateAndGet(value.getAsLong(), Math::max);
                    Thread.sleep(periodMillis); // sampling period, not synchronisation
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    return; // the process being sampled is gone
                }
            }
        }, "peak-sampler");
        thread.start();
    }

    /** The largest value seen so far. */
    public long peak() {
        return peak.get();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
    }
}
