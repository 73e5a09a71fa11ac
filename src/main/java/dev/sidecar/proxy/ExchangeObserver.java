package dev.sidecar.proxy;

/** Sees each finished exchange once, at its end: the access log and the request metrics. */
public interface ExchangeObserver {

    /** Called once per request, on the event loop, after the last byte or the failure. */
    void completed(ExchangeRecord record);
}
