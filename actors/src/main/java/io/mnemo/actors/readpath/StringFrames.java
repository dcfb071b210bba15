package io.mnemo.actors.readpath;

import io.mnemo.tsdb.Varint;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;

/**
 * Sorted strings (label names, label values) as frames of a read stream.
 *
 * <pre>
 * payload := version(1 byte = 1) uvarint(#strings) (uvarint(#bytes) utf8)*
 * </pre>
 */
public final class StringFrames implements FrameSource {
    private static final int VERSION = 1;

    private final Iterator<String> strings;
    private final int maxFrameBytes;
    private long sent;

    public StringFrames(List<String> strings, int maxFrameBytes) {
        this.strings = strings.iterator();
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public byte[] next() {
        if (!strings.hasNext()) return null;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] varint = new byte[Varint.MAX_BYTES];
        int count = 0;
        while (strings.hasNext() && (count == 0 || body.size() < maxFrameBytes)) {
            byte[] s = strings.next().getBytes(StandardCharsets.UTF_8);
            body.write(varint, 0, Varint.put(varint, 0, s.length));
            body.write(s, 0, s.length);
            count++;
        }
        sent += count;
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 1 + Varint.MAX_BYTES);
        out.write(VERSION);
        out.write(varint, 0, Varint.put(varint, 0, count));
        out.write(body.toByteArray(), 0, body.size());
        return out.toByteArray();
    }

    @Override
    public long items() { return sent; }

    @Override
    public void close() {}

    /** Adds the strings of a payload to {@code into}. */
    public static void decode(byte[] payload, java.util.Collection<String> into) {
        int[] pos = {0};
        if (payload.length == 0 || payload[pos[0]++] != VERSION) {
            throw new IllegalArgumentException("unsupported strings payload version "
                    + (payload.length == 0 ? "(empty)" : Integer.toString(payload[0])));
        }
        long count = uvarint(payload, pos);
        for (long i = 0; i < count; i++) {
            long len = uvarint(payload, pos);
            if (len > payload.length - pos[0]) throw new IllegalArgumentException("corrupt strings payload: string runs past the end");
            into.add(new String(payload, pos[0], (int) len, StandardCharsets.UTF_8));
            pos[0] += (int) len;
        }
    }

    private static long uvarint(byte[] b, int[] pos) {
        long x = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) throw new IllegalArgumentException("corrupt strings payload: ends early");
            int v = b[pos[0]++] & 0xFF;
            x |= (long) (v & 0x7F) << shift;
            if ((v & 0x80) == 0) return x;
        }
        throw new IllegalArgumentException("corrupt strings payload: varint too long");
    }
}
