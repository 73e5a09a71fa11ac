package dev.sidecar.proxy;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The hostile HTTP/2 scenarios against the packaged application. */
@QuarkusIntegrationTest
class Http2HostileIT extends Http2HostileTest {
}
