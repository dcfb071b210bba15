package io.mnemo.tsdb.histogram;

import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.InvalidHistogramException.Reason;

import java.util.Arrays;

/**
 * A native histogram sample with integer counts, as Prometheus's {@code histogram.Histogram}
 * holds it and as remote write and the histogram chunk encoding carry it: exponential buckets
 * of a schema (-4..8) on both sides of a zero bucket, or custom buckets (schema -53) with
 * explicit upper bounds. Each side is a list of spans, (offset, length) pairs interleaved, the
 * first offset absolute and the others relative to the end of the previous span, and one
 * bucket value per spanned bucket, each the difference to the previous bucket's count (the
 * first is its count).
 *
 * <p>Spans are kept exactly as given, never normalised: the chunk layout writes them as they
 * are. Instances are mutable only through {@link #set}, which chunk iterators use to refill a
 * caller's instance; arrays handed in by {@link #of} are copied, the custom bounds are shared
 * (they are never changed, as Prometheus interns them).
 */
public final class Histogram {
    public static final int EXPONENTIAL_SCHEMA_MIN = -4;
    public static final int EXPONENTIAL_SCHEMA_MAX = 8;
    public static final int CUSTOM_BUCKETS_SCHEMA = FloatHistogram.CUSTOM_BUCKETS_SCHEMA;

    private static final int[] NO_SPANS = new int[0];
    private static final long[] NO_BUCKETS = new long[0];

    private CounterResetHint hint = CounterResetHint.UNKNOWN;
    private int schema;
    private double zeroThreshold;
    private long zeroCount;
    private long count;
    private double sum;
    private int[] positiveSpans = NO_SPANS;
    private long[] positiveBuckets = NO_BUCKETS;
    private int[] negativeSpans = NO_SPANS;
    private long[] negativeBuckets = NO_BUCKETS;
    private double[] customValues;

    /** An empty histogram (schema 0, no buckets), to be filled by {@link #set} or an iterator. */
    public Histogram() {}

    /**
     * A histogram in Prometheus's representation; arrays are copied. Counts are unsigned in
     * Prometheus; values above {@link Long#MAX_VALUE} are not supported.
     *
     * @param positiveSpans   offsets and lengths, interleaved
     * @param positiveBuckets per spanned bucket, the delta to the previous bucket's count
     * @param customValues    custom upper bounds (schema -53 only), else null
     */
    public static Histogram of(int schema, double zeroThreshold, long zeroCount, long count, double sum,
                               int[] positiveSpans, long[] positiveBuckets, int[] negativeSpans,
                               long[] negativeBuckets, double[] customValues, CounterResetHint hint) {
        Histogram h = new Histogram();
        h.set(hint, schema, zeroThreshold, zeroCount, count, sum);
        h.setPositive(positiveSpans, positiveSpans.length, positiveBuckets, positiveBuckets.length);
        h.setNegative(negativeSpans, negativeSpans.length, negativeBuckets, negativeBuckets.length);
        h.setCustomValues(customValues == null ? null : customValues.clone());
        return h;
    }

    /** A stale marker: no buckets, Prometheus's StaleNaN as the sum. */
    public static Histogram staleMarker() {
        Histogram h = new Histogram();
        h.sum = StaleNaN.VALUE;
        return h;
    }

    // ---- refilling, for decoders ----

    /** Sets the scalar fields; the buckets stay as they are. */
    public Histogram set(CounterResetHint hint, int schema, double zeroThreshold, long zeroCount, long count, double sum) {
        this.hint = hint == null ? CounterResetHint.UNKNOWN : hint;
        this.schema = schema;
        this.zeroThreshold = zeroThreshold;
        this.zeroCount = zeroCount;
        this.count = count;
        this.sum = sum;
        return this;
    }

    /** Copies the first {@code spanInts} span ints and {@code n} buckets, reusing this histogram's arrays when sizes match. */
    public void setPositive(int[] spans, int spanInts, long[] buckets, int n) {
        positiveSpans = fill(positiveSpans, spans, spanInts);
        positiveBuckets = fill(positiveBuckets, buckets, n);
    }

    /** Like {@link #setPositive} for the negative side. */
    public void setNegative(int[] spans, int spanInts, long[] buckets, int n) {
        negativeSpans = fill(negativeSpans, spans, spanInts);
        negativeBuckets = fill(negativeBuckets, buckets, n);
    }

