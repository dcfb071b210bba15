package io.mnemo.tsdb.chunkenc;

/**
 * A chunk of integer native histogram samples in Prometheus's histogram encoding (encoding 2),
 * byte for byte what Prometheus 3's {@code chunkenc.HistogramChunk} holds: the 3-byte header
 * ({@link HistogramChunkBytes}), the {@link HistogramLayout} all samples share, then per sample
 * (see {@link HistogramAppender}):
 * <pre>
 *   field     ts     count  zeroCount  sum  buckets
 *   sample 1  raw    raw    raw        raw  raw
 *   later     dod    dod    dod        xor  dod
 * </pre>
 */
public final class HistogramChunk extends HistogramChunkBytes implements Chunk {

    /** A new empty chunk ready for {@link #appender()}. */
    public HistogramChunk() {
        this(128);
    }

    /** A new empty chunk whose buffer starts with room for {@code capacity} bytes. */
    public HistogramChunk(int capacity) {
        super(capacity);
    }

    private HistogramChunk(BitBuffer view, int numSamples) {
        super(view, numSamples);
    }

    /** A read-only view of encoded chunk bytes (header included); nothing is copied. */
    public static HistogramChunk wrap(byte[] bytes) {
        return wrap(bytes, 0, bytes.length);
    }

    /** A read-only view of {@code length} encoded chunk bytes at {@code offset}; nothing is copied. */
    public static HistogramChunk wrap(byte[] bytes, int offset, int length) {
        BitBuffer view = checkedView(bytes, offset, length, "histogram");
        return new HistogramChunk(view, headerSamples(view));
    }

    /**
     * The view {@link #snapshot} gives of a chunk whose array, offset, length and sample count
     * were read when it held those samples (readers that keep numbers, not a view per chunk).
     */
    public static HistogramChunk view(byte[] bytes, int offset, int length, int numSamples) {
        return new HistogramChunk(checkedView(bytes, offset, length, "histogram"), numSamples);
    }

    @Override
    public ChunkEncoding encoding() { return ChunkEncoding.HISTOGRAM; }

    /** A read-only view of this chunk as it is now; later appends do not show in it. */
    public HistogramChunk snapshot() {
        return new HistogramChunk(bits.view(), numSamples());
    }

    /**
     * An appender continuing after the samples already in the chunk; use one at a time. A view
     * is first copied into a buffer of its own. The encoder state is recovered by decoding, so
     * continuing yields the same bytes as one uninterrupted encode.
     */
    public HistogramAppender appender() {
        if (!bits.owned()) bits.makeOwned();
        if (numSamples() == 0) return new HistogramAppender(this);
        HistogramChunkIterator it = iterator();
        while (it.next()) { /* drain */ }
        bits.continueAt(it.bitPosition());
        return new HistogramAppender(this, it);
    }

    /** An iterator over the samples the chunk holds now. */
    public HistogramChunkIterator iterator() {
        return new HistogramChunkIterator(this);
    }

    @Override
    public String toString() {
        return "HistogramChunk{samples=" + numSamples() + ", bytes=" + length() + ", header=" + counterResetHeader() + "}";
    }
}
