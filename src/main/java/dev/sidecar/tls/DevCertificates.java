package dev.sidecar.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jboss.logging.Logger;

/**
 * Issues certificates with BouncyCastle: a local CA and a {@code localhost} server certificate for
 * development (written by {@link #ensure}), and whatever tests need. Keys are written as PKCS#8.
 */
public final class DevCertificates {

    private static final Logger LOG = Logger.getLogger(DevCertificates.class);

    private DevCertificates() {
    }

    /** A certificate with its key. */
    public record Issued(X509Certificate certificate, KeyPair keys) {
    }

    /** A new key pair: {@code EC} (P-256) or {@code RSA} (2048 bits). */
    public static KeyPair keyPair(String algorithm) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if ("EC".equals(algorithm)) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
        }
    }

    /** A self-signed CA certificate. */
    public static Issued authority(String commonName, KeyPair keys, Instant notBefore, Instant notAfter) {
        X500Principal name = new X500Principal("CN=" + commonName);
        return new Issued(build(name, keys.getPublic(), name, keys.getPrivate(), keys.getPublic(), notBefore, notAfter,
                List.of(), true), keys);
    }

    /**
     * A certificate for {@code subjectKeys} signed by {@code issuer}.
     *
     * @param names DNS names and IP addresses (literal IPs become IP SANs)
     * @param ca    whether it may issue certificates itself (an intermediate)
     */
    public static Issued issue(Issued issuer, String commonName, List<String> names, KeyPair subjectKeys,
            Instant notBefore, Instant notAfter, boolean ca) {
        X509Certificate cert = build(issuer.certificate().getSubjectX500Principal(), issuer.keys().getPublic(),
                new X500Principal("CN=" + commonName), issuer.keys().getPrivate(), subjectKeys.getPublic(), notBefore,
                notAfter, names, ca);
        return new Issued(cert, subjectKeys);
    }

    private static X509Certificate build(X500Principal issuer, PublicKey issuerKey, X500Principal subject,
            PrivateKey signingKey, PublicKey subjectKey, Instant notBefore, Instant notAfter, List<String> names,
            boolean ca) {
        try {
            var utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    // A new SecureRandom per certificate: a static one would be seeded at native-image build time.
                    new BigInteger(127, new SecureRandom()).add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter), subject,
                    subjectKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(ca))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(issuerKey));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            } else {
                builder.addExtension(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] { KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth }));
            }
            if (!names.isEmpty()) {
                List<GeneralName> sans = new ArrayList<>();
                for (String n : names) {
                    sans.add(isIpLiteral(n) ? new GeneralName(GeneralName.iPAddress, n)
                            : n.contains(":") ? new GeneralName(GeneralName.uniformResourceIdentifier, n)
                                    : new GeneralName(GeneralName.dNSName, n));
                }
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            String algorithm = "EC".equals(signingKey.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey)));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + subject, e);
        }
    }

    private static boolean isIpLiteral(String name) {
        return name.matches("[0-9.]+") || (name.contains(":") && name.matches("[0-9a-fA-F:]+"));
    }

    /** PEM text of certificates, in order. */
    public static String pem(X509Certificate... certificates) {
        return write(w -> {
            for (X509Certificate c : certificates) {
                w.writeObject(new JcaMiscPEMGenerator(c));
            }
        });
    }

    /** PKCS#8 PEM text of a private key ({@code BEGIN PRIVATE KEY}). */
    public static String pkcs8(PrivateKey key) {
        return write(w -> w.writeObject(new JcaPKCS8Generator(key, null)));
    }

    private interface PemBody {
        void write(JcaPEMWriter writer) throws IOException;
    }

    private static String write(PemBody body) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            body.write(writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Makes sure {@code cert} and {@code key} hold a valid {@code localhost} certificate, issued by a local CA
     * kept beside them as {@code ca.crt} (its key as {@code ca.key}). Generates both when missing, expired or
     * expiring within a day; leaves valid files alone.
     *
     * @return the CA certificate file to give to clients ({@code curl --cacert})
     */
    public static Path ensure(Path cert, Path key) throws IOException {
        Path dir = cert.toAbsolutePath().getParent();
        Path caCert = dir.resolve("ca.crt");
        if (Files.exists(cert) && Files.exists(key) && Files.exists(caCert) && stillValid(cert)) {
            return caCert;
        }
        Files.createDirectories(dir);
        Instant now = Instant.now();
        Issued ca = authority("sidecar development CA", keyPair("EC"), now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(3650)));
        Issued server = issue(ca, "localhost", localNames(), keyPair("EC"), now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(825)), false);
        writeAtomically(dir.resolve("ca.key"), pkcs8(ca.keys().getPrivate()));
        writeAtomically(caCert, pem(ca.certificate()));
        writeAtomically(key, pkcs8(server.keys().getPrivate()));
        writeAtomically(cert, pem(server.certificate()));
        LOG.infof("Generated development certificates in %s; trust them with: curl --cacert %s", dir, caCert);
        return caCert;
    }

    private static List<String> localNames() {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (!names.contains(host) && host.matches("[A-Za-z0-9.-]+")) {
                names.add(host);
            }
        } catch (IOException e) {
            LOG.debugf("No local host name for the development certificate: %s", e.getMessage());
        }
        return names;
    }

    private static boolean stillValid(Path cert) {
        try {
            X509Certificate leaf = CertificateLoader.parseChain(cert, Files.readAllBytes(cert))[0];
            return leaf.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(1)));
        } catch (IOException | CertificateException e) {
            return false;
        }
    }

    private static void writeAtomically(Path target, String text) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".tmp-", ".pem");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
