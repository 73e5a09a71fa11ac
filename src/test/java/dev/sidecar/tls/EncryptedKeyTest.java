package dev.sidecar.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;

import javax.net.ssl.SSLSocket;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.junit.jupiter.api.Test;

import dev.sidecar.support.Sidecar;
import dev.sidecar.support.SidecarTestResource;
import dev.sidecar.support.TestPki;
import dev.sidecar.tls.DevCertificates.Issued;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** A password-protected PKCS#8 key (AES-256, PBKDF2) is decrypted at start-up and served. */
@QuarkusTest
@QuarkusTestResource(value = EncryptedKeyTest.Resource.class, restrictToAnnotatedClass = true)
class EncryptedKeyTest {

    private static final String SERIAL_PROPERTY = "test.encrypted-key-serial";

    public static class Resource extends SidecarTestResource {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            TestPki pki = SidecarTestResource.pki();
            Issued server = pki.server("EC");
            Path[] files = pki.write("encrypted", server);
            char[] password = "correct horse".toCharArray();
            try (StringWriter out = new StringWriter(); JcaPEMWriter pem = new JcaPEMWriter(out)) {
                var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                        .setProvider(new BouncyCastleProvider()).setPassword(password).build();
                pem.writeObject(new JcaPKCS8Generator(server.keys().getPrivate(), encryptor));
                pem.flush();
                Files.writeString(files[1], out.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (OperatorCreationException e) {
                throw new IllegalStateException(e);
            }
            config.put("sidecar.tls.cert", files[0].toString());
            config.put("sidecar.tls.key", files[1].toString());
            config.put("sidecar.tls.key-password", new String(password));
            System.setProperty(SERIAL_PROPERTY, server.certificate().getSerialNumber().toString(16));
            return config;
        }
    }

    @Test
    void servesTheCertificateOfTheDecryptedKey() throws Exception {
        try (SSLSocket socket = Sidecar.socket()) {
            socket.startHandshake();
            X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            assertEquals(System.getProperty(SERIAL_PROPERTY), served.getSerialNumber().toString(16));
        }
        assertEquals(200, Sidecar.https().get("/").statusCode());
    }
}
