package io.mnemo.promql.eval;

import io.mnemo.promql.Annotations;
import io.mnemo.promql.ast.PositionRange;
import io.mnemo.promql.text.GoQuoting;
import io.mnemo.tsdb.histogram.FloatHistogram.Bucket;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.FloatHistogram;

import java.util.Arrays;
import java.util.List;

/**
 * PromQL over native histogram samples: their rate, sum and average over time, quantiles,
 * fractions and variance, with Prometheus's annotations for what does not fit together.
 */
final class NativeHistograms {
    private NativeHistograms() {}

    private static String mixedSchemas(RangeFunctions.RangeCall c) {
        return "vector contains a mix of histograms with exponential and custom buckets schemas for metric name "
                + GoQuoting.quote(c.metricName());
    }

    /**
     * The increase of the histograms of the window (at least two), counter resets taken into
     * account for counters; null when they do not fit together, after noting why.
     */
    static FloatHistogram rate(Window w, RangeFunctions.RangeCall c, boolean isCounter) {
        int n = w.histogramCount();
        FloatHistogram prev = w.hist(0);
        FloatHistogram last = w.hist(n - 1);
        boolean custom = prev.usesCustomBuckets();
        String name = GoQuoting.quote(c.metricName());
        if (isCounter && (prev.counterResetHint() == CounterResetHint.GAUGE || last.counterResetHint() == CounterResetHint.GAUGE)) {
            c.warn("this native histogram metric is not a counter: " + name);
        }
        if (isCounter) {
            FloatHistogram second = w.hist(1);
            if (second.detectReset(prev)) {
                // The first sample is of no use after a reset; only its layout matters.
                prev = FloatHistogram.of(second.schema(), 0, 0, 0, 0, new int[0], new double[0], new int[0], new double[0],
                        second.customValues(), CounterResetHint.UNKNOWN);
                custom = second.usesCustomBuckets();
            }
        }
        if (last.usesCustomBuckets() != custom) {
            c.warn(mixedSchemas(c));
            return null;
        }
        int minSchema = Math.min(last.schema(), prev.schema());
        for (int i = 1; i < n - 1; i++) {
            FloatHistogram curr = w.hist(i);
            if (!isCounter) continue;
            if (curr.counterResetHint() == CounterResetHint.GAUGE) c.warn("this native histogram metric is not a counter: " + name);
            minSchema = Math.min(minSchema, curr.schema());
            if (curr.usesCustomBuckets() != custom) {
                c.warn(mixedSchemas(c));
                return null;
            }
        }
        FloatHistogram h = last.usesCustomBuckets() ? last.copy() : last.copyToSchema(minSchema);
        try {
            int flags = h.sub(prev);
            if ((flags & FloatHistogram.CUSTOM_BUCKETS_RECONCILED) != 0) {
                c.info("mismatched custom buckets were reconciled during subtraction");
            }
            if (isCounter) {
                for (int i = 1; i < n; i++) {
                    FloatHistogram curr = w.hist(i);
                    if (curr.detectReset(prev)) {
                        flags = h.add(prev);
                        if ((flags & FloatHistogram.CUSTOM_BUCKETS_RECONCILED) != 0) {
                            c.info("mismatched custom buckets were reconciled during addition");
                        }
                    }
                    prev = curr;
                }
            } else if (w.hist(0).counterResetHint() != CounterResetHint.GAUGE || last.counterResetHint() != CounterResetHint.GAUGE) {
                c.warn("this native histogram metric is not a gauge: " + name);
            }
        } catch (FloatHistogram.IncompatibleSchemaException e) {
            c.warn(mixedSchemas(c));
            return null;
        }
        h.setCounterResetHint(CounterResetHint.GAUGE);
        return h.compact();
    }

    /** Prometheus's spans (offset, length pairs) for sorted bucket indices. */
    static int[] spans(int[] idx) {
        int[] out = new int[2 * idx.length];
        int n = 0;
        int next = 0;
        for (int i = 0; i < idx.length; i++) {
            if (n > 0 && idx[i] == next) {
                out[n - 1]++;
            } else {
                out[n] = n == 0 ? idx[i] : idx[i] - next;
                out[n + 1] = 1;
                n += 2;
            }
            next = idx[i] + 1;
        }
        return Arrays.copyOf(out, n);
    }

