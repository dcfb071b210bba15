package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;

import java.util.Arrays;

/**
 * Decodes the samples of a {@link HistogramChunk}; the inverse of {@link HistogramAppender}.
 * Allocates only when it reads the layout (once per chunk): {@link #atHistogram} and
 * {@link #atFloatHistogram} fill an instance the caller passes. Can be {@link #reset reset}
 * onto another chunk to be reused.
 *
 * @throws IllegalStateException from next/seek when the chunk bytes are truncated or corrupt
 */
public final class HistogramChunkIterator {
    private static final long[] NONE = new long[0];

    private final BitReader r = new BitReader();
    private int numTotal;
    private int numRead;
    private boolean exhausted;
    private CounterResetHeader header;

    private HistogramLayout layout;
    private long t;
    private long count;
    private long zeroCount;
    private long tDelta;
    private long countDelta;
    private long zeroCountDelta;
    /** Per bucket, its count minus the previous bucket's (the histogram's own deltas). */
    private long[] pBuckets = NONE;
    private long[] nBuckets = NONE;
    /** Per bucket, how that value changed from the previous sample. */
    private long[] pBucketsDelta = NONE;
    private long[] nBucketsDelta = NONE;
    private long sumBits;
    private int window;
    private double[] pAbsolute;
    private double[] nAbsolute;

    public HistogramChunkIterator(HistogramChunk chunk) {
        reset(chunk);
    }

    /** Repositions this iterator before the first sample of another chunk. */
    public void reset(HistogramChunk chunk) {
        r.reset(chunk.array(), chunk.offset(), chunk.length(), HistogramChunkBytes.HEADER_SIZE);
        numTotal = chunk.numSamples();
        header = chunk.counterResetHeader();
        numRead = 0;
        exhausted = false;
        layout = null;
        t = count = zeroCount = tDelta = countDelta = zeroCountDelta = 0;
        sumBits = 0;
        window = BitBuffer.NO_WINDOW;
    }

    public boolean next() {
        if (exhausted || numRead == numTotal) {
            exhausted = true;
            return false;
        }
        try {
            if (numRead == 0) readFirst();
            else readNext();
        } catch (IllegalStateException e) {
            exhausted = true;
            throw new IllegalStateException("corrupt histogram chunk after " + numRead + " of " + numTotal
                    + " samples: " + e.getMessage(), e);
        }
        numRead++;
        return true;
    }

    private void readFirst() {
        layout = HistogramLayout.read(r);
        int np = layout.positiveIndices.length;
        int nn = layout.negativeIndices.length;
        pBuckets = sized(pBuckets, np);
        pBucketsDelta = sized(pBucketsDelta, np);
        nBuckets = sized(nBuckets, nn);
        nBucketsDelta = sized(nBucketsDelta, nn);
        Arrays.fill(pBucketsDelta, 0);
        Arrays.fill(nBucketsDelta, 0);
        pAbsolute = null;
        nAbsolute = null;
        t = r.readVarbitInt();
        count = r.readVarbitUint();
        zeroCount = r.readVarbitUint();
        sumBits = r.readBits(64);
        for (int i = 0; i < np; i++) pBuckets[i] = r.readVarbitInt();
        for (int i = 0; i < nn; i++) nBuckets[i] = r.readVarbitInt();
    }

    private void readNext() {
        tDelta += r.readVarbitInt();
        t += tDelta;
        countDelta += r.readVarbitInt();
        count += countDelta;
        zeroCountDelta += r.readVarbitInt();
        zeroCount += zeroCountDelta;
        sumBits = r.readXor(sumBits, window);
        window = r.window;
        if (StaleNaN.BITS == sumBits) return; // a stale marker carries no buckets
        for (int i = 0; i < pBuckets.length; i++) {
            pBucketsDelta[i] += r.readVarbitInt();
            pBuckets[i] += pBucketsDelta[i];
        }
        for (int i = 0; i < nBuckets.length; i++) {
            nBucketsDelta[i] += r.readVarbitInt();
            nBuckets[i] += nBucketsDelta[i];
        }
    }

