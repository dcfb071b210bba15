package io.mnemo.tsdb.histogram;

import static io.mnemo.tsdb.GoFloats.formatG;

import io.mnemo.tsdb.GoFloats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A native histogram sample with float counts, as PromQL computes with it: exponential buckets
 * of a schema (-4..8, each power of two split into 2^schema buckets) on both sides of a zero
 * bucket, or custom buckets (schema -53) with explicit upper bounds. Each side is kept as the
 * sorted indices of its buckets with their counts; a bucket may be present with a zero count
 * (as within a Prometheus span) until {@link #compact()} drops those.
 *
 * <p>Arithmetic methods change the receiver and return it; {@link #copy()} first when the
 * original must stay. Instances handed to the engine by storage must not be changed afterwards.
 */
public final class FloatHistogram {
    public static final int CUSTOM_BUCKETS_SCHEMA = -53;
    /** {@link #add}/{@link #sub} flag: one side said counter reset, the other no counter reset. */
    public static final int COUNTER_RESET_COLLISION = 1;
    /** {@link #add}/{@link #sub} flag: custom bucket bounds differed and were reduced to the common ones. */
    public static final int CUSTOM_BUCKETS_RECONCILED = 2;

    private static final int[] NO_INDEX = new int[0];
    private static final double[] NO_COUNT = new double[0];

    public enum CounterResetHint { UNKNOWN, COUNTER_RESET, NOT_COUNTER_RESET, GAUGE }

    /** Exponential and custom bucket histograms cannot be combined. */
    public static final class IncompatibleSchemaException extends RuntimeException {
        public IncompatibleSchemaException() {
            super("cannot apply this operation on histograms with a mix of exponential and custom bucket schemas");
        }
    }

    private CounterResetHint hint = CounterResetHint.UNKNOWN;
    private int schema;
    private double zeroThreshold;
    private double zeroCount;
    private double count;
    private double sum;
    private int[] posIdx = NO_INDEX;
    private double[] posCnt = NO_COUNT;
    private int[] negIdx = NO_INDEX;
    private double[] negCnt = NO_COUNT;
    /** Upper bounds of the custom buckets but the last (+Inf); null for exponential schemas. */
    private double[] customValues;

    private FloatHistogram() {}

    /**
     * A histogram from Prometheus's span notation: each side's buckets are described by spans of
     * (offset, length) pairs, the first offset absolute, the others relative to the previous span's end.
     *
     * @param positiveSpans offsets and lengths, interleaved
     * @param customValues  custom upper bounds (schema -53 only), else null
     */
    public static FloatHistogram of(int schema, double zeroThreshold, double zeroCount, double count, double sum,
                                    int[] positiveSpans, double[] positiveBuckets, int[] negativeSpans,
                                    double[] negativeBuckets, double[] customValues, CounterResetHint hint) {
        FloatHistogram h = new FloatHistogram();
        h.schema = schema;
        h.zeroThreshold = zeroThreshold;
        h.zeroCount = zeroCount;
        h.count = count;
        h.sum = sum;
        h.hint = hint == null ? CounterResetHint.UNKNOWN : hint;
        h.customValues = schema == CUSTOM_BUCKETS_SCHEMA ? (customValues == null ? new double[0] : customValues.clone()) : null;
        h.posIdx = indices(positiveSpans, positiveBuckets.length);
        h.posCnt = positiveBuckets.clone();
        h.negIdx = indices(negativeSpans, negativeBuckets.length);
        h.negCnt = negativeBuckets.clone();
        return h;
    }

    private static int[] indices(int[] spans, int n) {
        int[] idx = new int[n];
        int k = 0;
        int index = 0;
        for (int s = 0; s + 1 < spans.length; s += 2) {
            index += spans[s];
            for (int j = 0; j < spans[s + 1]; j++) {
                if (k >= n) throw new IllegalArgumentException("spans describe more buckets than given");
                idx[k++] = index++;
            }
        }
        if (k != n) throw new IllegalArgumentException("spans describe " + k + " buckets, " + n + " given");
        return idx;
    }

    public int schema() { return schema; }
    public double zeroThreshold() { return zeroThreshold; }
    public double zeroCount() { return zeroCount; }
    public double count() { return count; }
    public double sum() { return sum; }
    public CounterResetHint counterResetHint() { return hint; }
    public void setCounterResetHint(CounterResetHint h) { hint = h; }
    public boolean usesCustomBuckets() { return schema == CUSTOM_BUCKETS_SCHEMA; }
    /** The custom upper bounds (without the last, +Inf), or null for an exponential schema. */
    public double[] customValues() { return customValues == null ? null : customValues.clone(); }

    /** Bucket indices and counts of one side, in index order (for encoders and tests). */
    public int[] positiveIndices() { return posIdx.clone(); }
    public double[] positiveCounts() { return posCnt.clone(); }
    public int[] negativeIndices() { return negIdx.clone(); }
    public double[] negativeCounts() { return negCnt.clone(); }

    /** Buckets of the positive side (empty ones included); with the indexed accessors below, read without copies. */
    public int positiveBucketCount() { return posIdx.length; }
    public int positiveIndex(int i) { return posIdx[i]; }
    public double positiveCount(int i) { return posCnt[i]; }
    public int negativeBucketCount() { return negIdx.length; }
    public int negativeIndex(int i) { return negIdx[i]; }
    public double negativeCount(int i) { return negCnt[i]; }
    public int customValueCount() { return customValues == null ? 0 : customValues.length; }
    public double customValue(int i) { return customValues[i]; }

    // ---- refilling, for decoders ----

    /** An empty histogram (schema 0, no buckets) for a decoder to fill with {@link #reset}. */
    public static FloatHistogram empty() {
        return new FloatHistogram();
    }

    /**
     * Overwrites the fields but the buckets: how chunk iterators refill a caller's instance
     * instead of allocating one per sample. Custom bounds are kept by reference and must not be
     * changed afterwards (as everywhere in this class).
     */
    public FloatHistogram reset(CounterResetHint hint, int schema, double zeroThreshold, double zeroCount, double count,
                                double sum, double[] customValues) {
        this.hint = hint == null ? CounterResetHint.UNKNOWN : hint;
        this.schema = schema;
        this.zeroThreshold = zeroThreshold;
        this.zeroCount = zeroCount;
        this.count = count;
        this.sum = sum;
        this.customValues = schema == CUSTOM_BUCKETS_SCHEMA ? (customValues == null ? NO_COUNT : customValues) : null;
        return this;
    }

    /** Makes this histogram equal to {@code src}, reusing its arrays when sizes match (custom bounds shared). */
    public FloatHistogram setFrom(FloatHistogram src) {
        reset(src.hint, src.schema, src.zeroThreshold, src.zeroCount, src.count, src.sum, src.customValues);
        resetBuckets(true, src.posIdx, src.posCnt, src.posIdx.length);
        resetBuckets(false, src.negIdx, src.negCnt, src.negIdx.length);
        return this;
    }

    /** Overwrites one side's buckets with {@code n} indices and counts, reusing this histogram's arrays when the size matches. */
    public void resetBuckets(boolean positive, int[] idx, double[] cnt, int n) {
        if (n == 0) {
            setSide(positive, NO_INDEX, NO_COUNT);
            return;
        }
        int[] i = positive ? posIdx : negIdx;
        double[] c = positive ? posCnt : negCnt;
        if (i.length != n) {
            i = n == 0 ? NO_INDEX : new int[n];
            c = n == 0 ? NO_COUNT : new double[n];
        }
        System.arraycopy(idx, 0, i, 0, n);
        System.arraycopy(cnt, 0, c, 0, n);
        setSide(positive, i, c);
    }

    /** Overwrites one side from spans and integer bucket deltas (Histogram's representation). */
    void resetBuckets(boolean positive, int[] spans, int spanInts, long[] deltas, int n) {
        int[] i = positive ? posIdx : negIdx;
        double[] c = positive ? posCnt : negCnt;
        if (i.length != n) {
            i = n == 0 ? NO_INDEX : new int[n];
            c = n == 0 ? NO_COUNT : new double[n];
        }
        int k = 0;
        int index = 0;
        long current = 0;
        for (int s = 0; s + 1 < spanInts; s += 2) {
            index += spans[s];
            for (int j = 0; j < spans[s + 1]; j++) {
                if (k >= n) throw new IllegalArgumentException("spans describe more buckets than given");
                current += deltas[k];
                i[k] = index++;
                c[k++] = current;
            }
        }
        if (k != n) throw new IllegalArgumentException("spans describe " + k + " buckets, " + n + " given");
        setSide(positive, i, c);
    }

    private void setSide(boolean positive, int[] idx, double[] cnt) {
        if (positive) {
            posIdx = idx;
            posCnt = cnt;
        } else {
            negIdx = idx;
            negCnt = cnt;
        }
    }

    /**
     * Prometheus's {@code FloatHistogram.Validate}: a known schema, buckets in increasing index
     * order (spans without negative offsets but the first), no negative count anywhere, custom
     * bounds that are increasing and finite and cover the buckets (and no zero bucket or negative
     * side with them). Unlike integer histograms, the count need not match the buckets.
     *
     * @throws InvalidHistogramException naming the broken rule in Prometheus's words
     */
    public void validate() {
        if (usesCustomBuckets()) {
            try {
                Validation.checkCustomBounds(customValues, spansOf(posIdx), posIdx.length);
            } catch (InvalidHistogramException e) {
                throw e.prefixed("custom buckets: ");
            }
            if (zeroCount != 0) throw InvalidHistogramException.of(InvalidHistogramException.Reason.CUSTOM_BUCKETS_ZERO_COUNT, null);
            if (zeroThreshold != 0) throw InvalidHistogramException.of(InvalidHistogramException.Reason.CUSTOM_BUCKETS_ZERO_THRESHOLD, null);
            if (negIdx.length > 0) throw InvalidHistogramException.of(InvalidHistogramException.Reason.CUSTOM_BUCKETS_NEGATIVE_SPANS, null);
        } else if (schema >= Histogram.EXPONENTIAL_SCHEMA_MIN && schema <= Histogram.EXPONENTIAL_SCHEMA_MAX) {
            Validation.checkSpans(spansOf(posIdx), posIdx.length, "positive side: ");
            Validation.checkSpans(spansOf(negIdx), negIdx.length, "negative side: ");
            checkCounts(negCnt, "negative side: ");
            if (zeroCount < 0) {
                throw InvalidHistogramException.of(InvalidHistogramException.Reason.NEGATIVE_BUCKET_COUNT,
                        "zero bucket has observation count of " + GoFloats.formatV(zeroCount));
            }
            if (customValues != null) throw InvalidHistogramException.of(InvalidHistogramException.Reason.EXPONENTIAL_SCHEMA_CUSTOM_BOUNDS, null);
        } else {
            throw Validation.invalidSchema(schema);
        }
        if (count < 0) {
            throw InvalidHistogramException.of(InvalidHistogramException.Reason.NEGATIVE_COUNT,
                    "observation count is  " + GoFloats.formatV(count)); // two spaces, as Prometheus writes it
        }
        checkCounts(posCnt, "positive side: ");
    }

    private static void checkCounts(double[] cnt, String side) {
        for (int i = 0; i < cnt.length; i++) {
            if (cnt[i] < 0) {
                throw InvalidHistogramException.of(InvalidHistogramException.Reason.NEGATIVE_BUCKET_COUNT,
                        "bucket number " + (i + 1) + " has observation count of " + GoFloats.formatV(cnt[i])).prefixed(side);
            }
        }
    }

    /**
     * The spans of sorted bucket indices, (offset, length) interleaved, each run of consecutive
     * indices one span: the form Prometheus's own code produces. Indices that go down give a
     * negative offset, which validation reports.
     */
    public static int[] spansOf(int[] idx) {
        return spansOf(idx, idx.length);
    }

    /** {@link #spansOf(int[])} of the first {@code n} indices. */
    public static int[] spansOf(int[] idx, int n) {
        if (n == 0) return NO_INDEX;
        int spans = 1;
        for (int i = 1; i < n; i++) if (idx[i] != idx[i - 1] + 1) spans++;
        int[] out = new int[2 * spans];
        int s = 0;
        out[0] = idx[0];
        out[1] = 1;
        for (int i = 1; i < n; i++) {
            if (idx[i] == idx[i - 1] + 1) {
                out[s + 1]++;
            } else {
                s += 2;
                out[s] = idx[i] - idx[i - 1] - 1;
                out[s + 1] = 1;
            }
        }
        return out;
    }

    public FloatHistogram copy() {
        FloatHistogram c = new FloatHistogram();
        c.hint = hint;
        c.schema = schema;
        c.zeroThreshold = zeroThreshold;
        c.zeroCount = zeroCount;
        c.count = count;
        c.sum = sum;
        c.posIdx = posIdx.clone();
        c.posCnt = posCnt.clone();
        c.negIdx = negIdx.clone();
        c.negCnt = negCnt.clone();
        c.customValues = customValues;
        return c;
    }

    /** A copy whose counter reset hint is unknown, unless it is a gauge. */
    public FloatHistogram withUnknownCounterReset() {
        if (hint != CounterResetHint.COUNTER_RESET && hint != CounterResetHint.NOT_COUNTER_RESET) return this;
        FloatHistogram c = copy();
        c.hint = CounterResetHint.UNKNOWN;
        return c;
    }

    /** How many samples this histogram counts as for the engine's sample limit (as Prometheus sizes it). */
    public int sampleSize() {
        int bytes = 168 + 8 * (spanCount(posIdx) + spanCount(negIdx) + posIdx.length + negIdx.length
                + (customValues == null ? 0 : customValues.length));
        return (bytes + 8) / 16;
    }

    private static int spanCount(int[] idx) {
        int n = 0;
        for (int i = 0; i < idx.length; i++) if (i == 0 || idx[i] != idx[i - 1] + 1) n++;
        return n;
    }

    // ---- scaling ----

    /** Scales every count and the sum; a negative factor makes it a gauge. */
    public FloatHistogram mul(double factor) {
        zeroCount *= factor;
        count *= factor;
        sum *= factor;
        for (int i = 0; i < posCnt.length; i++) posCnt[i] *= factor;
        for (int i = 0; i < negCnt.length; i++) negCnt[i] *= factor;
        if (factor < 0) hint = CounterResetHint.GAUGE;
        return this;
    }

    /** Divides every count and the sum; dividing by zero removes all buckets. */
    public FloatHistogram div(double divisor) {
        zeroCount /= divisor;
        count /= divisor;
        sum /= divisor;
        if (divisor == 0) {
            posIdx = NO_INDEX;
            posCnt = NO_COUNT;
            negIdx = NO_INDEX;
            negCnt = NO_COUNT;
            return this;
        }
        for (int i = 0; i < posCnt.length; i++) posCnt[i] /= divisor;
        for (int i = 0; i < negCnt.length; i++) negCnt[i] /= divisor;
        if (divisor < 0) hint = CounterResetHint.GAUGE;
        return this;
    }

    // ---- addition and subtraction ----

    /**
     * Adds another histogram into this one, reconciling zero thresholds and schemas (to the lower
     * resolution) and custom bounds (to the common ones).
     *
     * @return {@link #COUNTER_RESET_COLLISION} and/or {@link #CUSTOM_BUCKETS_RECONCILED}
     * @throws IncompatibleSchemaException when one histogram has custom buckets and the other not
     */
    public int add(FloatHistogram other) { return combine(other, false); }

    /** Like {@link #add}, subtracting. The caller marks a result of PromQL's "-" as a gauge. */
    public int sub(FloatHistogram other) { return combine(other, true); }

    private int combine(FloatHistogram other, boolean negate) {
        if (usesCustomBuckets() != other.usesCustomBuckets()) throw new IncompatibleSchemaException();
        int flags = adjustCounterReset(other) ? COUNTER_RESET_COLLISION : 0;
        double sign = negate ? -1 : 1;
        if (!usesCustomBuckets()) {
            // Reconciling may widen this zero bucket first, so read the zero count after it.
            double otherZeroCount = reconcileZeroBuckets(other);
            zeroCount += sign * otherZeroCount;
        }
        count += sign * other.count;
        sum += sign * other.sum;
        if (usesCustomBuckets()) {
            if (Arrays.equals(customValues, other.customValues)) {
                merge(true, other.posIdx, other.posCnt, sign, Double.NaN);
            } else {
                flags |= CUSTOM_BUCKETS_RECONCILED;
                double[] common = intersect(customValues, other.customValues);
                double[] mine = mapToBounds(posIdx, posCnt, customValues, common);
                double[] theirs = mapToBounds(other.posIdx, other.posCnt, other.customValues, common);
                List<Integer> idx = new ArrayList<>();
                List<Double> cnt = new ArrayList<>();
                for (int i = 0; i < mine.length; i++) {
                    double v = mine[i] + sign * theirs[i];
                    if (v == 0) continue;
                    idx.add(i);
                    cnt.add(v);
                }
                posIdx = idx.stream().mapToInt(Integer::intValue).toArray();
                posCnt = cnt.stream().mapToDouble(Double::doubleValue).toArray();
                customValues = common;
            }
            return flags;
        }
        int[] oPos = other.posIdx;
        double[] oPosC = other.posCnt;
        int[] oNeg = other.negIdx;
        double[] oNegC = other.negCnt;
        if (other.schema < schema) {
            reduceResolution(other.schema);
        } else if (other.schema > schema) {
            Reduced p = reduce(oPos, oPosC, other.schema, schema);
            Reduced n = reduce(oNeg, oNegC, other.schema, schema);
            oPos = p.idx;
            oPosC = p.cnt;
            oNeg = n.idx;
            oNegC = n.cnt;
        }
        merge(true, oPos, oPosC, sign, zeroThreshold);
        merge(false, oNeg, oNegC, sign, zeroThreshold);
        return flags;
    }

    /**
     * Adds sign * the other side's buckets into this side; with a threshold, buckets of the other
     * side whose upper bound is at most the threshold are ignored (they are in the zero bucket).
     */
    private void merge(boolean positive, int[] oIdx, double[] oCnt, double sign, double threshold) {
        int[] idx = positive ? posIdx : negIdx;
        double[] cnt = positive ? posCnt : negCnt;
        int[] outIdx = new int[idx.length + oIdx.length];
        double[] outCnt = new double[idx.length + oIdx.length];
        int i = 0;
        int j = 0;
        int k = 0;
        boolean belowThreshold = !Double.isNaN(threshold);
        while (i < idx.length || j < oIdx.length) {
            if (j < oIdx.length && belowThreshold) {
                if (bound(oIdx[j]) <= threshold) {
                    j++;
                    continue;
                }
                belowThreshold = false;
            }
            if (j >= oIdx.length || (i < idx.length && idx[i] < oIdx[j])) {
                outIdx[k] = idx[i];
                outCnt[k++] = cnt[i++];
            } else if (i >= idx.length || oIdx[j] < idx[i]) {
                outIdx[k] = oIdx[j];
                outCnt[k++] = sign * oCnt[j++];
            } else {
                outIdx[k] = idx[i];
                outCnt[k++] = cnt[i++] + sign * oCnt[j++];
            }
        }
        if (positive) {
            posIdx = Arrays.copyOf(outIdx, k);
            posCnt = Arrays.copyOf(outCnt, k);
        } else {
            negIdx = Arrays.copyOf(outIdx, k);
            negCnt = Arrays.copyOf(outCnt, k);
        }
    }

    private boolean adjustCounterReset(FloatHistogram other) {
        CounterResetHint o = other.hint;
        if (o == hint || hint == CounterResetHint.GAUGE) return false;
        if (o == CounterResetHint.GAUGE) {
            hint = CounterResetHint.GAUGE;
            return false;
        }
        if (hint == CounterResetHint.UNKNOWN) return false;
        if (o == CounterResetHint.UNKNOWN) {
            hint = CounterResetHint.UNKNOWN;
            return false;
        }
        hint = CounterResetHint.UNKNOWN;
        return true;
    }

    /**
     * Widens the zero bucket of this histogram or (virtually) of the other until both have one
     * that is not inside a populated bucket of either; returns the other's zero count for it.
     */
    private double reconcileZeroBuckets(FloatHistogram other) {
        double otherZeroCount = other.zeroCount;
        double otherThreshold = other.zeroThreshold;
        while (otherThreshold != zeroThreshold) {
            if (zeroThreshold > otherThreshold) {
                double[] r = other.zeroCountForLargerThreshold(zeroThreshold);
                otherZeroCount = r[0];
                otherThreshold = r[1];
            }
            if (otherThreshold > zeroThreshold) {
                double[] r = zeroCountForLargerThreshold(otherThreshold);
                zeroCount = r[0];
                zeroThreshold = r[1];
                trimBucketsInZeroBucket();
            }
        }
        return otherZeroCount;
    }

    /**
     * The zero count this histogram would have with a larger zero threshold, and that threshold,
     * moved up to a bucket boundary when it falls within a populated bucket.
     */
    private double[] zeroCountForLargerThreshold(double larger) {
        if (larger == zeroThreshold) return new double[] {zeroCount, larger};
        outer:
        while (true) {
            double zc = zeroCount;
            for (int i = 0; i < posIdx.length; i++) {
                double lower = bound(posIdx[i] - 1);
                double upper = bound(posIdx[i]);
                if (lower >= larger) break;
                zc += posCnt[i];
                if (upper > larger) {
                    if (posCnt[i] != 0) larger = upper;
                    break;
                }
            }
            for (int i = 0; i < negIdx.length; i++) {
                double absLower = bound(negIdx[i] - 1);
                double absUpper = bound(negIdx[i]);
                if (absLower >= larger) break;
                zc += negCnt[i];
                if (absUpper > larger) {
                    if (negCnt[i] != 0) {
                        larger = absUpper;
                        continue outer;
                    }
                    break;
                }
            }
            return new double[] {zc, larger};
        }
    }

    /** Drops the buckets that lie within the zero bucket (their counts are in the zero count), then compacts. */
    private void trimBucketsInZeroBucket() {
        for (int i = 0; i < posIdx.length && bound(posIdx[i] - 1) < zeroThreshold; i++) posCnt[i] = 0;
        for (int i = 0; i < negIdx.length && bound(negIdx[i] - 1) < zeroThreshold; i++) negCnt[i] = 0;
        compact();
    }

    // ---- resolution ----

    private record Reduced(int[] idx, double[] cnt) {}

    private static int targetIndex(int idx, int from, int to) {
        return ((idx - 1) >> (from - to)) + 1;
    }

    private static Reduced reduce(int[] idx, double[] cnt, int from, int to) {
        int[] outIdx = new int[idx.length];
        double[] outCnt = new double[idx.length];
        int k = 0;
        for (int i = 0; i < idx.length; i++) {
            int t = targetIndex(idx[i], from, to);
            if (k > 0 && outIdx[k - 1] == t) {
                outCnt[k - 1] += cnt[i];
            } else {
                outIdx[k] = t;
                outCnt[k++] = cnt[i];
            }
        }
        return new Reduced(Arrays.copyOf(outIdx, k), Arrays.copyOf(outCnt, k));
    }

    private void reduceResolution(int target) {
        Reduced p = reduce(posIdx, posCnt, schema, target);
        Reduced n = reduce(negIdx, negCnt, schema, target);
        posIdx = p.idx;
        posCnt = p.cnt;
        negIdx = n.idx;
        negCnt = n.cnt;
        schema = target;
    }

    /** A copy with the given lower (or equal) exponential schema, buckets merged accordingly. */
    public FloatHistogram copyToSchema(int target) {
        FloatHistogram c = copy();
        if (target == schema) return c;
        if (usesCustomBuckets() || target == CUSTOM_BUCKETS_SCHEMA || target > schema) {
            throw new IllegalArgumentException("cannot copy from schema " + schema + " to " + target);
        }
        c.reduceResolution(target);
        c.hint = CounterResetHint.UNKNOWN;
        return c;
    }

    // ---- custom buckets ----

    private static double[] intersect(double[] a, double[] b) {
        if (a.length == 0 || b.length == 0) return new double[0];
        double[] out = new double[Math.min(a.length, b.length)];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                out[k++] = a[i];
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return Arrays.copyOf(out, k);
    }

    /** The counts of custom buckets moved to the buckets of coarser common bounds (one more for +Inf). */
    private static double[] mapToBounds(int[] idx, double[] cnt, double[] bounds, double[] common) {
        double[] out = new double[common.length + 1];
        int c = 0;
        for (int i = 0; i < idx.length; i++) {
            int target = common.length;
            if (idx[i] < bounds.length) {
                double b = bounds[idx[i]];
                while (c < common.length && common[c] < b) c++;
                if (c < common.length) target = c;
            }
            out[target] += cnt[i];
        }
        return out;
    }

    // ---- compaction, comparison ----

    /** Drops buckets with a zero count; returns this. */
    public FloatHistogram compact() {
        int n = nonZero(posCnt);
        if (n < posCnt.length) {
            int[] idx = new int[n];
            double[] cnt = new double[n];
            for (int i = 0, k = 0; i < posCnt.length; i++) {
                if (posCnt[i] == 0) continue;
                idx[k] = posIdx[i];
                cnt[k++] = posCnt[i];
            }
            posIdx = idx;
            posCnt = cnt;
        }
        n = nonZero(negCnt);
        if (n < negCnt.length) {
            int[] idx = new int[n];
            double[] cnt = new double[n];
            for (int i = 0, k = 0; i < negCnt.length; i++) {
                if (negCnt[i] == 0) continue;
                idx[k] = negIdx[i];
                cnt[k++] = negCnt[i];
            }
            negIdx = idx;
            negCnt = cnt;
        }
        return this;
    }

    private static int nonZero(double[] cnt) {
        int n = 0;
        for (double c : cnt) if (c != 0) n++;
        return n;
    }

    /**
     * Prometheus's exact equality: same schema, bounds and bucket layout (empty buckets count),
     * counts and sum equal bit for bit.
     */
    public boolean equalsHistogram(FloatHistogram o) {
        if (o == null) return false;
        if (schema != o.schema || Double.doubleToLongBits(count) != Double.doubleToLongBits(o.count)
                || Double.doubleToLongBits(sum) != Double.doubleToLongBits(o.sum)) return false;
        if (usesCustomBuckets() && !Arrays.equals(customValues, o.customValues)) return false;
        if (zeroThreshold != o.zeroThreshold || Double.doubleToLongBits(zeroCount) != Double.doubleToLongBits(o.zeroCount)) {
            return false;
        }
        return Arrays.equals(posIdx, o.posIdx) && bitsEqual(posCnt, o.posCnt)
                && Arrays.equals(negIdx, o.negIdx) && bitsEqual(negCnt, o.negCnt);
    }

    private static boolean bitsEqual(double[] a, double[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) if (Double.doubleToLongBits(a[i]) != Double.doubleToLongBits(b[i])) return false;
        return true;
    }

    /**
     * How Prometheus's test scripts compare an expected histogram with a result: both compacted,
     * floats within a relative 1e-6, the counter reset hint only when the script names it.
     */
    public boolean matchesForTest(FloatHistogram actual, boolean compareHint) {
        FloatHistogram e = copy().compact();
        FloatHistogram a = actual.copy().compact();
        if (e.schema != a.schema || !almostEqual(e.count, a.count) || !almostEqual(e.sum, a.sum)) return false;
        if (e.usesCustomBuckets() && !Arrays.equals(e.customValues, a.customValues)) return false;
        if (e.zeroThreshold != a.zeroThreshold || !almostEqual(e.zeroCount, a.zeroCount)) return false;
        if (!Arrays.equals(e.posIdx, a.posIdx) || !Arrays.equals(e.negIdx, a.negIdx)) return false;
        for (int i = 0; i < e.posCnt.length; i++) if (!almostEqual(e.posCnt[i], a.posCnt[i])) return false;
        for (int i = 0; i < e.negCnt.length; i++) if (!almostEqual(e.negCnt[i], a.negCnt[i])) return false;
        return !compareHint || e.hint == a.hint;
    }

    private static boolean almostEqual(double a, double b) {
        if (Double.isNaN(a) && Double.isNaN(b)) return true;
        if (a == b) return true;
        double absSum = Math.abs(a) + Math.abs(b);
        double diff = Math.abs(a - b);
        if (a == 0 || b == 0 || absSum < Double.MIN_NORMAL) return diff < 1e-6 * Double.MIN_NORMAL;
        return diff / Math.min(absSum, Double.MAX_VALUE) < 1e-6;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatHistogram h && h.hint == hint && equalsHistogram(h);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Double.hashCode(count) + Double.hashCode(sum)) + schema;
    }

    // ---- counter resets ----

    /**
     * Whether this histogram, following previous, shows a counter reset: by its hint, or because
     * a count went down, a populated bucket is gone, the resolution went up or the zero bucket
     * shrank.
     */
    public boolean detectReset(FloatHistogram previous) {
        if (hint == CounterResetHint.COUNTER_RESET) return true;
        if (hint == CounterResetHint.NOT_COUNTER_RESET) return false;
        if (count < previous.count) return true;
        if (usesCustomBuckets()) {
            if (!previous.usesCustomBuckets()) return true;
            if (!Arrays.equals(customValues, previous.customValues)) return resetWithMismatchedBounds(previous);
        }
        if (schema > previous.schema) return true;
        if (zeroThreshold < previous.zeroThreshold) return true;
        double[] prevZero = previous.usesCustomBuckets() ? new double[] {previous.zeroCount, zeroThreshold}
                : previous.zeroCountForLargerThreshold(zeroThreshold);
        if (prevZero[1] != zeroThreshold) return true;
        if (zeroCount < prevZero[0]) return true;
        Reduced prevPos = previous.schema == schema ? new Reduced(previous.posIdx, previous.posCnt)
                : reduce(previous.posIdx, previous.posCnt, previous.schema, schema);
        Reduced prevNeg = previous.schema == schema ? new Reduced(previous.negIdx, previous.negCnt)
                : reduce(previous.negIdx, previous.negCnt, previous.schema, schema);
        return sideReset(posIdx, posCnt, prevPos) || sideReset(negIdx, negCnt, prevNeg);
    }

    private boolean sideReset(int[] idx, double[] cnt, Reduced prev) {
        boolean exponential = !usesCustomBuckets();
        int i = 0;
        // Buckets inside the zero bucket are left out on both sides.
        while (exponential && i < idx.length && zeroThreshold > 0 && bound(idx[i]) <= zeroThreshold) i++;
        int j = 0;
        while (exponential && j < prev.idx.length && zeroThreshold > 0 && bound(prev.idx[j]) <= zeroThreshold) j++;
        for (; j < prev.idx.length; j++) {
            while (i < idx.length && idx[i] < prev.idx[j]) i++;
            if (i >= idx.length || idx[i] > prev.idx[j]) {
                if (prev.cnt[j] != 0) return true;
            } else if (cnt[i] < prev.cnt[j]) {
                return true;
            }
        }
        return false;
    }

    private boolean resetWithMismatchedBounds(FloatHistogram previous) {
        double[] common = intersect(customValues, previous.customValues);
        double[] mine = mapToBounds(posIdx, posCnt, customValues, common);
        double[] theirs = mapToBounds(previous.posIdx, previous.posCnt, previous.customValues, common);
        for (int i = 0; i < mine.length; i++) if (mine[i] < theirs[i]) return true;
        return false;
    }

    /** Whether a count, the sum or a bucket is infinite. */
    public boolean hasOverflow() {
        if (Double.isInfinite(zeroCount) || Double.isInfinite(count) || Double.isInfinite(sum)) return true;
        for (double c : posCnt) if (Double.isInfinite(c)) return true;
        for (double c : negCnt) if (Double.isInfinite(c)) return true;
        return false;
    }

    /**
     * The upper bound of the bucket with this index on the positive side (its negative mirror on the
     * negative side); custom buckets: -Inf below the first, +Inf from the last on.
     */
    public double upperBound(int idx) { return bound(idx); }

    // ---- buckets ----

    /** One bucket: its bounds, whether they are inclusive, and its count. */
    public record Bucket(double lower, double upper, boolean lowerInclusive, boolean upperInclusive, double count) {
        /** The fraction of the bucket's width at or below v, linearly or on a logarithmic scale. */
        public double fractionBelow(double v, boolean linear) {
            if (linear) return (v - lower) / (upper - lower);
            double logLower = log2(Math.abs(lower));
            double logUpper = log2(Math.abs(upper));
            double logV = log2(Math.abs(v));
            if (v > 0) return (logV - logLower) / (logUpper - logLower);
            return 1 - ((logV - logUpper) / (logLower - logUpper));
        }

        @Override
        public String toString() {
            return (lowerInclusive ? "[" : "(") + formatG(lower) + "," + formatG(upper)
                    + (upperInclusive ? "]" : ")") + ":" + formatG(count);
        }
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** The upper bound of the bucket with this index (on the positive side). */
    private double bound(int idx) {
        if (usesCustomBuckets()) {
            if (idx >= customValues.length) return Double.POSITIVE_INFINITY;
            if (idx < 0) return Double.NEGATIVE_INFINITY;
            return customValues[idx];
        }
        return ExponentialBounds.upper(idx, schema);
    }

    private Bucket positiveBucket(int i) {
        int idx = posIdx[i];
        double upper = bound(idx);
        double lower = bound(idx - 1);
        if (usesCustomBuckets()) return new Bucket(lower, upper, idx == 0, true, posCnt[i]);
        return new Bucket(lower, upper, lower < 0, upper > 0, posCnt[i]);
    }

    private Bucket negativeBucket(int i) {
        int idx = negIdx[i];
        double lower = -bound(idx);
        double upper = -bound(idx - 1);
        return new Bucket(lower, upper, lower < 0, upper > 0, negCnt[i]);
    }

    /** Buckets in the order of increasing values: negative, the zero bucket (when populated), positive. */
    public List<Bucket> allBuckets() {
        List<Bucket> out = new ArrayList<>(posIdx.length + negIdx.length + 1);
        for (int i = negIdx.length - 1; i >= 0; i--) out.add(clampToZeroBucket(negativeBucket(i)));
        if (zeroCount > 0) out.add(zeroBucket());
        for (int i = 0; i < posIdx.length; i++) out.add(clampToZeroBucket(positiveBucket(i)));
        return out;
    }

    /** Buckets in the order of decreasing values. */
    public List<Bucket> allBucketsReversed() {
        List<Bucket> out = new ArrayList<>(posIdx.length + negIdx.length + 1);
        for (int i = posIdx.length - 1; i >= 0; i--) out.add(clampToZeroBucket(positiveBucket(i)));
        if (zeroCount > 0) out.add(zeroBucket());
        for (int i = 0; i < negIdx.length; i++) out.add(clampToZeroBucket(negativeBucket(i)));
        return out;
    }

    private Bucket zeroBucket() {
        return new Bucket(-zeroThreshold, zeroThreshold, true, true, zeroCount);
    }

    private Bucket clampToZeroBucket(Bucket b) {
        if (b.upper() < 0 && b.upper() > -zeroThreshold) {
            return new Bucket(b.lower(), -zeroThreshold, b.lowerInclusive(), b.upperInclusive(), b.count());
        }
        if (b.lower() > 0 && b.lower() < zeroThreshold) {
            return new Bucket(zeroThreshold, b.upper(), b.lowerInclusive(), b.upperInclusive(), b.count());
        }
        return b;
    }

    /** Whether it has any negative buckets (empty ones included). */
    public boolean hasNegativeBuckets() { return negIdx.length > 0; }

    /** Whether it has any positive buckets (empty ones included). */
    public boolean hasPositiveBuckets() { return posIdx.length > 0; }

    /** Prometheus's text form: {@code {count:2, sum:3, [-1,-0.5):1, [-0.001,0.001]:1}}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{count:").append(formatG(count)).append(", sum:")
                .append(formatG(sum));
        for (int i = negIdx.length - 1; i >= 0; i--) if (negCnt[i] != 0) sb.append(", ").append(negativeBucket(i));
        if (zeroCount != 0) sb.append(", ").append(zeroBucket());
        for (int i = 0; i < posIdx.length; i++) if (posCnt[i] != 0) sb.append(", ").append(positiveBucket(i));
        return sb.append('}').toString();
    }
}
