package io.mnemo.tsdb;

/**
 * Unsigned LEB128 varints (protobuf's and Go's {@code binary.PutUvarint}) written into byte
 * arrays: the one encoding of the block index, snapshots, series-set payloads and ingest records.
 * Callers make room first (at most {@link #MAX_BYTES}).
 */
public final class Varint {
    /** Bytes of the longest varint, a 64-bit value. */
    public static final int MAX_BYTES = 10;

    private Varint() {}

    /** Bytes the varint of {@code v} takes. */
    public static int size(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** Writes the varint of {@code v} at {@code at}; returns the position after it. */
    public static int put(byte[] b, int at, long v) {
        while ((v & ~0x7FL) != 0) {
            b[at++] = (byte) (v & 0x7F | 0x80);
            v >>>= 7;
        }
        b[at++] = (byte) v;
        return at;
    }

    /** A signed value as zig-zag, so that small negative values stay short. */
    public static long zigZag(long v) {
        return (v << 1) ^ (v >> 63);
    }
}
