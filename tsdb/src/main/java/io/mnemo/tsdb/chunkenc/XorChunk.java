package io.mnemo.tsdb.chunkenc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A chunk of float samples in Prometheus's XOR (Gorilla) encoding, byte for byte what
 * Prometheus's {@code chunkenc.XORChunk} holds: a 2-byte big-endian sample count, then the
 * bit stream written by {@link XorAppender}.
 *
 * <p>A chunk either owns a growable buffer (created empty, appended to) or is a read-only view
 * of bytes that live elsewhere (a block file, a query payload, a snapshot of a head chunk).
 * Views capture their sample count, so a snapshot of a chunk that is still being appended to
 * keeps showing exactly the samples it had: appends only set bits after the captured ones and
 * a grown buffer is a new array.
 */
public final class XorChunk implements Chunk {
    /** Bytes of the sample-count header that precedes the bit stream. */
    public static final int HEADER_SIZE = 2;
    /** The most samples the 16-bit header can count. */
    public static final int MAX_SAMPLES = 0xFFFF;
    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int offset;
    private int length;     // bytes of this chunk in buf, header included
    private int numSamples;
    private boolean owned;  // false for views: the first append copies
    /**
     * Free bits in the last byte of the stream (0..8), as Prometheus's bstream counts them. It
     * decides when a byte is added, which makes the stream length (and so the bytes) match
     * Prometheus exactly, including the empty trailing byte left after whole-byte writes.
     */
    private int freeBits;

    /** A new empty chunk ready for {@link #appender()}. */
    public XorChunk() {
        this(128);
    }

    /**
     * A new empty chunk whose buffer starts with room for {@code capacity} bytes: a head that
     * knows how big a series' chunks get sizes the next one so, rather than growing it.
     */
    public XorChunk(int capacity) {
        this.buf = new byte[Math.max(capacity, 16)];
        this.length = HEADER_SIZE;
        this.owned = true;
    }

    private XorChunk(byte[] buf, int offset, int length, int numSamples) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        this.numSamples = numSamples;
    }

    /** A read-only view of encoded chunk bytes (header included); nothing is copied. */
    public static XorChunk wrap(byte[] bytes) {
        return wrap(bytes, 0, bytes.length);
    }

    /** A read-only view of {@code length} encoded chunk bytes at {@code offset}; nothing is copied. */
    public static XorChunk wrap(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < HEADER_SIZE || offset + length > bytes.length) {
            throw new IllegalArgumentException("XOR chunk needs at least " + HEADER_SIZE
                    + " bytes within the array, got offset " + offset + " length " + length);
        }
        int n = ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
        return new XorChunk(bytes, offset, length, n);
    }

    /**
     * A read-only view of this chunk as it is now: later appends to this chunk do not show in
     * the view. Cheap (no copy), for queries that must stay valid while the head moves on.
     */
    public XorChunk snapshot() {
        return new XorChunk(buf, offset, length, numSamples);
    }

    /**
     * The view {@link #snapshot} gives of a chunk whose {@link #array()}, {@link #offset()},
     * {@link #length()} and {@link #numSamples()} were read when it held those samples: for
     * readers that keep those numbers instead of a view object per chunk.
     */
    public static XorChunk view(byte[] buf, int offset, int length, int numSamples) {
        return new XorChunk(buf, offset, length, numSamples);
    }

    @Override
    public ChunkEncoding encoding() { return ChunkEncoding.XOR; }

    public int numSamples() { return numSamples; }

    /** The array holding the chunk; the chunk is {@link #length()} bytes at {@link #offset()}. */
    public byte[] array() { return buf; }

    public int offset() { return offset; }

    /** Encoded size in bytes, header included. */
    public int length() { return length; }

    /** A copy of the encoded bytes, exactly as Prometheus would store them. */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(buf, offset, offset + length);
    }

    /** Drops spare capacity once a chunk is complete; snapshots taken before keep their array. */
    public void compact() {
        if (owned && buf.length > length + 32) buf = Arrays.copyOf(buf, length);
    }

    /**
     * An appender continuing after the samples already in the chunk; use one at a time. A view
     * is first copied into a buffer of its own, so the bytes it wraps are never modified. The
     * encoder state is recovered by decoding, so continuing yields the same bytes as one
     * uninterrupted encode.
     */
    public XorAppender appender() {
        if (!owned) {
            byte[] own = new byte[Math.max(128, length + 32)];
            System.arraycopy(buf, offset, own, 0, length);
            buf = own;
            offset = 0;
            owned = true;
            freeBits = 0;
        }
        if (numSamples == 0) return new XorAppender(this);
        // Recover the encoder state by decoding everything, as Prometheus does.
        XorIterator it = iterator();
        while (it.next()) { /* drain */ }
        long endBit = it.bitPosition();
        long free = (long) length * 8 - endBit;
        if (free > 8) { // bytes past the stream Prometheus would not have written: drop them
            int used = (int) ((endBit + 7) >>> 3);
            Arrays.fill(buf, used, length, (byte) 0);
            length = used;
            free = (long) length * 8 - endBit;
        }
        freeBits = (int) free;
        if (freeBits > 0 && freeBits < 8) buf[length - 1] &= (byte) (0xFF << freeBits); // new bits are OR-ed in
        return new XorAppender(this, it);
    }

    /** An iterator over the samples the chunk holds now. */
    public XorIterator iterator() {
        return new XorIterator(this);
    }

    // ---- bit stream writing, used by XorAppender only ----

    void setNumSamples(int n) {
        numSamples = n;
        buf[0] = (byte) (n >>> 8);
        buf[1] = (byte) n;
    }

    /** Writes the low {@code nbits} (1..64) bits of {@code u}, most significant first. */
    void writeBits(long u, int nbits) {
        ensureCapacity(length + 9); // the 8-byte window at the write position, and one byte after
        long pos = (long) length * 8 - freeBits;
        int idx = offset + (int) (pos >>> 3);
        int shift = (int) (pos & 7);
        long v = u << (64 - nbits); // left-align; a shift by 64 is a shift by 0 in Java
        // OR the bits into the 8 bytes at idx; bytes past the stream are zero, so one read-modify-
        // write of a long replaces a loop over bytes. What does not fit goes into the 9th byte.
        LONG_BE.set(buf, idx, (long) LONG_BE.get(buf, idx) | (v >>> shift));
        if (shift + nbits > 64) buf[idx + 8] |= (byte) ((v << (64 - shift)) >>> 56);
        advance(nbits);
    }

    /**
     * Moves the stream end the way Prometheus's bstream does: a whole byte written when no bit is
     * free first adds a byte, and every whole byte then adds one more; a single bit adds a byte
     * only when none is free.
     */
    private void advance(int nbits) {
        int wholeBytes = nbits >>> 3;
        int rest = nbits & 7;
        if (wholeBytes > 0) {
            if (freeBits == 0) { length++; freeBits = 8; }
            length += wholeBytes;
        }
        if (rest > 0) {
            if (freeBits == 0) { length++; freeBits = 8; }
            if (rest <= freeBits) {
                freeBits -= rest;
            } else {
                length++;
                freeBits = 8 - (rest - freeBits);
            }
        }
    }

    private void ensureCapacity(int needed) {
        // Grow by half: an open head chunk per series is most of a head's memory, and a chunk
        // has at most a few hundred bytes, so copying more often is cheaper than idle space.
        if (needed > buf.length) buf = Arrays.copyOf(buf, Math.max(needed + 8, buf.length + (buf.length >> 1)));
    }

    @Override
    public String toString() {
        return "XorChunk{samples=" + numSamples + ", bytes=" + length + "}";
    }
}
