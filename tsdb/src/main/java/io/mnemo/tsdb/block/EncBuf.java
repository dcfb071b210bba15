package io.mnemo.tsdb.block;

import io.mnemo.tsdb.Varint;
import java.util.Arrays;

/**
 * A growable byte buffer with the encodings the block files use: big-endian fixed-width
 * integers, Go's unsigned and zig-zag varints, and length-prefixed UTF-8 strings. Reused across
 * entries so that encoding a series or a postings list allocates nothing once it has grown.
 */
final class EncBuf {
    private byte[] b;
    private int len;

    EncBuf(int capacity) {
        b = new byte[Math.max(16, capacity)];
    }

    void reset() { len = 0; }

    int length() { return len; }

    byte[] array() { return b; }

    void putByte(int v) {
        ensure(1);
        b[len++] = (byte) v;
    }

    void putBE32(int v) {
        ensure(4);
        b[len] = (byte) (v >>> 24);
        b[len + 1] = (byte) (v >>> 16);
        b[len + 2] = (byte) (v >>> 8);
        b[len + 3] = (byte) v;
        len += 4;
    }

    void putBE64(long v) {
        putBE32((int) (v >>> 32));
        putBE32((int) v);
    }

    /** Go's PutUvarint: 7 bits a byte, low bits first, the value read as unsigned. */
    void putUvarint(long v) {
        ensure(Varint.MAX_BYTES);
        len = Varint.put(b, len, v);
    }

    /** Go's PutVarint: zig-zag, then as an unsigned varint. */
    void putVarint(long v) {
        putUvarint(Varint.zigZag(v));
    }

    /** Uvarint byte length, then the UTF-8 bytes (an unpaired surrogate becomes '?'). */
    void putUvarintStr(String s) {
        int n = utf8Length(s);
        putUvarint(n);
        ensure(n);
        len = encodeUtf8(s, b, len);
    }

    void putBytes(byte[] src, int off, int n) {
        ensure(n);
        System.arraycopy(src, off, b, len, n);
        len += n;
    }

    private void ensure(int more) {
        if (len + more > b.length) b = Arrays.copyOf(b, Math.max(len + more, b.length * 2));
    }

    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n += 1;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) n += 1;
            else n += 3;
        }
        return n;
    }

    /** Writes s as UTF-8 at {@code at} (room checked by the caller); returns the end position. */
    static int encodeUtf8(String s, byte[] out, int at) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[at++] = (byte) c;
            } else if (c < 0x800) {
                out[at++] = (byte) (0xC0 | (c >> 6));
                out[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[at++] = (byte) (0xF0 | (cp >> 18));
                out[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[at++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                out[at++] = (byte) '?';
            } else {
                out[at++] = (byte) (0xE0 | (c >> 12));
                out[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return at;
    }
}
