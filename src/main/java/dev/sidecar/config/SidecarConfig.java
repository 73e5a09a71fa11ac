package dev.sidecar.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Every setting of the sidecar. Each key works as a property ({@code sidecar.tls.cert}) and as an
 * environment variable ({@code SIDECAR_TLS_CERT}). Only this package knows the names; the rest of the
 * sidecar takes the typed values.
 */
@ConfigMapping(prefix = "sidecar")
public interface SidecarConfig {

    /** HTTPS port that clients connect to. The only traffic port: there is no plain-HTTP listener. */
    @WithDefault("8443")
    int port();

    /** Plain-HTTP management port: health, metrics and the sidecar's own endpoints. */
    @WithName("management-port")
    @WithDefault("9000")
    int managementPort();

    /** The legacy application, as {@code http://host:port}. Must be a loopback address unless allowed below. */
    @WithDefault("http://127.0.0.1:8080")
    URI upstream();

    /**
     * Allow an upstream that is not a loopback address. Plain HTTP across a network undoes what the TLS
     * listener protects, so this is off by default.
     */
    @WithName("upstream-allow-remote")
    @WithDefault("false")
    boolean upstreamAllowRemote();

    /** Whether the client's {@code Host} header reaches the application unchanged (otherwise it is the upstream's). */
    @WithName("preserve-host")
    @WithDefault("true")
    boolean preserveHost();

    /**
     * Addresses or CIDR ranges of proxies in front of the sidecar whose {@code X-Forwarded-*} and
     * {@code Forwarded} headers are kept and appended to. From anyone else those headers are replaced.
     */
    @WithName("trusted-proxies")
    Optional<List<String>> trustedProxies();

    /**
     * {@code Strict-Transport-Security} value to add to every response that lacks one, e.g.
     * {@code max-age=31536000; includeSubDomains}. Off by default: once browsers have seen it they refuse plain
     * HTTP to the host for that long.
     */
    Optional<String> hsts();

    /** Access log format. */
    @WithName("access-log")
    @WithDefault("text")
    AccessLogFormat accessLog();

    /** Certificate settings. */
    Tls tls();

    /** Time limits. */
    Timeouts timeouts();

    /** Size limits. */
    Limits limits();

    /** Upstream connection pool. */
    Pool pool();

    /** Readiness settings. */
    Readiness readiness();

    /** Actions on the management port; each is off unless enabled here. */
    Management management();

    /** An optional plain-HTTP listener that only redirects to HTTPS. */
    HttpRedirect httpRedirect();

    /** Off unless a port is set: then every plain-HTTP request gets a 308 to the same URL over HTTPS. */
    interface HttpRedirect {
        /** Port of the plain-HTTP redirect listener (e.g. 8080); unset: no plain-HTTP port is opened at all. */
        OptionalInt port();

        /** The HTTPS port clients use, as written into the redirect (443 is left out of the URL). */
        @WithName("https-port")
        @WithDefault("443")
        int httpsPort();
    }

    /** State-changing management endpoints, all off by default. */
    interface Management {
        /** Enable {@code POST /q/sidecar/reload}: re-read the certificate files now. */
        @WithName("reload-enabled")
        @WithDefault("false")
        boolean reloadEnabled();

        /** Enable {@code POST /q/sidecar/shutdown}: graceful shutdown, for Jobs whose main container finished. */
        @WithName("shutdown-enabled")
        @WithDefault("false")
        boolean shutdownEnabled();
    }

    /** Shutdown settings. */
    Shutdown shutdown();

    /** TLS implementations. */
    enum TlsEngine {
        /** OpenSSL when available, else the JDK. */
        AUTO,
        /** The JDK's SSLEngine. */
        JDK,
        /** BoringSSL through netty-tcnative; start-up fails if it cannot load. */
        OPENSSL
    }

    /** Client certificate modes. */
    enum ClientAuth {
        /** No client certificate is asked for. */
        NONE,
        /** A certificate is asked for; clients without one are let through, but a bad one is refused. */
        REQUEST,
        /** Every client must present a valid certificate. */
        REQUIRED
    }

    /** Access log formats. */
    enum AccessLogFormat {
        /** One human-readable line per request. */
        TEXT,
        /** One JSON object per request. */
        JSON,
        /** No access log. */
        OFF
    }

    /** Certificate and key files. */
    interface Tls {
        /** PEM certificate chain: the server certificate first, then intermediates. */
        @WithDefault("/etc/sidecar/tls/tls.crt")
        Path cert();

        /** PEM private key (PKCS#8, PKCS#1 or SEC1; optionally encrypted). */
        @WithDefault("/etc/sidecar/tls/tls.key")
        Path key();

        /**
         * A PKCS#12 keystore to serve instead of {@code cert}/{@code key}: its key entry named by
         * {@code keystore-alias}, or its first key entry.
         */
        Optional<Path> keystore();

        /** Password of the PKCS#12 keystore (and its key entry). Never logged. */
        @WithName("keystore-password")
        Optional<String> keystorePassword();

        /** File holding the PKCS#12 password (trailing newline ignored). */
        @WithName("keystore-password-file")
        Optional<Path> keystorePasswordFile();

        /** Which key entry of the keystore to serve. */
        @WithName("keystore-alias")
        Optional<String> keystoreAlias();

        /**
         * A directory of {@code name.crt}/{@code name.key} pairs served by SNI in addition to the default
         * certificate, which clients that send no or an unknown server name get. The pairs are found at
         * start-up; their contents reload like the default certificate's.
         */
        @WithName("sni-dir")
        Optional<Path> sniDir();

