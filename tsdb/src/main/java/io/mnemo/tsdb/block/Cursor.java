package io.mnemo.tsdb.block;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads the encodings of the block files one after the other from a {@link ByteSource}: the
 * counterpart of {@link EncBuf}. Mutable and cheap, one per decoding task; it never reads past
 * the limit it was given, so a corrupt length cannot make it wander into another section.
 */
final class Cursor {
    private final ByteSource f;
    private long pos;
    private long limit;

    Cursor(ByteSource f, long pos, long limit) {
        this.f = f;
        reset(pos, limit);
    }

    void reset(long pos, long limit) {
        if (limit > f.size()) limit = f.size();
        this.pos = pos;
        this.limit = limit;
    }

    long position() { return pos; }

    long remaining() { return limit - pos; }

    void skip(long n) throws IOException {
        need(n);
        pos += n;
    }

    int u8() throws IOException {
        need(1);
        return f.u8(pos++);
    }

    int be32() throws IOException {
        need(4);
        int v = f.be32(pos);
        pos += 4;
        return v;
    }

    long uvarint() throws IOException {
        long x = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            x |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return x;
        }
        throw corrupt("uvarint overflows 64 bits");
    }

    long varint() throws IOException {
        long u = uvarint();
        return (u >>> 1) ^ -(u & 1);
    }

    /** A uvarint that must fit a non-negative int (a length or an id). */
    int uvarintInt() throws IOException {
        long v = uvarint();
        if (v > Integer.MAX_VALUE) throw corrupt("value " + v + " out of range");
        return (int) v;
    }

    /** A uvarint length, then that many bytes of UTF-8. */
    String uvarintStr() throws IOException {
        int n = uvarintInt();
        need(n);
        byte[] b = new byte[n];
        f.copy(pos, b, 0, n);
        pos += n;
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Skips a uvarint-prefixed string; returns the position of its bytes. */
    long skipUvarintStr() throws IOException {
        int n = uvarintInt();
        long at = pos;
        skip(n);
        return at;
    }

    /**
     * Compares the uvarint-prefixed string here with {@code b} as unsigned bytes (consuming it):
     * negative, zero or positive as the string sorts before, equal to or after b.
     */
    int compareUvarintStr(byte[] b) throws IOException {
        int n = uvarintInt();
        need(n);
        int common = Math.min(n, b.length);
        int c = 0;
        for (int i = 0; i < common && c == 0; i++) c = f.u8(pos + i) - (b[i] & 0xFF);
        pos += n;
        return c != 0 ? c : n - b.length;
    }

    private void need(long n) throws IOException {
        if (n < 0 || pos + n > limit) throw corrupt("needs " + n + " bytes, " + (limit - pos) + " left");
    }

    IOException corrupt(String what) {
        return new IOException(f.name() + ": corrupt data at " + pos + ": " + what);
    }
}
