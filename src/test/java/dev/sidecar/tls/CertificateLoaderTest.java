package dev.sidecar.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.sidecar.support.TestPki;
import dev.sidecar.tls.DevCertificates.Issued;

class CertificateLoaderTest {

    private static final Path CERT = Path.of("/secrets/tls.crt");
    private static final Path KEY = Path.of("/secrets/tls.key");
    private static final char[] PASSWORD = "correct horse".toCharArray();

    private final TestPki pki = new TestPki();

    private static CertificateGeneration load(Issued server, String keyPem, char[] password) throws Exception {
        return CertificateLoader.load("a", CERT, DevCertificates.pem(server.certificate()).getBytes(), KEY,
                keyPem.getBytes(StandardCharsets.US_ASCII), password, new CertificateLoader.Rules(Instant.now(), false));
    }

    private static String pem(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = { "EC", "RSA" })
    void loadsPkcs8Keys(String type) throws Exception {
        Issued server = pki.server(type);
        CertificateGeneration g = load(server, DevCertificates.pkcs8(server.keys().getPrivate()), null);
        assertEquals(type, g.keyType());
        assertArrayEquals(server.keys().getPrivate().getEncoded(), g.key().getEncoded());
    }

    @ParameterizedTest
    @ValueSource(strings = { "EC", "RSA" })
    void loadsEncryptedPkcs8Keys(String type) throws Exception {
        Issued server = pki.server(type);
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider()).setPassword(PASSWORD).build();
        String keyPem = pem(new JcaPKCS8Generator(server.keys().getPrivate(), encryptor));
        assertTrue(keyPem.contains("BEGIN ENCRYPTED PRIVATE KEY"));
        assertEquals(type, load(server, keyPem, PASSWORD).keyType());
    }

    @ParameterizedTest
    @ValueSource(strings = { "EC", "RSA" })
    void loadsLegacyEncryptedPemKeys(String type) throws Exception {
        Issued server = pki.server(type);
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(server.keys(), new JcePEMEncryptorBuilder("AES-128-CBC")
                    .setProvider(new BouncyCastleProvider()).build(PASSWORD));
        }
        assertTrue(out.toString().contains("Proc-Type: 4,ENCRYPTED"));
        assertEquals(type, load(server, out.toString(), PASSWORD).keyType());
    }

    @Test
    void loadsPkcs1RsaKeys() throws Exception {
        Issued server = pki.server("RSA");
        String keyPem = pem(server.keys()); // JcaPEMWriter writes a KeyPair as "RSA PRIVATE KEY"
        assertTrue(keyPem.contains("BEGIN RSA PRIVATE KEY"));
        assertEquals("RSA", load(server, keyPem, null).keyType());
    }

    @Test
    void loadsSec1EcKeysWithCurveParameters() throws Exception {
        Issued server = pki.server("EC");
        String keyPem = pem(server.keys());
        assertTrue(keyPem.contains("BEGIN EC PRIVATE KEY"));
        assertEquals("EC", load(server, keyPem, null).keyType());
    }

    @Test
    void loadsSec1EcKeysWithoutCurveParameters() throws Exception {
        Issued server = pki.server("EC");
        ECPrivateKey full = ECPrivateKey.getInstance(
                PrivateKeyInfo.getInstance(server.keys().getPrivate().getEncoded()).parsePrivateKey());
        ECPrivateKey bare = new ECPrivateKey(256, full.getKey(), null, null);
        String keyPem = pem(new PemObject("EC PRIVATE KEY", bare.getEncoded()));
        CertificateGeneration g = load(server, keyPem, null);
        assertEquals("EC", g.keyType());
    }

    @ParameterizedTest
    @ValueSource(strings = { "EC", "RSA" })
    void loadsPkcs12Keystores(String type) throws Exception {
        Issued server = pki.server(type);
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", pki.ca().certificate());
        store.setKeyEntry("server", server.keys().getPrivate(), PASSWORD,
                new java.security.cert.Certificate[] { server.certificate(), pki.ca().certificate() });
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        store.store(out, PASSWORD);
        var rules = new CertificateLoader.Rules(Instant.now(), false);
        CertificateGeneration g = CertificateLoader.loadPkcs12("a", CERT, out.toByteArray(), PASSWORD, null, rules);
        assertEquals(type, g.keyType());
        assertEquals(2, g.chain().length);
        assertEquals(server.certificate(), g.leaf());
        assertEquals("decrypt", assertThrows(CertificateException.class, () -> CertificateLoader.loadPkcs12("a", CERT,
                out.toByteArray(), "wrong".toCharArray(), null, rules)).reason());
        assertTrue(assertThrows(CertificateException.class, () -> CertificateLoader.loadPkcs12("a", CERT,
                out.toByteArray(), PASSWORD, "missing", rules)).getMessage().contains("sidecar.tls.keystore-alias"));
    }

    @Test
    void refusesAnEncryptedKeyWithoutPassword() throws Exception {
        Issued server = pki.server("EC");
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider()).setPassword(PASSWORD).build();
        String keyPem = pem(new JcaPKCS8Generator(server.keys().getPrivate(), encryptor));
        CertificateException e = assertThrows(CertificateException.class, () -> load(server, keyPem, null));
        assertEquals("decrypt", e.reason());
        assertTrue(e.getMessage().contains("sidecar.tls.key-password"), e.getMessage());
        CertificateException wrong = assertThrows(CertificateException.class,
                () -> load(server, keyPem, "wrong".toCharArray()));
        assertEquals("decrypt", wrong.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = { "EC", "RSA" })
    void refusesAKeyThatDoesNotMatchTheCertificate(String type) {
        Issued server = pki.server(type);
        PrivateKey other = DevCertificates.keyPair(type).getPrivate();
        CertificateException e = assertThrows(CertificateException.class,
                () -> load(server, DevCertificates.pkcs8(other), null));
        assertEquals("key-mismatch", e.reason());
        assertEquals(KEY, e.path());
        assertTrue(e.getMessage().contains("does not belong to the certificate"), e.getMessage());
    }

    /** Keys that carry their public half are compared by it; the others are tried by signing. */
    @ParameterizedTest
    @ValueSource(strings = { "EC with its point", "EC without its point", "RSA with CRT parts", "RSA without" })
    void matchesKeysWithAndWithoutTheirPublicHalf(String form) throws Exception {
        String type = form.substring(0, form.indexOf(' '));
        KeyPair mine = DevCertificates.keyPair(type);
        KeyPair other = DevCertificates.keyPair(type);
        assertTrue(CertificateLoader.keyMatches(mine.getPublic(), reduced(form, mine.getPrivate())), form);
        assertFalse(CertificateLoader.keyMatches(mine.getPublic(), reduced(form, other.getPrivate())), form);
    }

    private static PrivateKey reduced(String form, PrivateKey key) throws Exception {
        return switch (form) {
            case "EC without its point" -> {
                ECPrivateKey full = ECPrivateKey.getInstance(PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey());
                var info = PrivateKeyInfo.getInstance(key.getEncoded());
                var bare = new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), new ECPrivateKey(256, full.getKey(), null, null));
                yield KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(bare.getEncoded()));
            }
            case "RSA without" -> {
                var rsa = (RSAPrivateCrtKey) key;
                yield KeyFactory.getInstance("RSA").generatePrivate(
                        new RSAPrivateKeySpec(rsa.getModulus(), rsa.getPrivateExponent()));
            }
            default -> key;
        };
    }

    @Test
    void refusesAKeyOfAnotherType() {
        Issued server = pki.server("EC");
        KeyPair rsa = DevCertificates.keyPair("RSA");
        assertEquals("key-mismatch", assertThrows(CertificateException.class,
                () -> load(server, DevCertificates.pkcs8(rsa.getPrivate()), null)).reason());
    }

    @Test
    void refusesAnExpiredCertificateUnlessAllowed() throws Exception {
        Issued old = pki.server("EC", "localhost", List.of("localhost"), Instant.now().minus(Duration.ofDays(10)),
                Instant.now().minus(Duration.ofDays(1)));
        CertificateException e = assertThrows(CertificateException.class,
                () -> load(old, DevCertificates.pkcs8(old.keys().getPrivate()), null));
        assertEquals("expired", e.reason());
        assertTrue(e.getMessage().contains("sidecar.tls.allow-expired=true"), e.getMessage());
        CertificateLoader.load("a", CERT, DevCertificates.pem(old.certificate()).getBytes(), KEY,
                DevCertificates.pkcs8(old.keys().getPrivate()).getBytes(), null,
                new CertificateLoader.Rules(Instant.now(), true));
    }

    @Test
    void refusesACertificateThatIsNotYetValid() {
        Issued future = pki.server("EC", "localhost", List.of("localhost"), Instant.now().plus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(10)));
        assertEquals("not-yet-valid", assertThrows(CertificateException.class,
                () -> load(future, DevCertificates.pkcs8(future.keys().getPrivate()), null)).reason());
    }

    @Test
    void acceptsAChainInOrderAndRefusesOneOutOfOrder() throws Exception {
        Instant now = Instant.now();
        Issued intermediate = DevCertificates.issue(pki.ca(), "intermediate", List.of(),
                DevCertificates.keyPair("EC"), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(5)), true);
        Issued leaf = DevCertificates.issue(intermediate, "localhost", List.of("localhost"),
                DevCertificates.keyPair("EC"), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(5)), false);
        byte[] key = DevCertificates.pkcs8(leaf.keys().getPrivate()).getBytes();
        var rules = new CertificateLoader.Rules(now, false);
        CertificateGeneration g = CertificateLoader.load("a", CERT,
                DevCertificates.pem(leaf.certificate(), intermediate.certificate()).getBytes(), KEY, key, null, rules);
        assertEquals(2, g.chain().length);

        CertificateException e = assertThrows(CertificateException.class, () -> CertificateLoader.load("a", CERT,
                DevCertificates.pem(leaf.certificate(), pki.ca().certificate(), intermediate.certificate()).getBytes(),
                KEY, key, null, rules));
        assertEquals("chain-order", e.reason());
        assertTrue(e.getMessage().contains("list the server certificate first"), e.getMessage());
    }

    /** A PEM block of this label whose content is three zero bytes: well-formed armour, no key inside. */
    private static String truncatedPem(String label) {
        return "-----BEGIN " + label + "-----\nAAAA\n-----END " + label + "-----\n";
    }

    @Test
    void refusesFilesThatAreNotPem() {
        assertEquals("parse", assertThrows(CertificateException.class,
                () -> CertificateLoader.parseChain(CERT, "hello".getBytes())).reason());
        Issued server = pki.server("EC");
        assertEquals("parse", assertThrows(CertificateException.class,
                () -> load(server, truncatedPem("PRIVATE KEY"), null)).reason());
        assertEquals("parse", assertThrows(CertificateException.class, () -> load(server, "", null)).reason());
    }
}