    /** Sets the custom bounds by reference (null for exponential schemas); they must not be changed afterwards. */
    public void setCustomValues(double[] customValues) {
        this.customValues = customValues;
    }

    private static int[] fill(int[] mine, int[] src, int n) {
        if (n == 0) return NO_SPANS;
        if (mine.length != n) mine = new int[n];
        System.arraycopy(src, 0, mine, 0, n);
        return mine;
    }

    private static long[] fill(long[] mine, long[] src, int n) {
        if (n == 0) return NO_BUCKETS;
        if (mine.length != n) mine = new long[n];
        System.arraycopy(src, 0, mine, 0, n);
        return mine;
    }

    // ---- accessors; the indexed ones allocate nothing ----

    public CounterResetHint counterResetHint() { return hint; }
    public int schema() { return schema; }
    public double zeroThreshold() { return zeroThreshold; }
    public long zeroCount() { return zeroCount; }
    public long count() { return count; }
    public double sum() { return sum; }
    public boolean usesCustomBuckets() { return schema == CUSTOM_BUCKETS_SCHEMA; }
    /** Whether this is a stale marker (its sum is Prometheus's StaleNaN). */
    public boolean isStale() { return StaleNaN.is(sum); }

    /** Number of ints in the positive spans array: twice the number of spans. */
    public int positiveSpanInts() { return positiveSpans.length; }
    /** Int {@code i} of the positive spans: offsets at even, lengths at odd positions. */
    public int positiveSpan(int i) { return positiveSpans[i]; }
    public int positiveBucketCount() { return positiveBuckets.length; }
    /** Positive bucket {@code i}: its count minus the previous bucket's. */
    public long positiveBucket(int i) { return positiveBuckets[i]; }
    public int negativeSpanInts() { return negativeSpans.length; }
    public int negativeSpan(int i) { return negativeSpans[i]; }
    public int negativeBucketCount() { return negativeBuckets.length; }
    public long negativeBucket(int i) { return negativeBuckets[i]; }
    public int customValueCount() { return customValues == null ? 0 : customValues.length; }
    public double customValue(int i) { return customValues[i]; }

    public int[] positiveSpans() { return positiveSpans.clone(); }
    public long[] positiveBuckets() { return positiveBuckets.clone(); }
    public int[] negativeSpans() { return negativeSpans.clone(); }
    public long[] negativeBuckets() { return negativeBuckets.clone(); }
    /** The custom upper bounds (without +Inf), shared, not copied; null for exponential schemas. */
    public double[] customValuesShared() { return customValues; }

    /** Makes this histogram equal to {@code src}, reusing its arrays when sizes match (custom bounds shared). */
    public Histogram setFrom(Histogram src) {
        set(src.hint, src.schema, src.zeroThreshold, src.zeroCount, src.count, src.sum);
        setPositive(src.positiveSpans, src.positiveSpans.length, src.positiveBuckets, src.positiveBuckets.length);
        setNegative(src.negativeSpans, src.negativeSpans.length, src.negativeBuckets, src.negativeBuckets.length);
        customValues = src.customValues;
        return this;
    }

    public Histogram copy() {
        return of(schema, zeroThreshold, zeroCount, count, sum, positiveSpans, positiveBuckets, negativeSpans,
                negativeBuckets, customValues, hint);
    }

    // ---- conversion ----

    /** The same histogram with float counts, as PromQL computes with it. */
    public FloatHistogram toFloat() {
        return toFloat(null);
    }

    /**
     * The same histogram with float counts, written into {@code reuse} when given (its arrays
     * reused when sizes match) so a decoder can convert every sample without garbage.
     */
    public FloatHistogram toFloat(FloatHistogram reuse) {
        FloatHistogram f = reuse != null ? reuse : FloatHistogram.empty();
        f.reset(hint, schema, zeroThreshold, zeroCount, count, sum, customValues);
        f.resetBuckets(true, positiveSpans, positiveSpans.length, positiveBuckets, positiveBuckets.length);
        f.resetBuckets(false, negativeSpans, negativeSpans.length, negativeBuckets, negativeBuckets.length);
        return f;
    }

    // ---- validation ----

