package dev.sidecar.proxy;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: a client's {@code X-Request-Id} is kept when it is sane, otherwise a new random one is made. */
public final class RequestIds {

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int MAX_LENGTH = 128;

    private RequestIds() {
    }

    /** The id to use for a request that arrived with {@code received} (may be {@code null}). */
    public static String pick(String received) {
        return isAcceptable(received) ? received : generate();
    }

    /** A new 128-bit random id in hex. */
    public static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[32];
        long hi = r.nextLong();
        long lo = r.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }

    /** Printable, short, and free of characters that could forge a log line or a header. */
    static boolean isAcceptable(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-_.:+/=@".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }
}
