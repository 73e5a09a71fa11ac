package dev.sidecar.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;

class UpstreamFailureTest {

    @Test
    void mapsRefusedAndResetTo502AndTimeoutsTo504() {
        assertEquals(502, UpstreamFailure.of(new ConnectException("Connection refused")).status());
        assertEquals(UpstreamFailure.REFUSED, UpstreamFailure.of(new VertxException(new ConnectException("x"))));
        assertEquals(504, UpstreamFailure.of(new ConnectTimeoutException("slow")).status());
        assertEquals(UpstreamFailure.RESPONSE_TIMEOUT, UpstreamFailure.of(new TimeoutException("no answer")));
        assertEquals(UpstreamFailure.RESET, UpstreamFailure.of(new IOException("Connection reset by peer")));
        assertEquals(502, UpstreamFailure.RESET.status());
    }
}