    /** The sum of the window's histograms (only histograms are in it). */
    static void sumOverTime(Window w, RangeFunctions.RangeCall c) {
        HistogramKahanSum sum = new HistogramKahanSum(w.hist(0));
        Hints hints = new Hints();
        hints.track(w.hist(0));
        try {
            for (int i = 1; i < w.histogramCount(); i++) {
                hints.track(w.hist(i));
                if ((sum.add(w.hist(i)) & FloatHistogram.CUSTOM_BUCKETS_RECONCILED) != 0) hints.reconciled = true;
            }
        } catch (FloatHistogram.IncompatibleSchemaException e) {
            hints.report(c);
            c.ev.q.annotations.warn(mixedSchemas(c), c.argPos(0));
            return;
        }
        hints.report(c);
        c.set(sum.value());
    }

    /** The average of the window's histograms, switching to an incremental mean if the sum overflows. */
    static void avgOverTime(Window w, RangeFunctions.RangeCall c) {
        HistogramKahanSum sum = new HistogramKahanSum(w.hist(0));
        HistogramKahanSum mean = null;
        Hints hints = new Hints();
        hints.track(w.hist(0));
        double count = 1;
        try {
            for (int i = 1; i < w.histogramCount(); i++) {
                FloatHistogram h = w.hist(i);
                hints.track(h);
                count = i + 1;
                if (mean == null) {
                    HistogramKahanSum next = sum.copy();
                    if ((next.add(h) & FloatHistogram.CUSTOM_BUCKETS_RECONCILED) != 0) hints.reconciled = true;
                    if (!next.hasOverflow()) {
                        sum = next;
                        continue;
                    }
                    mean = sum.copy().div(count - 1);
                }
                mean.mul((count - 1) / count);
                if ((mean.add(h.copy().div(count)) & FloatHistogram.CUSTOM_BUCKETS_RECONCILED) != 0) {
                    hints.reconciled = true;
                }
            }
        } catch (FloatHistogram.IncompatibleSchemaException e) {
            hints.report(c);
            c.ev.q.annotations.warn(mixedSchemas(c), c.argPos(0));
            return;
        }
        hints.report(c);
        c.set(mean != null ? mean.value() : sum.div(count).value());
    }

    /** Counter reset hints and bucket reconciliations seen while summing histograms. */
    private static final class Hints {
        boolean reset;
        boolean notReset;
        boolean reconciled;

        void track(FloatHistogram h) {
            if (h.counterResetHint() == CounterResetHint.COUNTER_RESET) reset = true;
            else if (h.counterResetHint() == CounterResetHint.NOT_COUNTER_RESET) notReset = true;
        }

        void report(RangeFunctions.RangeCall c) {
            if (reset && notReset) c.ev.q.annotations.warn("conflicting counter resets during histogram aggregation", c.argPos(0));
            if (reconciled) c.ev.q.annotations.info("mismatched custom buckets were reconciled during aggregation", c.argPos(0));
        }
    }

    /**
     * The q-quantile of a native histogram: linear interpolation within custom buckets and the
     * zero bucket, logarithmic within exponential buckets.
     */
    static double quantile(double q, FloatHistogram h, String metricName, PositionRange pos, Annotations annos) {
        if (q < 0) return Double.NEGATIVE_INFINITY;
        if (q > 1) return Double.POSITIVE_INFINITY;
        if (h.count() == 0 || Double.isNaN(q)) return Double.NaN;
        boolean forward = Double.isNaN(h.sum()) || q < 0.5;
        List<Bucket> buckets = forward ? h.allBuckets() : h.allBucketsReversed();
        double rank = forward ? q * h.count() : (1 - q) * h.count();
        double count = 0;
        int at = -1;
        // As in Prometheus, the last bucket looked at, even an empty one; none at all reads as [0,0].
        Bucket bucket = new Bucket(0, 0, false, false, 0);
        for (int i = 0; i < buckets.size(); i++) {
            Bucket b = buckets.get(i);
            bucket = b;
            at = i;
            if (b.count() == 0) continue;
            count += b.count();
            if (count >= rank) break;
        }
        double lower = bucket.lower();
        double upper = bucket.upper();
        if (!h.usesCustomBuckets() && lower < 0 && upper > 0) {
            if (!h.hasNegativeBuckets() && h.hasPositiveBuckets()) lower = 0;
            else if (!h.hasPositiveBuckets() && h.hasNegativeBuckets()) upper = 0;
        } else if (h.usesCustomBuckets()) {
            if (lower == Double.NEGATIVE_INFINITY) {
                if (upper <= 0) return upper;
                lower = 0;
            } else if (upper == Double.POSITIVE_INFINITY) {
                return lower;
            }
        }
        if (count > h.count()) count = h.count();
        if (count < rank) {
            if (Double.isNaN(h.sum())) {
                annos.info(withName("input to histogram_quantile has NaN observations, result is NaN", metricName), pos);
                return Double.NaN;
            }
            return upper;
        }
        if (forward) rank -= count - bucket.count();
        else rank = count - rank;
        if (Double.isNaN(h.sum())) {
            for (int i = at + 1; i < buckets.size(); i++) count += buckets.get(i).count();
            if (count < h.count()) {
                annos.info(withName("input to histogram_quantile has NaN observations, result is skewed higher", metricName), pos);
            }
        }
        double fraction = rank / bucket.count();
        if (h.usesCustomBuckets() || (lower <= 0 && upper >= 0)) return lower + (upper - lower) * fraction;
        double logLower = log2(Math.abs(lower));
        double logUpper = log2(Math.abs(upper));
        if (lower > 0) return Math.pow(2, logLower + (logUpper - logLower) * fraction);
        return -Math.pow(2, logUpper + (logLower - logUpper) * (1 - fraction));
    }

