package dev.sidecar.tls;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

/**
 * Keeps the served certificates in step with the files. Watches the directories that hold them (a
 * Kubernetes Secret volume changes by renaming its {@code ..data} symlink, so no event ever names
 * {@code tls.crt} itself), polls as a fallback, compares content hashes, debounces bursts of events, builds
 * the next generation off the handshake path and publishes it in one step. Never throws into its thread:
 * a broken file is logged once per distinct cause, counted, and the previous certificates keep serving.
 */
public final class CertificateReloader implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CertificateReloader.class);
    /** Quiet time after the last file event before reading: writers often touch several files. */
    private static final Duration DEBOUNCE = Duration.ofMillis(150);
    /** Certificate and key written one after the other can mismatch for a moment: re-read once after this. */
    private static final Duration SETTLE = Duration.ofMillis(500);

    private final List<CertificateSource> sources;
    private final ClientCaSource clientCa;
    private final ReloadingKeyManager keyManager;
    private ReloadingTrustManager trustManager;
    private final boolean allowExpired;
    private final List<String> requiredNames;
    private final Duration expiryWarning;
    private final Duration pollInterval;
    private final Clock clock;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong successes = new AtomicLong();
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
    private volatile Instant lastSuccess;
    private volatile CertificateException lastFailure;
    private volatile String lastLoggedFailure;
    private volatile Thread thread;
    private volatile WatchService watcher;

    /** Where client certificates are verified from, when client authentication is on. */
    public record ClientCaSource(Path path, ClientTrust.AllowList allow) {
    }

    /** A reloader for these sources; {@link #loadInitial()} must succeed before {@link #start()}. */
    public CertificateReloader(List<CertificateSource> sources, boolean allowExpired, Duration pollInterval, Clock clock) {
        this(sources, null, allowExpired, List.of(), Duration.ofDays(14), pollInterval, clock);
    }

    /**
     * A reloader that also keeps a client CA bundle current.
     *
     * @param clientCa the client CA, or {@code null} when clients are not authenticated
     */
    public CertificateReloader(List<CertificateSource> sources, ClientCaSource clientCa, boolean allowExpired,
            List<String> requiredNames, Duration expiryWarning, Duration pollInterval, Clock clock) {
        this.sources = List.copyOf(sources);
        this.clientCa = clientCa;
        this.requiredNames = List.copyOf(requiredNames);
        this.expiryWarning = expiryWarning;
        this.allowExpired = allowExpired;
        this.pollInterval = pollInterval;
        this.clock = clock;
        this.keyManager = new ReloadingKeyManager(null);
    }

    /**
     * Loads every source for the first time and makes them the served set.
     *
     * @return every problem found, one per source; empty when all loaded
     */
    public List<CertificateException> loadInitial() {
        List<CertificateException> problems = new ArrayList<>();
        List<CertificateGeneration> loaded = new ArrayList<>();
        long gen = generation.incrementAndGet();
        for (int i = 0; i < sources.size(); i++) {
            try {
                loaded.add(load(sources.get(i), gen, i));
            } catch (CertificateException e) {
                problems.add(e);
            }
        }
        if (clientCa != null) {
            try {
                trustManager = new ReloadingTrustManager(loadClientCa());
            } catch (CertificateException e) {
                problems.add(e);
            }
        }
        if (problems.isEmpty()) {
            keyManager.publish(ServedCertificates.of(loaded));
            lastSuccess = clock.instant();
            warnIfExpiring();
        }
        return problems;
    }

    private ClientTrust loadClientCa() throws CertificateException {
        byte[] pem = CertificateSource.readFile(clientCa.path(), "client CA");
        return ClientTrust.load(clientCa.path(), pem, clientCa.allow());
    }

    /** The trust manager for client certificates, or {@code null} when clients are not authenticated. */
    public ReloadingTrustManager trustManager() {
        return trustManager;
    }

    private CertificateGeneration load(CertificateSource source, long gen, int index) throws CertificateException {
        return load(source, source.read(), gen, index);
    }

    private CertificateGeneration load(CertificateSource source, CertificateSource.Contents contents, long gen,
            int index) throws CertificateException {
        try {
            return source.load("g" + gen + "-" + index, contents, rules(index));
        } finally {
            if (contents.password() != null) {
                Arrays.fill(contents.password(), '\0');
            }
        }
    }

    /** Required names apply to the default certificate; SNI certificates serve the names they carry. */
    private CertificateLoader.Rules rules(int index) {
        return new CertificateLoader.Rules(clock.instant(), allowExpired, index == 0 ? requiredNames : List.of());
    }

    /** The key manager that serves what this reloader publishes. */
    public ReloadingKeyManager keyManager() {
        return keyManager;
    }

    /** What is served now. */
    public ServedCertificates served() {
        return keyManager.current();
    }

    /** Successful reloads since start (the initial load not included). */
    public long successes() {
        return successes.get();
    }

    /** Failed reloads since start, by reason label. */
    public Map<String, AtomicLong> failures() {
        return failures;
    }

    /** Served certificates that expire within the warning threshold, as short sentences. */
    public List<String> expiryWarnings() {
        Instant limit = clock.instant().plus(expiryWarning);
        return keyManager.current().generations().stream().filter(g -> g.notAfter().isBefore(limit))
                .map(g -> g.subject() + " (serial " + g.serial() + ") expires at " + g.notAfter()).toList();
    }

    private void warnIfExpiring() {
        for (String warning : expiryWarnings()) {
            LOG.warnf("Certificate %s; renew it before then (warning threshold %s)", warning, expiryWarning);
        }
    }

    /** When the served set was last replaced (or first loaded). */
    public Instant lastSuccess() {
        return lastSuccess;
    }

    /** The most recent failure, cleared by the next success. */
    public CertificateException lastFailure() {
        return lastFailure;
    }

    /**
     * Re-reads every file and publishes a new set if any content changed and everything validates.
     *
     * @return {@code true} if a new set was published
     */
    public synchronized boolean reloadIfChanged() {
        try {
            return tryReload();
        } catch (CertificateException first) {
            if (!"key-mismatch".equals(first.reason())) {
                recordFailure(first);
                return false;
            }
            // A writer that replaces certificate and key one after the other leaves a moment where they disagree.
            sleepQuietly(SETTLE);
            try {
                return tryReload();
            } catch (CertificateException second) {
                recordFailure(second);
                return false;
            }
        } catch (RuntimeException e) {
            recordFailure(new CertificateException(sources.get(0).cert(), "internal", e.toString()));
            return false;
        }
    }

    private boolean tryReload() throws CertificateException {
        boolean changed = reloadServerCertificates();
        if (clientCa != null) {
            changed |= reloadClientCa();
        }
        lastFailure = null;
        lastLoggedFailure = null;
        return changed;
    }

    private boolean reloadClientCa() throws CertificateException {
        ClientTrust next = loadClientCa();
        if (Arrays.equals(next.hash(), trustManager.current().hash())) {
            return false;
        }
        beforePublish();
        trustManager.publish(next);
        LOG.infof("Reloaded client CA bundle %s: %d certificates", clientCa.path(), next.cas().size());
        return true;
    }

    private boolean reloadServerCertificates() throws CertificateException {
        ServedCertificates served = keyManager.current();
        List<CertificateSource.Contents> contents = new ArrayList<>();
        boolean changed = false;
        for (int i = 0; i < sources.size(); i++) {
            CertificateSource.Contents c = sources.get(i).read();
            contents.add(c);
            byte[] hash = CertificateLoader.sha256(c.cert(), c.key());
            changed |= !Arrays.equals(hash, served.generations().get(i).contentHash());
        }
        if (!changed) {
            return false;
        }
        long gen = generation.incrementAndGet();
        List<CertificateGeneration> next = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            next.add(load(sources.get(i), contents.get(i), gen, i));
        }
        beforePublish();
        keyManager.publish(served.next(next));
        CertificateGeneration d = next.get(0);
        LOG.infof("Reloaded certificate: subject=%s serial=%s notAfter=%s", d.subject(), d.serial(), d.notAfter());
        warnIfExpiring();
        return true;
    }

    /** State first, then the swap: whoever sees the new certificate sees the count and no stale error. */
    private void beforePublish() {
        lastFailure = null;
        lastLoggedFailure = null;
        successes.incrementAndGet();
        lastSuccess = clock.instant();
    }

    private void recordFailure(CertificateException e) {
        failures.computeIfAbsent(e.reason(), r -> new AtomicLong()).incrementAndGet();
        lastFailure = e;
        if (!e.getMessage().equals(lastLoggedFailure)) {
            lastLoggedFailure = e.getMessage();
            LOG.errorf("Certificate reload failed, still serving the previous certificate: %s", e.getMessage());
        }
    }

    /**
     * Starts watching the certificate directories and polling, on a daemon thread. The directories are
     * registered before this returns, so no change made afterwards can be missed.
     */
    public void start() {
        WatchService ws = null;
        try {
            ws = FileSystems.getDefault().newWatchService();
            for (Path dir : directories()) {
                try {
                    dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                            StandardWatchEventKinds.ENTRY_DELETE);
                } catch (IOException e) {
                    LOG.warnf("Cannot watch %s (%s); relying on polling every %s", dir, e.getMessage(), pollInterval);
                }
            }
        } catch (IOException e) {
            LOG.warnf("Cannot watch certificate directories (%s); relying on polling every %s", e.getMessage(),
                    pollInterval);
        }
        watcher = ws;
        Thread t = new Thread(() -> run(watcher), "sidecar-certificate-reloader");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void run(WatchService ws) {
        try {
            // Anything that changed between the first load and the watch registration.
            reloadIfChanged();
            while (!Thread.currentThread().isInterrupted()) {
                WatchKey key = ws == null ? null : ws.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                if (ws == null) {
                    Thread.sleep(pollInterval.toMillis());
                } else if (key != null) {
                    drain(ws, key);
                }
                // Either an event (any event, OVERFLOW included, means "look again") or the poll interval elapsed.
                reloadIfChanged();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Consumes events until none has arrived for {@link #DEBOUNCE}. */
    private static void drain(WatchService ws, WatchKey first) throws InterruptedException {
        WatchKey key = first;
        while (key != null) {
            key.pollEvents();
            key.reset();
            key = ws.poll(DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private Set<Path> directories() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (CertificateSource s : sources) {
            dirs.add(s.cert().toAbsolutePath().getParent());
            dirs.add(s.key().toAbsolutePath().getParent());
            s.passwordFile().ifPresent(p -> dirs.add(p.toAbsolutePath().getParent()));
        }
        if (clientCa != null) {
            dirs.add(clientCa.path().toAbsolutePath().getParent());
        }
        return dirs;
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        WatchService ws = watcher;
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException e) {
                LOG.debugf("Closing the certificate watcher: %s", e.getMessage());
            }
        }
    }
}
