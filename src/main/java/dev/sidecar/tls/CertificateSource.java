package dev.sidecar.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where one served certificate comes from: a PEM chain, its key, and optionally the key's password given
 * directly or in a file. Reading always goes through the paths as given, so symlinks that Kubernetes swaps
 * are followed afresh each time.
 */
public record CertificateSource(Path cert, Path key, Optional<String> password, Optional<Path> passwordFile) {

    /** The raw bytes of one read: certificate, key and password, read together. */
    public record Contents(byte[] cert, byte[] key, char[] password) {
    }

    /** Reads the files now. */
    public Contents read() throws CertificateException {
        return new Contents(readFile(cert, "certificate"), readFile(key, "private key"), readPassword());
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
