package io.mnemo.tsdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A streaming 64-bit non-cryptographic hash in the style of xxHash64's single-lane path (its
 * primes, round and avalanche), fed in pieces: the result depends only on the concatenated bytes,
 * not on how they were split, so a series hashes the same from wire bytes and from Strings. It is
 * not bit-compatible with xxHash64. Eight bytes at a time where the input allows; not thread-safe.
 *
 * <p>A label set is fed as each label with a non-empty value, in order: its name, 0xFF, its value,
 * 0xFF (0xFF never occurs in UTF-8, so the encoding is unambiguous), alike from a {@link Labels}
 * and from a {@link LabelsView} of the same set.
 */
public final class SeriesHasher {
    /** Ends each string of a label set; never a byte of UTF-8. */
    public static final int SEPARATOR = 0xFF;

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long acc;
    private long pending;     // up to 7 bytes not yet mixed, little-endian
    private int pendingBytes;
    private long total;

    public SeriesHasher() {
        reset();
    }

    public void reset() {
        acc = P5;
        pending = 0;
        pendingBytes = 0;
        total = 0;
    }

    public void update(int b) {
        total++;
        push(b);
    }

    public void update(byte[] b, int off, int len) {
        total += len;
        while (len > 0 && pendingBytes != 0) {
            push(b[off++]);
            len--;
        }
        while (len >= 8) {
            round((long) LONG_LE.get(b, off));
            off += 8;
            len -= 8;
        }
        while (len > 0) {
            push(b[off++]);
            len--;
        }
    }

    /** Feeds the UTF-8 encoding of {@code s} (a lone surrogate as '?', like String.getBytes). */
    public void updateUtf8(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                update(c);
            } else if (c < 0x800) {
                update(0xC0 | c >> 6);
                update(0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                update(0xF0 | cp >> 18);
                update(0x80 | cp >> 12 & 0x3F);
                update(0x80 | cp >> 6 & 0x3F);
                update(0x80 | cp & 0x3F);
            } else if (Character.isSurrogate(c)) {
                update('?');
            } else {
                update(0xE0 | c >> 12);
                update(0x80 | c >> 6 & 0x3F);
                update(0x80 | c & 0x3F);
            }
        }
    }

    /** Feeds a label set (see the class comment). */
    public void updateLabels(Labels labels) {
        for (int i = 0, n = labels.size(); i < n; i++) {
            String value = labels.value(i);
            if (value.isEmpty()) continue;
            updateUtf8(labels.name(i));
            update(SEPARATOR);
            updateUtf8(value);
            update(SEPARATOR);
        }
    }

    /** Feeds a label set read in place, skipping empty values; the same bytes as for its {@link Labels}. */
    public void updateLabels(LabelsView view) {
        byte[] b = view.buffer();
        for (int i = 0, n = view.labelCount(); i < n; i++) {
            int valueLength = view.labelValueLength(i);
            if (valueLength == 0) continue;
            update(b, view.labelNameOffset(i), view.labelNameLength(i));
            update(SEPARATOR);
            update(b, view.labelValueOffset(i), valueLength);
            update(SEPARATOR);
        }
    }

    public long digest() {
        long h = acc + total;
        for (int i = 0; i < pendingBytes; i++) {
            h ^= (pending >>> (i << 3) & 0xFF) * P5;
            h = Long.rotateLeft(h, 11) * P1;
        }
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }

    private void push(int b) {
        pending |= (b & 0xFFL) << (pendingBytes << 3);
        if (++pendingBytes == 8) {
            round(pending);
            pending = 0;
            pendingBytes = 0;
        }
    }

    private void round(long k) {
        k *= P2;
        k = Long.rotateLeft(k, 31);
        k *= P1;
        acc ^= k;
        acc = Long.rotateLeft(acc, 27) * P1 + P4;
    }
}
