package dev.sidecar;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.sidecar.config.ConfigProblem;
import dev.sidecar.config.ConfigValidator;
import dev.sidecar.config.SidecarConfig;
import dev.sidecar.proxy.ConnectionGuard;
import dev.sidecar.proxy.ProxySettings;
import dev.sidecar.proxy.TrustedProxies;
import dev.sidecar.tls.CertificateException;
import dev.sidecar.tls.CertificateGeneration;
import dev.sidecar.tls.CertificateReloader;
import dev.sidecar.tls.CertificateSource;
import dev.sidecar.tls.ClientTrust;
import dev.sidecar.tls.DevCertificates;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Start-up: validates every setting and loads the certificates before anything listens, failing once with
 * the full list of problems; then hands typed values to the TLS listener and the request path, and logs one
 * summary line.
 */
@Singleton
public class Sidecar {

    private static final Logger LOG = Logger.getLogger(Sidecar.class);

    private final SidecarConfig config;
    private final CertificateReloader certificates;
    private final ProxySettings proxySettings;
    private final ConnectionGuard connectionGuard;

    Sidecar(SidecarConfig config) {
        this.config = config;
        List<ConfigProblem> problems = new ArrayList<>(ConfigValidator.validate(config));
        SidecarConfig.Tls tls = config.tls();
        if (tls.generateDevCertificates()) {
            try {
                DevCertificates.ensure(tls.cert(), tls.key());
            } catch (IOException e) {
                problems.add(new ConfigProblem("sidecar.tls.generate-dev-certificates", "true",
                        "cannot write development certificates next to " + tls.cert() + " (" + e.getMessage() + ")",
                        "make that directory writable or point sidecar.tls.cert elsewhere"));
            }
        }
        CertificateReloader.ClientCaSource clientCa = tls.clientAuth() == SidecarConfig.ClientAuth.NONE ? null
                : new CertificateReloader.ClientCaSource(tls.clientCa(), new ClientTrust.AllowList(
                        tls.allowCn().orElse(List.of()), tls.allowDns().orElse(List.of()),
                        tls.allowUri().orElse(List.of()), tls.allowOu().orElse(List.of())));
        List<CertificateSource> sources = new ArrayList<>();
        sources.add(tls.keystore().isPresent()
                ? CertificateSource.pkcs12(tls.keystore().get(), tls.keystorePassword(), tls.keystorePasswordFile(),
                        tls.keystoreAlias())
                : new CertificateSource(tls.cert(), tls.key(), tls.keyPassword(), tls.keyPasswordFile()));
        tls.sniDir().ifPresent(dir -> sniPairs(dir, tls, sources, problems));
        this.certificates = new CertificateReloader(sources, clientCa, tls.allowExpired(),
                tls.requiredNames().orElse(List.of()), tls.expiryWarning(), tls.pollInterval(), Clock.systemUTC());
        for (CertificateException e : certificates.loadInitial()) {
            problems.add(certificateProblem(tls, e));
        }
        if (!problems.isEmpty()) {
            StringBuilder message = new StringBuilder("The sidecar cannot start: ").append(problems.size())
                    .append(problems.size() == 1 ? " configuration problem" : " configuration problems");
            for (ConfigProblem p : problems) {
                message.append("\n  - ").append(p);
            }
            throw new ConfigurationException(message.toString());
        }
        this.connectionGuard = new ConnectionGuard(config.timeouts().requestHeaders().toMillis(),
                config.limits().maxConnections());
        this.proxySettings = new ProxySettings(ConfigValidator.host(config.upstream()),
                ConfigValidator.port(config.upstream()), config.preserveHost(),
                config.trustedProxies().map(TrustedProxies::parse).orElse(TrustedProxies.none()),
                config.limits().maxBodySize().orElse(-1), config.limits().maxHeaders(), tls.clientAuth() != SidecarConfig.ClientAuth.NONE,
                config.timeouts().connect(),
                config.timeouts().responseHeaders(), config.pool().maxConnections(), config.pool().keepAliveTimeout(),
                config.timeouts().idle(), config.hsts());
    }

