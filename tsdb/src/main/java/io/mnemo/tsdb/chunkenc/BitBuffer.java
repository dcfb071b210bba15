package io.mnemo.tsdb.chunkenc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The bytes of a histogram chunk: a header, then a bit stream as Prometheus 3's bstream writes
 * it, most significant bit first, ending with the byte that holds the last bit.
 * Either owns a growable buffer (appended to) or is a read-only view of bytes that live
 * elsewhere; {@link #makeOwned()} copies a view before the first write.
 *
 * <p>Besides raw bits it writes Prometheus's variable-bit integers ({@code putVarbitInt},
 * {@code putVarbitUint}) and the Gorilla XOR encoding of a float against the previous one.
 */
final class BitBuffer {
    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** An XOR window that says "none yet": the next changed value writes a full window. */
    static final int NO_WINDOW = -1;

    byte[] buf;
    int offset;
    int length;     // bytes in buf from offset, header included
    private boolean owned;
    /** Free bits in the last byte (0..8), as Prometheus's bstream counts them. */
    private int freeBits;

    /** An owned buffer of {@code headerSize} zero bytes and room to grow. */
    BitBuffer(int capacity, int headerSize) {
        this.buf = new byte[Math.max(capacity, 16)];
        this.length = headerSize;
        this.owned = true;
    }

    /** A read-only view. */
    BitBuffer(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
    }

    /** A view of this buffer as it is now; later writes do not show in it. */
    BitBuffer view() {
        return new BitBuffer(buf, offset, length);
    }

    byte[] toByteArray() {
        return Arrays.copyOfRange(buf, offset, offset + length);
    }

    void compact() {
        if (owned && buf.length > length + 32) buf = Arrays.copyOf(buf, length);
    }

    boolean owned() { return owned; }

    /** Copies a view into a buffer of its own, so the bytes it wraps are never modified. */
    void makeOwned() {
        if (owned) return;
        byte[] own = new byte[Math.max(128, length + 32)];
        System.arraycopy(buf, offset, own, 0, length);
        buf = own;
        offset = 0;
        owned = true;
        freeBits = 0;
    }

    /**
     * Continues the stream after bit {@code endBit} (counted from the chunk start), where a
     * decoder stopped: bytes past it (Prometheus 2's empty trailing byte) are dropped, and the
     * free bits of the last byte are cleared because new bits are OR-ed in.
     */
    void continueAt(long endBit) {
        int used = (int) ((endBit + 7) >>> 3);
        if (used < length) {
            Arrays.fill(buf, offset + used, offset + length, (byte) 0);
            length = used;
        }
        freeBits = (int) ((long) length * 8 - endBit);
        if (freeBits > 0) buf[offset + length - 1] &= (byte) (0xFF << freeBits);
    }

    // ---- header ----

    int u16(int at) {
        return ((buf[offset + at] & 0xFF) << 8) | (buf[offset + at + 1] & 0xFF);
    }

    void putU16(int at, int v) {
        buf[offset + at] = (byte) (v >>> 8);
        buf[offset + at + 1] = (byte) v;
    }

    int u8(int at) {
        return buf[offset + at] & 0xFF;
    }

    void putU8(int at, int v) {
        buf[offset + at] = (byte) v;
    }

    // ---- bits ----

    void writeBit(boolean one) {
        writeBits(one ? 1 : 0, 1);
    }

    /** Writes the low {@code nbits} (1..64) bits of {@code u}, most significant first. */
    void writeBits(long u, int nbits) {
        ensureCapacity(length + 9); // the 8-byte window at the write position, and one byte after
        long pos = (long) length * 8 - freeBits;
        int idx = offset + (int) (pos >>> 3);
        int shift = (int) (pos & 7);
        long v = u << (64 - nbits); // left-align; a shift by 64 is a shift by 0 in Java
        // OR the bits into the 8 bytes at idx; bytes past the stream are zero.
        LONG_BE.set(buf, idx, (long) LONG_BE.get(buf, idx) | (v >>> shift));
        if (shift + nbits > 64) buf[idx + 8] |= (byte) ((v << (64 - shift)) >>> 56);
        advance(nbits);
    }

    /**
     * Moves the stream end past {@code nbits} more bits. Prometheus 3's bstream (since #14854)
     * adds exactly the bytes the bits need; Prometheus 2 added an empty byte after a whole-byte
     * write that ended on a byte boundary, which {@link #continueAt} drops when it meets one.
     */
    private void advance(int nbits) {
        if (nbits <= freeBits) {
            freeBits -= nbits;
            return;
        }
        int over = nbits - freeBits;
        length += (over + 7) >>> 3;
        freeBits = (8 - (over & 7)) & 7;
    }

