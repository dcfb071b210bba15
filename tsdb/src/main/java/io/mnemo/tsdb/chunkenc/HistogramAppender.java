package io.mnemo.tsdb.chunkenc;

import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;

/**
 * Appends integer native histograms to a {@link HistogramChunk} as Prometheus 3's
 * {@code HistogramAppender} does, bytes and decisions alike.
 *
 * <p>Encoding: the first sample writes the chunk's {@link HistogramLayout}, then its timestamp
 * (varbit int), count and zero count (varbit uints), sum (64 raw bits) and bucket values (varbit
 * ints). Later samples write the delta-of-delta of the timestamp, count, zero count and of each
 * bucket value (varbit ints), and the sum XOR-encoded. A stale marker writes no buckets.
 *
 * <p>Decisions ({@link #append}): a sample with the chunk's layout is appended; one that adds
 * buckets has the chunk recoded to the wider layout first; one whose buckets are missing from a
 * chunk where they are empty gets them as empty buckets. A counter histogram needs a new chunk
 * on a counter reset (count, zero count or a bucket went down, a used bucket disappeared, custom
 * bounds changed, or the sample says so), on a schema or zero threshold change, after a stale
 * marker, or after gauge samples; the new chunk's {@link CounterResetHeader} says which. Gauge
 * histograms go to gauge chunks, where buckets may come and go (both layouts are merged) and only
 * a schema, threshold or bounds change, or a sample after a stale marker, cuts a chunk.
 *
 * <p>Appending in place allocates nothing; recoding and cutting allocate the new chunk.
 */
public final class HistogramAppender {
    /** What the last {@link #append} did. */
    public enum Outcome {
        /** The sample was added to the chunk this appender held. */
        APPENDED,
        /** The chunk was rewritten with a wider layout: {@link #chunk()} holds all its samples and replaces it. */
        RECODED,
        /** A new chunk was started with the sample: {@link #chunk()} follows the previous one, which is complete. */
        NEW_CHUNK
    }

    /** Comparison flags of one side: the sample has buckets the chunk lacks, or lacks empty ones it has. */
    static final int FORWARD = 1;
    static final int BACKWARD = 2;
    private static final int RESET = -1;
    private static final long[] NONE = new long[0];

    private final HistogramChunk chunk;
    private Outcome outcome = Outcome.APPENDED;

    private HistogramLayout layout;
    private long t;
    private long count;
    private long zeroCount;
    private long tDelta;
    private long countDelta;
    private long zeroCountDelta;
    private long[] pBuckets = NONE;
    private long[] nBuckets = NONE;
    private long[] pBucketsDelta = NONE;
    private long[] nBucketsDelta = NONE;
    private long sumBits;
    private int window = BitBuffer.NO_WINDOW;

    /** Reused for every comparison, so deciding allocates nothing. */
    private final SpanWalk walk = new SpanWalk();
    // The last decision: whether the sample fits, and how each side compares.
    private boolean fits;
    private int positiveFlags;
    private int negativeFlags;

    HistogramAppender(HistogramChunk chunk) {
        this.chunk = chunk;
    }

    /** Continues a chunk whose samples the iterator has just read to the end. */
    HistogramAppender(HistogramChunk chunk, HistogramChunkIterator drained) {
        this.chunk = chunk;
        this.layout = drained.layout();
        this.t = drained.timestamp();
        this.count = drained.count();
        this.zeroCount = drained.zeroCount();
        this.tDelta = drained.timestampDelta();
        this.countDelta = drained.countDelta();
        this.zeroCountDelta = drained.zeroCountDelta();
        this.pBuckets = drained.positiveBuckets().clone();
        this.nBuckets = drained.negativeBuckets().clone();
        this.pBucketsDelta = drained.positiveBucketsDelta().clone();
        this.nBucketsDelta = drained.negativeBucketsDelta().clone();
        this.sumBits = drained.sumBits();
        this.window = drained.window();
    }

    /** The chunk this appender writes to. */
    public HistogramChunk chunk() { return chunk; }

    /** What the {@link #append} that returned this appender did. */
    public Outcome outcome() { return outcome; }

    /** Timestamp of the last sample appended. */
    public long lastTimestamp() { return t; }

    /** Appends a sample; see {@link #append(long, Histogram, HistogramAppender)}. */
    public HistogramAppender append(long ts, Histogram h) {
        return append(ts, h, null);
    }

