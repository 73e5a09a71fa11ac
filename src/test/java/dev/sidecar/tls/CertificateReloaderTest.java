package dev.sidecar.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sidecar.support.Scratch;
import dev.sidecar.support.SecretVolume;
import dev.sidecar.support.TestPki;
import dev.sidecar.tls.DevCertificates.Issued;

/**
 * The reloader against real files: every way a certificate gets replaced on disk is seen within 2 seconds,
 * with the poll fallback set far longer so that only the directory watch can explain it.
 */
class CertificateReloaderTest {

    private static final Duration DETECTION_LIMIT = Duration.ofSeconds(2);
    private static final Duration NO_POLL = Duration.ofMinutes(10);

    private final TestPki pki = new TestPki();
    private CertificateReloader reloader;

    @AfterEach
    void stop() {
        if (reloader != null) {
            reloader.close();
        }
    }

    private static Map<String, String> pemFiles(Issued i) {
        return Map.of("tls.crt", DevCertificates.pem(i.certificate()),
                "tls.key", DevCertificates.pkcs8(i.keys().getPrivate()));
    }

    private CertificateReloader start(Path cert, Path key) {
        reloader = new CertificateReloader(List.of(new CertificateSource(cert, key, Optional.empty(),
                Optional.empty())), false, NO_POLL, Clock.systemUTC());
        assertEquals(List.of(), reloader.loadInitial());
        reloader.start();
        return reloader;
    }

    private String servedSerial() {
        return reloader.served().defaultGeneration().serial();
    }

    private Duration await(BooleanSupplier condition, Duration limit) throws InterruptedException {
        Instant start = Instant.now();
        Instant deadline = start.plus(limit.multipliedBy(3));
        while (!condition.getAsBoolean()) {
            assertTrue(Instant.now().isBefore(deadline), () -> "condition not met within " + limit.multipliedBy(3)
                    + "; last failure: " + reloader.lastFailure() + ", serving " + servedSerial());
            Thread.sleep(10);
        }
        return Duration.between(start, Instant.now());
    }

    @Test
    void seesAKubeletSecretSwapWithinTwoSeconds() throws Exception {
        SecretVolume volume = new SecretVolume();
        Issued a = pki.server("EC");
        Issued b = pki.server("EC");
        volume.publish(pemFiles(a));
        start(volume.file("tls.crt"), volume.file("tls.key"));
        String serialB = b.certificate().getSerialNumber().toString(16);

        volume.publish(pemFiles(b));
        Duration took = await(() -> servedSerial().equals(serialB), DETECTION_LIMIT);
        assertTrue(took.compareTo(DETECTION_LIMIT) < 0, "took " + took);
        assertEquals(1, reloader.successes());
    }

    @Test
    void seesAnInPlaceOverwrite() throws Exception {
        Path dir = Scratch.directory("plain-");
        Issued a = pki.server("RSA");
        Issued b = pki.server("RSA");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Files.writeString(key, DevCertificates.pkcs8(a.keys().getPrivate()));
        Files.writeString(cert, DevCertificates.pem(a.certificate()));
        start(cert, key);

        // Key first, certificate 200 ms later: the reloader must wait for the pair, not count a failure.
        Files.writeString(key, DevCertificates.pkcs8(b.keys().getPrivate()));
        Thread.sleep(200); // the gap between two writes of a careless writer, not synchronisation
        Files.writeString(cert, DevCertificates.pem(b.certificate()));
        String serialB = b.certificate().getSerialNumber().toString(16);
        Duration took = await(() -> servedSerial().equals(serialB), DETECTION_LIMIT);
        assertTrue(took.compareTo(DETECTION_LIMIT.plusMillis(200)) < 0, "took " + took);
    }

