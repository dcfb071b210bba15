package io.mnemo.tsdb.head;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link SnapshotOut} wrote; a value running past the end is an error, never garbage. */
public final class SnapshotIn {
    private final byte[] buf;
    private int pos;

    public SnapshotIn(byte[] buf) {
        this.buf = buf;
    }

    public boolean hasRemaining() { return pos < buf.length; }

    public int position() { return pos; }

    public int getByte() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    public long getUvarint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = getByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new IllegalArgumentException("snapshot varint too long at byte " + pos);
    }

    public long getVarint() {
        long u = getUvarint();
        return (u >>> 1) ^ -(u & 1);
    }

    /** An unsigned varint that must fit an int (a count or a length). */
    public int getCount() {
        long v = getUvarint();
        if (v > Integer.MAX_VALUE) throw new IllegalArgumentException("snapshot count " + v + " too large at byte " + pos);
        return (int) v;
    }

    public byte[] getBytes() {
        int n = getCount();
        need(n);
        byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return out;
    }

    public String getString() {
        int n = getCount();
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    private void need(int n) {
        if (n > buf.length - pos) {
            throw new IllegalArgumentException("snapshot truncated: " + n + " bytes needed at byte " + pos + " of " + buf.length);
        }
    }
}
