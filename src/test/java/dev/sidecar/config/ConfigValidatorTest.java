package dev.sidecar.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

class ConfigValidatorTest {

    private static List<ConfigProblem> validate(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(SidecarConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(props, "test", 500))
                .build();
        return ConfigValidator.validate(config.getConfigMapping(SidecarConfig.class));
    }

    private static ConfigProblem only(List<ConfigProblem> problems) {
        assertEquals(1, problems.size(), problems.toString());
        return problems.get(0);
    }

    @Test
    void acceptsTheDefaults() {
        assertEquals(List.of(), validate());
    }

    @Test
    void refusesARemoteUpstreamUnlessAllowed() {
        ConfigProblem p = only(validate("sidecar.upstream", "http://10.0.0.5:8080"));
        assertEquals("sidecar.upstream (SIDECAR_UPSTREAM)=http://10.0.0.5:8080: is not a loopback address "
                + "(plain HTTP would cross the network); point it at 127.0.0.1, or set "
                + "sidecar.upstream-allow-remote=true to allow it", p.toString());
        assertEquals(List.of(), validate("sidecar.upstream", "http://10.0.0.5:8080",
                "sidecar.upstream-allow-remote", "true"));
    }

    @Test
    void treatsHostNamesOtherThanLocalhostAsRemote() {
        assertEquals("sidecar.upstream", only(validate("sidecar.upstream", "http://app.internal:8080")).key());
        assertEquals(List.of(), validate("sidecar.upstream", "http://localhost:8080"));
        assertEquals(List.of(), validate("sidecar.upstream", "http://[::1]:8080"));
        assertEquals(List.of(), validate("sidecar.upstream", "http://127.0.0.2:8080"));
    }

    @Test
    void refusesAnUpstreamThatIsNotPlainHttp() {
        ConfigProblem p = only(validate("sidecar.upstream", "https://127.0.0.1:8443"));
        assertTrue(p.rule().contains("plain http://"), p.toString());
    }

    @Test
    void refusesAnUpstreamWithAPath() {
        ConfigProblem p = only(validate("sidecar.upstream", "http://127.0.0.1:8080/app"));
        assertTrue(p.rule().contains("must not have a path"), p.toString());
    }

    @Test
    void refusesAnUpstreamWithoutAHost() {
        assertTrue(only(validate("sidecar.upstream", "http:///x")).rule().contains("host"));
    }

    @Test
    void refusesPortsOutOfRange() {
        ConfigProblem p = only(validate("sidecar.port", "70000"));
        assertEquals("sidecar.port", p.key());
        assertTrue(p.rule().contains("1 to 65535"));
    }

    @Test
    void refusesTheSamePortForTrafficAndManagement() {
        ConfigProblem p = only(validate("sidecar.port", "9000"));
        assertEquals("sidecar.management-port", p.key());
        assertTrue(p.rule().contains("must differ from sidecar.port"));
    }

    @Test
    void refusesNonPositiveTimeouts() {
        ConfigProblem p = only(validate("sidecar.timeouts.connect", "0s"));
        assertEquals("sidecar.timeouts.connect (SIDECAR_TIMEOUTS_CONNECT)=PT0S: must be a positive duration; "
                + "use a value such as 5s or 500ms", p.toString());
    }

    @Test
    void refusesTinyHeaderLimits() {
        assertEquals("sidecar.limits.max-header-size", only(validate("sidecar.limits.max-header-size", "10")).key());
        assertEquals("sidecar.limits.max-request-line",
                only(validate("sidecar.limits.max-request-line", "10")).key());
    }

    @Test
    void refusesNegativeBodyLimits() {
        assertEquals("sidecar.limits.max-body-size", only(validate("sidecar.limits.max-body-size", "-1")).key());
    }

    @Test
    void refusesTrustedProxiesThatAreNotAddresses() {
        ConfigProblem p = only(validate("sidecar.trusted-proxies", "10.0.0.0/8,proxy.example,10.1.0.0/40"
                .replace(",10.1.0.0/40", "")));
        assertEquals("proxy.example", p.value());
        assertEquals(2, validate("sidecar.trusted-proxies", "proxy.example,10.1.0.0/40").size());
    }

    @Test
    void refusesTwoKeyPasswordSourcesAndMasksThePassword() {
        ConfigProblem p = only(validate("sidecar.tls.key-password", "hunter2", "sidecar.tls.key-password-file",
                "/run/secrets/pw"));
        assertEquals("****", p.value());
        assertTrue(!p.toString().contains("hunter2"));
    }

    @Test
    void listsEveryProblemAtOnce() {
        List<ConfigProblem> problems = validate("sidecar.upstream", "http://10.0.0.5:8080", "sidecar.port", "0",
                "sidecar.timeouts.idle", "-1s", "sidecar.pool.max-connections", "0");
        assertEquals(4, problems.size(), problems.toString());
    }

    @Test
    void refusesARedirectPortThatCollidesWithTheHttpsPort() {
        ConfigProblem p = only(validate("sidecar.http-redirect.port", "8443"));
        assertEquals("sidecar.http-redirect.port", p.key());
        assertTrue(p.toString().contains("is already the HTTPS or the management port"), p.toString());
        assertEquals(List.of(), validate("sidecar.http-redirect.port", "8080"));
    }

    @Test
    void refusesAZeroRequestHeadTimeoutAndTooFewHeaders() {
        assertEquals("sidecar.timeouts.request-headers", only(validate("sidecar.timeouts.request-headers", "0s")).key());
        assertEquals("sidecar.limits.max-headers", only(validate("sidecar.limits.max-headers", "2")).key());
    }
}
