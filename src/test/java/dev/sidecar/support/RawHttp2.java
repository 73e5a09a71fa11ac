package dev.sidecar.support;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Predicate;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A deliberately naive HTTP/2 client (RFC 9113) over a JDK TLS socket, for sending frames no real client
 * would: any header name, value, order or repetition, any frame sequence. Frames are buffered until
 * {@link #flush()}, so a whole attack can go out in one write. Header blocks are encoded as HPACK literals
 * without indexing and without Huffman coding (RFC 7541 §6.2.2), which the server must accept and which
 * carries any byte unchanged.
 */
public final class RawHttp2 implements Closeable {

    /** Frame types (RFC 9113 §6). */
    public static final int DATA = 0x0, HEADERS = 0x1, RST_STREAM = 0x3, SETTINGS = 0x4, PING = 0x6,
            GOAWAY = 0x7, WINDOW_UPDATE = 0x8, CONTINUATION = 0x9;
    /** Frame flags. */
    public static final int END_STREAM = 0x1, ACK = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
    /** Error codes (RFC 9113 §7). */
    public static final long NO_ERROR = 0x0, PROTOCOL_ERROR = 0x1, REFUSED_STREAM = 0x7, CANCEL = 0x8,
            ENHANCE_YOUR_CALM = 0xb;
    /** Settings identifiers (RFC 9113 §6.5.2). */
    public static final int MAX_CONCURRENT_STREAMS = 0x3, INITIAL_WINDOW_SIZE = 0x4, MAX_FRAME_SIZE = 0x5,
            MAX_HEADER_LIST_SIZE = 0x6;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** One frame as read from the server. */
    public record Frame(int type, int flags, int streamId, byte[] payload) {

        /** The error code of a RST_STREAM or GOAWAY frame. */
        public long errorCode() {
            ByteBuffer b = ByteBuffer.wrap(payload);
            return Integer.toUnsignedLong(type == GOAWAY ? b.getInt(4) : b.getInt(0));
        }

        /**
         * The {@code :status} of a HEADERS frame, or 0 when the server sent it as a reference into its dynamic
         * table (a status other than 200, 204, 206, 304, 400, 404, 500 repeated on one connection). Works because
         * the server must send {@code :status} first (RFC 9113 §8.3) and Netty Huffman-codes only long strings.
         */
        public int status() {
            // Skip the pad length and the priority fields when the flags say they are there (RFC 9113 §6.2).
            int at = ((flags & PADDED) != 0 ? 1 : 0) + ((flags & PRIORITY) != 0 ? 5 : 0);
            int b = payload[at] & 0xff;
            if ((b & 0x80) != 0) { // indexed field (RFC 7541 §6.1): statuses 200..500 sit at 8..14 in the static table
                int[] statics = { 200, 204, 206, 304, 400, 404, 500 };
                int index = b & 0x7f;
                return index >= 8 && index <= 14 ? statics[index - 8] : 0;
            }
            // A literal whose name is static entry 8 (:status), with incremental indexing (0x48) or without (0x08)
            int nameIndex = (b & 0x40) != 0 ? b & 0x3f : b & 0x0f;
            if (nameIndex != 8 || (payload[at + 1] & 0x80) != 0) {
                throw new IllegalStateException("cannot read :status from " + HexFormat.of().formatHex(payload));
            }
            return Integer.parseInt(new String(payload, at + 2, payload[at + 1], StandardCharsets.US_ASCII));
        }

        @Override
        public String toString() {
            String name = switch (type) {
                case DATA -> "DATA";
                case HEADERS -> "HEADERS";
                case RST_STREAM -> "RST_STREAM";
                case SETTINGS -> "SETTINGS";
                case GOAWAY -> "GOAWAY";
                case WINDOW_UPDATE -> "WINDOW_UPDATE";
                default -> "type " + type;
            };
            String detail = type == RST_STREAM ? " error " + errorCode()
                    : type == GOAWAY ? " error " + errorCode() + " \"" + new String(payload, 8, payload.length - 8,
                            StandardCharsets.UTF_8) + "\"" : "";
            return name + "(stream " + streamId + ", flags " + flags + ", " + payload.length + " bytes" + detail + ")";
        }
    }

    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Map<Integer, Long> serverSettings = new HashMap<>();
    private long written;

    private RawHttp2(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    /**
     * Connects to the sidecar with ALPN {@code h2}, sends the preface and an empty SETTINGS frame, then reads
     * the server's SETTINGS and acknowledges it, so that its limits are in force (RFC 9113 §6.5.3).
     */
    public static RawHttp2 connect() throws IOException {
        SSLSocket socket = (SSLSocket) SidecarTestResource.clientContext().getSocketFactory()
                .createSocket("localhost", Sidecar.httpsPort());
        SSLParameters params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] { "h2" });
        socket.setSSLParameters(params);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        if (!"h2".equals(socket.getApplicationProtocol())) {
            socket.close();
            throw new IOException("server chose ALPN " + socket.getApplicationProtocol() + ", not h2");
        }
        RawHttp2 h2 = new RawHttp2(socket);
        h2.out.write(PREFACE);
        h2.frame(SETTINGS, 0, 0, new byte[0]).flush();
        Frame settings = h2.readUntil(f -> f.type() == SETTINGS && (f.flags() & ACK) == 0);
        ByteBuffer b = ByteBuffer.wrap(settings.payload());
        while (b.remaining() >= 6) {
            h2.serverSettings.put(b.getShort() & 0xffff, Integer.toUnsignedLong(b.getInt()));
        }
        h2.frame(SETTINGS, ACK, 0, new byte[0]).flush();
        return h2;
    }

    /** The settings the server advertised; absent ones have their RFC 9113 §6.5.2 default. */
    public Map<Integer, Long> serverSettings() {
        return serverSettings;
    }

    /**
     * An HPACK header block of literal fields without indexing, new name, no Huffman (RFC 7541 §6.2.2), from
     * alternating names and values, in that order. Names and values go out byte for byte (ISO-8859-1).
     */
    public static byte[] block(String... namesAndValues) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.write(0x00);
            string(b, namesAndValues[i]);
            string(b, namesAndValues[i + 1]);
        }
        return b.toByteArray();
    }

    /** A string literal with its length as a 7-bit prefix integer (RFC 7541 §5.1, §5.2), H bit clear. */
    private static void string(ByteArrayOutputStream b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        int n = bytes.length;
        if (n < 0x7f) {
            b.write(n);
        } else {
            b.write(0x7f);
            for (n -= 0x7f; n >= 0x80; n >>>= 7) {
                b.write((n & 0x7f) | 0x80);
            }
            b.write(n);
        }
        b.writeBytes(bytes);
    }

    /** The four pseudo-headers of a well-formed request, followed by {@code more} names and values. */
    public static String[] fields(String method, String path, String... more) {
        String[] all = new String[8 + more.length];
        String[] pseudo = { ":method", method, ":scheme", "https", ":authority", "localhost", ":path", path };
        System.arraycopy(pseudo, 0, all, 0, 8);
        System.arraycopy(more, 0, all, 8, more.length);
        return all;
    }

    /**
     * Buffers a request's HEADERS frame, followed by CONTINUATION frames when the block is larger than the
     * default SETTINGS_MAX_FRAME_SIZE (the sidecar keeps the default).
     */
    public RawHttp2 request(int streamId, boolean endStream, String... namesAndValues) throws IOException {
        byte[] block = block(namesAndValues);
        int max = 16_384;
        for (int at = 0; at == 0 || at < block.length; at += max) {
            byte[] part = Arrays.copyOfRange(block, at, Math.min(block.length, at + max));
            int flags = at + max >= block.length ? END_HEADERS : 0;
            if (at == 0) {
                headers(streamId, flags | (endStream ? END_STREAM : 0), part);
            } else {
                continuation(streamId, flags, part);
            }
        }
        return this;
    }

    /** Buffers a HEADERS frame; {@code flags} is any of {@link #END_STREAM} and {@link #END_HEADERS}. */
    public RawHttp2 headers(int streamId, int flags, byte[] block) throws IOException {
        return frame(HEADERS, flags, streamId, block);
    }

    /** Buffers a CONTINUATION frame. */
    public RawHttp2 continuation(int streamId, int flags, byte[] block) throws IOException {
        return frame(CONTINUATION, flags, streamId, block);
    }

    /** Buffers a DATA frame. */
    public RawHttp2 data(int streamId, int flags, byte[] data) throws IOException {
        return frame(DATA, flags, streamId, data);
    }

    /** Buffers a RST_STREAM frame. */
    public RawHttp2 rstStream(int streamId, long errorCode) throws IOException {
        return frame(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt((int) errorCode).array());
    }

    /** Buffers any frame (RFC 9113 §4.1). */
    public RawHttp2 frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        out.write(ByteBuffer.allocate(9).put((byte) (payload.length >>> 16)).putShort((short) payload.length)
                .put((byte) type).put((byte) flags).putInt(streamId & 0x7fffffff).array());
        out.write(payload);
        written += 9 + payload.length;
        return this;
    }

    /** Sends what is buffered. */
    public RawHttp2 flush() throws IOException {
        out.flush();
        return this;
    }

    /** Bytes buffered or sent so far, the preface excluded. */
    public long written() {
        return written;
    }

    /** The next frame, or {@code null} once the server has closed the connection. */
    public Frame read() throws IOException {
        byte[] head = new byte[9];
        try {
            in.readFully(head);
            ByteBuffer b = ByteBuffer.wrap(head);
            int length = (b.get() & 0xff) << 16 | b.getShort() & 0xffff;
            int type = b.get() & 0xff;
            int flags = b.get() & 0xff;
            int streamId = b.getInt() & 0x7fffffff;
            byte[] payload = new byte[length];
            in.readFully(payload);
            return new Frame(type, flags, streamId, payload);
        } catch (EOFException | SSLException e) {
            return null; // closed, with or without close_notify
        } catch (SocketException e) {
            return null; // reset by the server
        }
    }

    /**
     * Reads until a frame matches, or returns {@code null} at end of stream. The socket timeout bounds each
     * read; a {@link java.net.SocketTimeoutException} means the frame never came.
     */
    public Frame readUntil(Predicate<Frame> wanted) throws IOException {
        for (Frame f; (f = read()) != null;) {
            if (wanted.test(f)) {
                return f;
            }
        }
        return null;
    }

    /** The first HEADERS, RST_STREAM for {@code streamId} or GOAWAY: how the server answered that stream. */
    public Frame answer(int streamId) throws IOException {
        return readUntil(f -> f.type() == GOAWAY
                || (f.streamId() == streamId && (f.type() == HEADERS || f.type() == RST_STREAM)));
    }

    /** Sets the socket read timeout in milliseconds. */
    public void timeout(int millis) throws SocketException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
