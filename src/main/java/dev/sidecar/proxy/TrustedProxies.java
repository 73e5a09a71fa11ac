package dev.sidecar.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** The addresses whose forwarding headers the sidecar believes. Parsed once; matching is allocation-light. */
public final class TrustedProxies {

    private static final TrustedProxies NONE = new TrustedProxies(List.of());

    private record Range(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = ranges;
    }

    /** Trusts nobody. */
    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * Parses addresses and CIDR ranges such as {@code 10.0.0.0/8}, {@code 127.0.0.1}, {@code fd00::/8}.
     *
     * @throws IllegalArgumentException naming the first entry that is not one
     */
    public static TrustedProxies parse(List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        for (String entry : entries) {
            ranges.add(range(entry.trim()));
        }
        return new TrustedProxies(List.copyOf(ranges));
    }

    /** Checks one entry; returns {@code null} when valid, else why not. */
    public static String problem(String entry) {
        try {
            range(entry.trim());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static Range range(String entry) {
        int slash = entry.indexOf('/');
        String ip = slash < 0 ? entry : entry.substring(0, slash);
        byte[] address = literal(ip);
        if (address == null) {
            throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR range");
        }
        int prefix = address.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(entry.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > address.length * 8) {
                throw new IllegalArgumentException("'" + entry + "' has an invalid prefix length");
            }
        }
        return new Range(address, prefix);
    }

    /** Bytes of an IP literal, or {@code null}; never does a DNS lookup. */
    static byte[] literal(String ip) {
        if (ip.isEmpty() || !(Character.digit(ip.charAt(0), 16) >= 0 || ip.charAt(0) == ':')
                || !ip.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return null;
        }
        try {
            return InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Whether nobody is trusted (the fast path). */
    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** Whether {@code ip} (a literal) is a trusted proxy. */
    public boolean trusts(String ip) {
        if (ranges.isEmpty()) {
            return false;
        }
        byte[] address = literal(ip);
        if (address == null) {
            return false;
        }
        for (Range r : ranges) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
