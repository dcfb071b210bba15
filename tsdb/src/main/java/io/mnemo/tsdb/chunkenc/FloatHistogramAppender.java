package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.Arrays;

/**
 * Appends float native histograms to a {@link FloatHistogramChunk} as Prometheus 3's
 * {@code FloatHistogramAppender} does, bytes and decisions alike.
 *
 * <p>Encoding: the first sample writes the chunk's {@link HistogramLayout}, then its timestamp
 * (varbit int), and count, zero count, sum and every bucket count as 64 raw bits. Later samples
 * write the delta-of-delta of the timestamp, and each of the other fields XOR-encoded against
 * its previous value, with a leading/trailing-zeros window of its own. A stale marker writes a
 * count and zero count of 0 and no buckets.
 *
 * <p>Decisions ({@link #append}) follow {@link HistogramAppender}'s, with Prometheus's two
 * differences for floats: a chunk cut without a detected reset has an UNKNOWN header (also
 * after gauge samples), and a chunk following another says NOT_COUNTER_RESET unless a reset is
 * detected. The layout of a {@link FloatHistogram} is always the canonical spans of its bucket
 * indices (it keeps no spans of its own).
 *
 * <p>Appending in place allocates nothing; recoding and cutting allocate the new chunk.
 */
public final class FloatHistogramAppender {
    private static final long[] NONE = new long[0];
    private static final int[] NO_WINDOWS = new int[0];

    private final FloatHistogramChunk chunk;
    private HistogramAppender.Outcome outcome = HistogramAppender.Outcome.APPENDED;

    private HistogramLayout layout;
    private long t;
    private long tDelta;
    private long countBits;
    private long zeroCountBits;
    private long sumBits;
    private int countWindow = BitBuffer.NO_WINDOW;
    private int zeroCountWindow = BitBuffer.NO_WINDOW;
    private int sumWindow = BitBuffer.NO_WINDOW;
    private long[] pBits = NONE;
    private long[] nBits = NONE;
    private int[] pWindows = NO_WINDOWS;
    private int[] nWindows = NO_WINDOWS;

    // The last decision.
    private boolean fits;
    private boolean counterReset;
    private int positiveFlags;
    private int negativeFlags;

    FloatHistogramAppender(FloatHistogramChunk chunk) {
        this.chunk = chunk;
    }

    /** Continues a chunk whose samples the iterator has just read to the end. */
    FloatHistogramAppender(FloatHistogramChunk chunk, FloatHistogramChunkIterator drained) {
        this.chunk = chunk;
        this.layout = drained.layout();
        this.t = drained.timestamp();
        this.tDelta = drained.timestampDelta();
        this.countBits = drained.countBits();
        this.zeroCountBits = drained.zeroCountBits();
        this.sumBits = drained.sumBits();
        this.countWindow = drained.countWindow();
        this.zeroCountWindow = drained.zeroCountWindow();
        this.sumWindow = drained.sumWindow();
        this.pBits = drained.positiveBits().clone();
        this.nBits = drained.negativeBits().clone();
        this.pWindows = drained.positiveWindows().clone();
        this.nWindows = drained.negativeWindows().clone();
    }

    /** The chunk this appender writes to. */
    public FloatHistogramChunk chunk() { return chunk; }

    /** What the {@link #append} that returned this appender did. */
    public HistogramAppender.Outcome outcome() { return outcome; }

    /** Timestamp of the last sample appended. */
    public long lastTimestamp() { return t; }

    /** Appends a sample; see {@link #append(long, FloatHistogram, FloatHistogramAppender)}. */
    public FloatHistogramAppender append(long ts, FloatHistogram h) {
        return append(ts, h, null);
    }

