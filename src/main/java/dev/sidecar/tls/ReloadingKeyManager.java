package dev.sidecar.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The key manager the TLS listener is built with, once. Each handshake reads the current
 * {@link ServedCertificates} snapshot; {@link #publish} replaces it in one atomic step. This is why the
 * sidecar never calls {@code HttpServer.updateSSLOptions}: that rebuilds the SSL context and drops
 * handshakes accepted while it does (see docs/certificate-rotation.md).
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {

    private final AtomicReference<ServedCertificates> current;
    private final LongAdder handshakes = new LongAdder();

    /** Starts serving {@code initial}. */
    public ReloadingKeyManager(ServedCertificates initial) {
        this.current = new AtomicReference<>(initial);
    }

    /** What handshakes see now. */
    public ServedCertificates current() {
        return current.get();
    }

    /** Makes {@code next} the snapshot for every handshake from now on. */
    public void publish(ServedCertificates next) {
        current.set(next);
    }

    /** Full handshakes that got a certificate (resumed sessions do not choose one). */
    public long handshakes() {
        return handshakes.sum();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        String alias = current.get().choose(keyType, serverName(engine == null ? null : engine.getHandshakeSession()));
        if (alias != null) {
            handshakes.increment();
        }
        return alias;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return current.get().choose(keyType, null);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        CertificateGeneration g = current.get().find(alias);
        return g == null ? null : g.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        CertificateGeneration g = current.get().find(alias);
        return g == null ? null : g.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return current.get().generations().stream()
                .filter(g -> g.keyType().equals(keyType))
                .map(CertificateGeneration::alias)
                .toArray(String[]::new);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    private static String serverName(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name.getType() == StandardConstants.SNI_HOST_NAME) {
                    return ((SNIHostName) name).getAsciiName();
                }
            }
        }
        return null;
    }
}
