package io.mnemo.test;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
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
        for (int i = 0; i < timestamps.length; i++) messages[i] = RemoteWriteHistogram.of(histograms[i]).at(timestamps[i]);
        return histograms(labels, messages);
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