    /**
     * Appends a sample, or starts the chunk that holds it. {@code h} must be valid
     * ({@link FloatHistogram#validate()}); it is not changed or kept.
     *
     * @param previous when this chunk is empty and follows another chunk of the series, that
     *                 chunk's appender, for the new chunk's counter reset header (else null)
     * @return the appender holding the sample: this one, or one on a recoded or new chunk, whose
     *         {@link #outcome()} says which
     * @throws IllegalStateException when the chunk holds {@link HistogramChunkBytes#MAX_SAMPLES} already
     */
    public FloatHistogramAppender append(long ts, FloatHistogram h, FloatHistogramAppender previous) {
        int num = chunk.numSamples();
        if (num >= HistogramChunkBytes.MAX_SAMPLES) {
            throw new IllegalStateException("float histogram chunk is full (" + HistogramChunkBytes.MAX_SAMPLES + " samples)");
        }
        outcome = HistogramAppender.Outcome.APPENDED;
        if (num == 0) {
            write(ts, h);
            if (h.counterResetHint() == CounterResetHint.GAUGE) {
                chunk.setCounterResetHeader(CounterResetHeader.GAUGE);
            } else if (h.counterResetHint() == CounterResetHint.COUNTER_RESET) {
                chunk.setCounterResetHeader(CounterResetHeader.COUNTER_RESET);
            } else if (previous != null) {
                previous.appendable(h);
                chunk.setCounterResetHeader(previous.counterReset ? CounterResetHeader.COUNTER_RESET : CounterResetHeader.NOT_COUNTER_RESET);
            }
            return this;
        }
        if (h.counterResetHint() != CounterResetHint.GAUGE) {
            appendable(h);
            if (!fits || counterReset) return cut(counterReset ? CounterResetHeader.COUNTER_RESET : CounterResetHeader.UNKNOWN, ts, h);
        } else if (!appendableGauge(h)) {
            return cut(CounterResetHeader.GAUGE, ts, h);
        }
        int flags = positiveFlags | negativeFlags;
        if (flags == 0) {
            write(ts, h);
            return this;
        }
        // The sample's and the chunk's buckets merged; for a counter, the chunk's extra buckets are empty ones.
        int[] pIdx = union(layout.positiveIndices, h, true);
        int[] nIdx = union(layout.negativeIndices, h, false);
        FloatHistogram expanded = h;
        if ((flags & HistogramAppender.BACKWARD) != 0) {
            expanded = FloatHistogram.of(h.schema(), h.zeroThreshold(), h.zeroCount(), h.count(), h.sum(),
                    FloatHistogram.spansOf(pIdx), remap(h, true, pIdx), FloatHistogram.spansOf(nIdx), remap(h, false, nIdx),
                    h.customValues(), h.counterResetHint());
        }
        if ((flags & HistogramAppender.FORWARD) == 0) {
            write(ts, expanded);
            return this;
        }
        return recodeThenAppend(ts, expanded, pIdx, nIdx);
    }

    /** Rewrites the chunk's samples with the wider layout into a new chunk with the same header, then appends there. */
    private FloatHistogramAppender recodeThenAppend(long ts, FloatHistogram h, int[] pIdx, int[] nIdx) {
        HistogramLayout wider = layout.withSpans(FloatHistogram.spansOf(pIdx), FloatHistogram.spansOf(nIdx));
        FloatHistogramChunk recoded = new FloatHistogramChunk(chunk.length() + 128);
        recoded.setCounterResetHeader(chunk.counterResetHeader());
        FloatHistogramAppender app = new FloatHistogramAppender(recoded);
        FloatHistogramChunkIterator it = chunk.iterator();
        while (it.next()) {
            FloatHistogram old = it.atFloatHistogram(null);
            if (!StaleNaN.is(old.sum())) {
                old = FloatHistogram.of(wider.schema, wider.zeroThreshold, old.zeroCount(), old.count(), old.sum(),
                        wider.positiveSpans, remap(old, true, pIdx), wider.negativeSpans, remap(old, false, nIdx),
                        wider.customValues, old.counterResetHint());
            }
            app.write(it.timestamp(), old);
        }
        app.write(ts, h);
        app.outcome = HistogramAppender.Outcome.RECODED;
        return app;
    }

    private FloatHistogramAppender cut(CounterResetHeader header, long ts, FloatHistogram h) {
        FloatHistogramChunk next = new FloatHistogramChunk(Math.max(128, chunk.length()));
        next.setCounterResetHeader(header);
        FloatHistogramAppender app = new FloatHistogramAppender(next);
        app.write(ts, h);
        app.outcome = HistogramAppender.Outcome.NEW_CHUNK;
        return app;
    }

    // ---- decisions ----