    /**
     * Appends a sample, or starts the chunk that holds it. {@code h} must be valid
     * ({@link Histogram#validate()}); it is not changed.
     *
     * @param previous when this chunk is empty and follows another chunk of the series, that
     *                 chunk's appender: the new chunk's header then says whether the sample is a
     *                 counter reset against it (null when there is none)
     * @return the appender holding the sample: this one ({@link Outcome#APPENDED}), or one on a
     *         recoded or new chunk, whose {@link #outcome()} says which
     * @throws IllegalStateException when the chunk holds {@link HistogramChunkBytes#MAX_SAMPLES} already
     */
    public HistogramAppender append(long ts, Histogram h, HistogramAppender previous) {
        int num = chunk.numSamples();
        if (num >= HistogramChunkBytes.MAX_SAMPLES) {
            throw new IllegalStateException("histogram chunk is full (" + HistogramChunkBytes.MAX_SAMPLES + " samples)");
        }
        outcome = Outcome.APPENDED;
        if (num == 0) {
            write(ts, h);
            if (h.counterResetHint() == CounterResetHint.GAUGE) {
                chunk.setCounterResetHeader(CounterResetHeader.GAUGE);
            } else if (h.counterResetHint() == CounterResetHint.COUNTER_RESET) {
                chunk.setCounterResetHeader(CounterResetHeader.COUNTER_RESET);
            } else if (previous != null) {
                chunk.setCounterResetHeader(previous.appendable(h));
            }
            return this;
        }
        if (h.counterResetHint() != CounterResetHint.GAUGE) {
            CounterResetHeader header = appendable(h);
            if (!fits || header != CounterResetHeader.NOT_COUNTER_RESET) return cut(header, ts, h);
            boolean forward = ((positiveFlags | negativeFlags) & FORWARD) != 0;
            boolean backward = ((positiveFlags | negativeFlags) & BACKWARD) != 0;
            if (!forward && !backward) {
                write(ts, h);
                return this;
            }
            int[] pSpans;
            int[] nSpans;
            if (!forward) {
                pSpans = layout.positiveSpans;
                nSpans = layout.negativeSpans;
            } else {
                // Prometheus's adjustForInserts: a side that needs the chunk's empty buckets gets
                // the merged spans, the other keeps the sample's own.
                pSpans = (positiveFlags & BACKWARD) != 0 ? mergedSpans(layout.positiveIndices, spanIndices(h, true)) : spans(h, true);
                nSpans = (negativeFlags & BACKWARD) != 0 ? mergedSpans(layout.negativeIndices, spanIndices(h, false)) : spans(h, false);
            }
            return backward ? expandThenAppend(ts, h, pSpans, nSpans, forward) : recodeThenAppend(ts, h, pSpans, nSpans);
        }
        if (!appendableGauge(h)) return cut(CounterResetHeader.GAUGE, ts, h);
        boolean forward = ((positiveFlags | negativeFlags) & FORWARD) != 0;
        boolean backward = ((positiveFlags | negativeFlags) & BACKWARD) != 0;
        if (!forward && !backward) {
            write(ts, h);
            return this;
        }
        int[] pSpans = spans(h, true);
        int[] nSpans = spans(h, false);
        if (backward) { // Prometheus's expandSpansBothWays: both sides merged
            pSpans = mergedSpans(layout.positiveIndices, spanIndices(h, true));
            nSpans = mergedSpans(layout.negativeIndices, spanIndices(h, false));
            return expandThenAppend(ts, h, pSpans, nSpans, forward);
        }
        return recodeThenAppend(ts, h, pSpans, nSpans);
    }

    /** The sample with buckets on the given spans (empty where it had none), then appended, recoding if needed. */
    private HistogramAppender expandThenAppend(long ts, Histogram h, int[] pSpans, int[] nSpans, boolean recode) {
        Histogram expanded = Histogram.of(h.schema(), h.zeroThreshold(), h.zeroCount(), h.count(), h.sum(),
                pSpans, remap(spanIndices(h, true), deltas(h, true), HistogramLayout.indices(pSpans)),
                nSpans, remap(spanIndices(h, false), deltas(h, false), HistogramLayout.indices(nSpans)),
                h.customValuesShared(), h.counterResetHint());
        if (recode) return recodeThenAppend(ts, expanded, pSpans, nSpans);
        write(ts, expanded);
        return this;
    }