        /** Warn (log and readiness data) when a served certificate expires within this time. */
        @WithName("expiry-warning")
        @WithDefault("14d")
        Duration expiryWarning();

        /** Host names the default certificate must cover; a certificate that does not is refused. */
        @WithName("required-names")
        Optional<List<String>> requiredNames();

        /** Password of an encrypted private key. Never logged. */
        @WithName("key-password")
        Optional<String> keyPassword();

        /** File holding the password of an encrypted private key (trailing newline ignored). */
        @WithName("key-password-file")
        Optional<Path> keyPasswordFile();

        /**
         * How often the certificate files are re-read as a fallback to watching their directories.
         * Changes are normally picked up within a second through the directory watch.
         */
        @WithName("poll-interval")
        @WithDefault("10s")
        Duration pollInterval();

        /** Serve a certificate outside its validity period instead of refusing to start. For emergencies only. */
        @WithName("allow-expired")
        @WithDefault("false")
        boolean allowExpired();

        /**
         * TLS implementation: {@code auto} uses OpenSSL (BoringSSL, through netty-tcnative) when its native
         * library loads and the JDK's otherwise; {@code jdk} and {@code openssl} force one.
         */
        @WithDefault("auto")
        TlsEngine engine();

        /** Whether clients must present a certificate: {@code none}, {@code request} (optional) or {@code required}. */
        @WithName("client-auth")
        @WithDefault("none")
        ClientAuth clientAuth();

        /** PEM bundle of the CAs that issue client certificates (the {@code ca.crt} of a Kubernetes TLS Secret). */
        @WithName("client-ca")
        @WithDefault("/etc/sidecar/tls/ca.crt")
        Path clientCa();

        /** Accept only client certificates whose subject CN is one of these. */
        @WithName("allow-cn")
        Optional<List<String>> allowCn();

        /** Accept only client certificates with one of these DNS subject alternative names. */
        @WithName("allow-dns")
        Optional<List<String>> allowDns();

        /** Accept only client certificates with one of these URI subject alternative names (SPIFFE IDs). */
        @WithName("allow-uri")
        Optional<List<String>> allowUri();

        /** Accept only client certificates whose subject has one of these OUs. */
        @WithName("allow-ou")
        Optional<List<String>> allowOu();

        /** Generate a local CA and a localhost certificate into the configured paths when they are missing or expired. */
        @WithName("generate-dev-certificates")
        @WithDefault("false")
        boolean generateDevCertificates();
    }

    /** Time limits. None of them bounds a whole request, so long downloads, SSE and WebSocket are never cut. */
    interface Timeouts {
        /** Time to open a connection to the upstream before answering 504. */
        @WithDefault("5s")
        Duration connect();

        /** Time from sending a request to receiving the upstream's response headers before answering 504. */
        @WithName("response-headers")
        @WithDefault("60s")
        Duration responseHeaders();

        /** A client connection with no traffic in either direction for this long is closed. */
        @WithDefault("300s")
        Duration idle();

        /**
         * Time a client has to send a whole HTTP/1.1 request head once its first byte arrives; a connection that
         * takes longer (slowloris) gets 408 and is closed. Keep-alive waits between requests are not counted.
         */
        @WithName("request-headers")
        @WithDefault("10s")
        Duration requestHeaders();
    }

    /** Size limits on requests. */
    interface Limits {
        /** Maximum size of all request headers together; larger requests get 431. */
        @WithName("max-header-size")
        @WithDefault("32768")
        int maxHeaderSize();

        /** Maximum number of request header fields (a repeated name counts each time); more get 431. */
        @WithName("max-headers")
        @WithDefault("100")
        int maxHeaders();

        /** Maximum length of the request line; longer requests get 414. */
        @WithName("max-request-line")
        @WithDefault("8192")
        int maxRequestLine();

        /** Maximum open client connections; further connections are closed at once and counted. */
        @WithName("max-connections")
        @WithDefault("10000")
        int maxConnections();

        /** Maximum request body size in bytes; larger bodies get 413. Unlimited by default: the app decides. */
        @WithName("max-body-size")
        OptionalLong maxBodySize();
    }

    /** Keep-alive pool of connections to the upstream. */
    interface Pool {
        /** Maximum number of open HTTP/1.1 connections to the upstream. */
        @WithName("max-connections")
        @WithDefault("256")
        int maxConnections();

        /**
         * Pooled upstream connections unused for this long are closed. Keep it below the application's own
         * keep-alive timeout so the sidecar never reuses a connection the application is closing.
         */
        @WithName("keep-alive-timeout")
        @WithDefault("4s")
        Duration keepAliveTimeout();
    }

    /** What readiness waits for. */
    interface Readiness {
        /** Report ready only while the upstream accepts TCP connections. */
        @WithName("check-upstream")
        @WithDefault("true")
        boolean checkUpstream();
    }

    /** Graceful shutdown on SIGTERM. */
    interface Shutdown {
        /**
         * After SIGTERM, readiness turns DOWN at once but the listener keeps serving for this long, so that
         * load balancers and Kubernetes endpoints stop sending new traffic first.
         */
        @WithDefault("0s")
        Duration delay();

        /** Then in-flight requests get at most this long to finish before the process exits. */
        @WithName("drain-timeout")
        @WithDefault("30s")
        Duration drainTimeout();
    }
}