    /** Prometheus's {@code appendable} for a counter histogram: sets {@link #fits}, {@link #counterReset} and the side flags. */
    void appendable(FloatHistogram h) {
        fits = false;
        counterReset = false;
        positiveFlags = 0;
        negativeFlags = 0;
        if (chunk.numSamples() > 0 && chunk.counterResetHeader() == CounterResetHeader.GAUGE) return;
        if (h.counterResetHint() == CounterResetHint.COUNTER_RESET) {
            counterReset = true;
            return;
        }
        if (StaleNaN.is(h.sum())) {
            fits = true;
            return;
        }
        if (sumBits == StaleNaN.BITS) return; // only stale markers may follow one
        if (h.count() < Double.longBitsToDouble(countBits)) {
            counterReset = true;
            return;
        }
        if (h.schema() != layout.schema || h.zeroThreshold() != layout.zeroThreshold) return;
        if (h.usesCustomBuckets() && !customBoundsMatch(h)) {
            counterReset = true;
            return;
        }
        if (h.zeroCount() < Double.longBitsToDouble(zeroCountBits)) {
            counterReset = true;
            return;
        }
        positiveFlags = compareCounter(layout.positiveIndices, pBits, h, true);
        if (positiveFlags < 0) {
            positiveFlags = 0;
            counterReset = true;
            return;
        }
        negativeFlags = compareCounter(layout.negativeIndices, nBits, h, false);
        if (negativeFlags < 0) {
            negativeFlags = 0;
            counterReset = true;
            return;
        }
        fits = true;
    }

    /** Prometheus's {@code appendableGauge}: whether a gauge histogram fits; sets the side flags. */
    boolean appendableGauge(FloatHistogram h) {
        fits = false;
        counterReset = false;
        positiveFlags = 0;
        negativeFlags = 0;
        if (chunk.numSamples() > 0 && chunk.counterResetHeader() != CounterResetHeader.GAUGE) return false;
        if (StaleNaN.is(h.sum())) return fits = true;
        if (sumBits == StaleNaN.BITS) return false;
        if (h.schema() != layout.schema || h.zeroThreshold() != layout.zeroThreshold) return false;
        if (h.usesCustomBuckets() && !customBoundsMatch(h)) return false;
        positiveFlags = compareGauge(layout.positiveIndices, h, true);
        negativeFlags = compareGauge(layout.negativeIndices, h, false);
        return fits = true;
    }

    boolean fits() { return fits; }

    boolean counterReset() { return counterReset; }

    int positiveFlags() { return positiveFlags; }

    int negativeFlags() { return negativeFlags; }

    private boolean customBoundsMatch(FloatHistogram h) {
        int n = h.customValueCount();
        double[] mine = layout.customValues;
        if (mine == null || mine.length != n) return false;
        for (int i = 0; i < n; i++) if (mine[i] != h.customValue(i)) return false;
        return true;
    }

    /** Prometheus's {@code expandFloatSpansAndBuckets}; see HistogramAppender's compareCounter. Returns flags or -1 for a reset. */
    private static int compareCounter(int[] aIdx, long[] aBits, FloatHistogram h, boolean positive) {
        int bn = positive ? h.positiveBucketCount() : h.negativeBucketCount();
        int flags = 0;
        int ai = 0;
        int bi = 0;
        while (ai < aIdx.length || bi < bn) {
            int bIndex = bi < bn ? index(h, positive, bi) : 0;
            if (ai < aIdx.length && (bi >= bn || aIdx[ai] < bIndex)) {
                if (Double.longBitsToDouble(aBits[ai]) != 0) return -1; // a used bucket is gone
                flags |= HistogramAppender.BACKWARD;
                ai++;
            } else if (ai >= aIdx.length || bIndex < aIdx[ai]) {
                flags |= HistogramAppender.FORWARD;
                bi++;
            } else {
                if (Double.longBitsToDouble(aBits[ai]) > count(h, positive, bi)) return -1;
                ai++;
                bi++;
            }
        }
        return flags;
    }

    private static int compareGauge(int[] aIdx, FloatHistogram h, boolean positive) {
        int bn = positive ? h.positiveBucketCount() : h.negativeBucketCount();
        int flags = 0;
        int ai = 0;
        int bi = 0;
        while (ai < aIdx.length || bi < bn) {
            int bIndex = bi < bn ? index(h, positive, bi) : 0;
            if (ai < aIdx.length && (bi >= bn || aIdx[ai] < bIndex)) {
                flags |= HistogramAppender.BACKWARD;
                ai++;
            } else if (ai >= aIdx.length || bIndex < aIdx[ai]) {
                flags |= HistogramAppender.FORWARD;
                bi++;
            } else {
                ai++;
                bi++;
            }
        }
        return flags;
    }

    private static int index(FloatHistogram h, boolean positive, int i) {
        return positive ? h.positiveIndex(i) : h.negativeIndex(i);
    }