    /**
     * Rewrites the chunk's samples with the wider layout of these spans (its buckets gain empty
     * ones) into a new chunk with the same header, then appends the sample there.
     */
    private HistogramAppender recodeThenAppend(long ts, Histogram h, int[] pSpans, int[] nSpans) {
        HistogramLayout wider = layout.withSpans(pSpans, nSpans);
        HistogramChunk recoded = new HistogramChunk(chunk.length() + 64);
        recoded.setCounterResetHeader(chunk.counterResetHeader());
        HistogramAppender app = new HistogramAppender(recoded);
        HistogramChunkIterator it = chunk.iterator();
        Histogram old = new Histogram();
        while (it.next()) {
            it.atHistogram(old);
            if (!old.isStale()) {
                old = Histogram.of(wider.schema, wider.zeroThreshold, old.zeroCount(), old.count(), old.sum(),
                        pSpans, remap(layout.positiveIndices, deltas(old, true), wider.positiveIndices),
                        nSpans, remap(layout.negativeIndices, deltas(old, false), wider.negativeIndices),
                        wider.customValues, old.counterResetHint());
            }
            app.write(it.timestamp(), old);
        }
        app.write(ts, h);
        app.outcome = Outcome.RECODED;
        return app;
    }

    private HistogramAppender cut(CounterResetHeader header, long ts, Histogram h) {
        HistogramChunk next = new HistogramChunk(Math.max(128, chunk.length()));
        next.setCounterResetHeader(header);
        HistogramAppender app = new HistogramAppender(next);
        app.write(ts, h);
        app.outcome = Outcome.NEW_CHUNK;
        return app;
    }

    // ---- decisions ----

    /**
     * Prometheus's {@code appendable} for a counter histogram: sets {@link #fits} and the side
     * flags, and returns the header a new chunk would get (NOT_COUNTER_RESET when it fits).
     */
    CounterResetHeader appendable(Histogram h) {
        fits = false;
        positiveFlags = 0;
        negativeFlags = 0;
        if (chunk.numSamples() > 0 && chunk.counterResetHeader() == CounterResetHeader.GAUGE) return CounterResetHeader.NOT_COUNTER_RESET;
        if (h.counterResetHint() == CounterResetHint.COUNTER_RESET) return CounterResetHeader.COUNTER_RESET;
        if (h.isStale()) { // its buckets do not matter
            fits = true;
            return CounterResetHeader.NOT_COUNTER_RESET;
        }
        if (sumBits == StaleNaN.BITS) return CounterResetHeader.UNKNOWN; // only stale markers may follow one
        if (Long.compareUnsigned(h.count(), count) < 0) return CounterResetHeader.COUNTER_RESET;
        // Prometheus does no full reset detection on a schema or threshold change.
        if (h.schema() != layout.schema || h.zeroThreshold() != layout.zeroThreshold) return CounterResetHeader.UNKNOWN;
        if (h.usesCustomBuckets() && !customBoundsMatch(h)) return CounterResetHeader.COUNTER_RESET;
        if (Long.compareUnsigned(h.zeroCount(), zeroCount) < 0) return CounterResetHeader.COUNTER_RESET;
        positiveFlags = compareCounter(layout.positiveIndices, pBuckets, h, true);
        if (positiveFlags == RESET) {
            positiveFlags = 0;
            return CounterResetHeader.COUNTER_RESET;
        }
        negativeFlags = compareCounter(layout.negativeIndices, nBuckets, h, false);
        if (negativeFlags == RESET) {
            negativeFlags = 0;
            return CounterResetHeader.COUNTER_RESET;
        }
        fits = true;
        return CounterResetHeader.NOT_COUNTER_RESET;
    }

    /** Prometheus's {@code appendableGauge}: whether a gauge histogram fits; sets the side flags. */
    boolean appendableGauge(Histogram h) {
        fits = false;
        positiveFlags = 0;
        negativeFlags = 0;
        if (chunk.numSamples() > 0 && chunk.counterResetHeader() != CounterResetHeader.GAUGE) return false;
        if (h.isStale()) return fits = true;
        if (sumBits == StaleNaN.BITS) return false;
        if (h.schema() != layout.schema || h.zeroThreshold() != layout.zeroThreshold) return false;
        if (h.usesCustomBuckets() && !customBoundsMatch(h)) return false;
        positiveFlags = compareGauge(layout.positiveIndices, h, true);
        negativeFlags = compareGauge(layout.negativeIndices, h, false);
        return fits = true;
    }

