package dev.sidecar;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import sun.misc.Signal;

/**
 * The process entry point. SIGTERM and SIGINT start the graceful shutdown (see {@link Lifecycle}) and the
 * process then exits 0: a pod that stopped cleanly is not a failed container.
 */
@QuarkusMain
public final class SidecarMain {

    private SidecarMain() {
    }

    /** Runs the sidecar until a signal stops it. */
    public static void main(String... args) {
        // Without these handlers the JVM exits with 128+signal after its shutdown hooks.
        Signal.handle(new Signal("TERM"), signal -> Quarkus.asyncExit(0));
        Signal.handle(new Signal("INT"), signal -> Quarkus.asyncExit(0));
        Quarkus.run(args);
    }
}
