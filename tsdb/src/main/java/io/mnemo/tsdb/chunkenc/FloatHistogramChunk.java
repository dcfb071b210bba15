package io.mnemo.tsdb.chunkenc;

/**
 * A chunk of float native histogram samples in Prometheus's float histogram encoding (encoding 3),
 * byte for byte what Prometheus 3's {@code chunkenc.FloatHistogramChunk} holds: the 3-byte header
 * ({@link HistogramChunkBytes}), the {@link HistogramLayout} all samples share, then per sample
 * (see {@link FloatHistogramAppender}):
 * <pre>
 *   field     ts     count  zeroCount  sum  buckets
 *   sample 1  raw    raw    raw        raw  raw
 *   later     dod    xor    xor        xor  xor
 * </pre>
 */
public final class FloatHistogramChunk extends HistogramChunkBytes implements Chunk {

    /** A new empty chunk ready for {@link #appender()}. */
    public FloatHistogramChunk() {
        this(128);
    }

    /** A new empty chunk whose buffer starts with room for {@code capacity} bytes. */
    public FloatHistogramChunk(int capacity) {
        super(capacity);
    }

    private FloatHistogramChunk(BitBuffer view, int numSamples) {
        super(view, numSamples);
    }

    /** A read-only view of encoded chunk bytes (header included); nothing is copied. */
    public static FloatHistogramChunk wrap(byte[] bytes) {
        return wrap(bytes, 0, bytes.length);
    }

    /** A read-only view of {@code length} encoded chunk bytes at {@code offset}; nothing is copied. */
    public static FloatHistogramChunk wrap(byte[] bytes, int offset, int length) {
        BitBuffer view = checkedView(bytes, offset, length, "float histogram");
        return new FloatHistogramChunk(view, headerSamples(view));
    }

    /** As {@link HistogramChunk#view}. */
    public static FloatHistogramChunk view(byte[] bytes, int offset, int length, int numSamples) {
        return new FloatHistogramChunk(checkedView(bytes, offset, length, "float histogram"), numSamples);
    }

    @Override
    public ChunkEncoding encoding() { return ChunkEncoding.FLOAT_HISTOGRAM; }

    /** A read-only view of this chunk as it is now; later appends do not show in it. */
    public FloatHistogramChunk snapshot() {
        return new FloatHistogramChunk(bits.view(), numSamples());
    }

    /**
     * An appender continuing after the samples already in the chunk; use one at a time. A view
     * is first copied into a buffer of its own. The encoder state is recovered by decoding, so
     * continuing yields the same bytes as one uninterrupted encode.
     */
    public FloatHistogramAppender appender() {
        if (!bits.owned()) bits.makeOwned();
        if (numSamples() == 0) return new FloatHistogramAppender(this);
        FloatHistogramChunkIterator it = iterator();
        while (it.next()) { /* drain */ }
        bits.continueAt(it.bitPosition());
        return new FloatHistogramAppender(this, it);
    }

    /** An iterator over the samples the chunk holds now. */
    public FloatHistogramChunkIterator iterator() {
        return new FloatHistogramChunkIterator(this);
    }

    @Override
    public String toString() {
        return "FloatHistogramChunk{samples=" + numSamples() + ", bytes=" + length() + ", header=" + counterResetHeader() + "}";
    }
}