    private static long[] sized(long[] a, int n) {
        return a.length == n ? a : (n == 0 ? NONE : new long[n]);
    }

    /** Advances to the first sample at or after {@code ts}; a current sample already there stays. */
    public boolean seek(long ts) {
        if (exhausted) return false;
        while (numRead == 0 || t < ts) {
            if (!next()) return false;
        }
        return true;
    }

    public long timestamp() { return t; }

    /** Samples in the chunk. */
    public int numSamples() { return numTotal; }

    /** Whether the current sample is a stale marker. */
    public boolean isStale() { return StaleNaN.BITS == sumBits; }

    /** The hint of the current sample, from the chunk header and its position (see {@link CounterResetHeader}). */
    public CounterResetHint counterResetHint() { return header.hintAt(numRead); }

    /**
     * The current sample, written into {@code reuse} when given (its arrays reused when sizes
     * match, custom bounds shared), else into a new instance. A stale marker comes back with no
     * buckets and Prometheus's StaleNaN as its sum.
     */
    public Histogram atHistogram(Histogram reuse) {
        Histogram h = reuse != null ? reuse : new Histogram();
        if (isStale()) {
            h.set(CounterResetHint.UNKNOWN, 0, 0, 0, 0, StaleNaN.VALUE);
            h.setPositive(null, 0, null, 0);
            h.setNegative(null, 0, null, 0);
            h.setCustomValues(null);
            return h;
        }
        h.set(counterResetHint(), layout.schema, layout.zeroThreshold, zeroCount, count, Double.longBitsToDouble(sumBits));
        h.setPositive(layout.positiveSpans, layout.positiveSpans.length, pBuckets, pBuckets.length);
        h.setNegative(layout.negativeSpans, layout.negativeSpans.length, nBuckets, nBuckets.length);
        h.setCustomValues(layout.customValues);
        return h;
    }

    /** The current sample with float counts, as {@link #atHistogram} but for PromQL. */
    public FloatHistogram atFloatHistogram(FloatHistogram reuse) {
        FloatHistogram f = reuse != null ? reuse : FloatHistogram.empty();
        if (isStale()) {
            f.reset(CounterResetHint.UNKNOWN, 0, 0, 0, 0, StaleNaN.VALUE, null);
            f.resetBuckets(true, layout.positiveIndices, null, 0);
            f.resetBuckets(false, layout.negativeIndices, null, 0);
            return f;
        }
        f.reset(counterResetHint(), layout.schema, layout.zeroThreshold, zeroCount, count,
                Double.longBitsToDouble(sumBits), layout.customValues);
        if (pAbsolute == null) {
            pAbsolute = new double[pBuckets.length];
            nAbsolute = new double[nBuckets.length];
        }
        f.resetBuckets(true, layout.positiveIndices, absolute(pBuckets, pAbsolute), pAbsolute.length);
        f.resetBuckets(false, layout.negativeIndices, absolute(nBuckets, nAbsolute), nAbsolute.length);
        return f;
    }

    private static double[] absolute(long[] deltas, double[] out) {
        long current = 0;
        for (int i = 0; i < deltas.length; i++) {
            current += deltas[i];
            out[i] = current;
        }
        return out;
    }

    // State an appender needs to continue the chunk.
    HistogramLayout layout() { return layout; }
    long count() { return count; }
    long zeroCount() { return zeroCount; }
    long timestampDelta() { return tDelta; }
    long countDelta() { return countDelta; }
    long zeroCountDelta() { return zeroCountDelta; }
    long[] positiveBuckets() { return pBuckets; }
    long[] negativeBuckets() { return nBuckets; }
    long[] positiveBucketsDelta() { return pBucketsDelta; }
    long[] negativeBucketsDelta() { return nBucketsDelta; }
    long sumBits() { return sumBits; }
    int window() { return window; }
    long bitPosition() { return r.position(); }
}
