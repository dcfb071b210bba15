package io.mnemo.tsdb.histogram;

import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.InvalidHistogramException.Reason;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Validation with Prometheus's messages, case by case as {@code TestHistogramValidation}
 * (model/histogram/histogram_test.go) states them; each float check runs on the converted
 * histogram where Prometheus's test does so too (not "skipFloat").
 */
class HistogramValidationTest {
    private static final int[] NONE = new int[0];
    private static final long[] EMPTY = new long[0];
    private static final int CUSTOM = Histogram.CUSTOM_BUCKETS_SCHEMA;

    private static Histogram h(int schema, double zt, long zc, long count, double sum, int[] pSpans, long[] pBuckets,
                               int[] nSpans, long[] nBuckets, double[] custom) {
        return Histogram.of(schema, zt, zc, count, sum, pSpans, pBuckets, nSpans, nBuckets, custom, CounterResetHint.UNKNOWN);
    }

    private static void rejects(Histogram h, Reason reason, String message, boolean alsoFloat) {
        InvalidHistogramException e = assertThrows(InvalidHistogramException.class, h::validate);
        assertEquals(message, e.getMessage());
        assertEquals(reason, e.reason());
        if (alsoFloat) {
            InvalidHistogramException f = assertThrows(InvalidHistogramException.class, () -> h.toFloat().validate());
            assertEquals(message, f.getMessage(), "float");
        }
    }

    @Test
    void validHistograms() {
        h(1, 0.001, 2, 12, 19.4, new int[] {0, 2, 1, 2}, new long[] {1, 1, -1, 0}, new int[] {0, 2, 1, 2},
                new long[] {1, 1, -1, 0}, null).validate(); // "valid histogram"
        Histogram nan = h(0, 0, 2, 4, Double.NaN, new int[] {0, 1}, new long[] {1}, NONE, EMPTY, null);
        nan.validate(); // "valid histogram with NaN observations that has its Count (4) higher than ..."
        nan.toFloat().validate();
        Histogram custom = h(CUSTOM, 0, 0, 5, 19.4, new int[] {0, 2, 1, 2}, new long[] {1, 1, -1, 0}, NONE, EMPTY,
                new double[] {1, 2, 3, 4});
        custom.validate(); // "valid custom buckets histogram"
        custom.toFloat().validate();
    }

    @Test
    void countMustMatchTheBuckets() {
        rejects(h(0, 0, 2, 4, 333, new int[] {0, 1}, new long[] {1}, NONE, EMPTY, null), Reason.COUNT_MISMATCH,
                "3 observations found in buckets, but the Count field is 4: histogram's observation count should equal"
                        + " the number of observations found in the buckets (in absence of NaN)", false);
        rejects(h(0, 0, 0, 0, 0, new int[] {-1, 1}, new long[] {1}, new int[] {-1, 1}, new long[] {1}, null), Reason.COUNT_MISMATCH,
                "2 observations found in buckets, but the Count field is 0: histogram's observation count should equal"
                        + " the number of observations found in the buckets (in absence of NaN)", false);
        rejects(h(0, 0, 1, 2, 0, new int[] {-1, 1}, new long[] {1}, new int[] {-1, 1}, new long[] {1}, null), Reason.COUNT_MISMATCH,
                "3 observations found in buckets, but the Count field is 2: histogram's observation count should equal"
                        + " the number of observations found in the buckets (in absence of NaN)", false);
        rejects(h(0, 0, 2, 2, Double.NaN, new int[] {0, 1}, new long[] {1}, NONE, EMPTY, null), Reason.COUNT_NOT_BIG_ENOUGH,
                "3 observations found in buckets, but the Count field is 2: histogram's observation count should be at"
                        + " least the number of observations found in the buckets", false);
    }

    @Test
    void spansMustDescribeTheBuckets() {
        String mismatch = "histogram spans specify different number of buckets than provided";
        rejects(h(0, 0, 0, 0, 0, NONE, EMPTY, new int[] {0, 1}, EMPTY, null), Reason.SPANS_BUCKETS_MISMATCH,
                "negative side: spans need 1 buckets, have 0 buckets: " + mismatch, false);
        rejects(h(0, 0, 0, 0, 0, new int[] {0, 1}, EMPTY, NONE, EMPTY, null), Reason.SPANS_BUCKETS_MISMATCH,
                "positive side: spans need 1 buckets, have 0 buckets: " + mismatch, false);
        rejects(h(0, 0, 0, 0, 0, NONE, EMPTY, new int[] {0, 1}, new long[] {1, 2}, null), Reason.SPANS_BUCKETS_MISMATCH,
                "negative side: spans need 1 buckets, have 2 buckets: " + mismatch, false);
        rejects(h(0, 0, 0, 0, 0, new int[] {0, 1}, new long[] {1, 2}, NONE, EMPTY, null), Reason.SPANS_BUCKETS_MISMATCH,
                "positive side: spans need 1 buckets, have 2 buckets: " + mismatch, false);
        rejects(h(0, 0, 0, 0, 0, NONE, EMPTY, new int[] {-1, 1, -1, 1}, new long[] {1, 2}, null), Reason.SPAN_NEGATIVE_OFFSET,
                "negative side: span number 2 with offset -1: histogram has a span whose offset is negative", true);
        rejects(h(0, 0, 0, 0, 0, new int[] {-1, 1, -1, 1}, new long[] {1, 2}, NONE, EMPTY, null), Reason.SPAN_NEGATIVE_OFFSET,
                "positive side: span number 2 with offset -1: histogram has a span whose offset is negative", true);
    }