    private void ensureCapacity(int needed) {
        // Grow by half, as XorChunk does: open head chunks are most of a head's memory.
        if (offset + needed > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(offset + needed + 8, buf.length + (buf.length >> 1)));
        }
    }

    // ---- Prometheus's variable-bit integers ----

    /** {@code putVarbitInt}: 1 bit for 0, else a prefix of 2..8 ones-then-zero bits and 3..64 value bits. */
    void writeVarbitInt(long v) {
        if (v == 0) {
            writeBits(0, 1);
        } else if (fits(v, 3)) {
            writeBits((0b10L << 3) | (v & 0x7), 5);
        } else if (fits(v, 6)) {
            writeBits((0b110L << 6) | (v & 0x3F), 9);
        } else if (fits(v, 9)) {
            writeBits((0b1110L << 9) | (v & 0x1FF), 13);
        } else if (fits(v, 12)) {
            writeBits((0b11110L << 12) | (v & 0xFFF), 17);
        } else if (fits(v, 18)) {
            writeBits((0b111110L << 18) | (v & 0x3FFFF), 24);
        } else if (fits(v, 25)) {
            writeBits((0b1111110L << 25) | (v & 0x1FFFFFF), 32);
        } else if (fits(v, 56)) {
            writeBits(0b11111110, 8);
            writeBits(v, 56);
        } else {
            writeBits(0b11111111, 8);
            writeBits(v, 64);
        }
    }

    /** {@code putVarbitUint}: the same prefixes for an unsigned value. */
    void writeVarbitUint(long v) {
        if (v == 0) {
            writeBits(0, 1);
        } else if (Long.compareUnsigned(v, 1L << 3) < 0) {
            writeBits((0b10L << 3) | v, 5);
        } else if (Long.compareUnsigned(v, 1L << 6) < 0) {
            writeBits((0b110L << 6) | v, 9);
        } else if (Long.compareUnsigned(v, 1L << 9) < 0) {
            writeBits((0b1110L << 9) | v, 13);
        } else if (Long.compareUnsigned(v, 1L << 12) < 0) {
            writeBits((0b11110L << 12) | v, 17);
        } else if (Long.compareUnsigned(v, 1L << 18) < 0) {
            writeBits((0b111110L << 18) | v, 24);
        } else if (Long.compareUnsigned(v, 1L << 25) < 0) {
            writeBits((0b1111110L << 25) | v, 32);
        } else if (Long.compareUnsigned(v, 1L << 56) < 0) {
            writeBits(0b11111110, 8);
            writeBits(v, 56);
        } else {
            writeBits(0b11111111, 8);
            writeBits(v, 64);
        }
    }

    /**
     * Whether {@code v} fits a signed bucket of {@code nbits}: Prometheus's range is
     * asymmetric, -(2^(n-1) - 1) .. 2^(n-1), and readers rely on that to restore the sign.
     */
    static boolean fits(long v, int nbits) {
        long half = 1L << (nbits - 1);
        return -(half - 1) <= v && v <= half;
    }

    // ---- XOR-encoded floats ----

    /**
     * Writes {@code bits} XOR-ed with the previous value's {@code prevBits}, as Prometheus's
     * {@code xorWrite}: '0' when equal; else '1', then '0' and the meaningful bits inside the
     * current leading/trailing window, or '1', 5 bits of leading zeros, 6 bits of meaningful-bit
     * count (64 written as 0) and the bits.
     *
     * @param window the current window ({@link #window}), or {@link #NO_WINDOW}
     * @return the window after this value
     */
    int writeXor(long bits, long prevBits, int window) {
        long xor = bits ^ prevBits;
        if (xor == 0) {
            writeBits(0, 1);
            return window;
        }
        int lead = Long.numberOfLeadingZeros(xor);
        int trail = Long.numberOfTrailingZeros(xor);
        if (lead >= 32) lead = 31; // the field has 5 bits
        if (window != NO_WINDOW && lead >= leading(window) && trail >= trailing(window)) {
            int l = leading(window);
            int t = trailing(window);
            writeBits(0b10, 2);
            writeBits(xor >>> t, 64 - l - t);
            return window;
        }
        int significant = 64 - lead - trail;
        writeBits((0b11L << 11) | ((long) lead << 6) | (significant & 0x3F), 13);
        writeBits(xor >>> trail, significant);
        return window(lead, trail);
    }

    /** A leading/trailing-zeros window packed in an int. */
    static int window(int leading, int trailing) {
        return (leading << 8) | trailing;
    }

    static int leading(int window) { return window >>> 8; }

    static int trailing(int window) { return window & 0xFF; }
}
