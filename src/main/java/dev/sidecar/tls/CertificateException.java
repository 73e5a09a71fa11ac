package dev.sidecar.tls;

import java.nio.file.Path;

/**
 * A certificate or key that cannot be served: unreadable, unparsable, mismatched, out of order or out of
 * its validity period. The message names the file and says how to fix it.
 */
public class CertificateException extends Exception {

    private final Path path;
    private final String reason;

    /**
     * @param path   the file at fault
     * @param reason a short, fixed reason label for metrics (e.g. {@code key-mismatch})
     * @param message what is wrong and how to fix it
     */
    public CertificateException(Path path, String reason, String message) {
        super(path + ": " + message);
        this.path = path;
        this.reason = reason;
    }

    /** The file at fault. */
    public Path path() {
        return path;
    }

    /** A short fixed label such as {@code unreadable}, {@code parse}, {@code key-mismatch}, {@code expired}. */
    public String reason() {
        return reason;
    }
}