    @Test
    void bucketCountsMustNotBeNegative() {
        rejects(h(0, 0, 0, 0, 0, NONE, EMPTY, new int[] {-1, 1}, new long[] {-1}, null), Reason.NEGATIVE_BUCKET_COUNT,
                "negative side: bucket number 1 has observation count of -1: histogram has a bucket whose observation"
                        + " count is negative", true);
        rejects(h(0, 0, 0, 0, 0, new int[] {-1, 1}, new long[] {-1}, NONE, EMPTY, null), Reason.NEGATIVE_BUCKET_COUNT,
                "positive side: bucket number 1 has observation count of -1: histogram has a bucket whose observation"
                        + " count is negative", true);
    }

    @Test
    void customBucketRules() {
        int[] spans = {0, 2, 1, 2};
        long[] buckets = {1, 1, -1, 0};
        rejects(h(CUSTOM, 0.001, 2, 12, 19.4, spans, buckets, spans, buckets, null), Reason.CUSTOM_BUCKETS_MISMATCH,
                "custom buckets: only 0 custom bounds defined which is insufficient to cover total span length of 5:"
                        + " histogram custom bounds are too few", true);
        rejects(h(0, 0, 0, 5, 19.4, spans, buckets, NONE, EMPTY, new double[] {1, 2, 3, 4}), Reason.EXPONENTIAL_SCHEMA_CUSTOM_BOUNDS,
                "histogram with exponential schema must not have custom bounds", false);
        rejects(h(CUSTOM, 0.001, 2, 12, 19.4, spans, buckets, spans, buckets, new double[] {1, 2, 3, 4}),
                Reason.CUSTOM_BUCKETS_ZERO_COUNT, "custom buckets: must have zero count of 0", false);
        rejects(h(CUSTOM, 0, 0, 5, 19.4, new int[] {-1, 2, 1, 2}, buckets, NONE, EMPTY, new double[] {1, 2, 3, 4}),
                Reason.SPAN_NEGATIVE_OFFSET, "custom buckets: span number 1 with offset -1: histogram has a span whose offset is negative", true);
        rejects(h(CUSTOM, 0, 0, 5, 19.4, new int[] {0, 2, -1, 2}, buckets, NONE, EMPTY, new double[] {1, 2, 3, 4}),
                Reason.SPAN_NEGATIVE_OFFSET, "custom buckets: span number 2 with offset -1: histogram has a span whose offset is negative", true);
        rejects(h(CUSTOM, 0, 0, 5, 19.4, spans, new long[] {1, 1, -1}, NONE, EMPTY, new double[] {1, 2, 3, 4}),
                Reason.SPANS_BUCKETS_MISMATCH, "custom buckets: spans need 4 buckets, have 3 buckets: histogram spans"
                        + " specify different number of buckets than provided", false);
        rejects(h(CUSTOM, 0, 0, 5, 19.4, spans, buckets, NONE, EMPTY, new double[] {1, 2, 3}), Reason.CUSTOM_BUCKETS_MISMATCH,
                "custom buckets: only 3 custom bounds defined which is insufficient to cover total span length of 5:"
                        + " histogram custom bounds are too few", true);
        rejects(h(CUSTOM, 0, 0, 5, 19.4, spans, buckets, NONE, EMPTY, new double[] {1, 3, 2, 4}), Reason.CUSTOM_BUCKETS_INVALID,
                "custom buckets: previous bound is 3.000000 and current is 2.000000: histogram custom bounds must be in"
                        + " strictly increasing order", true);
        rejects(h(CUSTOM, 0, 0, 5, 19.4, spans, buckets, NONE, EMPTY, new double[] {1, 2, 3, Double.POSITIVE_INFINITY}),
                Reason.CUSTOM_BUCKETS_INFINITE, "custom buckets: last +Inf bound must not be explicitly defined: histogram"
                        + " custom bounds must be finite", true);
        rejects(h(CUSTOM, 0, 0, 5, 19.4, spans, buckets, NONE, EMPTY, new double[] {1, Double.NaN, 3, 4}),
                Reason.CUSTOM_BUCKETS_NAN, "custom buckets: histogram custom bounds must not be NaN", true);
    }

    @Test
    void schemaMustBeKnown() {
        rejects(h(9, 0, 0, 0, 0, NONE, EMPTY, NONE, EMPTY, null), Reason.INVALID_SCHEMA,
                "histogram has an invalid schema, which must be between -4 and 8 for exponential buckets, or -53 for"
                        + " custom buckets, got schema 9", true);
    }

    @Test
    void floatCountsMustNotBeNegative() {
        FloatHistogram f = FloatHistogram.of(0, 0, 0, -1, 0, NONE, new double[0], NONE, new double[0], null, CounterResetHint.UNKNOWN);
        InvalidHistogramException e = assertThrows(InvalidHistogramException.class, f::validate);
        assertEquals("observation count is  -1: histogram's observation count is negative", e.getMessage());
        FloatHistogram z = FloatHistogram.of(0, 0, -0.5, 0, 0, NONE, new double[0], NONE, new double[0], null, CounterResetHint.UNKNOWN);
        e = assertThrows(InvalidHistogramException.class, z::validate);
        assertEquals("zero bucket has observation count of -0.5: histogram has a bucket whose observation count is negative",
                e.getMessage());
    }
}
