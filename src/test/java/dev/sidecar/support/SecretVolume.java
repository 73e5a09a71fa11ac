package dev.sidecar.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A directory laid out and updated exactly as the kubelet does for a Secret volume: the files live in a
 * timestamped directory, {@code ..data} is a symlink to it, and each key is a symlink through {@code ..data}.
 * An update writes a new timestamped directory, points {@code ..data_tmp} at it, renames {@code ..data_tmp}
 * over {@code ..data} (one atomic step), and deletes the old directory.
 */
public final class SecretVolume {

    private static final AtomicInteger VERSION = new AtomicInteger();

    private final Path dir;
    private Path current;

    /** A new, empty volume in a temporary directory. */
    public SecretVolume() {
        this.dir = Scratch.directory("secret-volume-");
    }

    /** The mount point. */
    public Path dir() {
        return dir;
    }

    /** The path an application reads for {@code key}. */
    public Path file(String key) {
        return dir.resolve(key);
    }

    /**
     * Rewrites files inside the current timestamped directory. Nothing the kubelet does, but a way to change
     * what the paths read without any event in the mount directory itself.
     */
    public synchronized void overwriteInPlace(Map<String, String> files) {
        try {
            for (var e : files.entrySet()) {
                Files.writeString(current.resolve(e.getKey()), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes new contents for every key at once, as the kubelet does. */
    public synchronized void publish(Map<String, String> files) {
        try {
            Path next = dir.resolve("..2026_11_25_00_00_00." + VERSION.incrementAndGet());
            Files.createDirectory(next);
            for (var e : files.entrySet()) {
                Files.writeString(next.resolve(e.getKey()), e.getValue());
            }
            Path tmp = dir.resolve("..data_tmp");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, next.getFileName());
            Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (String key : files.keySet()) {
                Path link = dir.resolve(key);
                if (!Files.isSymbolicLink(link)) {
                    Files.createSymbolicLink(link, Path.of("..data").resolve(key));
                }
            }
            if (current != null) {
                try (var old = Files.list(current)) {
                    for (Path p : old.toList()) {
                        Files.delete(p);
                    }
                }
                Files.delete(current);
            }
            current = next;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
