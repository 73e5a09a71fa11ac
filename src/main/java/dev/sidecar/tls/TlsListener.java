package dev.sidecar.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.X509TrustManager;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.sidecar.Sidecar;
import dev.sidecar.proxy.ConnectionGuard;
import dev.sidecar.proxy.ProxyHandler;
import dev.sidecar.config.SidecarConfig;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.TrustOptions;

/**
 * Configures the public listener: TLS 1.3 and 1.2 only, forward-secret AEAD ciphers only, ALPN h2 and
 * http/1.1, and the reloading key manager, set once so that rotations never rebuild the SSL context.
 */
@Singleton
public class TlsListener implements HttpServerOptionsCustomizer {

    /** TLS 1.3 suites, then TLS 1.2 ECDHE suites with AEAD ciphers; nothing else is offered. */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Enabled protocol versions. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final Logger LOG = Logger.getLogger(TlsListener.class);

    /**
     * The trust manager of a listener that asks no client for a certificate. Without one, Netty's server
     * context loads the JDK's CA store (~150 certificates) and hands it to OpenSSL as the list of authorities
     * to name in certificate requests it never sends: ~0.1 s of the first connection on one CPU, and their memory.
     */
    private static final X509TrustManager NO_CLIENT_CERTIFICATES = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not requested (sidecar.tls.client-auth)");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the sidecar's listener does not verify servers");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    private final Sidecar sidecar;

    TlsListener(Sidecar sidecar) {
        this.sidecar = sidecar;
    }

    /**
     * The TLS engine to use. OpenSSL (BoringSSL) costs about half the CPU per handshake and per byte of the
     * JDK's engine; where its native library is missing (another OS or CPU, a native image without it) the
     * JDK's engine serves, with the same protocols, ciphers and key manager.
     */
    static SSLEngineOptions engine(SidecarConfig.TlsEngine wanted) {
        boolean openssl = wanted != SidecarConfig.TlsEngine.JDK && OpenSSLEngineOptions.isAvailable();
        if (wanted == SidecarConfig.TlsEngine.OPENSSL && !openssl) {
            throw new IllegalStateException("sidecar.tls.engine=openssl but netty-tcnative cannot load: "
                    + io.netty.handler.ssl.OpenSsl.unavailabilityCause());
        }
        LOG.debugf("TLS engine: %s", openssl ? "OpenSSL (netty-tcnative BoringSSL)" : "JDK");
        return openssl ? new OpenSSLEngineOptions().setSessionCacheEnabled(true) : new JdkSSLEngineOptions();
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        // TLS 1.2 renegotiation started by a client costs the server a handshake per request it chooses to send;
        // BoringSSL never allows it, the JDK engine only with this property. On the JVM it is read when the first
        // server handshake happens, which is after this point; a native image reads it at build time
        // (quarkus.native.additional-build-args in application.properties).
        System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        SidecarConfig config = sidecar.config();
        options.setSsl(true)
                .setKeyCertOptions(KeyCertOptions.wrap(sidecar.certificates().keyManager()))
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(PROTOCOLS))
                .setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setSni(false) // the key manager reads SNI itself, per handshake
                .setMaxInitialLineLength(config.limits().maxRequestLine())
                .setMaxHeaderSize(config.limits().maxHeaderSize())
                .setMaxChunkSize(ProxyHandler.MAX_BODY_CHUNK)
                .setIdleTimeout((int) config.timeouts().idle().toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setCompressionSupported(false)
                .setDecompressionSupported(false)
                .setHandle100ContinueAutomatically(false)
                .setInitialSettings(new Http2Settings()
                        .setMaxConcurrentStreams(128)
                        .setMaxHeaderListSize(config.limits().maxHeaderSize()));
        ReloadingTrustManager trust = sidecar.certificates().trustManager();
        if (trust != null) {
            options.setTrustOptions(TrustOptions.wrap(trust));
            options.setClientAuth(config.tls().clientAuth() == SidecarConfig.ClientAuth.REQUIRED
                    ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
        } else {
            options.setTrustOptions(TrustOptions.wrap(NO_CLIENT_CERTIFICATES));
            options.setClientAuth(ClientAuth.NONE);
        }
        options.setSslEngineOptions(sidecar.connectionGuard().watching(engine(config.tls().engine())));
        options.getEnabledCipherSuites().clear();
        CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    }
}
