package dev.sidecar.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Turns the bytes of a PEM certificate chain and a PEM private key into a validated
 * {@link CertificateGeneration}, or fails with a {@link CertificateException} that names the file.
 * Pure: no I/O, no state. Keys are parsed here (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1 with or without
 * curve parameters, legacy encrypted PEM), never by the TLS stack, and converted with the JDK's own key
 * factories so that JSSE accepts them.
 */
public final class CertificateLoader {

    private CertificateLoader() {
    }

    /**
     * What to check besides parsing.
     *
     * @param requiredNames host names the certificate's DNS names must cover
     */
    public record Rules(Instant now, boolean allowExpired, List<String> requiredNames) {

        /** No names required. */
        public Rules(Instant now, boolean allowExpired) {
            this(now, allowExpired, List.of());
        }
    }

    /**
     * Parses and validates one certificate/key pair.
     *
     * @param alias    the key-manager alias the generation will be served under
     * @param password password of an encrypted key, or {@code null}
     */
    public static CertificateGeneration load(String alias, Path certPath, byte[] certPem, Path keyPath, byte[] keyPem,
            char[] password, Rules rules) throws CertificateException {
        X509Certificate[] chain = parseChain(certPath, certPem);
        PrivateKey key = parseKey(keyPath, keyPem, password, chain[0].getPublicKey());
        checkKeyMatches(certPath, keyPath, chain[0], key);
        return validated(alias, certPath, chain, key, sha256(certPem, keyPem), rules);
    }

    private static CertificateGeneration validated(String alias, Path certPath, X509Certificate[] chain,
            PrivateKey key, byte[] hash, Rules rules) throws CertificateException {
        checkChainOrder(certPath, chain);
        if (!rules.allowExpired()) {
            checkValidity(certPath, chain[0], rules.now());
        }
        List<String> names = ServedCertificates.dnsNames(chain[0]);
        for (String required : rules.requiredNames()) {
            if (!ServedCertificates.matchesAny(names, required)) {
                throw new CertificateException(certPath, "names", "the certificate does not cover " + required
                        + " (its DNS names are " + names + "); issue it for every name in sidecar.tls.required-names");
            }
        }
        return new CertificateGeneration(alias, chain, key, hash, rules.now());
    }

