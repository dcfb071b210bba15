package io.mnemo.actors.distributor;

import io.mnemo.actors.ingest.HistogramMessage;
import io.mnemo.actors.ingest.HistogramMessage.MalformedHistogramException;
import io.mnemo.actors.wire.ProtobufWriter;
import io.mnemo.tsdb.StaleNaN;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
import io.mnemo.tsdb.histogram.InvalidHistogramException;
import java.util.Locale;

/**
 * The checks of a native histogram sample before it goes into an ingest record, in Mimir's
 * distributor's order: the tenant takes native histograms at all
 * ({@code native-histograms-ingestion-enabled}; Mimir drops them silently, we refuse), the sample
 * time limits floats have, a known schema (exponential -4..8 or custom buckets -53; 9..52 is
 * reduced to 8 as Prometheus 3's receiver does, when reducing is on), Prometheus's histogram rules
 * ({@code validate()}, which Mimir leaves to its ingester: checking here keeps a 2xx a promise),
 * and the bucket limit ({@code max-native-histogram-buckets}), over which the resolution is
 * reduced a schema at a time until the histogram fits, or the sample refused.
 *
 * <p>A histogram that passes unchanged is copied into the record as it arrived; a reduced one is
 * re-encoded into this validator's buffer ({@link #reencoded()}), which holds the current series'
 * reduced histograms until {@link #beginSeries()}. Reuses its histogram instances and scratch
 * arrays: one per splitter, not thread-safe.
 */
final class HistogramValidator {
    private static final int MAX_RESERVED_SCHEMA = 52; // Prometheus's ExponentialSchemaMaxReserved

    private final Histogram intHistogram = new Histogram();
    private FloatHistogram floatHistogram = FloatHistogram.empty();
    private final ProtobufWriter reencoded = new ProtobufWriter(512);
    private int[] spans = new int[16];
    private long[] buckets = new long[32];
    private int reducedSpanInts;
    private int reducedBuckets;

    // The outcome of the last check.
    private long timestamp;
    private int reencodedOffset;
    private int reencodedLength;
    private Rejection rejection;

    /** Forgets the previous series' re-encoded histograms. */
    void beginSeries() {
        reencoded.reset();
    }

    /** The timestamp of the histogram last checked. */
    long timestamp() { return timestamp; }

    /** The buffer re-encoded histograms are in. */
    byte[] reencoded() { return reencoded.buffer(); }

    /** Where the last accepted histogram's re-encoded message is in {@link #reencoded()}, or -1: unchanged. */
    int reencodedOffset() { return reencodedOffset; }

    int reencodedLength() { return reencodedLength; }

    /** Why the last check refused its histogram, with the message; only after {@link #check} returned a reason. */
    Rejection rejection() { return rejection; }

