package dev.sidecar.k8s;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.sidecar.config.SidecarConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * A setting's value as the sidecar would see it in a container of the manifests: the container's environment
 * first, then {@code application.properties} (production profile, {@code ${key:default}} expressions resolved the
 * same way), then the default declared on {@link SidecarConfig}. A small model of SmallRye Config, enough for the
 * keys the manifests touch.
 */
final class EffectiveConfig {

    static final Path APPLICATION_PROPERTIES = Manifests.PROJECT.resolve("src/main/resources/application.properties");
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^:}]+)(?::([^}]*))?}");

    private final Map<String, String> environment;

    private EffectiveConfig(Map<String, String> environment) {
        this.environment = environment;
    }

    /** The settings as the given container sees them. */
    static EffectiveConfig of(Container container) {
        Map<String, String> environment = new HashMap<>();
        if (container.getEnv() != null) {
            for (EnvVar variable : container.getEnv()) {
                if (variable.getValueFrom() != null) {
                    throw new AssertionError(variable.getName() + " comes from valueFrom, which this test cannot resolve");
                }
                environment.put(variable.getName(), variable.getValue() == null ? "" : variable.getValue());
            }
        }
        return new EffectiveConfig(environment);
    }

    /** The settings with no environment at all, as {@code docker run} without {@code -e} sees them. */
    static EffectiveConfig defaults() {
        return new EffectiveConfig(Map.of());
    }

    /** The value, or empty if neither the environment, the properties nor SidecarConfig set it. */
    Optional<String> find(String key) {
        String fromEnvironment = environment.get(environmentName(key));
        if (fromEnvironment != null) {
            return Optional.of(fromEnvironment);
        }
        String fromFile = applicationProperties().getProperty(key);
        if (fromFile != null) {
            return Optional.of(expand(fromFile));
        }
        return sidecarConfigDefault(key);
    }

    /** The value; fails if nothing sets it. */
    String get(String key) {
        return find(key).orElseThrow(() -> new AssertionError(
                key + " is set neither in the manifest, nor in application.properties, nor by a default of SidecarConfig"));
    }

    int integer(String key) {
        return Integer.parseInt(get(key).trim());
    }

    Duration duration(String key) {
        return parseDuration(get(key));
    }

    boolean bool(String key, boolean quarkusDefault) {
        return find(key).map(v -> Boolean.parseBoolean(v.trim())).orElse(quarkusDefault);
    }

    private String expand(String value) {
        Matcher matcher = EXPRESSION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String key = matcher.group(1);
            String fallback = matcher.group(2);
            String resolved = find(key).orElseGet(() -> {
                if (fallback == null) {
                    throw new AssertionError("${" + key + "} in application.properties has no value and no default");
                }
                return fallback;
            });
            matcher.appendReplacement(out, Matcher.quoteReplacement(resolved));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** SmallRye Config's environment name of a key: {@code sidecar.management-port} -> {@code SIDECAR_MANAGEMENT_PORT}. */
    static String environmentName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** {@code application.properties} as committed (profile-prefixed keys such as {@code %dev.x} are never looked up). */
    static Properties applicationProperties() {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(APPLICATION_PROPERTIES)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** The {@code @WithDefault} of a {@code sidecar.*} key on {@link SidecarConfig}, following nested groups. */
    static Optional<String> sidecarConfigDefault(String key) {
        String prefix = "sidecar.";
        if (!key.startsWith(prefix)) {
            return Optional.empty();
        }
        Class<?> group = SidecarConfig.class;
        String[] segments = key.substring(prefix.length()).split("\\.");
        for (int i = 0; i < segments.length; i++) {
            Method method = member(group, segments[i]);
            if (method == null) {
                return Optional.empty();
            }
            if (i == segments.length - 1) {
                return Optional.ofNullable(method.getAnnotation(WithDefault.class)).map(WithDefault::value);
            }
            group = method.getReturnType();
        }
        return Optional.empty();
    }

    private static Method member(Class<?> group, String name) {
        for (Method method : group.getMethods()) {
            WithName explicit = method.getAnnotation(WithName.class);
            String mapped = explicit != null ? explicit.value()
                    : method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            if (method.getParameterCount() == 0 && mapped.equals(name)) {
                return method;
            }
        }
        return null;
    }

    /** Quarkus' duration syntax: {@code 30} (seconds), {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d} or ISO-8601. */
    static Duration parseDuration(String text) {
        String value = text.trim();
        if (value.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        if (value.matches("\\d+ms")) {
            return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
        }
        if (value.matches("\\d+[smhSMH]")) {
            return Duration.parse("PT" + value.toUpperCase(Locale.ROOT));
        }
        if (value.matches("\\d+[dD]")) {
            return Duration.parse("P" + value.toUpperCase(Locale.ROOT));
        }
        return Duration.parse(value);
    }
}