    /** Whether the last decision let the sample into this chunk. */
    boolean fits() { return fits; }

    int positiveFlags() { return positiveFlags; }

    int negativeFlags() { return negativeFlags; }

    private boolean customBoundsMatch(Histogram h) {
        int n = h.customValueCount();
        double[] mine = layout.customValues;
        if (mine == null || mine.length != n) return false;
        for (int i = 0; i < n; i++) if (mine[i] != h.customValue(i)) return false;
        return true;
    }

    /**
     * Prometheus's {@code expandIntSpansAndBuckets}: walks the chunk's and the sample's buckets by
     * index. A bucket both have must not go down; one only the chunk has must be empty (the
     * sample gets it back as empty: BACKWARD); one only the sample has is new (FORWARD).
     *
     * @return FORWARD and/or BACKWARD flags, or RESET
     */
    private int compareCounter(int[] aIdx, long[] aDeltas, Histogram h, boolean positive) {
        SpanWalk b = walk.start(h, positive);
        int flags = 0;
        int ai = 0;
        long aCount = aIdx.length > 0 ? aDeltas[0] : 0;
        boolean bOk = b.next();
        int bi = 0;
        long bCount = bOk ? bucket(h, positive, 0) : 0;
        while (true) {
            boolean aOk = ai < aIdx.length;
            if (aOk && bOk) {
                if (aIdx[ai] == b.index) {
                    if (aCount > bCount) return RESET;
                    if (++ai < aIdx.length) aCount += aDeltas[ai];
                    if (bOk = b.next()) bCount += bucket(h, positive, ++bi);
                } else if (aIdx[ai] < b.index) {
                    if (aCount != 0) return RESET;
                    flags |= BACKWARD;
                    if (++ai < aIdx.length) aCount += aDeltas[ai];
                } else {
                    flags |= FORWARD;
                    if (bOk = b.next()) bCount += bucket(h, positive, ++bi);
                }
            } else if (aOk) {
                if (aCount != 0) return RESET;
                flags |= BACKWARD;
                if (++ai < aIdx.length) aCount += aDeltas[ai];
            } else if (bOk) {
                flags |= FORWARD;
                if (bOk = b.next()) bCount += bucket(h, positive, ++bi);
            } else {
                return flags;
            }
        }
    }

    /** Which buckets only the chunk (BACKWARD) or only the sample (FORWARD) has; counts do not matter for gauges. */
    private int compareGauge(int[] aIdx, Histogram h, boolean positive) {
        SpanWalk b = walk.start(h, positive);
        int flags = 0;
        int ai = 0;
        boolean bOk = b.next();
        while (ai < aIdx.length || bOk) {
            if (bOk && (ai >= aIdx.length || b.index < aIdx[ai])) {
                flags |= FORWARD;
                bOk = b.next();
            } else if (!bOk || aIdx[ai] < b.index) {
                flags |= BACKWARD;
                ai++;
            } else {
                ai++;
                bOk = b.next();
            }
        }
        return flags;
    }

    /** Walks the bucket indices a histogram side's spans describe, without allocating. */
    private static final class SpanWalk {
        private Histogram h;
        private boolean positive;
        private int spanInts;
        private int s = -2;
        private int left;
        private int nextIndex;
        int index;

        SpanWalk start(Histogram h, boolean positive) {
            this.h = h;
            this.positive = positive;
            this.spanInts = positive ? h.positiveSpanInts() : h.negativeSpanInts();
            this.s = -2;
            this.left = 0;
            this.nextIndex = 0;
            return this;
        }

        boolean next() {
            while (left == 0) {
                s += 2;
                if (s + 1 >= spanInts) return false;
                nextIndex += positive ? h.positiveSpan(s) : h.negativeSpan(s);
                left = positive ? h.positiveSpan(s + 1) : h.negativeSpan(s + 1);
            }
            index = nextIndex++;
            left--;
            return true;
        }
    }

    private static long bucket(Histogram h, boolean positive, int i) {
        return positive ? h.positiveBucket(i) : h.negativeBucket(i);
    }

    // ---- layouts, for the rare recode/expand path (allocating) ----

    private static int[] spans(Histogram h, boolean positive) {
        return positive ? h.positiveSpans() : h.negativeSpans();
    }

