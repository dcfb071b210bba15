package io.mnemo.promql.eval;

import io.mnemo.promql.Annotations;
import io.mnemo.promql.ast.PositionRange;
import io.mnemo.tsdb.GoFloats;

import java.time.Instant;
import java.util.Arrays;

/**
 * Quantiles and fractions over the {@code le} buckets of classic histograms, with Prometheus's
 * handling of unsorted, duplicated and non-monotonic buckets.
 */
final class ClassicHistograms {
    /** Relative differences between neighbouring buckets below this are float noise, not data. */
    private static final double SMALL_DELTA_TOLERANCE = 1e-12;

    private ClassicHistograms() {}

    /** The buckets of one histogram at one step: upper bounds and cumulative counts. */
    static final class Buckets {
        double[] upper = new double[8];
        double[] count = new double[8];
        int size;

        void clear() { size = 0; }

        void add(double u, double c) {
            if (size == upper.length) {
                upper = Arrays.copyOf(upper, size * 2);
                count = Arrays.copyOf(count, size * 2);
            }
            upper[size] = u;
            count[size++] = c;
        }

        /** Sorts by upper bound (stable) and merges buckets with the same bound. */
        void sortAndCoalesce() {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Double.compare(upper[a], upper[b]));
            double[] u = new double[size];
            double[] c = new double[size];
            for (int i = 0; i < size; i++) {
                u[i] = upper[order[i]];
                c[i] = count[order[i]];
            }
            int n = 0;
            for (int i = 0; i < size; i++) {
                if (n > 0 && u[i] == u[n - 1]) {
                    c[n - 1] += c[i];
                } else {
                    u[n] = u[i];
                    c[n++] = c[i];
                }
            }
            upper = u;
            count = c;
            size = n;
        }
    }

    /** What fixing the buckets for monotonicity changed, for the info annotation. */
    static final class Monotonicity {
        boolean forced;
        double minBucket;
        double maxBucket;
        double maxDiff;
    }

    /**
     * The q-quantile of the buckets, interpolating linearly within the bucket holding the rank
     * (lower bound 0 for the first bucket when its upper bound is positive). NaN without a +Inf
     * bucket, with fewer than two buckets or no observations; ±Inf for q outside [0, 1].
     */
    static double quantile(double q, Buckets b, Monotonicity m) {
        m.forced = false;
        if (Double.isNaN(q)) return Double.NaN;
        if (q < 0) return Double.NEGATIVE_INFINITY;
        if (q > 1) return Double.POSITIVE_INFINITY;
        b.sortAndCoalesce();
        if (b.upper[b.size - 1] != Double.POSITIVE_INFINITY) return Double.NaN;
        ensureMonotonic(b, m);
        if (b.size < 2) return Double.NaN;
        double observations = b.count[b.size - 1];
        if (observations == 0) return Double.NaN;
        double rank = q * observations;
        int i = 0;
        // The first bucket (of all but the last) whose count reaches the rank.
        int lo = 0;
        int hi = b.size - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (b.count[mid] >= rank) hi = mid;
            else lo = mid + 1;
        }
        i = lo;
        if (i == b.size - 1) return b.upper[b.size - 2];
        if (i == 0 && b.upper[0] <= 0) return b.upper[0];
        double bucketStart = 0;
        double bucketEnd = b.upper[i];
        double count = b.count[i];
        if (i > 0) {
            bucketStart = b.upper[i - 1];
            count -= b.count[i - 1];
            rank -= b.count[i - 1];
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count);
    }

    /**
     * Ignores float noise between neighbouring buckets, then removes any decrease of the counts
     * with growing upper bound, noting where that was needed.
     */
    private static void ensureMonotonic(Buckets b, Monotonicity m) {
        m.minBucket = Double.POSITIVE_INFINITY;
        m.maxBucket = Double.NEGATIVE_INFINITY;
        m.maxDiff = 0;
        double prev = b.count[0];
        for (int i = 1; i < b.size; i++) {
            double curr = b.count[i];
            if (curr == prev) continue;
            if (almostEqual(prev, curr, SMALL_DELTA_TOLERANCE)) {
                b.count[i] = prev;
                continue;
            }
            if (curr < prev) {
                b.count[i] = prev;
                m.forced = true;
                m.minBucket = Math.min(m.minBucket, b.upper[i]);
                m.maxBucket = Math.max(m.maxBucket, b.upper[i]);
                m.maxDiff = Math.max(m.maxDiff, prev - curr);
                continue;
            }
            prev = curr;
        }
    }

    /** Fraction of the observations between lower and upper, interpolating linearly within buckets. */
    static double fraction(double lower, double upper, Buckets b) {
        b.sortAndCoalesce();
        if (b.upper[b.size - 1] != Double.POSITIVE_INFINITY) return Double.NaN;
        double count = b.count[b.size - 1];
        if (count == 0 || Double.isNaN(lower) || Double.isNaN(upper)) return Double.NaN;
        if (lower >= upper) return 0;
        double rank = 0;
        double lowerRank = 0;
        double upperRank = 0;
        boolean lowerSet = false;
        boolean upperSet = false;
        double lowerBound = b.upper[0] <= 0 ? Double.NEGATIVE_INFINITY : 0;
        for (int i = 0; i < b.size; i++) {
            if (i > 0) lowerBound = b.upper[i - 1];
            double upperBound = b.upper[i];
            double c = b.count[i];
            if (!lowerSet && lowerBound >= lower) {
                lowerRank = rank;
                lowerSet = true;
            }
            if (!upperSet && lowerBound >= upper) {
                upperRank = rank;
                upperSet = true;
            }
            if (lowerSet && upperSet) break;
            if (!lowerSet && lowerBound < lower && upperBound > lower) {
                lowerRank = interpolate(lower, lowerBound, upperBound, rank, c);
                lowerSet = true;
            }
            if (!upperSet && lowerBound < upper && upperBound > upper) {
                upperRank = interpolate(upper, lowerBound, upperBound, rank, c);
                upperSet = true;
            }
            if (lowerSet && upperSet) break;
            rank = c;
        }
        if (!lowerSet || lowerRank > count) lowerRank = count;
        if (!upperSet || upperRank > count) upperRank = count;
        return (upperRank - lowerRank) / count;
    }

    /** The rank at v within a bucket; a bucket open to -Inf contributes nothing partial. */
    private static double interpolate(double v, double lowerBound, double upperBound, double rank, double count) {
        if (lowerBound == Double.NEGATIVE_INFINITY) return count;
        return rank + (count - rank) * (v - lowerBound) / (upperBound - lowerBound);
    }

    static boolean almostEqual(double a, double b, double epsilon) {
        if (Double.isNaN(a) && Double.isNaN(b)) return true;
        if (a == b) return true;
        double absSum = Math.abs(a) + Math.abs(b);
        double diff = Math.abs(a - b);
        if (a == 0 || b == 0 || absSum < Double.MIN_NORMAL) return diff < epsilon * Double.MIN_NORMAL;
        return diff / Math.min(absSum, Double.MAX_VALUE) < epsilon;
    }

    /**
     * The info that histogram_quantile had to fix buckets for monotonicity. Notes of the same
     * message merge: the range of buckets and times, the largest difference and the count grow.
     */
    static final class ForcedMonotonicityInfo implements Annotations.Annotation {
        private final String message;
        private final PositionRange position;
        private final long minTs;
        private final long maxTs;
        private final double minBucket;
        private final double maxBucket;
        private final double maxDiff;
        private final int count;

        ForcedMonotonicityInfo(String metricName, PositionRange position, long ts, Monotonicity m) {
            this("PromQL info: input to histogram_quantile needed to be fixed for monotonicity "
                            + "(see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)"
                            + (metricName.isEmpty() ? "" : " for metric name \"" + metricName + "\""),
                    position, ts, ts, m.minBucket, m.maxBucket, m.maxDiff, 0);
        }

        private ForcedMonotonicityInfo(String message, PositionRange position, long minTs, long maxTs, double minBucket,
                                       double maxBucket, double maxDiff, int count) {
            this.message = message;
            this.position = position;
            this.minTs = minTs;
            this.maxTs = maxTs;
            this.minBucket = minBucket;
            this.maxBucket = maxBucket;
            this.maxDiff = maxDiff;
            this.count = count;
        }

        @Override
        public Annotations.Severity severity() { return Annotations.Severity.INFO; }

        @Override
        public String message() { return message; }

        @Override
        public PositionRange position() { return position; }

        @Override
        public Annotations.Annotation mergeWith(Annotations.Annotation earlier) {
            if (!(earlier instanceof ForcedMonotonicityInfo o)) return this;
            return new ForcedMonotonicityInfo(message, o.position, Math.min(minTs, o.minTs), Math.max(maxTs, o.maxTs),
                    Math.min(minBucket, o.minBucket), Math.max(maxBucket, o.maxBucket), Math.max(maxDiff, o.maxDiff),
                    o.count + count + 1);
        }

        @Override
        public String render(String query) {
            if (query == null || query.isEmpty()) return message;
            return message + ", from buckets " + GoFloats.formatG(minBucket) + " to " + GoFloats.formatG(maxBucket)
                    + ", with a max diff of " + GoFloats.formatG(maxDiff, 2) + ", over " + (count + 1) + " samples from "
                    + Instant.ofEpochSecond(minTs / 1000) + " to " + Instant.ofEpochSecond(maxTs / 1000) + " ("
                    + Annotations.positionText(position, query) + ")";
        }
    }
}
