package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.SampleIterator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Decodes the samples of an {@link XorChunk}; the inverse of {@link XorAppender}. Reads bits
 * straight from the chunk's array with 64-bit big-endian loads and allocates nothing per
 * sample. Can be {@link #reset(XorChunk) reset} onto another chunk to be reused.
 *
 * @throws IllegalStateException from next/seek when the chunk bytes are truncated or corrupt
 */
public final class XorIterator implements SampleIterator {
    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int base;      // byte offset of the chunk in buf
    private long pos;      // next bit to read, counted from the chunk start (header included)
    private long limit;    // bits of the chunk
    private int numTotal;
    private int numRead;
    private boolean exhausted;

    private long t;
    private long vBits;
    private long tDelta;
    private int leading;
    private int trailing;
    private boolean hasWindow; // a leading/trailing window has been read

    public XorIterator(XorChunk chunk) {
        reset(chunk);
    }

    /** Repositions this iterator before the first sample of another chunk. */
    public void reset(XorChunk chunk) {
        buf = chunk.array();
        base = chunk.offset();
        limit = (long) chunk.length() * 8;
        numTotal = chunk.numSamples();
        pos = (long) XorChunk.HEADER_SIZE * 8;
        numRead = 0;
        exhausted = false;
        t = 0;
        vBits = 0;
        tDelta = 0;
        leading = 0;
        trailing = 0;
        hasWindow = false;
    }

    @Override
    public boolean next() {
        if (exhausted || numRead == numTotal) {
            exhausted = true;
            return false;
        }
        if (numRead == 0) {
            long zz = readUvarint();
            t = (zz >>> 1) ^ -(zz & 1); // undo zig-zag
            vBits = readBits(64);
        } else if (numRead == 1) {
            tDelta = readUvarint();
            t += tDelta;
            readValue();
        } else {
            long dod;
            if (readBits(1) == 0) {
                dod = 0;
            } else if (readBits(1) == 0) {
                dod = signed(readBits(14), 14);
            } else if (readBits(1) == 0) {
                dod = signed(readBits(17), 17);
            } else if (readBits(1) == 0) {
                dod = signed(readBits(20), 20);
            } else {
                dod = readBits(64);
            }
            tDelta += dod;
            t += tDelta;
            readValue();
        }
        numRead++;
        return true;
    }

    @Override
    public boolean seek(long ts) {
        if (exhausted) return false;
        while (numRead == 0 || t < ts) {
            if (!next()) return false;
        }
        return true;
    }

    @Override
    public long timestamp() { return t; }

    @Override
    public double value() { return Double.longBitsToDouble(vBits); }

    /** Samples in the chunk. */
    public int numSamples() { return numTotal; }

    // State an appender needs to continue the chunk.
    long timestampDelta() { return tDelta; }
    int leadingZeros() { return leading; }
    boolean hasWindow() { return hasWindow; }
    int trailingZeros() { return trailing; }
    long bitPosition() { return pos; }

    /** Bucket values above 2^(n-1) stand for negative numbers (see XorAppender.fits). */
    private static long signed(long bits, int nbits) {
        return bits > (1L << (nbits - 1)) ? bits - (1L << nbits) : bits;
    }

    private void readValue() {
        if (readBits(1) == 0) return; // same value
        if (readBits(1) == 1) {
            leading = (int) readBits(5);
            int significant = (int) readBits(6);
            if (significant == 0) significant = 64;
            trailing = 64 - leading - significant;
            if (trailing < 0) throw corrupt();
            hasWindow = true;
        }
        int significant = 64 - leading - trailing;
        vBits ^= readBits(significant) << trailing;
    }

    private long readUvarint() {
        long x = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = readBits(8);
            x |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return x;
        }
        throw corrupt();
    }

    /** Reads {@code n} (1..64) bits as the low bits of the result. */
    private long readBits(int n) {
        if (pos + n > limit) throw corrupt();
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

    private IllegalStateException corrupt() {
        return new IllegalStateException("corrupt XOR chunk: stream ends or is malformed after "
                + numRead + " of " + numTotal + " samples");
    }
}
