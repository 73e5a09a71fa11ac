package dev.sidecar.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager the listener is built with when client certificates are requested. Each handshake
 * reads the current {@link ClientTrust}; reloading the client CA replaces it in one step. A certificate
 * outside the allow-lists fails the handshake with a TLS alert, so nothing of that client reaches the
 * application, over HTTP/1.1 and HTTP/2 alike.
 */
public final class ReloadingTrustManager extends X509ExtendedTrustManager {

    private final AtomicReference<ClientTrust> current;

    /** Starts with {@code initial}. */
    public ReloadingTrustManager(ClientTrust initial) {
        this.current = new AtomicReference<>(initial);
    }

    /** The trust in force. */
    public ClientTrust current() {
        return current.get();
    }

    /** Replaces the trust for every handshake from now on. */
    public void publish(ClientTrust next) {
        current.set(next);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, t -> t.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, t -> t.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, t -> t.checkClientTrusted(chain, authType));
    }

    /** One PKIX verification by the JDK, then the allow-lists, against one snapshot of the trust. */
    private void check(X509Certificate[] chain, Verification pkix) throws CertificateException {
        ClientTrust trust = current.get();
        pkix.verify(trust.verifier());
        if (!trust.allow().permits(chain[0])) {
            throw new CertificateException("client certificate " + chain[0].getSubjectX500Principal().getName()
                    + " is not in the allow-lists");
        }
    }

    private interface Verification {
        void verify(X509ExtendedTrustManager verifier) throws CertificateException;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("the sidecar's listener does not verify servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("the sidecar's listener does not verify servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the sidecar's listener does not verify servers");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return current.get().cas().toArray(X509Certificate[]::new);
    }
}