    /** The fraction of a native histogram's observations between lower and upper. */
    static double fraction(double lowerValue, double upperValue, FloatHistogram h, String metricName, PositionRange pos,
                           Annotations annos) {
        if (h.count() == 0 || Double.isNaN(lowerValue) || Double.isNaN(upperValue)) return Double.NaN;
        if (lowerValue >= upperValue) return 0;
        List<Bucket> buckets = h.allBuckets();
        double count = 0;
        double rank = 0;
        double lowerRank = 0;
        double upperRank = 0;
        boolean lowerSet = false;
        boolean upperSet = false;
        int i = 0;
        for (; i < buckets.size(); i++) {
            Bucket b = buckets.get(i);
            count += b.count();
            double bl = b.lower();
            double bu = b.upper();
            boolean zeroBucket = false;
            if (bl <= 0 && bu >= 0) {
                zeroBucket = true;
                if (!h.hasNegativeBuckets() && h.hasPositiveBuckets()) bl = 0;
                else if (!h.hasPositiveBuckets() && h.hasNegativeBuckets()) bu = 0;
            }
            Bucket adjusted = new Bucket(bl, bu, b.lowerInclusive(), b.upperInclusive(), b.count());
            boolean linear = h.usesCustomBuckets() || zeroBucket;
            if (!lowerSet && bl >= lowerValue) {
                lowerRank = rank;
                lowerSet = true;
            }
            if (!upperSet && bl >= upperValue) {
                upperRank = rank;
                upperSet = true;
            }
            if (lowerSet && upperSet) {
                i++;
                break;
            }
            if (!lowerSet && bl < lowerValue && bu > lowerValue) {
                lowerRank = interpolate(adjusted, lowerValue, rank, linear);
                lowerSet = true;
            }
            if (!upperSet && bl < upperValue && bu > upperValue) {
                upperRank = interpolate(adjusted, upperValue, rank, linear);
                upperSet = true;
            }
            if (lowerSet && upperSet) {
                i++;
                break;
            }
            rank += b.count();
        }
        if (Double.isNaN(h.sum())) {
            for (; i < buckets.size(); i++) count += buckets.get(i).count();
            if (count < h.count()) {
                annos.info(withName("input to histogram_fraction has NaN observations, which are excluded from all fractions",
                        metricName), pos);
            }
        } else {
            count = h.count();
        }
        if (!lowerSet || lowerRank > count) lowerRank = count;
        if (!upperSet || upperRank > count) upperRank = count;
        return (upperRank - lowerRank) / h.count();
    }

    private static double interpolate(Bucket b, double v, double rank, boolean linear) {
        if (linear && b.lower() == Double.NEGATIVE_INFINITY) return b.count();
        return rank + b.count() * b.fractionBelow(v, linear);
    }

    /** The variance of the observations, estimated from bucket midpoints (geometric for exponential buckets). */
    static double variance(FloatHistogram h) {
        double mean = h.sum() / h.count();
        KahanSum variance = new KahanSum();
        for (Bucket b : h.allBuckets()) {
            if (b.count() == 0) continue;
            double val;
            if (h.usesCustomBuckets()) {
                val = (b.upper() + b.lower()) / 2.0;
            } else if (b.lower() <= 0 && b.upper() >= 0) {
                val = 0;
            } else {
                val = Math.sqrt(b.upper() * b.lower());
                if (b.upper() < 0) val = -val;
            }
            double delta = val - mean;
            variance.add(b.count() * delta * delta);
        }
        return (variance.sum + variance.c) / h.count();
    }

    private static String withName(String message, String metricName) {
        return metricName.isEmpty() ? message : message + " for metric name " + GoQuoting.quote(metricName);
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
