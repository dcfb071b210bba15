package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.Arrays;

/**
 * Decodes the samples of a {@link FloatHistogramChunk}; the inverse of
 * {@link FloatHistogramAppender}. Allocates only when it reads the layout (once per chunk):
 * {@link #atFloatHistogram} fills an instance the caller passes. Can be {@link #reset reset}
 * onto another chunk to be reused.
 *
 * @throws IllegalStateException from next/seek when the chunk bytes are truncated or corrupt
 */
public final class FloatHistogramChunkIterator {
    private static final long[] NONE = new long[0];
    private static final int[] NO_WINDOWS = new int[0];

    private final BitReader r = new BitReader();
    private int numTotal;
    private int numRead;
    private boolean exhausted;
    private CounterResetHeader header;

    private HistogramLayout layout;
    private long t;
    private long tDelta;
    private long countBits;
    private long zeroCountBits;
    private long sumBits;
    private int countWindow;
    private int zeroCountWindow;
    private int sumWindow;
    private long[] pBits = NONE;
    private long[] nBits = NONE;
    private int[] pWindows = NO_WINDOWS;
    private int[] nWindows = NO_WINDOWS;
    private double[] pCounts;
    private double[] nCounts;

    public FloatHistogramChunkIterator(FloatHistogramChunk chunk) {
        reset(chunk);
    }

    /** Repositions this iterator before the first sample of another chunk. */
    public void reset(FloatHistogramChunk chunk) {
        r.reset(chunk.array(), chunk.offset(), chunk.length(), HistogramChunkBytes.HEADER_SIZE);
        numTotal = chunk.numSamples();
        header = chunk.counterResetHeader();
        numRead = 0;
        exhausted = false;
        layout = null;
        t = tDelta = 0;
        countBits = zeroCountBits = sumBits = 0;
        countWindow = zeroCountWindow = sumWindow = BitBuffer.NO_WINDOW;
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
            throw new IllegalStateException("corrupt float histogram chunk after " + numRead + " of " + numTotal
                    + " samples: " + e.getMessage(), e);
        }
        numRead++;
        return true;
    }

    private void readFirst() {
        layout = HistogramLayout.read(r);
        int np = layout.positiveIndices.length;
        int nn = layout.negativeIndices.length;
        if (pBits.length != np) {
            pBits = new long[np];
            pWindows = new int[np];
            pCounts = new double[np];
        }
        if (nBits.length != nn) {
            nBits = new long[nn];
            nWindows = new int[nn];
            nCounts = new double[nn];
        }
        Arrays.fill(pWindows, BitBuffer.NO_WINDOW);
        Arrays.fill(nWindows, BitBuffer.NO_WINDOW);
        t = r.readVarbitInt();
        countBits = r.readBits(64);
        zeroCountBits = r.readBits(64);
        sumBits = r.readBits(64);
        for (int i = 0; i < np; i++) pBits[i] = r.readBits(64);
        for (int i = 0; i < nn; i++) nBits[i] = r.readBits(64);
    }

    private void readNext() {
        tDelta += r.readVarbitInt();
        t += tDelta;
        countBits = r.readXor(countBits, countWindow);
        countWindow = r.window;
        zeroCountBits = r.readXor(zeroCountBits, zeroCountWindow);
        zeroCountWindow = r.window;
        sumBits = r.readXor(sumBits, sumWindow);
        sumWindow = r.window;
        if (sumBits == StaleNaN.BITS) return; // a stale marker carries no buckets
        for (int i = 0; i < pBits.length; i++) {
            pBits[i] = r.readXor(pBits[i], pWindows[i]);
            pWindows[i] = r.window;
        }
        for (int i = 0; i < nBits.length; i++) {
            nBits[i] = r.readXor(nBits[i], nWindows[i]);
            nWindows[i] = r.window;
        }
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
    public boolean isStale() { return sumBits == StaleNaN.BITS; }

    /** The hint of the current sample, from the chunk header and its position (see {@link CounterResetHeader}). */
    public CounterResetHint counterResetHint() { return header.hintAt(numRead); }

    /**
     * The current sample, written into {@code reuse} when given (its arrays reused when sizes
     * match, custom bounds shared), else into a new instance. A stale marker comes back with no
     * buckets and Prometheus's StaleNaN as its sum.
     */
    public FloatHistogram atFloatHistogram(FloatHistogram reuse) {
        FloatHistogram f = reuse != null ? reuse : FloatHistogram.empty();
        if (isStale()) {
            f.reset(CounterResetHint.UNKNOWN, 0, 0, 0, 0, StaleNaN.VALUE, null);
            f.resetBuckets(true, null, null, 0);
            f.resetBuckets(false, null, null, 0);
            return f;
        }
        f.reset(counterResetHint(), layout.schema, layout.zeroThreshold, Double.longBitsToDouble(zeroCountBits),
                Double.longBitsToDouble(countBits), Double.longBitsToDouble(sumBits), layout.customValues);
        for (int i = 0; i < pBits.length; i++) pCounts[i] = Double.longBitsToDouble(pBits[i]);
        for (int i = 0; i < nBits.length; i++) nCounts[i] = Double.longBitsToDouble(nBits[i]);
        f.resetBuckets(true, layout.positiveIndices, pCounts, pBits.length);
        f.resetBuckets(false, layout.negativeIndices, nCounts, nBits.length);
        return f;
    }

    // State an appender needs to continue the chunk.
    HistogramLayout layout() { return layout; }
    long timestampDelta() { return tDelta; }
    long countBits() { return countBits; }
    long zeroCountBits() { return zeroCountBits; }
    long sumBits() { return sumBits; }
    int countWindow() { return countWindow; }
    int zeroCountWindow() { return zeroCountWindow; }
    int sumWindow() { return sumWindow; }
    long[] positiveBits() { return pBits; }
    long[] negativeBits() { return nBits; }
    int[] positiveWindows() { return pWindows; }
    int[] negativeWindows() { return nWindows; }
    long bitPosition() { return r.position(); }
}