    /** Every {@code name.crt} with a {@code name.key} beside it, in name order. */
    private static void sniPairs(Path dir, SidecarConfig.Tls tls, List<CertificateSource> sources,
            List<ConfigProblem> problems) {
        try (var files = java.nio.file.Files.list(dir)) {
            for (Path cert : files.filter(p -> p.getFileName().toString().endsWith(".crt")).sorted().toList()) {
                Path key = dir.resolve(cert.getFileName().toString().replaceAll("\\.crt$", ".key"));
                if (java.nio.file.Files.exists(key)) {
                    sources.add(new CertificateSource(cert, key, tls.keyPassword(), tls.keyPasswordFile()));
                }
            }
        } catch (IOException e) {
            problems.add(new ConfigProblem("sidecar.tls.sni-dir", dir.toString(), "cannot be listed ("
                    + e.getMessage() + ")", "mount the directory of name.crt/name.key pairs there"));
        }
    }

    private static ConfigProblem certificateProblem(SidecarConfig.Tls tls, CertificateException e) {
        Path path = e.path();
        String key = path.equals(tls.key()) ? "sidecar.tls.key"
                : tls.keyPasswordFile().filter(path::equals).isPresent() ? "sidecar.tls.key-password-file"
                        : path.equals(tls.clientCa()) ? "sidecar.tls.client-ca"
                                : tls.keystore().filter(path::equals).isPresent() ? "sidecar.tls.keystore"
                                        : tls.sniDir().filter(d -> path.startsWith(d)).isPresent() ? "sidecar.tls.sni-dir"
                                                : "sidecar.tls.cert";
        String message = e.getMessage().substring(path.toString().length() + 2);
        int fix = message.lastIndexOf("; ");
        return fix < 0 ? new ConfigProblem(key, path.toString(), message, "fix the file")
                : new ConfigProblem(key, path.toString(), message.substring(0, fix), message.substring(fix + 2));
    }

    /** The validated settings. */
    public SidecarConfig config() {
        return config;
    }

    /** The served certificates and their reloading. */
    public CertificateReloader certificates() {
        return certificates;
    }

    /** Typed settings for the request path. */
    public ProxySettings proxySettings() {
        return proxySettings;
    }

    /** The connection rules of the public listener (limit, request head timeout, closing responses). */
    public ConnectionGuard connectionGuard() {
        return connectionGuard;
    }

    void started(@Observes StartupEvent event) {
        certificates.start();
        CertificateGeneration served = certificates.served().defaultGeneration();
        LOG.infof("Sidecar ready: https://0.0.0.0:%d -> %s (preserve-host=%s), management http://0.0.0.0:%d, "
                + "certificate %s serial %s expires %s, client certificates %s, TLSv1.3+TLSv1.2, ALPN h2+http/1.1, "
                + "trusted proxies %s, "
                + "timeouts connect=%s response-headers=%s request-headers=%s idle=%s, max body %s, access log %s, shutdown delay=%s drain=%s",
                config.port(), config.upstream(), config.preserveHost(), config.managementPort(), served.subject(),
                served.serial(), served.notAfter(), config.tls().clientAuth().name().toLowerCase(),
                config.trustedProxies().map(Object::toString).orElse("none"),
                human(config.timeouts().connect()), human(config.timeouts().responseHeaders()),
                human(config.timeouts().requestHeaders()), human(config.timeouts().idle()),
                config.limits().maxBodySize().isPresent() ? config.limits().maxBodySize().getAsLong() + " bytes"
                        : "unlimited",
                config.accessLog().name().toLowerCase(), human(config.shutdown().delay()),
                human(config.shutdown().drainTimeout()));
    }

    /** {@code 5s}, {@code 250ms}: the form the settings are written in. */
    static String human(java.time.Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    void stopping(@Observes ShutdownEvent event) {
        certificates.close();
    }
}
