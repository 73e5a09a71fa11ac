package dev.sidecar.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where one served certificate comes from: a PEM chain and its key, or one key entry of a PKCS#12 keystore
 * (then {@code cert} and {@code key} are both the keystore), with a password given directly or in a file.
 * Reading always goes through the paths as given, so symlinks that Kubernetes swaps are followed afresh.
 *
 * @param keystoreAlias for a keystore: the entry to serve, or empty for the first key entry; {@code null}
 *                      for PEM files
 */
public record CertificateSource(Path cert, Path key, Optional<String> password, Optional<Path> passwordFile,
        Optional<String> keystoreAlias) {

    /** A PEM certificate chain and key. */
    public CertificateSource(Path cert, Path key, Optional<String> password, Optional<Path> passwordFile) {
        this(cert, key, password, passwordFile, null);
    }

    /** A PKCS#12 keystore. */
    public static CertificateSource pkcs12(Path keystore, Optional<String> password, Optional<Path> passwordFile,
            Optional<String> alias) {
        return new CertificateSource(keystore, keystore, password, passwordFile, alias);
    }

    /** Whether this is a PKCS#12 keystore. */
    public boolean isKeystore() {
        return keystoreAlias != null;
    }

    /** The raw bytes of one read: certificate, key and password, read together. */
    public record Contents(byte[] cert, byte[] key, char[] password) {
    }

    /** Reads the files now. */
    public Contents read() throws CertificateException {
        if (isKeystore()) {
            return new Contents(readFile(cert, "keystore"), new byte[0], readPassword());
        }
        return new Contents(readFile(cert, "certificate"), readFile(key, "private key"), readPassword());
    }

    /** Parses and validates what {@link #read()} returned. */
    public CertificateGeneration load(String alias, Contents contents, CertificateLoader.Rules rules)
            throws CertificateException {
        if (isKeystore()) {
            return CertificateLoader.loadPkcs12(alias, cert, contents.cert(), contents.password(),
                    keystoreAlias.orElse(null), rules);
        }
        return CertificateLoader.load(alias, cert, contents.cert(), key, contents.key(), contents.password(), rules);
    }

    private char[] readPassword() throws CertificateException {
        if (password.isPresent()) {
            return password.get().toCharArray();
        }
        if (passwordFile.isPresent()) {
            String text = new String(readFile(passwordFile.get(), "key password"), StandardCharsets.UTF_8);
            return text.strip().toCharArray();
        }
        return null;
    }

    /** Reads one file, failing with a message that names it and says what to do. */
    static byte[] readFile(Path path, String what) throws CertificateException {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new CertificateException(path, "unreadable", "the " + what + " file does not exist; mount it "
                    + "(in Kubernetes, the TLS Secret as a directory) or point the setting at it");
        } catch (IOException e) {
            throw new CertificateException(path, "unreadable", "cannot read the " + what + " file ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); check its permissions");
        }
    }
}
