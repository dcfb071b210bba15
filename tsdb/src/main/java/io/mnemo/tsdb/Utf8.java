package io.mnemo.tsdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** UTF-8 checks on byte ranges, so label bytes can be validated and compared without Strings. */
public final class Utf8 {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Utf8() {}

    /**
     * Strict UTF-8 as Go's {@code utf8.Valid} (what Prometheus and Mimir check): no overlong forms,
     * no surrogates, nothing above U+10FFFF.
     */
    public static boolean isValid(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (end - i >= 8 && ((long) LONG.get(b, i) & 0x8080808080808080L) == 0) i += 8; // ASCII, 8 at a time
        while (i < end) {
            int c = b[i];
            if (c >= 0) { // ASCII, the common case for label values
                i++;
                continue;
            }
            c &= 0xFF;
            if (c < 0xC2 || c > 0xF4) return false; // continuation byte, overlong 2-byte lead, or > U+10FFFF
            if (c < 0xE0) {
                if (i + 1 >= end || !isContinuation(b[i + 1])) return false;
                i += 2;
            } else if (c < 0xF0) {
                if (i + 2 >= end) return false;
                int c1 = b[i + 1] & 0xFF;
                if (c == 0xE0 && c1 < 0xA0) return false; // overlong
                if (c == 0xED && c1 > 0x9F) return false; // UTF-16 surrogate halves
                if (!isContinuation(b[i + 1]) || !isContinuation(b[i + 2])) return false;
                i += 3;
            } else {
                if (i + 3 >= end) return false;
                int c1 = b[i + 1] & 0xFF;
                if (c == 0xF0 && c1 < 0x90) return false; // overlong
                if (c == 0xF4 && c1 > 0x8F) return false; // above U+10FFFF
                if (!isContinuation(b[i + 1]) || !isContinuation(b[i + 2]) || !isContinuation(b[i + 3])) return false;
                i += 4;
            }
        }
        return true;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    /**
     * {@link String#hashCode()} of the text that valid UTF-8 bytes encode, decoding on the fly: finds
     * a String in a table keyed by String hashes from bytes, without making the String.
     */
    public static int stringHashCode(byte[] b, int off, int len) {
        int h = 0;
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = b[i];
            if (c >= 0) {
                h = 31 * h + c;
                i++;
                continue;
            }
            c &= 0xFF;
            int cp;
            if (c < 0xE0) {
                cp = (c & 0x1F) << 6 | (at(b, i + 1, end) & 0x3F);
                i += 2;
            } else if (c < 0xF0) {
                cp = (c & 0x0F) << 12 | (at(b, i + 1, end) & 0x3F) << 6 | (at(b, i + 2, end) & 0x3F);
                i += 3;
            } else {
                cp = (c & 0x07) << 18 | (at(b, i + 1, end) & 0x3F) << 12 | (at(b, i + 2, end) & 0x3F) << 6
                        | (at(b, i + 3, end) & 0x3F);
                i += 4;
            }
            if (cp >= 0x10000) {
                h = 31 * h + Character.highSurrogate(cp);
                h = 31 * h + Character.lowSurrogate(cp);
            } else {
                h = 31 * h + cp;
            }
        }
        return h;
    }

    /** A byte of a multi-byte sequence; 0 past the end (invalid input hashes to something, never throws). */
    private static int at(byte[] b, int i, int end) {
        return i < end ? b[i] : 0;
    }

    /** Whether the bytes are exactly the UTF-8 encoding of {@code s}, encoding it on the fly. */
    public static boolean equals(byte[] b, int off, int len, String s) {
        int p = off;
        int end = off + len;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                if (p >= end || b[p++] != (byte) ch) return false;
                continue;
            }
            int cp = ch;
            if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(ch, s.charAt(++i));
            } else if (Character.isSurrogate(ch)) {
                // A lone surrogate has no UTF-8 form; String.getBytes(UTF_8) writes '?' for it.
                if (p >= end || b[p++] != '?') return false;
                continue;
            }
            int need = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (end - p < need) return false;
            switch (need) {
                case 2 -> {
                    if (b[p] != (byte) (0xC0 | cp >> 6) || b[p + 1] != (byte) (0x80 | cp & 0x3F)) return false;
                }
                case 3 -> {
                    if (b[p] != (byte) (0xE0 | cp >> 12) || b[p + 1] != (byte) (0x80 | cp >> 6 & 0x3F)
                            || b[p + 2] != (byte) (0x80 | cp & 0x3F)) return false;
                }
                default -> {
                    if (b[p] != (byte) (0xF0 | cp >> 18) || b[p + 1] != (byte) (0x80 | cp >> 12 & 0x3F)
                            || b[p + 2] != (byte) (0x80 | cp >> 6 & 0x3F) || b[p + 3] != (byte) (0x80 | cp & 0x3F)) return false;
                }
            }
            p += need;
        }
        return p == end;
    }
}
