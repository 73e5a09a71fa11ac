package dev.sidecar.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The immutable set of certificates the listener serves at one moment: the first is the default for
 * clients that send no (or an unknown) server name. Handshakes read one snapshot; reloads publish a new one.
 */
public final class ServedCertificates {

    private final List<Entry> entries;
    private final ServedCertificates previous;

    private record Entry(CertificateGeneration generation, List<String> names) {
    }

    private ServedCertificates(List<Entry> entries, ServedCertificates previous) {
        this.entries = entries;
        this.previous = previous;
    }

    /** A snapshot serving these generations, the first being the default. */
    public static ServedCertificates of(List<CertificateGeneration> generations) {
        return new ServedCertificates(entries(generations), null);
    }

    /**
     * The snapshot that replaces this one. It still answers for this snapshot's aliases, so that a handshake
     * that chose an alias just before the swap gets the matching chain and key.
     */
    public ServedCertificates next(List<CertificateGeneration> generations) {
        return new ServedCertificates(entries(generations), new ServedCertificates(entries, null));
    }

    private static List<Entry> entries(List<CertificateGeneration> generations) {
        if (generations.isEmpty()) {
            throw new IllegalArgumentException("at least one certificate is required");
        }
        List<Entry> list = new ArrayList<>();
        for (CertificateGeneration g : generations) {
            list.add(new Entry(g, dnsNames(g.leaf())));
        }
        return List.copyOf(list);
    }

    /** Served generations, default first. */
    public List<CertificateGeneration> generations() {
        return entries.stream().map(Entry::generation).toList();
    }

    /** The default generation. */
    public CertificateGeneration defaultGeneration() {
        return entries.get(0).generation();
    }

    /**
     * Chooses the alias to serve.
     *
     * @param keyType    JCA key type the handshake can use ({@code EC}, {@code RSA}, ...)
     * @param serverName SNI host name sent by the client, or {@code null}
     * @return the alias, or {@code null} when no certificate has this key type
     */
    public String choose(String keyType, String serverName) {
        Entry fallback = null;
        for (Entry e : entries) {
            if (!e.generation().keyType().equals(keyType)) {
                continue;
            }
            if (serverName == null || matchesAny(e.names(), serverName)) {
                return e.generation().alias();
            }
            if (fallback == null) {
                fallback = e;
            }
        }
        return fallback == null ? null : fallback.generation().alias();
    }

    /** The generation served under this alias, in this snapshot or the one it replaced. */
    public CertificateGeneration find(String alias) {
        for (Entry e : entries) {
            if (e.generation().alias().equals(alias)) {
                return e.generation();
            }
        }
        return previous == null ? null : previous.find(alias);
    }

    static boolean matchesAny(List<String> names, String host) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String name : names) {
            if (name.equals(h)) {
                return true;
            }
            // RFC 6125 §6.4.3: a wildcard covers exactly one left-most label.
            if (name.startsWith("*.")) {
                int dot = h.indexOf('.');
                if (dot > 0 && h.substring(dot).equals(name.substring(1))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** DNS subject alternative names of a certificate, lower-cased. */
    public static List<String> dnsNames(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            var sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (((Integer) san.get(0)) == 2) {
                        names.add(((String) san.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        return List.copyOf(names);
    }
}
