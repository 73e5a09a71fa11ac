package dev.sidecar.metrics;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** Health, metrics and the TLS policy (renegotiation refused included) of the packaged application. */
@QuarkusIntegrationTest
class ManagementIT extends ManagementTest {
}
