package io.mnemo.tsdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * 64-bit non-cryptographic hashes of label strings and label sets, in the style of xxHash64's
 * single-lane path (its primes, round and avalanche; not bit-compatible with it).
 *
 * <p>A string is hashed on its UTF-8 bytes, eight at a time; {@link #bytes} and {@link #utf8}
 * agree for the same text, so a hash found from wire bytes equals one found from a String. A
 * label set is the ordered combination of the hashes of its names and values, labels with an
 * empty value left out ({@link #combine}): whoever walks a request hashes each string once and
 * can use that hash twice, for the series and to intern the string.
 *
 * <p>Stateless and thread-safe.
 */
public final class SeriesHasher {
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;
    /** Where every combination starts. */
    public static final long SEED = P5;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private SeriesHasher() {}

    /** Hash of {@code b[off, off+len)}. */
    public static long bytes(byte[] b, int off, int len) {
        long acc = P5 + len;
        int i = off;
        int end = off + len;
        for (; end - i >= 8; i += 8) acc = round(acc, (long) LONG_LE.get(b, i));
        if (i < end) {
            long tail = 0;
            for (int shift = 0; i < end; i++, shift += 8) tail |= (b[i] & 0xFFL) << shift;
            acc = round(acc, tail);
        }
        return avalanche(acc);
    }

    /** Hash of the UTF-8 encoding of {@code s} (a lone surrogate as '?', as String.getBytes writes it). */
    public static long utf8(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8); // rare: names and values are mostly ASCII
                return bytes(b, 0, b.length);
            }
        }
        // ASCII: each char is its byte; the same words as bytes() reads.
        long acc = P5 + n;
        int i = 0;
        for (; n - i >= 8; i += 8) {
            long w = 0;
            for (int k = 7; k >= 0; k--) w = w << 8 | s.charAt(i + k);
            acc = round(acc, w);
        }
        if (i < n) {
            long tail = 0;
            for (int shift = 0; i < n; i++, shift += 8) tail |= (long) s.charAt(i) << shift;
            acc = round(acc, tail);
        }
        return avalanche(acc);
    }

    /** Adds the hash of one more string (a label name or value) to a label-set combination. */
    public static long combine(long acc, long stringHash) {
        return round(acc, stringHash);
    }

    /** The label-set hash of a combination. */
    public static long finish(long acc) {
        return avalanche(acc);
    }

    /** Hash of a label set: {@link #finish} of its names and values {@link #combine}d from {@link #SEED}. */
    public static long labels(Labels labels) {
        return finish(combineLabels(SEED, labels));
    }

    /** Combines a label set's names and values, skipping empty values, into {@code acc}. */
    public static long combineLabels(long acc, Labels labels) {
        for (int i = 0, n = labels.size(); i < n; i++) {
            String value = labels.value(i);
            if (value.isEmpty()) continue;
            acc = combine(acc, utf8(labels.name(i)));
            acc = combine(acc, utf8(value));
        }
        return acc;
    }

    private static long round(long acc, long k) {
        k *= P2;
        k = Long.rotateLeft(k, 31);
        k *= P1;
        acc ^= k;
        return Long.rotateLeft(acc, 27) * P1 + P4;
    }

    private static long avalanche(long h) {
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }
}
