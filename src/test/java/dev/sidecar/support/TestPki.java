package dev.sidecar.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.sidecar.tls.DevCertificates;
import dev.sidecar.tls.DevCertificates.Issued;

/** A CA made for this test run, and helpers to issue and write server certificates. Nothing is committed. */
public final class TestPki {

    private final Issued ca;
    private final Path dir;

    /** A new CA, writing files under a new temporary directory. */
    public TestPki() {
        this.dir = Scratch.directory("sidecar-pki-");
        Instant now = Instant.now();
        this.ca = DevCertificates.authority("sidecar test CA " + now.toEpochMilli(), DevCertificates.keyPair("EC"),
                now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
        try {
            Files.writeString(dir.resolve("ca.crt"), DevCertificates.pem(ca.certificate()));
            Files.writeString(dir.resolve("ca.key"), DevCertificates.pkcs8(ca.keys().getPrivate()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private TestPki(Path dir, Issued ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** The PKI whose CA was written to {@code dir} by another instance (another class loader, say). */
    public static TestPki load(Path dir) {
        try {
            Path caCert = dir.resolve("ca.crt");
            Path caKey = dir.resolve("ca.key");
            X509Certificate cert = dev.sidecar.tls.CertificateLoader.parseChain(caCert, Files.readAllBytes(caCert))[0];
            java.security.PrivateKey key = dev.sidecar.tls.CertificateLoader.parseKey(caKey, Files.readAllBytes(caKey),
                    null, cert.getPublicKey());
            return new TestPki(dir, new Issued(cert, new java.security.KeyPair(cert.getPublicKey(), key)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client certificate with this CN and these SANs, issued by the CA. */
    public Issued client(String cn, List<String> names) {
        return DevCertificates.issue(ca, cn, names, DevCertificates.keyPair("EC"), Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(1)), false);
    }

    /** A client TLS context that presents {@code client} and trusts {@code ca}. */
    public static SSLContext clientContext(X509Certificate ca, Issued client) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", client.keys().getPrivate(), new char[0],
                    new java.security.cert.Certificate[] { client.certificate() });
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory
                    .getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore(ca));
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CA. */
    public Issued ca() {
        return ca;
    }

    /** The directory files are written to. */
    public Path dir() {
        return dir;
    }

    /** A valid localhost server certificate with a key of this type ({@code EC} or {@code RSA}). */
    public Issued server(String keyType) {
        return server(keyType, "localhost", List.of("localhost", "127.0.0.1"), Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(10)));
    }

    /** A server certificate with these names and validity, issued by the CA. */
    public Issued server(String keyType, String cn, List<String> names, Instant notBefore, Instant notAfter) {
        return DevCertificates.issue(ca, cn, names, DevCertificates.keyPair(keyType), notBefore, notAfter, false);
    }

    /** Writes a certificate (with the given chain after it) and its PKCS#8 key as {@code name.crt}/{@code name.key}. */
    public Path[] write(String name, Issued server, X509Certificate... intermediates) {
        X509Certificate[] chain = new X509Certificate[intermediates.length + 1];
        chain[0] = server.certificate();
        System.arraycopy(intermediates, 0, chain, 1, intermediates.length);
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        try {
            Files.writeString(cert, DevCertificates.pem(chain));
            Files.writeString(key, DevCertificates.pkcs8(server.keys().getPrivate()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new Path[] { cert, key };
    }

    /** A trust store holding only the CA. */
    public KeyStore trustStore() {
        return trustStore(ca.certificate());
    }

    /** A trust store holding only {@code ca}. */
    public static KeyStore trustStore(X509Certificate ca) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca);
            return ks;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client TLS context that trusts only the CA. */
    public SSLContext clientContext() {
        return clientContext(ca.certificate());
    }

    /** A client TLS context that trusts only {@code ca}. */
    public static SSLContext clientContext(X509Certificate ca) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore(ca));
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
