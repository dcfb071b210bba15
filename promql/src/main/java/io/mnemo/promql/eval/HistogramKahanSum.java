package io.mnemo.promql.eval;

import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.Arrays;

/**
 * A running sum of native histograms with Kahan-Babuska-Neumaier compensation of every count,
 * the sum and each bucket, as Prometheus sums histograms in sum, avg, sum_over_time and
 * avg_over_time: without it, 1e100 + 1 - 1e100 loses the 1. The compensation is a histogram
 * of its own with the sum's layout (schema, zero bucket, custom bounds); before adding, all three
 * are brought to the layout the plain sum would have.
 */
final class HistogramKahanSum {
    private static final int[] NO_INDEX = new int[0];
    private static final double[] NO_COUNT = new double[0];

    private FloatHistogram sum;
    /** Null until the first addition. */
    private FloatHistogram c;

    /** A sum of one histogram, which is copied. */
    HistogramKahanSum(FloatHistogram first) {
        sum = first.copy();
    }

    private HistogramKahanSum(FloatHistogram sum, FloatHistogram c) {
        this.sum = sum;
        this.c = c;
    }

    HistogramKahanSum copy() {
        return new HistogramKahanSum(sum.copy(), c == null ? null : c.copy());
    }

    /**
     * Adds a histogram.
     *
     * @return the flags of {@link FloatHistogram#add}
     * @throws FloatHistogram.IncompatibleSchemaException when one has custom buckets and the other not
     */
    int add(FloatHistogram x) {
        FloatHistogram plain = sum.copy();
        int flags = plain.add(x);
        FloatHistogram h = aligned(plain, sum);
        FloatHistogram comp = c == null ? null : aligned(plain, c);
        x = aligned(plain, x);
        Side pos = addSide(h.positiveIndices(), h.positiveCounts(), comp == null ? NO_INDEX : comp.positiveIndices(),
                comp == null ? NO_COUNT : comp.positiveCounts(), x.positiveIndices(), x.positiveCounts());
        Side neg = addSide(h.negativeIndices(), h.negativeCounts(), comp == null ? NO_INDEX : comp.negativeIndices(),
                comp == null ? NO_COUNT : comp.negativeCounts(), x.negativeIndices(), x.negativeCounts());
        KahanSum zero = new KahanSum(h.zeroCount(), comp == null ? 0 : comp.zeroCount());
        zero.add(x.zeroCount());
        KahanSum count = new KahanSum(h.count(), comp == null ? 0 : comp.count());
        count.add(x.count());
        KahanSum total = new KahanSum(h.sum(), comp == null ? 0 : comp.sum());
        total.add(x.sum());
        double[] custom = h.customValues();
        int[] posSpans = NativeHistograms.spans(pos.idx);
        int[] negSpans = NativeHistograms.spans(neg.idx);
        sum = FloatHistogram.of(h.schema(), h.zeroThreshold(), zero.sum, count.sum, total.sum, posSpans, pos.sum,
                negSpans, neg.sum, custom, plain.counterResetHint());
        c = FloatHistogram.of(h.schema(), h.zeroThreshold(), zero.c, count.c, total.c, posSpans, pos.c,
                negSpans, neg.c, custom, plain.counterResetHint());
        return flags;
    }

    HistogramKahanSum mul(double factor) {
        sum.mul(factor);
        if (c != null) c.mul(factor);
        return this;
    }

    HistogramKahanSum div(double divisor) {
        sum.div(divisor);
        if (c != null) c.div(divisor);
        return this;
    }

    /** Whether the uncompensated sum overflowed. */
    boolean hasOverflow() { return sum.hasOverflow(); }

    /** The compensated sum, compacted. */
    FloatHistogram value() {
        FloatHistogram v = sum.copy();
        if (c != null) v.add(c);
        return v.compact();
    }

    private static boolean sameLayout(FloatHistogram a, FloatHistogram b) {
        if (a.schema() != b.schema() || a.zeroThreshold() != b.zeroThreshold()) return false;
        return !a.usesCustomBuckets() || Arrays.equals(a.customValues(), b.customValues());
    }

    /** h in the layout of target: its schema, zero bucket and custom bounds. */
    private static FloatHistogram aligned(FloatHistogram target, FloatHistogram h) {
        if (sameLayout(target, h)) return h;
        FloatHistogram empty = FloatHistogram.of(target.schema(), target.zeroThreshold(), 0, 0, 0, NO_INDEX, NO_COUNT,
                NO_INDEX, NO_COUNT, target.customValues(), h.counterResetHint());
        empty.add(h);
        return empty;
    }

    /** One side's buckets: indices, compensated sums and their compensations. */
    private record Side(int[] idx, double[] sum, double[] c) {}

    /** Adds x's buckets into h's (compensated by c) over the union of their indices. */
    private static Side addSide(int[] hIdx, double[] hCnt, int[] cIdx, double[] cCnt, int[] xIdx, double[] xCnt) {
        int n = hIdx.length + cIdx.length + xIdx.length;
        int[] idx = new int[n];
        double[] s = new double[n];
        double[] comp = new double[n];
        int i = 0;
        int j = 0;
        int k = 0;
        int m = 0;
        KahanSum acc = new KahanSum();
        while (i < hIdx.length || j < cIdx.length || k < xIdx.length) {
            int next = Integer.MAX_VALUE;
            if (i < hIdx.length) next = hIdx[i];
            if (j < cIdx.length) next = Math.min(next, cIdx[j]);
            if (k < xIdx.length) next = Math.min(next, xIdx[k]);
            acc.sum = i < hIdx.length && hIdx[i] == next ? hCnt[i++] : 0;
            acc.c = j < cIdx.length && cIdx[j] == next ? cCnt[j++] : 0;
            if (k < xIdx.length && xIdx[k] == next) acc.add(xCnt[k++]);
            idx[m] = next;
            s[m] = acc.sum;
            comp[m++] = acc.c;
        }
        return new Side(Arrays.copyOf(idx, m), Arrays.copyOf(s, m), Arrays.copyOf(comp, m));
    }
}
