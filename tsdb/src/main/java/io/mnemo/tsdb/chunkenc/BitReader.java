package io.mnemo.tsdb.chunkenc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads what {@link BitBuffer} writes, straight from the chunk's array with 64-bit big-endian
 * loads, allocating nothing. Damage (a stream that ends early) is an {@link IllegalStateException}
 * from the iterator that owns the reader.
 */
final class BitReader {
    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int base;   // byte offset of the chunk in buf
    private long pos;   // next bit, counted from the chunk start
    private long limit; // bits of the chunk
    /** The window after the last {@link #readXor}. */
    int window;

    void reset(byte[] buf, int base, int length, int startByte) {
        this.buf = buf;
        this.base = base;
        this.limit = (long) length * 8;
        this.pos = (long) startByte * 8;
    }

    long position() { return pos; }

    boolean readBit() {
        return readBits(1) != 0;
    }

    /** Reads {@code n} (1..64) bits as the low bits of the result. */
    long readBits(int n) {
        if (pos + n > limit) throw new IllegalStateException("stream ends");
        int idx = base + (int) (pos >>> 3);
        int shift = (int) (pos & 7);
        long v = load64(idx) << shift;
        if (shift + n > 64) v |= (buf[idx + 8] & 0xFFL) >>> (8 - shift);
        pos += n;
        return v >>> (64 - n);
    }

    /** Eight bytes from idx, big-endian, zero past the end of the array. */
    private long load64(int idx) {
        if (idx + 8 <= buf.length) return (long) LONG_BE.get(buf, idx);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v <<= 8;
            if (idx + i < buf.length) v |= buf[idx + i] & 0xFFL;
        }
        return v;
    }

    /** The number of leading one bits, up to {@code max}, and the zero after them (unless max were read). */
    private int prefix(int max) {
        int n = 0;
        while (n < max && readBit()) n++;
        return n;
    }

    /** {@code readVarbitInt}. */
    long readVarbitInt() {
        int ones = prefix(8);
        int size = valueBits(ones);
        if (size == 0) return 0;
        long bits = readBits(size);
        if (size < 64 && bits > (1L << (size - 1))) bits -= 1L << size;
        return bits;
    }

    /** {@code readVarbitUint}. */
    long readVarbitUint() {
        int size = valueBits(prefix(8));
        return size == 0 ? 0 : readBits(size);
    }

    /** Value bits after a prefix of this many ones (0: the value is 0). */
    private static int valueBits(int ones) {
        return switch (ones) {
            case 0 -> 0;
            case 1 -> 3;
            case 2 -> 6;
            case 3 -> 9;
            case 4 -> 12;
            case 5 -> 18;
            case 6 -> 25;
            case 7 -> 56;
            default -> 64;
        };
    }

    /**
     * Reads a value XOR-encoded against {@code prevBits} with the window {@code window}; leaves
     * the window after it in {@link #window}.
     */
    long readXor(long prevBits, int window) {
        this.window = window;
        if (!readBit()) return prevBits;
        if (readBit()) {
            int leading = (int) readBits(5);
            int significant = (int) readBits(6);
            if (significant == 0) significant = 64;
            int trailing = 64 - leading - significant;
            if (trailing < 0) throw new IllegalStateException("XOR window out of range");
            this.window = BitBuffer.window(leading, trailing);
        } else if (window == BitBuffer.NO_WINDOW) {
            // Prometheus reads a window of 0/0 here: 64 meaningful bits.
            this.window = BitBuffer.window(0, 0);
        }
        int leading = BitBuffer.leading(this.window);
        int trailing = BitBuffer.trailing(this.window);
        return prevBits ^ (readBits(64 - leading - trailing) << trailing);
    }
}
