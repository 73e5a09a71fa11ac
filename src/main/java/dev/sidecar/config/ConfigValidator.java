package dev.sidecar.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.sidecar.proxy.TrustedProxies;

/**
 * Checks the settings that a type alone cannot check. Collects every problem instead of stopping at the
 * first, so one failed start-up shows the whole list.
 */
public final class ConfigValidator {

    private ConfigValidator() {
    }

    /** Every problem in {@code config}; empty when it is valid. */
    public static List<ConfigProblem> validate(SidecarConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        port(problems, "sidecar.port", config.port());
        port(problems, "sidecar.management-port", config.managementPort());
        config.httpRedirect().port().ifPresent(p -> {
            port(problems, "sidecar.http-redirect.port", p);
            if (p == config.port() || p == config.managementPort()) {
                problems.add(new ConfigProblem("sidecar.http-redirect.port", Integer.toString(p),
                        "is already the HTTPS or the management port", "choose a port of its own, e.g. 8080"));
            }
        });
        port(problems, "sidecar.http-redirect.https-port", config.httpRedirect().httpsPort());
        if (config.port() == config.managementPort()) {
            problems.add(new ConfigProblem("sidecar.management-port", Integer.toString(config.managementPort()),
                    "must differ from sidecar.port", "choose another port for one of them"));
        }
        upstream(problems, config.upstream(), config.upstreamAllowRemote());
        positive(problems, "sidecar.timeouts.connect", config.timeouts().connect());
        positive(problems, "sidecar.timeouts.response-headers", config.timeouts().responseHeaders());
        positive(problems, "sidecar.timeouts.idle", config.timeouts().idle());
        positive(problems, "sidecar.tls.poll-interval", config.tls().pollInterval());
        positive(problems, "sidecar.timeouts.request-headers", config.timeouts().requestHeaders());
        positive(problems, "sidecar.pool.keep-alive-timeout", config.pool().keepAliveTimeout());
        positive(problems, "sidecar.shutdown.drain-timeout", config.shutdown().drainTimeout());
        if (config.shutdown().delay().isNegative()) {
            problems.add(new ConfigProblem("sidecar.shutdown.delay", config.shutdown().delay().toString(),
                    "must not be negative", "use 0s for no delay"));
        }
        atLeast(problems, "sidecar.limits.max-header-size", config.limits().maxHeaderSize(), 1024);
        atLeast(problems, "sidecar.limits.max-request-line", config.limits().maxRequestLine(), 256);
        atLeast(problems, "sidecar.limits.max-headers", config.limits().maxHeaders(), 8);
        atLeast(problems, "sidecar.pool.max-connections", config.pool().maxConnections(), 1);
        atLeast(problems, "sidecar.limits.max-connections", config.limits().maxConnections(), 1);
        config.limits().maxBodySize().ifPresent(max -> {
            if (max < 0) {
                problems.add(new ConfigProblem("sidecar.limits.max-body-size", Long.toString(max),
                        "must not be negative", "remove the setting for no limit"));
            }
        });
        for (String entry : config.trustedProxies().orElse(List.of())) {
            String why = TrustedProxies.problem(entry);
            if (why != null) {
                problems.add(new ConfigProblem("sidecar.trusted-proxies", entry, why,
                        "list IP addresses or CIDR ranges such as 10.0.0.0/8, separated by commas"));
            }
        }
        if (config.tls().keyPassword().isPresent() && config.tls().keyPasswordFile().isPresent()) {
            problems.add(new ConfigProblem("sidecar.tls.key-password", "****",
                    "cannot be combined with sidecar.tls.key-password-file", "set only one of them"));
        }
        return problems;
    }

    private static void port(List<ConfigProblem> problems, String key, int port) {
        if (port < 1 || port > 65535) {
            problems.add(new ConfigProblem(key, Integer.toString(port), "must be a TCP port from 1 to 65535",
                    "choose a port in that range"));
        }
    }

    private static void positive(List<ConfigProblem> problems, String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(new ConfigProblem(key, value.toString(), "must be a positive duration",
                    "use a value such as 5s or 500ms"));
        }
    }

    private static void atLeast(List<ConfigProblem> problems, String key, long value, long min) {
        if (value < min) {
            problems.add(new ConfigProblem(key, Long.toString(value), "must be at least " + min,
                    "raise it to " + min + " or more"));
        }
    }

    private static void upstream(List<ConfigProblem> problems, URI uri, boolean allowRemote) {
        String key = "sidecar.upstream";
        String value = uri.toString();
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            problems.add(new ConfigProblem(key, value, "must be a plain http:// URL",
                    "write it as http://127.0.0.1:8080 (the sidecar terminates TLS; the application speaks HTTP)"));
            return;
        }
        if (uri.getHost() == null || uri.getUserInfo() != null) {
            problems.add(new ConfigProblem(key, value, "must name a host and port and nothing else",
                    "write it as http://127.0.0.1:8080"));
            return;
        }
        if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !"/".equals(uri.getRawPath()))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            problems.add(new ConfigProblem(key, value, "must not have a path, query or fragment",
                    "requests are forwarded with their own path; write it as http://"
                            + uri.getHost() + ":" + port(uri)));
        }
        if (uri.getPort() > 65535) {
            problems.add(new ConfigProblem(key, value, "has a port outside 1 to 65535", "fix the port"));
        }
        if (!allowRemote && !isLoopback(uri.getHost())) {
            problems.add(new ConfigProblem(key, value, "is not a loopback address (plain HTTP would cross the network)",
                    "point it at 127.0.0.1, or set sidecar.upstream-allow-remote=true to allow it"));
        }
    }

    /** The upstream port, 80 when the URL has none. */
    public static int port(URI uri) {
        return uri.getPort() < 0 ? 80 : uri.getPort();
    }

    /** The upstream host without IPv6 brackets. */
    public static String host(URI uri) {
        String host = uri.getHost();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if ("localhost".equalsIgnoreCase(h)) {
            return true;
        }
        if (!h.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return false; // a DNS name: could be anywhere
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