    private static long[] deltas(Histogram h, boolean positive) {
        return positive ? h.positiveBuckets() : h.negativeBuckets();
    }

    private static int[] spanIndices(Histogram h, boolean positive) {
        return HistogramLayout.indices(spans(h, positive));
    }

    /** The spans of the union of two sorted index lists, each run of consecutive indices one span. */
    static int[] mergedSpans(int[] a, int[] b) {
        int[] union = new int[a.length + b.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length || j < b.length) {
            if (j >= b.length || (i < a.length && a[i] < b[j])) {
                union[k++] = a[i++];
            } else if (i >= a.length || b[j] < a[i]) {
                union[k++] = b[j++];
            } else {
                union[k++] = a[i++];
                j++;
            }
        }
        return FloatHistogram.spansOf(union, k);
    }

    /** Bucket deltas of the buckets at {@code from} moved onto the wider index list {@code to}, empty buckets added. */
    static long[] remap(int[] from, long[] deltas, int[] to) {
        long[] out = new long[to.length];
        long current = 0;
        long previous = 0;
        int i = 0;
        for (int k = 0; k < to.length; k++) {
            long c = 0;
            if (i < from.length && from[i] == to[k]) {
                current += deltas[i++];
                c = current;
            }
            out[k] = c - previous;
            previous = c;
        }
        if (i != from.length) throw new IllegalStateException("layout to recode into lacks bucket " + from[i]);
        return out;
    }

    // ---- encoding ----

    /** Prometheus's {@code appendHistogram}: writes the sample, which must fit the layout. */
    private void write(long ts, Histogram h) {
        int num = chunk.numSamples();
        BitBuffer b = chunk.bits;
        boolean stale = h.isStale();
        long hCount = stale ? 0 : h.count();
        long hZeroCount = stale ? 0 : h.zeroCount();
        long hSumBits = Double.doubleToRawLongBits(h.sum());
        long newTDelta = 0;
        long newCountDelta = 0;
        long newZeroCountDelta = 0;
        if (num == 0) {
            layout = stale ? HistogramLayout.EMPTY : HistogramLayout.of(h);
            layout.write(b);
            int np = layout.positiveIndices.length;
            int nn = layout.negativeIndices.length;
            pBuckets = np == 0 ? NONE : new long[np];
            pBucketsDelta = np == 0 ? NONE : new long[np];
            nBuckets = nn == 0 ? NONE : new long[nn];
            nBucketsDelta = nn == 0 ? NONE : new long[nn];
            b.writeVarbitInt(ts);
            b.writeVarbitUint(hCount);
            b.writeVarbitUint(hZeroCount);
            b.writeBits(hSumBits, 64);
            if (!stale) {
                for (int i = 0; i < np; i++) b.writeVarbitInt(pBuckets[i] = h.positiveBucket(i));
                for (int i = 0; i < nn; i++) b.writeVarbitInt(nBuckets[i] = h.negativeBucket(i));
            }
        } else {
            newTDelta = ts - t;
            newCountDelta = hCount - count;
            newZeroCountDelta = hZeroCount - zeroCount;
            long countDod = newCountDelta - countDelta;
            long zeroCountDod = newZeroCountDelta - zeroCountDelta;
            if (stale) {
                countDod = 0;
                zeroCountDod = 0;
            }
            b.writeVarbitInt(newTDelta - tDelta);
            b.writeVarbitInt(countDod);
            b.writeVarbitInt(zeroCountDod);
            window = b.writeXor(hSumBits, sumBits, window);
            if (!stale) {
                for (int i = 0; i < pBuckets.length; i++) {
                    long v = h.positiveBucket(i);
                    long delta = v - pBuckets[i];
                    b.writeVarbitInt(delta - pBucketsDelta[i]);
                    pBucketsDelta[i] = delta;
                    pBuckets[i] = v;
                }
                for (int i = 0; i < nBuckets.length; i++) {
                    long v = h.negativeBucket(i);
                    long delta = v - nBuckets[i];
                    b.writeVarbitInt(delta - nBucketsDelta[i]);
                    nBucketsDelta[i] = delta;
                    nBuckets[i] = v;
                }
            }
        }
        t = ts;
        count = hCount;
        zeroCount = hZeroCount;
        tDelta = newTDelta;
        countDelta = newCountDelta;
        zeroCountDelta = newZeroCountDelta;
        sumBits = hSumBits;
        chunk.setNumSamples(num + 1);
    }
}
