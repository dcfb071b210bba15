package io.mnemo.promql.eval;

import io.mnemo.tsdb.histogram.FloatHistogram;

/**
 * The histogram trim operators: {@code h </ x} keeps the observations below x, {@code h >/ x}
 * those above it, as Prometheus 3 defines them. A bucket on the far side of the cut is emptied;
 * a bucket the cut falls into keeps its share, interpolated linearly for custom buckets and on
 * a logarithmic scale for exponential ones (the zero bucket always linearly). When anything was
 * cut, count and sum are estimated from what is left: each kept count times the middle of the
 * part of its bucket that is kept (the geometric mean for exponential buckets), since the real
 * values of the kept observations are not known. Buckets with an infinite bound (custom buckets
 * only) give up their count unless the cut leaves them whole, and keep no share of it.
 */
final class HistogramTrim {
    private HistogramTrim() {}

    /** What trimming one bucket keeps: a count and the middle of the kept part. */
    private static final class Kept {
        double count;
        double mid;

        Kept set(double count, double mid) {
            this.count = count;
            this.mid = mid;
            return this;
        }
    }

    /** A new histogram: h trimmed at x, upper (keep below x, {@code </}) or lower (keep above x, {@code >/}). */
    static FloatHistogram trim(FloatHistogram h, double x, boolean upper) {
        boolean custom = h.usesCustomBuckets();
        Kept k = new Kept();
        int[] posIdx = h.positiveIndices();
        double[] pos = h.positiveCounts();
        int[] negIdx = h.negativeIndices();
        double[] neg = h.negativeCounts();
        double count = 0;
        double sum = 0;
        boolean trimmed = false;
        boolean hasPositive = false;
        boolean hasNegative = false;
        for (int i = 0; i < pos.length; i++) {
            double lo = h.upperBound(posIdx[i] - 1);
            double hi = h.upperBound(posIdx[i]);
            if (pos[i] == 0 || insideZeroBucket(h, hi)) continue;
            hasPositive = true;
            trimBucket(lo, hi, pos[i], x, upper, true, custom, k);
            if (k.count != pos[i]) {
                pos[i] = k.count;
                trimmed = true;
            }
            count += k.count;
            sum += k.count * k.mid;
        }
        for (int i = 0; i < neg.length; i++) {
            double lo = -h.upperBound(negIdx[i]);
            double hi = -h.upperBound(negIdx[i] - 1);
            if (neg[i] == 0 || insideZeroBucket(h, -lo)) continue;
            hasNegative = true;
            trimBucket(lo, hi, neg[i], x, upper, false, custom, k);
            if (k.count != neg[i]) {
                neg[i] = k.count;
                trimmed = true;
            }
            count += k.count;
            sum += k.count * k.mid;
        }
        double zeroCount = h.zeroCount();
        if (zeroCount > 0) {
            trimZeroBucket(h.zeroThreshold(), zeroCount, x, upper, hasNegative, hasPositive, k);
            if (k.count != zeroCount) {
                zeroCount = k.count;
                trimmed = true;
            }
            count += k.count;
            sum += k.count * k.mid;
        }
        if (!trimmed) return h;
        FloatHistogram out = FloatHistogram.of(h.schema(), h.zeroThreshold(), zeroCount, count, sum, NativeHistograms.spans(posIdx), pos,
                NativeHistograms.spans(negIdx), neg, h.customValues(), h.counterResetHint());
        return out.compact();
    }

    /** Exponential buckets at or below the zero threshold are part of the zero bucket, not counted on their own. */
    private static boolean insideZeroBucket(FloatHistogram h, double absUpper) {
        return !h.usesCustomBuckets() && absUpper <= h.zeroThreshold();
    }

    private static void trimBucket(double lo, double hi, double n, double x, boolean upper, boolean positive,
                                   boolean linear, Kept k) {
        boolean whole = upper ? hi <= x : lo >= x;
        boolean cut = upper ? lo < x : hi > x;
        if (whole) {
            k.set(n, middle(lo, hi, positive, linear));
        } else if (!cut) {
            k.set(0, 0);
        } else if (Double.isInfinite(lo) || Double.isInfinite(hi)) {
            trimOpenBucket(lo, hi, n, x, upper, k);
        } else {
            double below = n * new FloatHistogram.Bucket(lo, hi, true, true, n).fractionBelow(x, linear);
            if (upper) k.set(below, middle(lo, x, positive, linear));
            else k.set(n - below, middle(x, hi, positive, linear));
        }
    }

    /**
     * A custom bucket reaching to -Inf or +Inf that the cut falls into. Nothing is known about how
     * its observations spread, so it is dropped, except that a first bucket with a positive upper
     * bound is taken to start at 0 (as histogram_quantile does), and a +Inf bucket cut at or below
     * its lower bound by {@code >/} stays whole.
     */
    private static void trimOpenBucket(double lo, double hi, double n, double x, boolean upper, Kept k) {
        if (Double.isInfinite(lo)) {
            boolean finitePositiveUpper = hi > 0 && !Double.isInfinite(hi);
            if (upper) {
                if (x > 0 && finitePositiveUpper) k.set(n * x / hi, x / 2);
                else if (hi <= 0) k.set(n, x);
                else k.set(0, finite(hi));
            } else if (x >= 0 && hi > x && finitePositiveUpper) {
                k.set(n * (1 - x / hi), (x + hi) / 2);
            } else {
                k.set(0, finite(hi));
            }
        } else if (!upper && x >= lo) {
            k.set(n, x);
        } else {
            k.set(0, finite(lo));
        }
    }

    /**
     * The zero bucket, spread evenly over [-threshold, threshold], or over only its non-negative
     * (non-positive) half when the histogram has populated buckets on the positive (negative) side only.
     */
    private static void trimZeroBucket(double threshold, double n, double x, boolean upper, boolean hasNegative,
                                       boolean hasPositive, Kept k) {
        double lo = hasPositive && !hasNegative ? 0 : -threshold;
        double hi = hasNegative && !hasPositive ? 0 : threshold;
        if (upper) {
            if (x <= lo) k.set(0, 0);
            else if (x >= hi) k.set(n, (lo + hi) / 2);
            else k.set(n * (x - lo) / (hi - lo), (lo + x) / 2);
        } else {
            if (x <= lo) k.set(n, (lo + hi) / 2);
            else if (x >= hi) k.set(0, 0);
            else k.set(n * (hi - x) / (hi - lo), (x + hi) / 2);
        }
    }

    /** The value that stands for the observations between lo and hi. */
    private static double middle(double lo, double hi, boolean positive, boolean linear) {
        if (Double.isInfinite(lo)) {
            if (Double.isInfinite(hi)) return 0;
            return hi > 0 ? hi / 2 : hi;
        }
        if (Double.isInfinite(hi)) return lo;
        if (linear) return (lo + hi) / 2;
        double geometric = Math.sqrt(Math.abs(lo * hi));
        return positive ? geometric : -geometric;
    }

    private static double finite(double v) {
        return Double.isInfinite(v) ? 0 : v;
    }
}
