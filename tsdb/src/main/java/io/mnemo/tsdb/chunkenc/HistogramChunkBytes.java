package io.mnemo.tsdb.chunkenc;

/**
 * The bytes both histogram chunk encodings share: a 2-byte big-endian sample count, a flags
 * byte whose top two bits are the {@link CounterResetHeader}, then the bit stream. Like
 * {@link XorChunk}, a chunk owns a growable buffer or is a read-only view; views capture their
 * sample count, so a snapshot of a chunk still being appended to keeps showing the samples it
 * had (appends only set bits after them; a grown buffer is a new array).
 */
abstract class HistogramChunkBytes {
    /** Sample count and flags byte. */
    static final int HEADER_SIZE = 3;
    static final int FLAGS_AT = 2;
    /** The most samples the 16-bit header can count. */
    public static final int MAX_SAMPLES = 0xFFFF;

    final BitBuffer bits;
    private int numSamples;

    HistogramChunkBytes(int capacity) {
        this.bits = new BitBuffer(capacity, HEADER_SIZE);
    }

    HistogramChunkBytes(BitBuffer view, int numSamples) {
        this.bits = view;
        this.numSamples = numSamples;
    }

    static BitBuffer checkedView(byte[] bytes, int offset, int length, String kind) {
        if (offset < 0 || length < HEADER_SIZE || offset + length > bytes.length) {
            throw new IllegalArgumentException(kind + " chunk needs at least " + HEADER_SIZE
                    + " bytes within the array, got offset " + offset + " length " + length);
        }
        return new BitBuffer(bytes, offset, length);
    }

    public int numSamples() { return numSamples; }

    public byte[] array() { return bits.buf; }

    public int offset() { return bits.offset; }

    public int length() { return bits.length; }

    public byte[] toByteArray() { return bits.toByteArray(); }

    /** Drops spare capacity once a chunk is complete; snapshots taken before keep their array. */
    public void compact() { bits.compact(); }

    /** How the chunk started: after a counter reset, without one, as a gauge chunk, or unknown. */
    public CounterResetHeader counterResetHeader() {
        return CounterResetHeader.of(bits.u8(FLAGS_AT));
    }

    /**
     * Sets the header; appenders do so themselves. For writing a chunk's samples again (a copy,
     * a re-encode), where the samples alone cannot tell how the chunk started.
     */
    public void setCounterResetHeader(CounterResetHeader h) {
        bits.putU8(FLAGS_AT, (bits.u8(FLAGS_AT) & ~CounterResetHeader.MASK) | h.bits());
    }

    void setNumSamples(int n) {
        numSamples = n;
        bits.putU16(0, n);
    }

    static int headerSamples(BitBuffer view) {
        return view.u16(0);
    }
}