    private static double count(FloatHistogram h, boolean positive, int i) {
        return positive ? h.positiveCount(i) : h.negativeCount(i);
    }

    /** The sorted union of the chunk's indices and the sample's. */
    private static int[] union(int[] a, FloatHistogram h, boolean positive) {
        int bn = positive ? h.positiveBucketCount() : h.negativeBucketCount();
        int[] out = new int[a.length + bn];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length || j < bn) {
            int b = j < bn ? index(h, positive, j) : 0;
            if (j >= bn || (i < a.length && a[i] < b)) {
                out[k++] = a[i++];
            } else if (i >= a.length || b < a[i]) {
                out[k++] = b;
                j++;
            } else {
                out[k++] = a[i++];
                j++;
            }
        }
        return Arrays.copyOf(out, k);
    }

    /** The side's counts on the wider index list {@code to}, 0 for buckets it does not have. */
    private static double[] remap(FloatHistogram h, boolean positive, int[] to) {
        int n = positive ? h.positiveBucketCount() : h.negativeBucketCount();
        double[] out = new double[to.length];
        int i = 0;
        for (int k = 0; k < to.length && i < n; k++) {
            if (index(h, positive, i) == to[k]) out[k] = count(h, positive, i++);
        }
        if (i != n) throw new IllegalStateException("layout to recode into lacks bucket " + index(h, positive, i));
        return out;
    }

    // ---- encoding ----

    /** Prometheus's {@code appendFloatHistogram}: writes the sample, which must fit the layout. */
    private void write(long ts, FloatHistogram h) {
        int num = chunk.numSamples();
        BitBuffer b = chunk.bits;
        boolean stale = StaleNaN.is(h.sum());
        long hCountBits = stale ? 0 : Double.doubleToRawLongBits(h.count());
        long hZeroCountBits = stale ? 0 : Double.doubleToRawLongBits(h.zeroCount());
        long hSumBits = Double.doubleToRawLongBits(h.sum());
        long newTDelta = 0;
        if (num == 0) {
            layout = stale ? HistogramLayout.EMPTY : new HistogramLayout(h.schema(), h.zeroThreshold(),
                    FloatHistogram.spansOf(h.positiveIndices()), FloatHistogram.spansOf(h.negativeIndices()), h.customValues());
            layout.write(b);
            int np = layout.positiveIndices.length;
            int nn = layout.negativeIndices.length;
            pBits = np == 0 ? NONE : new long[np];
            nBits = nn == 0 ? NONE : new long[nn];
            pWindows = np == 0 ? NO_WINDOWS : new int[np];
            nWindows = nn == 0 ? NO_WINDOWS : new int[nn];
            Arrays.fill(pWindows, BitBuffer.NO_WINDOW);
            Arrays.fill(nWindows, BitBuffer.NO_WINDOW);
            b.writeVarbitInt(ts);
            b.writeBits(hCountBits, 64);
            b.writeBits(hZeroCountBits, 64);
            b.writeBits(hSumBits, 64);
            for (int i = 0; i < np; i++) b.writeBits(pBits[i] = Double.doubleToRawLongBits(h.positiveCount(i)), 64);
            for (int i = 0; i < nn; i++) b.writeBits(nBits[i] = Double.doubleToRawLongBits(h.negativeCount(i)), 64);
        } else {
            newTDelta = ts - t;
            b.writeVarbitInt(newTDelta - tDelta);
            countWindow = b.writeXor(hCountBits, countBits, countWindow);
            zeroCountWindow = b.writeXor(hZeroCountBits, zeroCountBits, zeroCountWindow);
            sumWindow = b.writeXor(hSumBits, sumBits, sumWindow);
            if (!stale) {
                for (int i = 0; i < pBits.length; i++) {
                    long v = Double.doubleToRawLongBits(h.positiveCount(i));
                    pWindows[i] = b.writeXor(v, pBits[i], pWindows[i]);
                    pBits[i] = v;
                }
                for (int i = 0; i < nBits.length; i++) {
                    long v = Double.doubleToRawLongBits(h.negativeCount(i));
                    nWindows[i] = b.writeXor(v, nBits[i], nWindows[i]);
                    nBits[i] = v;
                }
            }
        }
        t = ts;
        tDelta = newTDelta;
        countBits = hCountBits;
        zeroCountBits = hZeroCountBits;
        sumBits = hSumBits;
        chunk.setNumSamples(num + 1);
    }
}
