package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.tsdb.Labels;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * What Mnemo cannot read is refused, never answered 2xx: a remote write 1.0 body labelled 2.0
 * gets 400 (it would read as an empty 2.0 request), unknown content types and encodings 415.
 * Native histogram samples in a 1.0 body are accepted beside the float samples, which are stored
 * (the histograms' checks: {@link NativeHistogramPushIT}). Remote write 2.0 itself: {@link RemoteWrite2IT}.
 */
class RemoteWriteVersionIT {
    static final long T = 1_700_000_000_000L;

    @TempDir
    Path dataDir;

    @Test
    void unsupportedMessagesAreRefusedAndFloatsBesideHistogramsStored() throws Exception {
        try (TestNode n = TestNode.start(dataDir)) {
            assertEquals(200, n.client.push("t", push("before", T)).status());

            MnemoClient.Response v2 = n.client.push("t", push("v2", T),
                    "application/x-protobuf;proto=io.prometheus.write.v2.Request", "snappy");
            assertEquals(400, v2.status(), v2.body());
            assertTrue(v2.body().contains("remote write 2.0 request") && v2.body().contains("remote write 1.0's WriteRequest.timeseries"),
                    v2.body());

            MnemoClient.Response json = n.client.push("t", push("json", T), "application/json", "snappy");
            assertEquals(415, json.status(), json.body());
            assertTrue(json.body().contains("application/json"), json.body());

            MnemoClient.Response gzip = n.client.push("t", push("gzip", T), "application/x-protobuf", "gzip");
            assertEquals(415, gzip.status(), gzip.body());
            assertTrue(gzip.body().contains("gzip"), gzip.body());

            // Remote write 1.0 as every sender spells it.
            assertEquals(200, n.client.push("t", push("v1_explicit", T),
                    "application/x-protobuf;proto=prometheus.WriteRequest", "snappy").status());
            assertEquals(200, n.client.push("t", push("v1_no_headers", T), null, null).status());

            // Native histogram samples are accepted (queryable once the head stores histograms); the floats beside them are stored.
            Remote.WriteRequest request = Remote.WriteRequest.newBuilder()
                    .addTimeseries(series("plain").addSamples(sample(T, 1)))
                    .addTimeseries(withHistogram(series("hist_only"), T))
                    .addTimeseries(withHistogram(series("mixed").addSamples(sample(T, 2)), T + 1))
                    .build();
            MnemoClient.Response hist = n.client.push("t", Snappy.compress(request.toByteArray()));
            assertEquals(200, hist.status(), hist.body());

            assertEquals(200, n.client.push("t", push("after", T)).status());
            Await.until("the last push queryable", Duration.ofSeconds(30), () -> present(n, "after"));
            for (String stored : new String[] {"before", "v1_explicit", "v1_no_headers", "plain", "mixed"}) {
                assertTrue(present(n, stored), stored + " should be stored");
            }
            for (String refused : new String[] {"v2", "json", "gzip"}) {
                assertEquals(0, n.client.api("t", "series", "match[]", refused).json().path("data").size(), refused);
            }

            String metrics = n.client.get("/metrics").body();
            assertFalse(metrics.contains("mnemo_discarded_samples_total{reason=\"invalid_native_histogram\""), metrics);
        }
    }

    private static boolean present(TestNode n, String metric) {
        return n.client.api("t", "query", "query", metric, "time", Long.toString(T / 1000 + 1))
                .json().path("data").path("result").size() == 1;
    }

    private static byte[] push(String metric, long t) {
        return RemoteWrite.request().series(Labels.of("__name__", metric, "job", "a"), new long[] {t}, new double[] {1}).encode();
    }

    private static Remote.TimeSeries.Builder series(String metric) {
        return Remote.TimeSeries.newBuilder()
                .addLabels(Remote.Label.newBuilder().setName("__name__").setValue(metric))
                .addLabels(Remote.Label.newBuilder().setName("job").setValue("a"));
    }

    private static Remote.Sample sample(long t, double v) {
        return Remote.Sample.newBuilder().setTimestamp(t).setValue(v).build();
    }

    /** Adds a native histogram sample (TimeSeries field 4: count 1, the timestamp), as Prometheus encodes one. */
    private static Remote.TimeSeries.Builder withHistogram(Remote.TimeSeries.Builder series, long t) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeUInt64(1, 1); // count_int
        out.writeUInt64(6, 1); // zero_count_int: the one observation is in the zero bucket
        out.writeInt64(15, t); // timestamp
        out.flush();
        return series.setUnknownFields(UnknownFieldSet.newBuilder().addField(4, UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.copyFrom(bytes.toByteArray())).build()).build());
    }
}