    @Test
    void seesARenameIntoPlace() throws Exception {
        Path dir = Scratch.directory("rename-");
        Issued a = pki.server("EC");
        Issued b = pki.server("EC");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Files.writeString(key, DevCertificates.pkcs8(a.keys().getPrivate()));
        Files.writeString(cert, DevCertificates.pem(a.certificate()));
        start(cert, key);

        Path newKey = Files.writeString(dir.resolve(".tls.key.new"), DevCertificates.pkcs8(b.keys().getPrivate()));
        Path newCert = Files.writeString(dir.resolve(".tls.crt.new"), DevCertificates.pem(b.certificate()));
        Files.move(newKey, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(newCert, cert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        String serialB = b.certificate().getSerialNumber().toString(16);
        assertTrue(await(() -> servedSerial().equals(serialB), DETECTION_LIMIT).compareTo(DETECTION_LIMIT) < 0);
    }

    @Test
    void keepsTheOldCertificateWhenTheNewOneIsBrokenAndCountsTheFailure() throws Exception {
        SecretVolume volume = new SecretVolume();
        Issued a = pki.server("EC");
        volume.publish(pemFiles(a));
        start(volume.file("tls.crt"), volume.file("tls.key"));
        String serialA = servedSerial();

        Issued b = pki.server("EC");
        volume.publish(Map.of("tls.crt", DevCertificates.pem(b.certificate()),
                "tls.key", DevCertificates.pkcs8(DevCertificates.keyPair("EC").getPrivate())));
        await(() -> reloader.lastFailure() != null, DETECTION_LIMIT.plusMillis(600));
        assertEquals(serialA, servedSerial());
        assertEquals("key-mismatch", reloader.lastFailure().reason());
        assertEquals(1, reloader.failures().get("key-mismatch").get());

        volume.publish(Map.of("tls.crt", "garbage", "tls.key", "garbage"));
        await(() -> reloader.failures().containsKey("parse"), DETECTION_LIMIT);
        assertEquals(serialA, servedSerial());

        volume.publish(pemFiles(b));
        String serialB = b.certificate().getSerialNumber().toString(16);
        await(() -> servedSerial().equals(serialB), DETECTION_LIMIT);
        assertNull(reloader.lastFailure(), "a good reload clears the error");
    }

    @Test
    void rotatesAToBAndBackToA() throws Exception {
        SecretVolume volume = new SecretVolume();
        Issued a = pki.server("EC");
        Issued b = pki.server("EC");
        volume.publish(pemFiles(a));
        start(volume.file("tls.crt"), volume.file("tls.key"));
        String serialA = servedSerial();
        String serialB = b.certificate().getSerialNumber().toString(16);

        volume.publish(pemFiles(b));
        await(() -> servedSerial().equals(serialB), DETECTION_LIMIT);
        volume.publish(pemFiles(a));
        await(() -> servedSerial().equals(serialA), DETECTION_LIMIT);
        assertEquals(2, reloader.successes());
    }

    @Test
    void reloadsTheClientCaBundle() throws Exception {
        SecretVolume volume = new SecretVolume();
        Issued a = pki.server("EC");
        TestPki other = new TestPki();
        Map<String, String> files = new java.util.HashMap<>(pemFiles(a));
        files.put("ca.crt", DevCertificates.pem(pki.ca().certificate()));
        volume.publish(files);
        reloader = new CertificateReloader(List.of(new CertificateSource(volume.file("tls.crt"), volume.file("tls.key"),
                Optional.empty(), Optional.empty())), new CertificateReloader.ClientCaSource(volume.file("ca.crt"),
                        new ClientTrust.AllowList(List.of(), List.of(), List.of(), List.of())),
                false, List.of(), Duration.ofDays(14), NO_POLL, Clock.systemUTC());
        assertEquals(List.of(), reloader.loadInitial());
        reloader.start();
        assertEquals(pki.ca().certificate(), reloader.trustManager().getAcceptedIssuers()[0]);

        files.put("ca.crt", DevCertificates.pem(pki.ca().certificate(), other.ca().certificate()));
        volume.publish(files);
        await(() -> reloader.trustManager().getAcceptedIssuers().length == 2, DETECTION_LIMIT);
        assertEquals(a.certificate().getSerialNumber().toString(16), servedSerial(), "server certificate unchanged");
    }

    @Test
    void warnsAboutCertificatesCloseToExpiry() throws Exception {
        SecretVolume volume = new SecretVolume();
        Issued soon = pki.server("EC", "localhost", List.of("localhost"), Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(3)));
        volume.publish(pemFiles(soon));
        reloader = new CertificateReloader(List.of(new CertificateSource(volume.file("tls.crt"), volume.file("tls.key"),
                Optional.empty(), Optional.empty())), null, false, List.of(), Duration.ofDays(7), NO_POLL,
                Clock.systemUTC());
        assertEquals(List.of(), reloader.loadInitial());
        assertEquals(1, reloader.expiryWarnings().size());
        assertTrue(reloader.expiryWarnings().get(0).contains("expires at"), reloader.expiryWarnings().toString());
    }

    @Test
    void refusesACertificateThatDoesNotCoverTheRequiredNames() throws Exception {
        SecretVolume volume = new SecretVolume();
        volume.publish(pemFiles(pki.server("EC")));
        reloader = new CertificateReloader(List.of(new CertificateSource(volume.file("tls.crt"), volume.file("tls.key"),
                Optional.empty(), Optional.empty())), null, false, List.of("localhost", "api.example.com"),
                Duration.ofDays(7), NO_POLL, Clock.systemUTC());
        List<CertificateException> problems = reloader.loadInitial();
        assertEquals(1, problems.size());
        assertEquals("names", problems.get(0).reason());
        assertTrue(problems.get(0).getMessage().contains("does not cover api.example.com"), problems.toString());
    }

    @Test
    void ignoresATouchThatChangesNothing() throws Exception {
        SecretVolume volume = new SecretVolume();
        Issued a = pki.server("EC");
        volume.publish(pemFiles(a));
        start(volume.file("tls.crt"), volume.file("tls.key"));
        CertificateGeneration before = reloader.served().defaultGeneration();
        volume.publish(pemFiles(a));
        assertTrue(!reloader.reloadIfChanged());
        assertEquals(0, reloader.successes());
        assertNotNull(before);
        assertTrue(before == reloader.served().defaultGeneration(), "same content, same generation");
    }
}