    /**
     * Loads one key entry of a PKCS#12 keystore.
     *
     * @param entry the alias to serve, or {@code null} for the first key entry
     */
    public static CertificateGeneration loadPkcs12(String alias, Path path, byte[] p12, char[] password, String entry,
            Rules rules) throws CertificateException {
        java.security.KeyStore store;
        try {
            store = java.security.KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(p12), password);
        } catch (IOException e) {
            throw new CertificateException(path, "decrypt", "cannot open the PKCS#12 keystore (" + e.getMessage()
                    + "); check sidecar.tls.keystore-password");
        } catch (GeneralSecurityException e) {
            throw new CertificateException(path, "parse", "not a PKCS#12 keystore (" + e.getMessage() + ")");
        }
        try {
            String chosen = entry;
            if (chosen == null) {
                for (var aliases = store.aliases(); aliases.hasMoreElements();) {
                    String a = aliases.nextElement();
                    if (store.isKeyEntry(a)) {
                        chosen = a;
                        break;
                    }
                }
            }
            if (chosen == null || !store.isKeyEntry(chosen)) {
                throw new CertificateException(path, "parse", entry == null ? "the keystore holds no private key"
                        : "the keystore has no key entry '" + entry + "'; set sidecar.tls.keystore-alias to one of "
                                + java.util.Collections.list(store.aliases()));
            }
            PrivateKey key = (PrivateKey) store.getKey(chosen, password);
            java.security.cert.Certificate[] certs = store.getCertificateChain(chosen);
            X509Certificate[] chain = new X509Certificate[certs.length];
            for (int i = 0; i < certs.length; i++) {
                chain[i] = (X509Certificate) certs[i];
            }
            checkKeyMatches(path, path, chain[0], key);
            return validated(alias, path, chain, key, sha256(p12), rules);
        } catch (GeneralSecurityException e) {
            throw new CertificateException(path, "decrypt", "cannot read the key entry (" + e.getMessage()
                    + "); check sidecar.tls.keystore-password");
        }
    }

    /** Parses every certificate of a PEM bundle, in file order. */
    public static X509Certificate[] parseChain(Path path, byte[] pem) throws CertificateException {
        List<X509Certificate> certs = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (var cert : factory.generateCertificates(new ByteArrayInputStream(pem))) {
                certs.add((X509Certificate) cert);
            }
        } catch (java.security.cert.CertificateException e) {
            throw new CertificateException(path, "parse",
                    "not a PEM certificate chain (" + e.getMessage() + "); expected one or more "
                            + "'-----BEGIN CERTIFICATE-----' blocks, server certificate first");
        }
        if (certs.isEmpty()) {
            throw new CertificateException(path, "parse",
                    "contains no certificate; expected '-----BEGIN CERTIFICATE-----' blocks, server certificate first");
        }
        return certs.toArray(X509Certificate[]::new);
    }

    /**
     * Parses a PEM private key in any of the supported forms.
     *
     * @param certKey the certificate's public key, whose curve parameters complete an EC key that lacks them
     */
    public static PrivateKey parseKey(Path path, byte[] pem, char[] password, PublicKey certKey)
            throws CertificateException {
        Object parsed;
        try (Reader reader = new InputStreamReader(new ByteArrayInputStream(pem), StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            parsed = parser.readObject();
            while (parsed != null && !isKey(parsed)) {
                parsed = parser.readObject(); // skip EC PARAMETERS blocks that openssl may prepend
            }
        } catch (IOException | RuntimeException e) {
            throw new CertificateException(path, "parse", "not a PEM private key (" + e.getMessage() + ")");
        }
        if (parsed == null) {
            throw new CertificateException(path, "parse",
                    "contains no private key; expected a 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY' block");
        }
        try {
            PrivateKeyInfo info = switch (parsed) {
                case PrivateKeyInfo plain -> plain;
                case PEMKeyPair pair -> pair.getPrivateKeyInfo();
                case PKCS8EncryptedPrivateKeyInfo encrypted -> encrypted.decryptPrivateKeyInfo(
                        new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Bc.PROVIDER)
                                .build(requirePassword(path, password)));
                case PEMEncryptedKeyPair encrypted -> encrypted.decryptKeyPair(
                        new JcePEMDecryptorProviderBuilder().setProvider(Bc.PROVIDER)
                                .build(requirePassword(path, password)))
                        .getPrivateKeyInfo();
                default -> throw new IllegalStateException("unreachable");
            };
            return toJdkKey(completeCurve(info, certKey));
        } catch (PKCSException | OperatorCreationException | IOException e) {
            throw new CertificateException(path, "decrypt", "cannot decrypt the private key (" + e.getMessage()
                    + "); check sidecar.tls.key-password or sidecar.tls.key-password-file");
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new CertificateException(path, "parse", "unsupported private key (" + e.getMessage()
                    + "); use an RSA or ECDSA key in PKCS#8, PKCS#1 or SEC1 form");
        }
    }

    private static boolean isKey(Object o) {
        return o instanceof PrivateKeyInfo || o instanceof PEMKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo
                || o instanceof PEMEncryptedKeyPair;
    }

    private static char[] requirePassword(Path path, char[] password) throws CertificateException {
        if (password == null) {
            throw new CertificateException(path, "decrypt",
                    "the private key is encrypted; set sidecar.tls.key-password or sidecar.tls.key-password-file");
        }
        return password;
    }

    /** SEC1 keys may omit the curve; the certificate always names it. */
    private static PrivateKeyInfo completeCurve(PrivateKeyInfo info, PublicKey certKey) throws IOException {
        AlgorithmIdentifier alg = info.getPrivateKeyAlgorithm();
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm()) || alg.getParameters() != null) {
            return info;
        }
        ASN1Encodable curve = SubjectPublicKeyInfo.getInstance(certKey.getEncoded()).getAlgorithm().getParameters();
        return new PrivateKeyInfo(new AlgorithmIdentifier(alg.getAlgorithm(), curve), info.parsePrivateKey());
    }

    /** JDK key factories only: keys made by the BC provider report "ECDSA" and JSSE refuses them. */
    private static PrivateKey toJdkKey(PrivateKeyInfo info) throws GeneralSecurityException, IOException {
        var oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        String algorithm;
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
            algorithm = "EC";
        } else if (PKCSObjectIdentifiers.rsaEncryption.equals(oid)) {
            algorithm = "RSA";
        } else {
            throw new GeneralSecurityException("key algorithm " + oid);
        }
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    }

    private static void checkKeyMatches(Path certPath, Path keyPath, X509Certificate leaf, PrivateKey key)
            throws CertificateException {
        if (!keyMatches(leaf.getPublicKey(), key)) {
            throw new CertificateException(keyPath, "key-mismatch",
                    "the private key does not belong to the certificate in " + certPath
                            + " (subject " + leaf.getSubjectX500Principal().getName()
                            + "); mount the key that was issued with this certificate");
        }
    }

    /**
     * Compares the public half a key file carries with the certificate's, as OpenSSL does for NGINX and HAProxy:
     * the modulus and exponent of an RSA key, the point an EC key stores. Only a key without its public half is
     * tried by signing, which on a cold JVM costs a tenth of a second of interpreted curve arithmetic.
     */
    static boolean keyMatches(PublicKey pub, PrivateKey key) {
        if (pub instanceof RSAPublicKey rsaPub && key instanceof RSAPrivateCrtKey rsa) {
            return rsa.getModulus().equals(rsaPub.getModulus())
                    && rsa.getPublicExponent().equals(rsaPub.getPublicExponent());
        }
        if (pub instanceof ECPublicKey ecPub && key instanceof ECPrivateKey ec) {
            byte[] stored = storedPoint(ec);
            byte[] certified = SubjectPublicKeyInfo.getInstance(pub.getEncoded()).getPublicKeyData().getOctets();
            if (stored != null && stored[0] == UNCOMPRESSED && certified[0] == UNCOMPRESSED) {
                return sameCurve(ec.getParams(), ecPub.getParams()) && Arrays.equals(stored, certified);
            }
        }
        return pub.getAlgorithm().equals(key.getAlgorithm()) && signs(pub, key);
    }

    private static final byte UNCOMPRESSED = 4;

    /** The optional public point of an EC private key (SEC1 {@code publicKey}), or {@code null}. */
    private static byte[] storedPoint(ECPrivateKey key) {
        try {
            var sec1 = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(
                    PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey());
            byte[] point = sec1.getPublicKey() == null ? null : sec1.getPublicKey().getOctets();
            return point == null || point.length == 0 ? null : point;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
        return a.getCurve().equals(b.getCurve()) && a.getGenerator().equals(b.getGenerator())
                && a.getOrder().equals(b.getOrder());
    }

    private static boolean signs(PublicKey pub, PrivateKey key) {
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void checkChainOrder(Path path, X509Certificate[] chain) throws CertificateException {
        for (int i = 0; i + 1 < chain.length; i++) {
            X509Certificate child = chain[i];
            X509Certificate parent = chain[i + 1];
            boolean ok = child.getIssuerX500Principal().equals(parent.getSubjectX500Principal());
            if (ok) {
                try {
                    child.verify(parent.getPublicKey());
                } catch (GeneralSecurityException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw new CertificateException(path, "chain-order",
                        "certificate " + (i + 2) + " (" + parent.getSubjectX500Principal().getName()
                                + ") did not issue certificate " + (i + 1) + " ("
                                + child.getSubjectX500Principal().getName()
                                + "); list the server certificate first, then each issuer in order");
            }
        }
    }

    private static void checkValidity(Path path, X509Certificate leaf, Instant now) throws CertificateException {
        Date at = Date.from(now);
        if (at.after(leaf.getNotAfter())) {
            throw new CertificateException(path, "expired",
                    "the certificate expired at " + leaf.getNotAfter().toInstant()
                            + "; renew it, or set sidecar.tls.allow-expired=true to serve it anyway");
        }
        if (at.before(leaf.getNotBefore())) {
            throw new CertificateException(path, "not-yet-valid",
                    "the certificate is not valid before " + leaf.getNotBefore().toInstant()
                            + "; check the clock, or set sidecar.tls.allow-expired=true to serve it anyway");
        }
    }

    /** SHA-256 over the given parts, in order. */
    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }

    /**
     * The BouncyCastle provider, looked up on first use: only encrypted keys need it. A native image registers it
     * at build time with the classes its algorithms need (a new instance there finds none of them); on the JVM it
     * is not registered and is created here.
     */
    private static final class Bc {
        static final Provider PROVIDER = Optional.ofNullable(Security.getProvider(BouncyCastleProvider.PROVIDER_NAME))
                .orElseGet(BouncyCastleProvider::new);
    }
}
