package dev.sidecar.config;

import java.util.Locale;

/**
 * One invalid setting: which key, the value received (secrets masked), the rule it breaks, and the fix.
 */
public record ConfigProblem(String key, String value, String rule, String fix) {

    /** The environment-variable form of the key ({@code sidecar.tls.cert} → {@code SIDECAR_TLS_CERT}). */
    public String envName() {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    @Override
    public String toString() {
        return key + " (" + envName() + ")=" + value + ": " + rule + "; " + fix;
    }
}
