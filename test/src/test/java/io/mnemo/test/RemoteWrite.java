package io.mnemo.test;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.xerial.snappy.Snappy;

/** Builds remote-write 1.0 request bodies (protobuf + snappy block), as Prometheus sends them. */
final class RemoteWrite {
    private final Remote.WriteRequest.Builder request = Remote.WriteRequest.newBuilder();

    static RemoteWrite request() {
        return new RemoteWrite();
    }

    RemoteWrite series(Labels labels, long[] timestamps, double[] values) {
        Remote.TimeSeries.Builder ts = Remote.TimeSeries.newBuilder();
        for (int i = 0; i < labels.size(); i++) {
            ts.addLabels(Remote.Label.newBuilder().setName(labels.name(i)).setValue(labels.value(i)));
        }
        for (int i = 0; i < timestamps.length; i++) {
            ts.addSamples(Remote.Sample.newBuilder().setTimestamp(timestamps[i]).setValue(values[i]));
        }
        request.addTimeseries(ts);
        return this;
    }

    /**
     * A series of native histogram samples ({@link RemoteWriteHistogram#at} messages), written as
     * TimeSeries field 4, which Mnemo's 1.0 proto does not declare.
     */
    RemoteWrite histograms(Labels labels, ByteString... histograms) {
        Remote.TimeSeries.Builder ts = Remote.TimeSeries.newBuilder();
        for (int i = 0; i < labels.size(); i++) {
            ts.addLabels(Remote.Label.newBuilder().setName(labels.name(i)).setValue(labels.value(i)));
        }
        UnknownFieldSet.Field.Builder field = UnknownFieldSet.Field.newBuilder();
        for (ByteString h : histograms) field.addLengthDelimited(h);
        ts.setUnknownFields(UnknownFieldSet.newBuilder().addField(4, field.build()).build());
        request.addTimeseries(ts);
        return this;
    }

    /** A series of native histogram samples given as values ({@link Histogram} or {@link FloatHistogram}). */
    RemoteWrite histograms(Labels labels, long[] timestamps, Object[] histograms) {
        ByteString[] messages = new ByteString[timestamps.length];
        for (int i = 0; i < timestamps.length; i++) messages[i] = ByteString.copyFrom(encode(timestamps[i], histograms[i]));
        return histograms(labels, messages);
    }

    /** Remote write's {@code Histogram} message of a sample. */
    static byte[] encode(long timestamp, Object histogram) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            if (histogram instanceof Histogram h) {
                out.writeUInt64(1, h.count());
                out.writeDouble(3, h.sum());
                out.writeSInt32(4, h.schema());
                out.writeDouble(5, h.zeroThreshold());
                out.writeUInt64(6, h.zeroCount());
                spans(out, 8, h.negativeSpans());
                out.writeTag(9, 2);
                writeDeltas(out, h.negativeBuckets());
                spans(out, 11, h.positiveSpans());
                out.writeTag(12, 2);
                writeDeltas(out, h.positiveBuckets());
                out.writeEnum(14, h.counterResetHint().ordinal());
            } else {
                FloatHistogram h = (FloatHistogram) histogram;
                out.writeDouble(2, h.count());
                out.writeDouble(3, h.sum());
                out.writeSInt32(4, h.schema());
                out.writeDouble(5, h.zeroThreshold());
                out.writeDouble(7, h.zeroCount());
                spans(out, 11, FloatHistogram.spansOf(h.positiveIndices()));
                out.writeTag(13, 2);
                out.writeUInt32NoTag(8 * h.positiveBucketCount());
                for (double c : h.positiveCounts()) out.writeDoubleNoTag(c);
                out.writeEnum(14, h.counterResetHint().ordinal());
            }
            out.writeInt64(15, timestamp);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void spans(CodedOutputStream out, int field, int[] spans) throws IOException {
        for (int i = 0; i + 1 < spans.length; i += 2) {
            out.writeTag(field, 2);
            out.writeUInt32NoTag(CodedOutputStream.computeSInt32Size(1, spans[i]) + CodedOutputStream.computeUInt32Size(2, spans[i + 1]));
            out.writeSInt32(1, spans[i]);
            out.writeUInt32(2, spans[i + 1]);
        }
    }

    private static void writeDeltas(CodedOutputStream out, long[] deltas) throws IOException {
        int size = 0;
        for (long d : deltas) size += CodedOutputStream.computeSInt64SizeNoTag(d);
        out.writeUInt32NoTag(size);
        for (long d : deltas) out.writeSInt64NoTag(d);
    }

    RemoteWrite metadata(Remote.MetricMetadata.MetricType type, String family, String help, String unit) {
        request.addMetadata(Remote.MetricMetadata.newBuilder().setType(type).setMetricFamilyName(family)
                .setHelp(help).setUnit(unit));
        return this;
    }

    int seriesCount() {
        return request.getTimeseriesCount();
    }

    byte[] protobuf() {
        return request.build().toByteArray();
    }

    byte[] encode() {
        try {
            return Snappy.compress(protobuf());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
