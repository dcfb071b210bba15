package io.mnemo.bench;

import io.mnemo.actors.prompb.Remote;
import java.io.IOException;
import org.xerial.snappy.Snappy;

/**
 * The series the read-path benchmarks query: {@code bench_metric{job="bench", pod="pod-<i % 1000>",
 * series="<i>"}}, counters that grow by 10 a sample (offset by {@code i % 7}).
 */
final class BenchJob {
    private BenchJob() {}

    /** A remote write 1.0 request, snappy-compressed: series [from, to), sample number {@code sample} at {@code t}. */
    static byte[] request(int from, int to, long t, int sample) throws IOException {
        Remote.WriteRequest.Builder w = Remote.WriteRequest.newBuilder();
        for (int i = from; i < to; i++) {
            w.addTimeseries(Remote.TimeSeries.newBuilder()
                    .addLabels(label("__name__", "bench_metric")).addLabels(label("job", "bench"))
                    .addLabels(label("pod", "pod-" + i % 1000)).addLabels(label("series", Integer.toString(i)))
                    .addSamples(Remote.Sample.newBuilder().setTimestamp(t).setValue(sample * 10 + i % 7)));
        }
        return Snappy.compress(w.build().toByteArray());
    }

    static Remote.Label label(String name, String value) {
        return Remote.Label.newBuilder().setName(name).setValue(value).build();
    }
}