    /**
     * Checks histogram {@code i} of the current series; null when it is accepted (then see
     * {@link #reencodedOffset()}), else why it is refused (the message is made only when
     * {@code describe}, to keep allocation to the few refusals a push answers with).
     *
     * @throws RemoteWriteException if its message is damaged protobuf: the request is malformed
     */
    DiscardReason check(RemoteWriteSeries r, int i, PushLimits limits, boolean describe) {
        byte[] b = r.buffer();
        int off = r.histogramOffset(i);
        int len = r.histogramLength(i);
        reencodedOffset = reencodedLength = -1;
        rejection = null;
        boolean isFloat;
        String invalid = null;
        try {
            timestamp = HistogramMessage.timestamp(b, off, len);
            isFloat = HistogramMessage.isFloat(b, off, len);
            if (isFloat) {
                floatHistogram = HistogramMessage.readFloat(b, off, len, floatHistogram);
            } else {
                HistogramMessage.readInt(b, off, len, intHistogram);
            }
        } catch (MalformedHistogramException e) {
            if (e.isWireDamage()) {
                throw new RemoteWriteException(e.getMessage() + ", series: '" + r.seriesText(SeriesValidator.TEXT_CHARS) + "'", e);
            }
            isFloat = true;
            invalid = e.getMessage();
        }
        if (!limits.nativeHistograms()) return refuse(DiscardReason.NATIVE_HISTOGRAMS_DISABLED, r, describe, null);
        DiscardReason time = limits.check(timestamp);
        if (time != null) {
            if (describe) rejection = PartitionSplitter.sampleRejection(r, time, timestamp);
            return time;
        }
        if (invalid != null) return refuse(DiscardReason.INVALID_NATIVE_HISTOGRAM, r, describe, invalid);

        int schema = isFloat ? floatHistogram.schema() : intHistogram.schema();
        boolean custom = schema == Histogram.CUSTOM_BUCKETS_SCHEMA;
        boolean exponential = schema >= Histogram.EXPONENTIAL_SCHEMA_MIN && schema <= Histogram.EXPONENTIAL_SCHEMA_MAX;
        boolean tooFine = schema > Histogram.EXPONENTIAL_SCHEMA_MAX && schema <= MAX_RESERVED_SCHEMA;
        if (!custom && !exponential && !(tooFine && limits.reduceNativeHistograms())) {
            return refuse(DiscardReason.INVALID_NATIVE_HISTOGRAM_SCHEMA, r, describe, Integer.toString(schema));
        }
        double sum = isFloat ? floatHistogram.sum() : intHistogram.sum();
        if (StaleNaN.is(sum)) return null; // a stale marker goes through as it came

        try {
            validate(isFloat, tooFine);
        } catch (InvalidHistogramException e) {
            return refuse(DiscardReason.INVALID_NATIVE_HISTOGRAM, r, describe, e.getMessage(), e.reason().name());
        }

        int limit = limits.maxNativeHistogramBuckets();
        int count = bucketCount(isFloat);
        boolean overLimit = limit > 0 && count > limit;
        if (overLimit && custom) {
            return refuse(DiscardReason.NATIVE_HISTOGRAM_CUSTOM_BUCKETS_NOT_REDUCIBLE, r, describe, count + ", limit: " + limit);
        }
        if (overLimit && !limits.reduceNativeHistograms()) {
            return refuse(DiscardReason.MAX_NATIVE_HISTOGRAM_BUCKETS, r, describe, count + ", limit: " + limit);
        }
        if (!overLimit && !tooFine) return null;

        if (tooFine) reduce(isFloat, Histogram.EXPONENTIAL_SCHEMA_MAX);
        // Over the limit, down a schema at a time as Mimir does; it stops below the limit, we at it:
        // a histogram of exactly the limit is accepted unreduced too.
        while (limit > 0 && bucketCount(isFloat) > limit) {
            int s = isFloat ? floatHistogram.schema() : intHistogram.schema();
            if (s <= Histogram.EXPONENTIAL_SCHEMA_MIN) {
                return refuse(DiscardReason.NOT_REDUCIBLE_NATIVE_HISTOGRAM, r, describe, count + ", limit: " + limit);
            }
            reduce(isFloat, s - 1);
        }
        reencodedOffset = reencoded.size();
        if (isFloat) {
            HistogramMessage.write(reencoded, timestamp, floatHistogram);
        } else {
            HistogramMessage.write(reencoded, timestamp, intHistogram);
        }
        reencodedLength = reencoded.size() - reencodedOffset;
        return null;
    }

    private int bucketCount(boolean isFloat) {
        return isFloat ? floatHistogram.positiveBucketCount() + floatHistogram.negativeBucketCount()
                : intHistogram.positiveBucketCount() + intHistogram.negativeBucketCount();
    }

    /**
     * Prometheus's rules; a schema of 9..52, about to be reduced to 8, is checked as 8 (no rule
     * depends on which exponential schema it is).
     */
    private void validate(boolean isFloat, boolean tooFine) {
        if (isFloat) {
            FloatHistogram f = floatHistogram;
            int schema = f.schema();
            if (tooFine) f.reset(f.counterResetHint(), Histogram.EXPONENTIAL_SCHEMA_MAX, f.zeroThreshold(), f.zeroCount(), f.count(), f.sum(), null);
            try {
                f.validate();
            } finally {
                if (tooFine) f.reset(f.counterResetHint(), schema, f.zeroThreshold(), f.zeroCount(), f.count(), f.sum(), null);
            }
        } else {
            Histogram h = intHistogram;
            int schema = h.schema();
            if (tooFine) h.set(h.counterResetHint(), Histogram.EXPONENTIAL_SCHEMA_MAX, h.zeroThreshold(), h.zeroCount(), h.count(), h.sum());
            try {
                h.validate();
            } finally {
                if (tooFine) h.set(h.counterResetHint(), schema, h.zeroThreshold(), h.zeroCount(), h.count(), h.sum());
            }
        }
    }

    /** Lowers the histogram's schema to {@code target}, merging the buckets that become one. */
    private void reduce(boolean isFloat, int target) {
        if (isFloat) {
            FloatHistogram.CounterResetHint hint = floatHistogram.counterResetHint();
            floatHistogram = floatHistogram.copyToSchema(target);
            floatHistogram.setCounterResetHint(hint); // Mimir keeps the hint of a reduced sample
            return;
        }
        Histogram h = intHistogram;
        int from = h.schema();
        reduceSide(h, true, from, target);
        h.setPositive(spans, reducedSpanInts, buckets, reducedBuckets);
        reduceSide(h, false, from, target);
        h.setNegative(spans, reducedSpanInts, buckets, reducedBuckets);
        h.set(h.counterResetHint(), target, h.zeroThreshold(), h.zeroCount(), h.count(), h.sum());
    }

