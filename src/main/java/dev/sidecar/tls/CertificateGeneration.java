package dev.sidecar.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * One loaded, validated certificate with its key: what the TLS handshake serves. Immutable; a reload
 * builds a new generation and swaps it in one step.
 *
 * @param alias        key-manager alias, unique per generation, so one handshake never mixes two generations
 * @param chain        leaf first, then intermediates
 * @param key          private key of the leaf
 * @param contentHash  SHA-256 over the certificate and key file contents, to tell a real change from a touch
 * @param loadedAt     when this generation was built
 */
public record CertificateGeneration(String alias, X509Certificate[] chain, PrivateKey key, byte[] contentHash,
        Instant loadedAt) {

    /** The server certificate. */
    public X509Certificate leaf() {
        return chain[0];
    }

    /** End of the leaf's validity. */
    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** Serial number of the leaf in hex. */
    public String serial() {
        return leaf().getSerialNumber().toString(16);
    }

    /** The leaf's subject. */
    public String subject() {
        return leaf().getSubjectX500Principal().getName();
    }

    /** JCA key type of the leaf key: {@code EC} or {@code RSA}. */
    public String keyType() {
        return key.getAlgorithm();
    }
}
