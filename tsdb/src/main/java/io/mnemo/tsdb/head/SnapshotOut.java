package io.mnemo.tsdb.head;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The growable byte buffer a snapshot is encoded into: varints, strings and raw byte runs, with
 * no synchronisation and no object per value (a snapshot of a large head writes millions).
 */
public final class SnapshotOut {
    private byte[] buf;
    private int len;

    public SnapshotOut(int capacity) {
        buf = new byte[Math.max(capacity, 64)];
    }

    public int length() { return len; }

    /** A copy of what was written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    public void putByte(int v) {
        ensure(1);
        buf[len++] = (byte) v;
    }

    public void putUvarint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    /** A signed value, zig-zag encoded. */
    public void putVarint(long v) {
        putUvarint((v << 1) ^ (v >> 63));
    }

    public void putBytes(byte[] b) {
        putUvarint(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    public void putString(String s) {
        putBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private void ensure(int more) {
        if (len + more <= buf.length) return;
        long grown = Math.max((long) len + more, (long) buf.length + (buf.length >> 1));
        if (grown > Integer.MAX_VALUE - 16) {
            if ((long) len + more > Integer.MAX_VALUE - 16) throw new IllegalStateException("snapshot exceeds 2 GiB");
            grown = Integer.MAX_VALUE - 16;
        }
        buf = Arrays.copyOf(buf, (int) grown);
    }
}