    /**
     * One side of an integer histogram at a lower schema, into {@link #spans} and {@link #buckets}
     * (deltas), as Prometheus's {@code reduceResolution}: bucket i of schema s falls into bucket
     * ((i - 1) >> (s - t)) + 1 of schema t; buckets that land together are added, a new span opens
     * where target buckets are not adjacent; sets {@link #reducedSpanInts} and {@link #reducedBuckets}.
     */
    private void reduceSide(Histogram h, boolean positive, int from, int to) {
        int spanInts = positive ? h.positiveSpanInts() : h.negativeSpanInts();
        int n = positive ? h.positiveBucketCount() : h.negativeBucketCount();
        if (buckets.length < n) buckets = new long[Math.max(n, 2 * buckets.length)];
        if (spans.length < spanInts) spans = new int[Math.max(spanInts, 2 * spans.length)];
        int outSpans = 0; // ints used in spans
        int outBuckets = 0;
        int index = 0;
        int k = 0;
        long count = 0;
        int last = 0;
        for (int s = 0; s + 1 < spanInts; s += 2) {
            index += positive ? h.positiveSpan(s) : h.negativeSpan(s);
            int length = positive ? h.positiveSpan(s + 1) : h.negativeSpan(s + 1);
            for (int j = 0; j < length; j++, index++) {
                count += positive ? h.positiveBucket(k) : h.negativeBucket(k);
                k++;
                int target = ((index - 1) >> (from - to)) + 1;
                if (outBuckets > 0 && target == last) {
                    buckets[outBuckets - 1] += count;
                    continue;
                }
                if (outBuckets > 0 && target == last + 1) {
                    spans[outSpans - 1]++;
                } else {
                    spans[outSpans++] = outBuckets == 0 ? target : target - last - 1;
                    spans[outSpans++] = 1;
                }
                buckets[outBuckets++] = count;
                last = target;
            }
        }
        // Absolute counts back to deltas.
        long previous = 0;
        for (int b = 0; b < outBuckets; b++) {
            long c = buckets[b];
            buckets[b] = c - previous;
            previous = c;
        }
        reducedSpanInts = outSpans;
        reducedBuckets = outBuckets;
    }

    private DiscardReason refuse(DiscardReason reason, RemoteWriteSeries r, boolean describe, String detail) {
        return refuse(reason, r, describe, detail, null);
    }

    /** Mimir's messages, each naming the series (Mimir's schema message does not: ours does). */
    private DiscardReason refuse(DiscardReason reason, RemoteWriteSeries r, boolean describe, String detail, String rule) {
        if (!describe) return reason;
        String series = r.seriesText(SeriesValidator.TEXT_CHARS);
        String id = reason.errorId();
        String message = switch (reason) {
            case NATIVE_HISTOGRAMS_DISABLED -> "received a native histogram sample, but native histograms ingestion is"
                    + " disabled for this tenant, timestamp: " + timestamp + " series: '" + series + "' (" + id
                    + "). To accept such samples, set " + PushLimits.NATIVE_HISTOGRAMS_INGESTION_ENABLED
                    + " = true or ask your service administrator.";
            case INVALID_NATIVE_HISTOGRAM_SCHEMA -> "received a native histogram sample with an invalid schema: " + detail
                    + ", timestamp: " + timestamp + " series: '" + series + "' (" + id + ")";
            case MAX_NATIVE_HISTOGRAM_BUCKETS -> "received a native histogram sample with too many buckets, timestamp: "
                    + timestamp + " series: " + series + ", buckets: " + detail + " (" + id + "). To accept such samples, raise "
                    + PushLimits.MAX_NATIVE_HISTOGRAM_BUCKETS + " or turn on " + PushLimits.REDUCE_NATIVE_HISTOGRAM_OVER_MAX_BUCKETS
                    + ", or ask your service administrator.";
            case NOT_REDUCIBLE_NATIVE_HISTOGRAM -> "received a native histogram sample with too many buckets and cannot reduce, timestamp: "
                    + timestamp + " series: " + series + ", buckets: " + detail + " (" + id + ")";
            case NATIVE_HISTOGRAM_CUSTOM_BUCKETS_NOT_REDUCIBLE -> "received a native histogram sample with more custom buckets than"
                    + " the limit, timestamp: " + timestamp + " series: " + series + ", buckets: " + detail + " (" + id + ")";
            case INVALID_NATIVE_HISTOGRAM -> "received a native histogram sample that is not valid: " + detail + ", timestamp: "
                    + timestamp + " series: '" + series + "' (err-mnemo-native-histogram-"
                    + (rule != null ? rule : ruleOf(detail)).toLowerCase(Locale.ROOT).replace('_', '-') + ")";
            default -> throw new IllegalArgumentException(reason + " is not a native histogram rule");
        };
        rejection = new Rejection(reason, message);
        return reason;
    }

    /** The rule of a refusal {@link HistogramMessage} made, which only two rules cause. */
    private static String ruleOf(String text) {
        return text.contains("custom bounds") ? InvalidHistogramException.Reason.EXPONENTIAL_SCHEMA_CUSTOM_BOUNDS.name()
                : InvalidHistogramException.Reason.SPANS_BUCKETS_MISMATCH.name();
    }
}
