package dev.sidecar.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.sidecar.support.TestPki;
import dev.sidecar.tls.DevCertificates.Issued;

class ServedCertificatesTest {

    private final TestPki pki = new TestPki();

    private CertificateGeneration generation(String alias, String type, String... names) {
        Issued i = pki.server(type, names[0], List.of(names), Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(1)));
        return new CertificateGeneration(alias, new java.security.cert.X509Certificate[] { i.certificate() },
                i.keys().getPrivate(), new byte[0], Instant.now());
    }

    @Test
    void choosesByServerNameAndKeyType() {
        ServedCertificates served = ServedCertificates.of(List.of(
                generation("default", "EC", "localhost"),
                generation("api-ec", "EC", "api.example.com"),
                generation("api-rsa", "RSA", "api.example.com"),
                generation("wild", "EC", "*.apps.example.com")));
        assertEquals("default", served.choose("EC", null));
        assertEquals("api-ec", served.choose("EC", "api.example.com"));
        assertEquals("api-rsa", served.choose("RSA", "API.example.com"));
        assertEquals("wild", served.choose("EC", "shop.apps.example.com"));
        assertEquals("default", served.choose("EC", "a.b.apps.example.com"), "a wildcard covers one label only");
        assertEquals("default", served.choose("EC", "unknown.example.org"));
        assertEquals("api-rsa", served.choose("RSA", "unknown.example.org"), "the first RSA one is the RSA default");
        assertNull(served.choose("RSASSA-PSS", null));
    }

    @Test
    void keepsAnsweringForThePreviousGenerationAfterASwap() {
        CertificateGeneration first = generation("g1-0", "EC", "localhost");
        CertificateGeneration second = generation("g2-0", "EC", "localhost");
        ServedCertificates next = ServedCertificates.of(List.of(first)).next(List.of(second));
        assertEquals("g2-0", next.choose("EC", null));
        assertSame(first, next.find("g1-0"), "a handshake that chose g1 before the swap still gets g1's key");
        assertSame(second, next.find("g2-0"));
        assertNull(next.next(List.of(first)).find("g1-0") == first ? null : "x");
    }

    @Test
    void matchesWildcardsOnOneLabel() {
        assertTrue(ServedCertificates.matchesAny(List.of("*.example.com"), "a.example.com"));
        assertFalse(ServedCertificates.matchesAny(List.of("*.example.com"), "example.com"));
        assertFalse(ServedCertificates.matchesAny(List.of("*.example.com"), "a.b.example.com"));
    }
}
