package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.actors.prompb.WriteV2.Metadata.MetricType;
import io.mnemo.tsdb.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote write 2.0 pushes to a real node, each test mirroring a case of the public receiver
 * compliance suite ({@code remotewrite/receiver} in {@code prometheus/compliance}, named in each
 * test's comment), which needs Go modules this machine cannot fetch. Float samples and metadata
 * are stored and readable through the query API and {@code /api/v1/metadata}; answers carry the
 * {@code X-Prometheus-Remote-Write-*-Written} headers; what Mnemo cannot store (native histograms)
 * or refuses is a 4xx naming it; exemplars are stored and counted as written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteWrite2IT {
    static final long T = 1_700_000_000_000L;
    static final String SAMPLES = "X-Prometheus-Remote-Write-Samples-Written";
    static final String HISTOGRAMS = "X-Prometheus-Remote-Write-Histograms-Written";
    static final String EXEMPLARS = "X-Prometheus-Remote-Write-Exemplars-Written";

    @TempDir
    static Path dataDir;

    TestNode n;

    @BeforeAll
    void start() throws Exception {
        n = TestNode.start(dataDir);
    }

    @AfterAll
    void stop() throws Exception {
        n.close();
    }

    private static void written(MnemoClient.Response r, int samples, int histograms, int exemplars) {
        String what = r.status() + " " + r.body() + " " + r.headers().map();
        assertEquals(Integer.toString(samples), r.header(SAMPLES), what);
        assertEquals(Integer.toString(histograms), r.header(HISTOGRAMS), what);
        assertEquals(Integer.toString(exemplars), r.header(EXEMPLARS), what);
    }

    private JsonNode query(String promql, long t) {
        return n.client.api("t", "query", "query", promql, "time", Double.toString(t / 1000.0)).json().path("data").path("result");
    }

    private void awaitValue(String promql, long t, String value) {
        Await.until(promql + " = " + value, Duration.ofSeconds(30), () -> {
            JsonNode result = query(promql, t);
            return result.size() == 1 && result.path(0).path("value").path(1).asText().equals(value);
        });
    }

    /** TestSingleMetric (request_test.go's sibling metric_test.go): each value and label shape, one push each. */
    @Test
    void singleMetric() {
        String[][] accepted = {
                {"__name__", "sm_simple"},
                {"job", "testjob", "instance", "localhost:9090", "__name__", "sm_multiple"}, // unsorted, as the suite's maps
                {"__name__", "sm_newlines", "job", "test\njob\n", "instance", "localhost:9090"},
                {"__name__", "sm.dots", "job.name", "testjob", "instance.name", "localhost:9090"},
                {"__name__", "sm spaces", "job name", "testjob", "instance name", "localhost:9090"},
        };
        double[] values = {1.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (int v = 0; v < values.length; v++) {
            for (String[] labels : accepted) {
                RemoteWrite2 b = RemoteWrite2.request();
                MnemoClient.Response r = n.client.pushV2("t", b.add(b.series(labels).addSamples(RemoteWrite2.sample(T + v, values[v]))).encode());
                assertEquals(200, r.status(), Arrays.toString(labels) + ": " + r.body());
                written(r, 1, 0, 0);
            }
        }
        awaitValue("{__name__=\"sm spaces\"}", T + 3, "-Inf");
        for (String name : new String[] {"sm_simple", "sm_multiple", "sm_newlines", "sm.dots"}) {
            assertEquals("1", query("{__name__=\"" + name + "\"}", T).path(0).path("value").path(1).asText(), name);
        }
        assertEquals("test\njob\n", query("sm_newlines", T).path(0).path("metric").path("job").asText());
        assertEquals("NaN", query("sm_simple", T + 1).path(0).path("value").path(1).asText());

        // "simple metric without name label" and "empty metric": refused, nothing written.
        RemoteWrite2 b = RemoteWrite2.request();
        MnemoClient.Response nameless = n.client.pushV2("t",
                b.add(b.series("job", "testjob", "instance", "localhost:9090").addSamples(RemoteWrite2.sample(T, 1))).encode());
        assertEquals(400, nameless.status());
        assertTrue(nameless.body().contains("err-mnemo-missing-metric-name") && nameless.body().contains("localhost:9090"),
                nameless.body());
        written(nameless, 0, 0, 0);
        b = RemoteWrite2.request();
        MnemoClient.Response empty = n.client.pushV2("t", b.add(b.series().addSamples(RemoteWrite2.sample(T, 1))).encode());
        assertEquals(400, empty.status());
        assertTrue(empty.body().contains("no labels"), empty.body());
        written(empty, 0, 0, 0);
    }

    /** TestMultipleMetrics: all valid, all nameless, and one nameless among valid ones (a partial write). */
    @Test
    void multipleMetrics() {
        RemoteWrite2 b = RemoteWrite2.request();
        for (int i = 0; i < 4; i++) {
            b.add(b.series("__name__", "mm_up", "job", "testjob", "instance", "localhost:909" + i).addSamples(RemoteWrite2.sample(T, i)));
        }
        MnemoClient.Response all = n.client.pushV2("t", b.encode());
        assertEquals(200, all.status(), all.body());
        written(all, 4, 0, 0);

        b = RemoteWrite2.request();
        for (int i = 0; i < 4; i++) b.add(b.series("job", "testjob", "instance", "h:" + i).addSamples(RemoteWrite2.sample(T, i)));
        MnemoClient.Response none = n.client.pushV2("t", b.encode());
        assertEquals(400, none.status());
        written(none, 0, 0, 0);

        b = RemoteWrite2.request();
        b.add(b.series("job", "testjob", "instance", "localhost:9090").addSamples(RemoteWrite2.sample(T, 0)));
        for (int i = 1; i < 4; i++) {
            b.add(b.series("__name__", "mm_partial", "job", "testjob", "instance", "localhost:909" + i).addSamples(RemoteWrite2.sample(T, i)));
        }
        MnemoClient.Response partial = n.client.pushV2("t", b.encode());
        assertEquals(400, partial.status());
        written(partial, 3, 0, 0);
        awaitValue("count(mm_partial)", T, "3");
        awaitValue("count(mm_up)", T, "4");
    }

    /** TestBadContentTypes, TestBadContentEncodings and TestCorruptRequestBody: 415s before the body is read, 400 for a corrupt one. */
    @Test
    void badContentTypesEncodingsAndCorruptBodies() {
        RemoteWrite2 b = RemoteWrite2.request();
        byte[] body = b.add(b.series("__name__", "up").addSamples(RemoteWrite2.sample(T, 1))).encode();
        byte[] corrupt = body.clone();
        corrupt[0] = '0';
        for (String type : new String[] {"application/json", "image/png"}) {
            MnemoClient.Response r = n.client.push("t", corrupt, type, "snappy");
            assertEquals(415, r.status(), r.body());
            assertTrue(r.body().contains(type) && r.body().contains("io.prometheus.write.v2.Request"), r.body());
        }
        for (String encoding : new String[] {"gzip", "deflate"}) {
            MnemoClient.Response r = n.client.push("t", corrupt, "application/x-protobuf;proto=io.prometheus.write.v2.Request", encoding);
            assertEquals(415, r.status(), r.body());
            assertTrue(r.body().contains(encoding), r.body());
        }
        MnemoClient.Response r = n.client.pushV2("t", corrupt);
        assertEquals(400, r.status(), r.body());
        written(r, 0, 0, 0);

        // Damage the 2.0 spec names, each refused naming its field.
        byte[] noEmptyFirst = snappy(io.mnemo.actors.prompb.WriteV2.Request.newBuilder().addSymbols("__name__").addSymbols("x")
                .addTimeseries(io.mnemo.actors.prompb.WriteV2.TimeSeries.newBuilder().addLabelsRefs(0).addLabelsRefs(1)
                        .addSamples(RemoteWrite2.sample(T, 1))).build().toByteArray());
        r = n.client.pushV2("t", noEmptyFirst);
        assertEquals(400, r.status());
        assertTrue(r.body().contains("Request.symbols (field 4)"), r.body());
        b = RemoteWrite2.request();
        r = n.client.pushV2("t", b.add(b.series("__name__", "up").addLabelsRefs(99).addLabelsRefs(1)
                .addSamples(RemoteWrite2.sample(T, 1))).encode());
        assertEquals(400, r.status());
        assertTrue(r.body().contains("TimeSeries.labels_refs (field 1) refers to symbol 99"), r.body());
        // A 1.0 body sent as 2.0 is not an empty 2.0 request answered 200.
        r = n.client.pushV2("t", RemoteWrite.request().series(Labels.of("__name__", "v1_as_v2"), new long[] {T}, new double[] {1}).encode());
        assertEquals(400, r.status());
        assertTrue(r.body().contains("remote write 1.0"), r.body());
    }

    /**
     * TestMetadata (every type, with and without help and unit, special characters), TestMetadataWithSamples,
     * TestMultipleMetadata and TestCounterMetadataWithCreatedTimestamp: metadata reaches /api/v1/metadata.
     */
    @Test
    void metadata() {
        RemoteWrite2 b = RemoteWrite2.request();
        Object[][] cases = {
                {"md_http_requests_total", MetricType.METRIC_TYPE_COUNTER, "Total number of HTTP requests", "requests", "counter"},
                {"md_cpu_usage_percent", MetricType.METRIC_TYPE_GAUGE, "Current CPU usage percentage", "percent", "gauge"},
                {"md_simple_counter", MetricType.METRIC_TYPE_COUNTER, "", "", "counter"},
                {"md_test_metric", MetricType.METRIC_TYPE_GAUGE, "Test metric with\nnewlines and \"quotes\"", "bytes/sec", "gauge"},
                {"md_unknown_metric", MetricType.METRIC_TYPE_UNSPECIFIED, "Unknown metric type", "", "unknown"},
                {"md_build_info", MetricType.METRIC_TYPE_INFO, "Build information", "", "info"},
                {"md_node_state", MetricType.METRIC_TYPE_STATESET, "Node state information", "", "stateset"},
                {"md_request_latency_summary", MetricType.METRIC_TYPE_SUMMARY, "Request latency summary", "seconds", "summary"},
                {"md_temperature_histogram", MetricType.METRIC_TYPE_GAUGEHISTOGRAM, "Temperature distribution", "celsius", "gaugehistogram"},
        };
        for (Object[] c : cases) {
            b.add(b.series("__name__", (String) c[0], "job", "test").addSamples(RemoteWrite2.sample(T, 1))
                    .setMetadata(b.metadata((MetricType) c[1], (String) c[2], (String) c[3])));
        }
        // A classic histogram's series carry the family's metadata; the family is the name without the suffix.
        for (String part : new String[] {"_bucket", "_sum", "_count"}) {
            b.add(b.series("__name__", "md_request_duration_seconds" + part, "job", "test").addSamples(RemoteWrite2.sample(T, 1))
                    .setMetadata(b.metadata(MetricType.METRIC_TYPE_HISTOGRAM, "Request duration in seconds", "seconds")));
        }
        b.add(b.series("__name__", "md_with_created_total", "job", "api").addSamples(RemoteWrite2.sample(T, 150))
                .setCreatedTimestamp(T - 3_600_000)
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_COUNTER, "Total HTTP requests", "requests")));
        MnemoClient.Response r = n.client.pushV2("t", b.encode());
        assertEquals(200, r.status(), r.body());
        written(r, cases.length + 4, 0, 0);

        Await.until("metadata of every family", Duration.ofSeconds(30),
                () -> n.client.api("t", "metadata").json().path("data").has("md_with_created_total"));
        JsonNode data = n.client.api("t", "metadata").json().path("data");
        for (Object[] c : cases) {
            JsonNode m = data.path((String) c[0]).path(0);
            assertEquals(c[4], m.path("type").asText(), c[0] + ": " + m);
            assertEquals(c[2], m.path("help").asText(), c[0] + ": " + m);
            assertEquals(c[3], m.path("unit").asText(), c[0] + ": " + m);
        }
        assertEquals("histogram", data.path("md_request_duration_seconds").path(0).path("type").asText(), data.toString());
        assertTrue(data.path("md_request_duration_seconds_bucket").isMissingNode(), data.toString());
        assertEquals("counter", data.path("md_with_created_total").path(0).path("type").asText());
        awaitValue("md_with_created_total", T, "150");
    }

    /** TestMetadataValidation: metadata on a series without a name, or with an empty one, is refused with its series. */
    @Test
    void metadataValidation() {
        RemoteWrite2 b = RemoteWrite2.request();
        MnemoClient.Response r = n.client.pushV2("t", b.add(b.series("job", "mv_test").addSamples(RemoteWrite2.sample(T, 1))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_COUNTER, "Test help", "unit"))).encode());
        assertEquals(400, r.status());
        written(r, 0, 0, 0);
        b = RemoteWrite2.request();
        r = n.client.pushV2("t", b.add(b.series("__name__", "").addSamples(RemoteWrite2.sample(T, 1))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_GAUGE, "Test help", "unit"))).encode());
        assertEquals(400, r.status());
        written(r, 0, 0, 0);
        b = RemoteWrite2.request();
        r = n.client.pushV2("t", b.add(b.series("__name__", "mv_valid_metric_name").addSamples(RemoteWrite2.sample(T, 1))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_COUNTER, "Test help", "unit"))).encode());
        assertEquals(200, r.status(), r.body());
        written(r, 1, 0, 0);
        // Metadata over Mimir's limits is refused as 1.0's is, the sample beside it stored.
        b = RemoteWrite2.request();
        r = n.client.pushV2("t", b.add(b.series("__name__", "mv_long_unit").addSamples(RemoteWrite2.sample(T, 1))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_GAUGE, "h", "u".repeat(1_025)))).encode());
        assertEquals(400, r.status());
        assertTrue(r.body().contains("err-mnemo-unit-too-long") && r.body().contains("mv_long_unit"), r.body());
        written(r, 1, 0, 0);
        awaitValue("mv_long_unit", T, "1");
    }

    /**
     * histograms_test.go's cases: native histogram samples are accepted and counted as written
     * (queryable once the head stores histograms); floats beside them are stored. What the checks
     * refuse: {@link NativeHistogramPushIT}.
     */
    @Test
    void histogramsAreWritten() {
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.series("__name__", "hist_native", "job", "a").addHistograms(RemoteWrite2.histogram(T)));
        b.add(b.series("__name__", "hist_float_beside", "job", "a").addSamples(RemoteWrite2.sample(T, 5)));
        MnemoClient.Response r = n.client.pushV2("t", b.encode());
        assertEquals(200, r.status(), r.body());
        written(r, 1, 1, 0);
        awaitValue("hist_float_beside", T, "5");
    }

    /**
     * exemplar_test.go's cases: the samples are stored, the exemplars too and counted as written
     * (query_exemplars returns them); an exemplar without labels is refused 400 naming it, its
     * sample still stored.
     */
    @Test
    void exemplarsAreWritten() {
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.exemplar(b.series("__name__", "ex_metric", "job", "a").addSamples(RemoteWrite2.sample(T, 2)), 2, T,
                "trace_id", "abc123"));
        MnemoClient.Response r = n.client.pushV2("t", b.encode());
        assertEquals(200, r.status(), r.body());
        written(r, 1, 0, 1);
        awaitValue("ex_metric", T, "2");
        Await.until("the exemplar queryable", Duration.ofSeconds(30), () -> n.client.api("t", "query_exemplars",
                "query", "ex_metric").json().path("data").path(0).path("exemplars").path(0).path("labels").path("trace_id")
                .asText().equals("abc123"));

        b = RemoteWrite2.request();
        b.add(RemoteWrite2.withExemplar(b.series("__name__", "ex_unlabelled", "job", "a").addSamples(RemoteWrite2.sample(T, 3)), 3, T));
        MnemoClient.Response unlabelled = n.client.pushV2("t", b.encode());
        assertEquals(400, unlabelled.status());
        assertTrue(unlabelled.body().contains("err-mnemo-exemplar-labels-missing") && unlabelled.body().contains("ex_unlabelled"),
                unlabelled.body());
        written(unlabelled, 1, 0, 0);
        awaitValue("ex_unlabelled", T, "3");
    }

    /** A push of megabytes (uncompressed): every sample stored, and the node takes 1.0 pushes afterwards. */
    @Test
    void largePushAndTheNodeKeepsIngesting() {
        RemoteWrite2 b = RemoteWrite2.request();
        int series = 30_000;
        for (int i = 0; i < series; i++) {
            b.add(b.series("__name__", "lp_load", "instance", "an-instance-with-a-long-name-" + i, "job", "load")
                    .addSamples(RemoteWrite2.sample(T, i)).addSamples(RemoteWrite2.sample(T + 15_000, i + 1)));
        }
        assertTrue(b.protobuf().length > 2_000_000, b.protobuf().length + " bytes");
        MnemoClient.Response r = n.client.pushV2("t", b.encode());
        assertEquals(200, r.status(), r.body());
        written(r, 2 * series, 0, 0);
        awaitValue("count(lp_load)", T + 15_000, Integer.toString(series));
        awaitValue("sum(lp_load)", T + 15_000, Long.toString((long) series * (series + 1) / 2));

        MnemoClient.Response v1 = n.client.push("t", RemoteWrite.request()
                .series(Labels.of("__name__", "lp_after", "job", "a"), new long[] {T}, new double[] {9}).encode());
        assertEquals(200, v1.status());
        assertEquals(null, v1.header(SAMPLES), "1.0 answers carry no written headers, as Prometheus 3's");
        awaitValue("lp_after", T, "9");
        assertEquals(Integer.toString(series), query("count(lp_load)", T + 15_000).path(0).path("value").path(1).asText());
    }

    private static byte[] snappy(byte[] b) {
        try {
            return org.xerial.snappy.Snappy.compress(b);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
