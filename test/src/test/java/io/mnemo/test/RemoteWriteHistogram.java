package io.mnemo.test;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Builds remote write's {@code Histogram} message, which 1.0 ({@code TimeSeries.histograms},
 * field 4) and 2.0 ({@code TimeSeries.histograms}, field 3) share: integer counts (count_int,
 * deltas) or float counts (count_float, absolute counts), spans as (offset, length) pairs, custom
 * bounds for schema -53. Fields at their zero value are left out, as Go's encoder does, but for
 * the count and zero count oneofs, which Prometheus always sets.
 */
final class RemoteWriteHistogram {
    /** Remote write's {@code ResetHint}: 0 unknown, 1 yes, 2 no, 3 gauge. */
    static final int RESET_UNKNOWN = 0;
    static final int RESET_GAUGE = 3;
    /** Prometheus's stale marker bits (value.StaleNaN). */
    static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

    private final boolean floats;
    private double count;
    private final double sum;
    private int schema;
    private double zeroThreshold;
    private double zeroCount;
    private int[] negativeSpans = new int[0];
    private double[] negative = new double[0];
    private int[] positiveSpans = new int[0];
    private double[] positive = new double[0];
    private double[] customValues = new double[0];
    private int resetHint;

    private RemoteWriteHistogram(boolean floats, double count, double sum) {
        this.floats = floats;
        this.count = count;
        this.sum = sum;
    }

    /** An integer histogram: bucket values given to {@link #positive}/{@link #negative} are deltas. */
    static RemoteWriteHistogram integer(long count, double sum) {
        return new RemoteWriteHistogram(false, count, sum);
    }

    /** A float histogram: bucket values are absolute counts. */
    static RemoteWriteHistogram floats(double count, double sum) {
        return new RemoteWriteHistogram(true, count, sum);
    }

    /** Prometheus's stale marker for a histogram series: no buckets, StaleNaN as the sum. */
    static RemoteWriteHistogram staleMarker() {
        return new RemoteWriteHistogram(false, 0, STALE_NAN);
    }

    /**
     * The message of a histogram value ({@link io.mnemo.tsdb.histogram.Histogram}, integer, or
     * {@link io.mnemo.tsdb.histogram.FloatHistogram}), as Prometheus would send it.
     */
    static RemoteWriteHistogram of(Object histogram) {
        if (histogram instanceof io.mnemo.tsdb.histogram.Histogram h) {
            RemoteWriteHistogram m = integer(h.count(), h.sum()).schema(h.schema()).zero(h.zeroThreshold(), h.zeroCount())
                    .negative(h.negativeSpans(), java.util.Arrays.stream(h.negativeBuckets()).asDoubleStream().toArray())
                    .positive(h.positiveSpans(), java.util.Arrays.stream(h.positiveBuckets()).asDoubleStream().toArray())
                    .resetHint(h.counterResetHint().ordinal());
            return h.usesCustomBuckets() ? m.customValues(h.customValuesShared()) : m;
        }
        io.mnemo.tsdb.histogram.FloatHistogram h = (io.mnemo.tsdb.histogram.FloatHistogram) histogram;
        RemoteWriteHistogram m = floats(h.count(), h.sum()).schema(h.schema()).zero(h.zeroThreshold(), h.zeroCount())
                .negative(io.mnemo.tsdb.histogram.FloatHistogram.spansOf(h.negativeIndices()), h.negativeCounts())
                .positive(io.mnemo.tsdb.histogram.FloatHistogram.spansOf(h.positiveIndices()), h.positiveCounts())
                .resetHint(h.counterResetHint().ordinal());
        return h.customValues() != null ? m.customValues(h.customValues()) : m;
    }

    double count() {
        return count;
    }

    double sum() {
        return sum;
    }

    /** Overrides the count, e.g. with one the buckets do not add up to. */
    RemoteWriteHistogram count(double count) {
        this.count = count;
        return this;
    }

    RemoteWriteHistogram schema(int schema) {
        this.schema = schema;
        return this;
    }

    RemoteWriteHistogram zero(double threshold, double count) {
        this.zeroThreshold = threshold;
        this.zeroCount = count;
        return this;
    }

    /** Positive buckets: spans (offset, length interleaved) and per bucket a delta (integer) or count (float). */
    RemoteWriteHistogram positive(int[] spans, double... values) {
        this.positiveSpans = spans;
        this.positive = values;
        return this;
    }

    RemoteWriteHistogram negative(int[] spans, double... values) {
        this.negativeSpans = spans;
        this.negative = values;
        return this;
    }

    /** Custom bucket upper bounds (schema -53, NHCB), +Inf left out. */
    RemoteWriteHistogram customValues(double... bounds) {
        this.customValues = bounds;
        return this;
    }

    RemoteWriteHistogram resetHint(int hint) {
        this.resetHint = hint;
        return this;
    }

    /** The message with this sample timestamp, for {@code TimeSeries.histograms} of either version. */
    ByteString at(long timestamp) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            // The oneofs are written even when zero, as Prometheus's encoder sets them always.
            if (floats) out.writeDouble(2, count);
            else out.writeUInt64(1, (long) count);
            if (Double.doubleToRawLongBits(sum) != 0) out.writeDouble(3, sum);
            if (schema != 0) out.writeSInt32(4, schema);
            if (zeroThreshold != 0) out.writeDouble(5, zeroThreshold);
            if (floats) out.writeDouble(7, zeroCount);
            else out.writeUInt64(6, (long) zeroCount);
            spans(out, 8, negativeSpans);
            buckets(out, floats ? 10 : 9, negative);
            spans(out, 11, positiveSpans);
            buckets(out, floats ? 13 : 12, positive);
            if (resetHint != 0) out.writeEnum(14, resetHint);
            if (timestamp != 0) out.writeInt64(15, timestamp);
            if (customValues.length > 0) {
                out.writeTag(16, 2);
                out.writeUInt32NoTag(8 * customValues.length);
                for (double v : customValues) out.writeDoubleNoTag(v);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ByteString.copyFrom(bytes.toByteArray());
    }

    /** BucketSpan messages: sint32 offset = 1, uint32 length = 2. */
    private static void spans(CodedOutputStream out, int field, int[] spans) throws IOException {
        for (int i = 0; i < spans.length; i += 2) {
            int size = (spans[i] == 0 ? 0 : 1 + CodedOutputStream.computeSInt32SizeNoTag(spans[i]))
                    + (spans[i + 1] == 0 ? 0 : 1 + CodedOutputStream.computeUInt32SizeNoTag(spans[i + 1]));
            out.writeTag(field, 2);
            out.writeUInt32NoTag(size);
            if (spans[i] != 0) out.writeSInt32(1, spans[i]);
            if (spans[i + 1] != 0) out.writeUInt32(2, spans[i + 1]);
        }
    }

    /** Packed deltas (sint64, integer histograms) or counts (double, float histograms). */
    private void buckets(CodedOutputStream out, int field, double[] values) throws IOException {
        if (values.length == 0) return;
        out.writeTag(field, 2);
        if (floats) {
            out.writeUInt32NoTag(8 * values.length);
            for (double v : values) out.writeDoubleNoTag(v);
        } else {
            int size = 0;
            for (double v : values) size += CodedOutputStream.computeSInt64SizeNoTag((long) v);
            out.writeUInt32NoTag(size);
            for (double v : values) out.writeSInt64NoTag((long) v);
        }
    }
}
