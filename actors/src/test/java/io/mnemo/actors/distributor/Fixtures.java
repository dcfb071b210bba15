package io.mnemo.actors.distributor;

import io.mnemo.actors.prompb.Remote;
import io.mnemo.tsdb.Labels;

/** Builders for remote-write inputs, made with the generated protobuf classes. */
final class Fixtures {
    private Fixtures() {}

    static Remote.Label label(String name, String value) {
        return Remote.Label.newBuilder().setName(name).setValue(value).build();
    }

    /** A series from alternating label names and values (kept in the given order). */
    static Remote.TimeSeries.Builder series(String... nameValues) {
        Remote.TimeSeries.Builder b = Remote.TimeSeries.newBuilder();
        for (int i = 0; i < nameValues.length; i += 2) b.addLabels(label(nameValues[i], nameValues[i + 1]));
        return b;
    }

    static Remote.Sample sample(long timestamp, double value) {
        return Remote.Sample.newBuilder().setTimestamp(timestamp).setValue(value).build();
    }

    static Remote.WriteRequest request(Remote.TimeSeries.Builder... series) {
        Remote.WriteRequest.Builder b = Remote.WriteRequest.newBuilder();
        for (Remote.TimeSeries.Builder s : series) b.addTimeseries(s);
        return b.build();
    }

    /** The series' labels as Mnemo sees them (empty values dropped). */
    static Labels labelsOf(Remote.TimeSeries ts) {
        Labels.Builder b = new Labels.Builder();
        for (Remote.Label l : ts.getLabelsList()) b.set(l.getName(), l.getValue());
        return b.build();
    }

    static WriteRequestReader readerAt(byte[] request, int seriesIndex) {
        WriteRequestReader r = new WriteRequestReader().reset(request);
        for (int i = 0; i <= seriesIndex; i++) {
            if (!r.nextSeries()) throw new IllegalArgumentException("no series " + seriesIndex);
        }
        return r;
    }

    /** A reader on the single series of a one-series request. */
    static WriteRequestReader single(Remote.TimeSeries.Builder series) {
        return readerAt(request(series).toByteArray(), 0);
    }
}
