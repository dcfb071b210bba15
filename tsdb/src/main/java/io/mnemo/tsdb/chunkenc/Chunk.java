package io.mnemo.tsdb.chunkenc;

/**
 * Any chunk, whatever its samples: float samples ({@link XorChunk}), integer native histograms
 * ({@link HistogramChunk}) or float native histograms ({@link FloatHistogramChunk}). Each is
 * {@link #length()} bytes at {@link #offset()} of {@link #array()}, exactly as Prometheus stores
 * it after the encoding byte, and starts with its 16-bit sample count.
 */
public sealed interface Chunk permits XorChunk, HistogramChunk, FloatHistogramChunk {
    ChunkEncoding encoding();

    int numSamples();

    /** The array holding the chunk. */
    byte[] array();

    int offset();

    /** Encoded size in bytes, header included. */
    int length();

    /** A copy of the encoded bytes. */
    byte[] toByteArray();

    /** A read-only view of encoded chunk bytes of this encoding; nothing is copied. */
    static Chunk wrap(ChunkEncoding encoding, byte[] bytes, int offset, int length) {
        return switch (encoding) {
            case XOR -> XorChunk.wrap(bytes, offset, length);
            case HISTOGRAM -> HistogramChunk.wrap(bytes, offset, length);
            case FLOAT_HISTOGRAM -> FloatHistogramChunk.wrap(bytes, offset, length);
        };
    }

    /**
     * The view a snapshot gives of a chunk of this encoding whose array, offset, length and
     * sample count were read when it held those samples; nothing is copied.
     */
    static Chunk view(ChunkEncoding encoding, byte[] bytes, int offset, int length, int numSamples) {
        return switch (encoding) {
            case XOR -> XorChunk.view(bytes, offset, length, numSamples);
            case HISTOGRAM -> HistogramChunk.view(bytes, offset, length, numSamples);
            case FLOAT_HISTOGRAM -> FloatHistogramChunk.view(bytes, offset, length, numSamples);
        };
    }
}
