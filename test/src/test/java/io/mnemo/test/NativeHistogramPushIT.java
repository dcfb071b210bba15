package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnknownFieldSet;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.actors.prompb.WriteV2;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Native histogram samples pushed to a running node over remote write 1.0 and 2.0: valid ones
 * (integer, float, custom buckets, stale markers) are acknowledged and counted as written in 2.0's
 * answer headers; those the tenant's limits or Prometheus's rules refuse are a 400 naming the
 * series and the rule, counted in {@code mnemo_discarded_samples_total} per tenant and reason,
 * while the rest of the push is written; over the bucket limit a histogram is reduced when the
 * tenant allows it. The node keeps ingesting and answering throughout.
 *
 * <p>Only acceptance and counting are checked: querying the histograms back needs the heads to
 * store them, which is built elsewhere (queryable once the head stores histograms). The floats
 * pushed beside them are checked queryable.
 */
class NativeHistogramPushIT {
    static final long T = 1_700_000_000_000L;
    static final String SAMPLES_WRITTEN = "X-Prometheus-Remote-Write-Samples-Written";
    static final String HISTOGRAMS_WRITTEN = "X-Prometheus-Remote-Write-Histograms-Written";

    @TempDir
    Path dataDir;

    static Remote.BucketSpan span(int offset, int length) {
        return Remote.BucketSpan.newBuilder().setOffset(offset).setLength(length).build();
    }

    /** Schema 1, positive buckets 1..8 holding 1..8 observations (36), and 2 in the zero bucket. */
    static Remote.Histogram.Builder eightBuckets(long t) {
        Remote.Histogram.Builder h = Remote.Histogram.newBuilder().setCountInt(38).setSum(120.5).setSchema(1)
                .setZeroThreshold(0.001).setZeroCountInt(2).addPositiveSpans(span(1, 8)).setTimestamp(t);
        for (int i = 0; i < 8; i++) h.addPositiveDeltas(1);
        return h;
    }

    static Remote.Histogram floatHistogram(long t) {
        return Remote.Histogram.newBuilder().setCountFloat(4.5).setSum(9).setSchema(0).addPositiveSpans(span(0, 2))
                .addPositiveCounts(1.5).addPositiveCounts(3).setTimestamp(t).build();
    }

    static Remote.Histogram customBuckets(long t) {
        return Remote.Histogram.newBuilder().setCountInt(3).setSum(2).setSchema(-53).addPositiveSpans(span(0, 2))
                .addPositiveDeltas(1).addPositiveDeltas(1).addCustomValues(0.5).setTimestamp(t).build();
    }

    static Remote.Label label(String name, String value) {
        return Remote.Label.newBuilder().setName(name).setValue(value).build();
    }

    /** A remote write 1.0 series; its histograms go in TimeSeries field 4, as Prometheus sends them. */
    static Remote.TimeSeries.Builder series(String name, Remote.Histogram... histograms) {
        Remote.TimeSeries.Builder s = Remote.TimeSeries.newBuilder().addLabels(label("__name__", name)).addLabels(label("job", "a"));
        UnknownFieldSet.Field.Builder f = UnknownFieldSet.Field.newBuilder();
        for (Remote.Histogram h : histograms) f.addLengthDelimited(h.toByteString());
        return s.setUnknownFields(UnknownFieldSet.newBuilder().addField(4, f.build()).build());
    }

    static byte[] v1(Remote.TimeSeries.Builder... series) throws Exception {
        Remote.WriteRequest.Builder w = Remote.WriteRequest.newBuilder();
        for (Remote.TimeSeries.Builder s : series) w.addTimeseries(s);
        return Snappy.compress(w.build().toByteArray());
    }

    static Remote.Sample sample(long t, double v) {
        return Remote.Sample.newBuilder().setTimestamp(t).setValue(v).build();
    }

    static void written(MnemoClient.Response r, int samples, int histograms) {
        assertEquals(Integer.toString(samples), r.header(SAMPLES_WRITTEN), r.body());
        assertEquals(Integer.toString(histograms), r.header(HISTOGRAMS_WRITTEN), r.body());
    }

    static String discarded(TestNode n, String reason, String tenant) {
        String prefix = "mnemo_discarded_samples_total{reason=\"" + reason + "\",tenant=\"" + tenant + "\"} ";
        for (String line : n.client.get("/metrics").body().split("\n")) {
            if (line.startsWith(prefix)) return line.substring(prefix.length()).trim();
        }
        return null;
    }

    static boolean floatQueryable(TestNode n, String tenant, String metric, long t) {
        return n.client.api(tenant, "query", "query", metric, "time", Long.toString(t / 1000))
                .json().path("data").path("result").size() == 1;
    }

