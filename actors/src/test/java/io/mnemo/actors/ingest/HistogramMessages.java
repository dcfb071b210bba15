package io.mnemo.actors.ingest;

import com.google.protobuf.CodedOutputStream;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Encodes native histograms as remote write's {@code Histogram} message, as Prometheus sends them; for tests. */
public final class HistogramMessages {
    private HistogramMessages() {}

    public static byte[] encode(long timestamp, Histogram h) {
        return write(out -> {
            out.writeUInt64(1, h.count());
            out.writeDouble(3, h.sum());
            out.writeSInt32(4, h.schema());
            out.writeDouble(5, h.zeroThreshold());
            out.writeUInt64(6, h.zeroCount());
            spans(out, 8, h.negativeSpans());
            deltas(out, 9, h.negativeBuckets());
            spans(out, 11, h.positiveSpans());
            deltas(out, 12, h.positiveBuckets());
            out.writeEnum(14, h.counterResetHint().ordinal());
            out.writeInt64(15, timestamp);
            doubles(out, 16, h.customValuesShared());
        });
    }

    public static byte[] encode(long timestamp, FloatHistogram h) {
        return write(out -> {
            out.writeDouble(2, h.count());
            out.writeDouble(3, h.sum());
            out.writeSInt32(4, h.schema());
            out.writeDouble(5, h.zeroThreshold());
            out.writeDouble(7, h.zeroCount());
            spans(out, 8, FloatHistogram.spansOf(h.negativeIndices()));
            doubles(out, 10, h.negativeCounts());
            spans(out, 11, FloatHistogram.spansOf(h.positiveIndices()));
            doubles(out, 13, h.positiveCounts());
            out.writeEnum(14, h.counterResetHint().ordinal());
            out.writeInt64(15, timestamp);
            doubles(out, 16, h.customValues());
        });
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            body.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void spans(CodedOutputStream out, int field, int[] spans) throws IOException {
        for (int i = 0; i + 1 < spans.length; i += 2) {
            int size = CodedOutputStream.computeSInt32Size(1, spans[i]) + CodedOutputStream.computeUInt32Size(2, spans[i + 1]);
            out.writeTag(field, 2);
            out.writeUInt32NoTag(size);
            out.writeSInt32(1, spans[i]);
            out.writeUInt32(2, spans[i + 1]);
        }
    }

    private static void deltas(CodedOutputStream out, int field, long[] deltas) throws IOException {
        if (deltas.length == 0) return;
        int size = 0;
        for (long d : deltas) size += CodedOutputStream.computeSInt64SizeNoTag(d);
        out.writeTag(field, 2);
        out.writeUInt32NoTag(size);
        for (long d : deltas) out.writeSInt64NoTag(d);
    }

    private static void doubles(CodedOutputStream out, int field, double[] values) throws IOException {
        if (values == null || values.length == 0) return;
        out.writeTag(field, 2);
        out.writeUInt32NoTag(8 * values.length);
        for (double v : values) out.writeDoubleNoTag(v);
    }
}
