package io.mnemo.tsdb.histogram;

import io.mnemo.tsdb.GoFloats;
import io.mnemo.tsdb.histogram.InvalidHistogramException.Reason;

/** Prometheus's validation rules shared by integer and float histograms, with its error texts. */
final class Validation {
    private Validation() {}

    static InvalidHistogramException invalidSchema(int schema) {
        return InvalidHistogramException.of(Reason.INVALID_SCHEMA, null).suffixed(", got schema " + schema);
    }

    /** {@code checkHistogramSpans}: offsets after the first not negative, as many buckets as spanned. */
    static void checkSpans(int[] spans, int numBuckets, String side) {
        int spanBuckets = 0;
        for (int s = 0; s + 1 < spans.length; s += 2) {
            if (s > 0 && spans[s] < 0) {
                throw InvalidHistogramException.of(Reason.SPAN_NEGATIVE_OFFSET,
                        "span number " + (s / 2 + 1) + " with offset " + spans[s]).prefixed(side);
            }
            spanBuckets += spans[s + 1];
        }
        if (spanBuckets != numBuckets) {
            throw InvalidHistogramException.of(Reason.SPANS_BUCKETS_MISMATCH,
                    "spans need " + spanBuckets + " buckets, have " + numBuckets + " buckets").prefixed(side);
        }
    }

    /**
     * {@code checkHistogramCustomBounds}: bounds not NaN, strictly increasing, the last not +Inf
     * (it is implied), no negative span offset, and enough bounds for the spanned buckets.
     */
    static void checkCustomBounds(double[] bounds, int[] spans, int numBuckets) {
        double prev = Double.NEGATIVE_INFINITY;
        int n = bounds == null ? 0 : bounds.length;
        for (int i = 0; i < n; i++) {
            double curr = bounds[i];
            if (Double.isNaN(curr)) throw InvalidHistogramException.of(Reason.CUSTOM_BUCKETS_NAN, null);
            if (i > 0 && curr <= prev) {
                throw InvalidHistogramException.of(Reason.CUSTOM_BUCKETS_INVALID, "previous bound is "
                        + GoFloats.formatFixed6(prev) + " and current is " + GoFloats.formatFixed6(curr));
            }
            prev = curr;
        }
        if (prev == Double.POSITIVE_INFINITY) {
            throw InvalidHistogramException.of(Reason.CUSTOM_BUCKETS_INFINITE, "last +Inf bound must not be explicitly defined");
        }
        int spanBuckets = 0;
        long totalSpanLength = 0;
        for (int s = 0; s + 1 < spans.length; s += 2) {
            if (spans[s] < 0) {
                throw InvalidHistogramException.of(Reason.SPAN_NEGATIVE_OFFSET,
                        "span number " + (s / 2 + 1) + " with offset " + spans[s]);
            }
            spanBuckets += spans[s + 1];
            totalSpanLength += (long) spans[s + 1] + spans[s];
        }
        if (spanBuckets != numBuckets) {
            throw InvalidHistogramException.of(Reason.SPANS_BUCKETS_MISMATCH,
                    "spans need " + spanBuckets + " buckets, have " + numBuckets + " buckets");
        }
        if (n + 1 < totalSpanLength) {
            throw InvalidHistogramException.of(Reason.CUSTOM_BUCKETS_MISMATCH, "only " + n
                    + " custom bounds defined which is insufficient to cover total span length of " + totalSpanLength);
        }
    }
}
