package dev.sidecar.proxy;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The proxy scenarios against the packaged application. */
@QuarkusIntegrationTest
class ProxyIT extends ProxyTest {
}
