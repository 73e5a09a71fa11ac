package dev.sidecar.tls;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The packaged application (and the native executable) decrypts an encrypted key. */
@QuarkusIntegrationTest
class EncryptedKeyIT extends EncryptedKeyTest {
}