    /**
     * Prometheus's {@code Histogram.Validate}: a known schema, spans that describe as many
     * buckets as given without negative offsets (but the first), no negative bucket counts,
     * custom bounds that are increasing and finite and cover the spans (and no zero bucket or
     * negative side with them), and a count equal to the buckets' total (at least the total
     * when the sum is NaN).
     *
     * @throws InvalidHistogramException naming the broken rule in Prometheus's words
     */
    public void validate() {
        long nCount = 0;
        if (usesCustomBuckets()) {
            try {
                Validation.checkCustomBounds(customValues, positiveSpans, positiveBuckets.length);
            } catch (InvalidHistogramException e) {
                throw e.prefixed("custom buckets: ");
            }
            if (zeroCount != 0) throw InvalidHistogramException.of(Reason.CUSTOM_BUCKETS_ZERO_COUNT, null);
            if (zeroThreshold != 0) throw InvalidHistogramException.of(Reason.CUSTOM_BUCKETS_ZERO_THRESHOLD, null);
            if (negativeSpans.length > 0) throw InvalidHistogramException.of(Reason.CUSTOM_BUCKETS_NEGATIVE_SPANS, null);
            if (negativeBuckets.length > 0) throw InvalidHistogramException.of(Reason.CUSTOM_BUCKETS_NEGATIVE_BUCKETS, null);
        } else if (schema >= EXPONENTIAL_SCHEMA_MIN && schema <= EXPONENTIAL_SCHEMA_MAX) {
            Validation.checkSpans(positiveSpans, positiveBuckets.length, "positive side: ");
            Validation.checkSpans(negativeSpans, negativeBuckets.length, "negative side: ");
            nCount = bucketTotal(negativeBuckets, "negative side: ");
            if (customValues != null) throw InvalidHistogramException.of(Reason.EXPONENTIAL_SCHEMA_CUSTOM_BOUNDS, null);
        } else {
            throw Validation.invalidSchema(schema);
        }
        long pCount = bucketTotal(positiveBuckets, "positive side: ");
        long total = nCount + pCount + zeroCount;
        if (Double.isNaN(sum)) {
            if (Long.compareUnsigned(total, count) > 0) {
                throw InvalidHistogramException.of(Reason.COUNT_NOT_BIG_ENOUGH, Long.toUnsignedString(total)
                        + " observations found in buckets, but the Count field is " + Long.toUnsignedString(count));
            }
        } else if (total != count) {
            throw InvalidHistogramException.of(Reason.COUNT_MISMATCH, Long.toUnsignedString(total)
                    + " observations found in buckets, but the Count field is " + Long.toUnsignedString(count));
        }
    }

    private static long bucketTotal(long[] deltas, String side) {
        long last = 0;
        long total = 0;
        for (int i = 0; i < deltas.length; i++) {
            long c = last + deltas[i];
            if (c < 0) {
                throw InvalidHistogramException.of(Reason.NEGATIVE_BUCKET_COUNT,
                        "bucket number " + (i + 1) + " has observation count of " + c).prefixed(side);
            }
            last = c;
            total += c;
        }
        return total;
    }

    // ---- equality ----

    /** Equal field by field, spans as written, sums bit for bit. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Histogram h && h.hint == hint && equalsIgnoringHint(h);
    }

    /**
     * Prometheus's {@code Histogram.Equals}: the same sample whatever the counter reset hint says
     * (how a head tells an exact repeat from another value at the same timestamp).
     */
    public boolean equalsIgnoringHint(Histogram h) {
        return h != null && h.schema == schema
                && Double.doubleToRawLongBits(h.zeroThreshold) == Double.doubleToRawLongBits(zeroThreshold)
                && h.zeroCount == zeroCount && h.count == count
                && Double.doubleToRawLongBits(h.sum) == Double.doubleToRawLongBits(sum)
                && Arrays.equals(h.positiveSpans, positiveSpans) && Arrays.equals(h.positiveBuckets, positiveBuckets)
                && Arrays.equals(h.negativeSpans, negativeSpans) && Arrays.equals(h.negativeBuckets, negativeBuckets)
                && Arrays.equals(h.customValues, customValues);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(count) + Double.hashCode(sum)) + schema;
    }

    @Override
    public String toString() {
        return "Histogram{hint=" + hint + ", schema=" + schema + ", zeroThreshold=" + zeroThreshold
                + ", zeroCount=" + zeroCount + ", count=" + count + ", sum=" + sum
                + ", positiveSpans=" + Arrays.toString(positiveSpans) + ", positiveBuckets=" + Arrays.toString(positiveBuckets)
                + ", negativeSpans=" + Arrays.toString(negativeSpans) + ", negativeBuckets=" + Arrays.toString(negativeBuckets)
                + (customValues == null ? "" : ", customValues=" + Arrays.toString(customValues)) + "}";
    }
}
