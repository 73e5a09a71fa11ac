package dev.sidecar.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Loopback ports and the processes behind them. */
public final class Ports {

    private Ports() {
    }

    /** A port the OS reports free on loopback now; for processes that cannot report the port they chose. */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The PID of the process listening on TCP {@code port} (Linux /proc), or -1. Used to read the resident
     * memory of a sidecar the test did not start itself.
     */
    public static long pidListeningOn(int port) throws IOException {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        String inode = null;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                // local_address ends with the port; state 0A is LISTEN
                if (f.length > 9 && f[1].endsWith(hexPort) && "0A".equals(f[3])) {
                    inode = f[9];
                }
            }
        }
        if (inode == null) {
            return -1;
        }
        String target = "socket:[" + inode + "]";
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try (var fds = Files.list(proc.resolve("fd"))) {
                    for (Path fd : fds.toList()) {
                        if (target.equals(Files.readSymbolicLink(fd).toString())) {
                            return Long.parseLong(proc.getFileName().toString());
                        }
                    }
                } catch (IOException | SecurityException e) {
                    // a process that exited or is not ours: not the one
                }
            }
        }
        return -1;
    }

    /** Resident set size of a process in KiB, from /proc/PID/status. */
    public static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }
}