    @Test
    void histogramsAreAcceptedCountedAndRefusedAsTheTenantsLimitsSay() throws Exception {
        try (TestNode n = TestNode.start(dataDir,
                "mnemo.limits.tenants.off.native-histograms-ingestion-enabled", false,
                "mnemo.limits.tenants.strict.max-native-histogram-buckets", 4,
                "mnemo.limits.tenants.strict.reduce-native-histogram-over-max-buckets", false,
                "mnemo.limits.tenants.reduced.max-native-histogram-buckets", 4)) {
            // Remote write 1.0: integer, float, custom-bucket histograms and a stale marker are acknowledged.
            Remote.Histogram stale = Remote.Histogram.newBuilder().setSum(Double.longBitsToDouble(0x7ff0000000000002L))
                    .setTimestamp(T + 3_000).build();
            MnemoClient.Response r = n.client.push("t", v1(
                    series("v1_int", eightBuckets(T).build(), eightBuckets(T + 1_000).build(), stale),
                    series("v1_float", floatHistogram(T)),
                    series("v1_nhcb", customBuckets(T)),
                    series("v1_float_beside").addSamples(sample(T, 7))));
            assertEquals(200, r.status(), r.body());

            // Remote write 2.0: the written headers count the histograms.
            RemoteWrite2 b = RemoteWrite2.request();
            b.add(b.series("__name__", "v2_int", "job", "a").addHistograms(eightBuckets(T).build().toByteString())
                    .addHistograms(eightBuckets(T + 1_000).build().toByteString()));
            b.add(b.series("__name__", "v2_float", "job", "a").addHistograms(floatHistogram(T).toByteString())
                    .addSamples(RemoteWrite2.sample(T, 3)).setMetadata(b.metadata(WriteV2.Metadata.MetricType.METRIC_TYPE_HISTOGRAM, "h", "")));
            b.add(b.series("__name__", "v2_float_beside", "job", "a").addSamples(RemoteWrite2.sample(T, 5)));
            r = n.client.pushV2("t", b.encode());
            assertEquals(200, r.status(), r.body());
            written(r, 2, 3);

            // Prometheus's rules: a count the buckets do not add up to is refused, naming series and rule.
            b = RemoteWrite2.request();
            b.add(b.series("__name__", "v2_bad", "job", "a").addHistograms(eightBuckets(T).setCountInt(37).build().toByteString()));
            b.add(b.series("__name__", "v2_good", "job", "a").addHistograms(eightBuckets(T).build().toByteString()));
            r = n.client.pushV2("t", b.encode());
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("{__name__=\"v2_bad\", job=\"a\"}") && r.body().contains("38 observations found in buckets,"
                    + " but the Count field is 37") && r.body().contains("err-mnemo-native-histogram-count-mismatch"), r.body());
            written(r, 0, 1);
            assertEquals("1.0", discarded(n, "invalid_native_histogram", "t"));

            // A schema that is neither exponential nor custom buckets (1.0 too).
            r = n.client.push("t", v1(series("v1_schema", eightBuckets(T).setSchema(-9).build())));
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("invalid schema: -9") && r.body().contains("v1_schema")
                    && r.body().contains("err-mnemo-invalid-native-histogram-schema"), r.body());
            assertEquals("1.0", discarded(n, "invalid_native_histogram_schema", "t"));

            // A tenant without native histograms: refused, never a silent 2xx (Mimir drops them), floats kept.
            b = RemoteWrite2.request();
            b.add(b.series("__name__", "off_hist", "job", "a").addHistograms(eightBuckets(T).build().toByteString())
                    .addSamples(RemoteWrite2.sample(T, 1)));
            r = n.client.pushV2("off", b.encode());
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("{__name__=\"off_hist\", job=\"a\"}")
                    && r.body().contains("err-mnemo-native-histograms-ingestion-disabled")
                    && r.body().contains("mnemo.limits.native-histograms-ingestion-enabled"), r.body());
            written(r, 1, 0);
            r = n.client.push("off", v1(series("off_v1", floatHistogram(T), floatHistogram(T + 1))));
            assertEquals(400, r.status(), r.body());
            assertEquals("3.0", discarded(n, "native_histograms_ingestion_disabled", "off"));

            // Over the bucket limit: refused where the tenant does not reduce, reduced where it does.
            r = n.client.push("strict", v1(series("strict_h", eightBuckets(T).build())));
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("too many buckets") && r.body().contains("buckets: 8, limit: 4")
                    && r.body().contains("strict_h") && r.body().contains("err-mnemo-max-native-histogram-buckets"), r.body());
            assertEquals("1.0", discarded(n, "max_native_histogram_buckets", "strict"));
            b = RemoteWrite2.request();
            b.add(b.series("__name__", "reduced_h", "job", "a").addHistograms(eightBuckets(T).build().toByteString()));
            r = n.client.pushV2("reduced", b.encode());
            assertEquals(200, r.status(), r.body());
            written(r, 0, 1);
            assertEquals(null, discarded(n, "max_native_histogram_buckets", "reduced"));

            // Histograms count as received samples, as Mimir counts them.
            assertTrue(n.client.get("/metrics").body().contains("mnemo_distributor_received_samples_total{tenant=\"t\"} 12.0"),
                    n.client.get("/metrics").body());

            // The node keeps ingesting and answering: the floats pushed beside the histograms, and after them.
            assertEquals(200, n.client.push("t", RemoteWrite.request().series(io.mnemo.tsdb.Labels.of("__name__", "after", "job", "a"),
                    new long[] {T + 5_000}, new double[] {9}).encode()).status());
            Await.until("the float pushed after the histograms", Duration.ofSeconds(30), () -> floatQueryable(n, "t", "after", T + 5_000));
            for (String metric : new String[] {"v1_float_beside", "v2_float_beside"}) {
                assertTrue(floatQueryable(n, "t", metric, T), metric);
            }
            assertTrue(floatQueryable(n, "off", "off_hist", T), "the float beside a refused histogram is stored");
        }
    }
}
