package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo.actors.prompb.WriteV2.Metadata.MetricType;
import io.mnemo.tsdb.Labels;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native histogram cases of the public receiver compliance suite ({@code remotewrite/receiver}
 * in {@code prometheus/compliance}: histograms_test.go, combined_test.go, metadata_test.go), which
 * needs Go modules this machine cannot fetch, mirrored one test each with the case named in its
 * display name. The suite checks the answer's status and {@code X-Prometheus-Remote-Write-*-Written}
 * headers; these tests also read every accepted histogram back through the query API, in
 * Prometheus's JSON ({@code histogram}: count, sum, populated buckets with their boundary rule).
 *
 * <p>The suite's histograms are those of its {@code histogram()} helper: schema 0, zero threshold
 * 0, positive spans [0:3, 2:2] with deltas [1, 2, 1, 3, 1] (counts 1, 3, 4, 7, 8), negative span
 * [0:2] with deltas [1, 1] (counts 1, 2), a zero bucket of 1, or custom bounds (NHCB) [0.1, 0.5,
 * 1, 2.5, 5, 10] with counts 2, 3, 5, 8, 7, 5. Each test has its own time slot, so series the
 * suite shares between cases keep their samples apart.
 *
 * <p>The last tests go beyond the suite, for what senders send that it does not cover: float
 * histograms, histograms over remote write 1.0 (what Prometheus 2.42 sends), stale markers, and
 * a partial write's written headers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteWriteComplianceHistogramsIT {
    /** Ten minutes ago, whole seconds: recent, as the suite's time.Now(), and printed exactly in the JSON. */
    static final long T = System.currentTimeMillis() / 1000 * 1000 - 600_000;
    static final String SAMPLES = RemoteWrite2IT.SAMPLES;
    static final String HISTOGRAMS = RemoteWrite2IT.HISTOGRAMS;
    static final String EXEMPLARS = RemoteWrite2IT.EXEMPLARS;

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

    // ---- histograms_test.go: TestHistograms ----

    @Test
    @DisplayName("TestHistograms/basic_histogram: positive, negative and zero buckets")
    void basicHistogram() {
        long t = slot();
        pushOne(t, 1.0, true, true, true, false, "__name__", "test_histogram");
    }

    @Test
    @DisplayName("TestHistograms/custom_buckets_histogram: custom bucket values (NHCB, schema -53)")
    void customBucketsHistogram() {
        long t = slot();
        pushOne(t, 1.0, true, false, false, true, "__name__", "test_histogram");
    }

    @Test
    @DisplayName("TestHistograms/positive_only_histogram: positive and zero buckets")
    void positiveOnlyHistogram() {
        long t = slot();
        pushOne(t, 1.0, true, false, true, false, "__name__", "test_histogram", "job", "test");
    }

    @Test
    @DisplayName("TestHistograms/negative_only_histogram: negative buckets only")
    void negativeOnlyHistogram() {
        long t = slot();
        pushOne(t, 1.0, false, true, false, false, "__name__", "test_histogram", "instance", "localhost");
    }

    @Test
    @DisplayName("TestHistograms/minimal_histogram: only the zero bucket")
    void minimalHistogram() {
        long t = slot();
        pushOne(t, 1.0, false, false, true, false, "__name__", "minimal_hist");
    }

    @Test
    @DisplayName("TestHistograms/bad_count_histogram: count 99 over buckets of 23 is a 400, nothing written")
    void badCountHistogram() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.series("__name__", "minimal_hist").addHistograms(suite(1.0, true, false, false, false).count(99).at(t)));
        MnemoClient.Response r = n.client.pushV2("t", b.encode());
        assertEquals(400, r.status(), r.body());
        written(r, 0, 0, 0);
        // Prometheus's validation text and Mimir's error id, with the series.
        assertTrue(r.body().contains("observation count should equal the number of observations found in the buckets")
                && r.body().contains("err-mnemo-native-histogram-count-mismatch")
                && r.body().contains("minimal_hist"), r.body());
        // The node answers, and the refused sample is not there.
        pushOne(slot() + 500, 1.0, false, false, true, false, "__name__", "minimal_hist");
        JsonNode at = histogramAt(t, "__name__", "minimal_hist");
        assertTrue(at == null || at.path(0).asDouble() != t / 1000.0, "the refused histogram was stored: " + at);
    }

    @Test
    @DisplayName("TestHistogramWithCreatedTimestamp: a histogram with a created timestamp 30 minutes before")
    void histogramWithCreatedTimestamp() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.series("__name__", "request_duration_seconds", "job", "api")
                .addHistograms(suite(1.5, true, true, true, false).at(t)).setCreatedTimestamp(t - 1_800_000));
        accepted(b, 0, 1, 0);
        awaitHistogram(t, suiteJson(1.5, true, true, true, false), "__name__", "request_duration_seconds", "job", "api");
    }

    @Test
    @DisplayName("TestMultipleHistograms: two histograms in one request")
    void multipleHistograms() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.series("__name__", "hist1", "job", "test").addHistograms(suite(10.5, true, false, true, false).at(t)));
        b.add(b.series("__name__", "hist2", "job", "test").addHistograms(suite(5.2, false, true, false, false).at(t)));
        accepted(b, 0, 2, 0);
        awaitHistogram(t, suiteJson(10.5, true, false, true, false), "__name__", "hist1", "job", "test");
        awaitHistogram(t, suiteJson(5.2, false, true, false, false), "__name__", "hist2", "job", "test");
    }

    @Test
    @DisplayName("TestEmptyHistogram: no buckets, count and sum 0")
    void emptyHistogram() {
        long t = slot();
        pushOne(t, 0.0, false, false, false, false, "__name__", "empty_hist");
    }

    @Test
    @DisplayName("TestHistogramWithMetadata and TestMetadata/histogram_metadata: histogram metadata reaches /api/v1/metadata")
    void histogramWithMetadata() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.series("__name__", "request_duration_seconds", "job", "api").addHistograms(suite(2.5, true, true, true, false).at(t))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_HISTOGRAM, "HTTP request duration in seconds", "seconds")));
        accepted(b, 0, 1, 0);
        awaitHistogram(t, suiteJson(2.5, true, true, true, false), "__name__", "request_duration_seconds", "job", "api");
        assertMetadata("request_duration_seconds", "HTTP request duration in seconds", "seconds");
    }

    @Test
    @DisplayName("TestHistogramWithExemplar: the exemplar of a histogram is written and queryable")
    void histogramWithExemplar() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.exemplar(b.series("__name__", "http_request_duration_seconds", "method", "GET")
                .addHistograms(suite(1.23, true, false, true, false).at(t)), 1.23, t, "trace_id", "abc123def456", "span_id", "span789"));
        accepted(b, 0, 1, 1);
        awaitHistogram(t, suiteJson(1.23, true, false, true, false), "__name__", "http_request_duration_seconds", "method", "GET");
        awaitExemplar("http_request_duration_seconds", 1.23, t, "trace_id", "abc123def456", "span_id", "span789");
    }

    @Test
    @DisplayName("TestHistogramWithMetadataAndExemplar: a histogram with metadata and an exemplar")
    void histogramWithMetadataAndExemplar() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.exemplar(b.series("__name__", "response_size_bytes", "service", "upload")
                        .addHistograms(suite(10485760, true, true, true, false).at(t))
                        .setMetadata(b.metadata(MetricType.METRIC_TYPE_HISTOGRAM, "HTTP response size in bytes", "bytes")),
                10485760, t, "trace_id", "large_upload_trace", "user_id", "user456"));
        accepted(b, 0, 1, 1);
        awaitHistogram(t, suiteJson(10485760, true, true, true, false), "__name__", "response_size_bytes", "service", "upload");
        awaitExemplar("response_size_bytes", 10485760, t, "trace_id", "large_upload_trace", "user_id", "user456");
        assertMetadata("response_size_bytes", "HTTP response size in bytes", "bytes");
    }

    @Test
    @DisplayName("TestMultipleHistogramsWithMetadata: two histograms, each with its metadata")
    void multipleHistogramsWithMetadata() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.series("__name__", "cpu_usage_histogram", "instance", "server1").addHistograms(suite(0.75, true, false, true, false).at(t))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_HISTOGRAM, "CPU usage distribution", "ratio")));
        b.add(b.series("__name__", "memory_usage_histogram", "instance", "server1")
                .addHistograms(suite(8589934592.0, true, true, false, false).at(t))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_HISTOGRAM, "Memory usage distribution", "bytes")));
        accepted(b, 0, 2, 0);
        awaitHistogram(t, suiteJson(0.75, true, false, true, false), "__name__", "cpu_usage_histogram", "instance", "server1");
        awaitHistogram(t, suiteJson(8589934592.0, true, true, false, false), "__name__", "memory_usage_histogram", "instance", "server1");
        assertMetadata("cpu_usage_histogram", "CPU usage distribution", "ratio");
        assertMetadata("memory_usage_histogram", "Memory usage distribution", "bytes");
    }

    // ---- combined_test.go ----

    @Test
    @DisplayName("TestHistogramsWithMetadataAndExemplars: a histogram with metadata and an exemplar")
    void histogramsWithMetadataAndExemplars() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.exemplar(b.series("__name__", "request_duration_seconds", "service", "auth")
                        .addHistograms(suite(0.456, true, true, true, false).at(t))
                        .setMetadata(b.metadata(MetricType.METRIC_TYPE_HISTOGRAM, "HTTP request duration distribution", "seconds")),
                0.456, t, "trace_id", "slow_request_trace", "endpoint", "/login"));
        accepted(b, 0, 1, 1);
        awaitHistogram(t, suiteJson(0.456, true, true, true, false), "__name__", "request_duration_seconds", "service", "auth");
        awaitExemplar("request_duration_seconds{service=\"auth\"}", 0.456, t, "trace_id", "slow_request_trace", "endpoint", "/login");
    }

    @Test
    @DisplayName("TestComplexHistogramsRequest: two histograms with metadata, one with an exemplar")
    void complexHistogramsRequest() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.exemplar(b.series("__name__", "response_time_hist", "endpoint", "/api/v1/users")
                        .addHistograms(suite(0.125, true, false, true, false).at(t))
                        .setMetadata(b.metadata(MetricType.METRIC_TYPE_HISTOGRAM, "Response time distribution", "seconds")),
                0.125, t, "trace_id", "fast_response", "user", "premium"));
        b.add(b.series("__name__", "request_size_hist", "method", "POST").addHistograms(suite(1024, false, true, true, false).at(t))
                .setMetadata(b.metadata(MetricType.METRIC_TYPE_HISTOGRAM, "Request size distribution", "bytes")));
        accepted(b, 0, 2, 1);
        awaitHistogram(t, suiteJson(0.125, true, false, true, false), "__name__", "response_time_hist", "endpoint", "/api/v1/users");
        awaitHistogram(t, suiteJson(1024, false, true, true, false), "__name__", "request_size_hist", "method", "POST");
        awaitExemplar("response_time_hist", 0.125, t, "trace_id", "fast_response", "user", "premium");
        assertMetadata("response_time_hist", "Response time distribution", "seconds");
        assertMetadata("request_size_hist", "Request size distribution", "bytes");
    }

    @Test
    @DisplayName("TestMultipleMetricFamiliesHistograms: a histogram family with metadata and an exemplar")
    void multipleMetricFamiliesHistograms() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.exemplar(b.series("__name__", "request_duration_seconds", "handler", "/metrics")
                        .addHistograms(suite(0.003, true, false, true, false).at(t))
                        .setMetadata(b.metadata(MetricType.METRIC_TYPE_HISTOGRAM, "Request duration in seconds", "seconds")),
                0.003, t, "trace_id", "metrics_scrape", "scraper", "prometheus"));
        accepted(b, 0, 1, 1);
        awaitHistogram(t, suiteJson(0.003, true, false, true, false), "__name__", "request_duration_seconds", "handler", "/metrics");
        awaitExemplar("request_duration_seconds{handler=\"/metrics\"}", 0.003, t, "trace_id", "metrics_scrape", "scraper", "prometheus");
    }

    @Test
    @DisplayName("TestManyHistograms: 50 histograms, each with metadata and an exemplar")
    void manyHistograms() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        for (int i = 0; i < 50; i++) {
            b.add(b.exemplar(b.series("__name__", "histogram_metric_" + i, "bucket", "bucket_" + i)
                            .addHistograms(suite(i / 10.0, true, i % 2 == 0, true, false).at(t))
                            .setMetadata(b.metadata(MetricType.METRIC_TYPE_HISTOGRAM, "Histogram metric number " + i, "seconds")),
                    i / 10.0, t, "trace_id", "trace_" + i));
        }
        accepted(b, 0, 50, 50);
        for (int i = 0; i < 50; i++) {
            awaitHistogram(t, suiteJson(i / 10.0, true, i % 2 == 0, true, false), "__name__", "histogram_metric_" + i, "bucket", "bucket_" + i);
        }
        awaitExemplar("histogram_metric_49", 4.9, t, "trace_id", "trace_49");
        assertMetadata("histogram_metric_7", "Histogram metric number 7", "seconds");
    }

    @Test
    @DisplayName("TestCustomBucketsHistogramWithExemplar: a custom buckets (NHCB) histogram with an exemplar")
    void customBucketsHistogramWithExemplar() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.exemplar(b.series("__name__", "custom_latency_hist", "version", "v2")
                .addHistograms(suite(0.05, false, false, false, true).at(t)), 0.05, t, "trace_id", "custom_bucket_trace", "bucket", "0.1"));
        accepted(b, 0, 1, 1);
        awaitHistogram(t, suiteJson(0.05, false, false, false, true), "__name__", "custom_latency_hist", "version", "v2");
        awaitExemplar("custom_latency_hist", 0.05, t, "trace_id", "custom_bucket_trace", "bucket", "0.1");
    }

    // ---- beyond the suite ----

    /** Float histograms (count_float, absolute counts), as Prometheus sends recording rules' results: a gauge one and an NHCB one. */
    @Test
    @DisplayName("Beyond the suite: float histograms over remote write 2.0")
    void floatHistograms() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.series("__name__", "float_hist", "job", "rules").addHistograms(RemoteWriteHistogram.floats(6.5, 12.25)
                .schema(1).zero(0.001, 0.5).positive(new int[] {-1, 2, 1, 1}, 1.5, 2.25, 0.75)
                .negative(new int[] {0, 1}, 1.5).resetHint(RemoteWriteHistogram.RESET_GAUGE).at(t)));
        b.add(b.series("__name__", "float_nhcb", "job", "rules").addHistograms(RemoteWriteHistogram.floats(3.5, 1.75)
                .schema(-53).positive(new int[] {0, 2, 1, 1}, 0.5, 2.5, 0.5).customValues(0.25, 1, 4).at(t)));
        accepted(b, 0, 2, 0);
        // Schema 1: bucket i is (2^((i-1)/2), 2^(i/2)], the bounds from Prometheus's table (0.5,
        // 0.7071067811865475) times powers of two; negative bucket 0 is [-1, -2^-0.5).
        awaitHistogram(t, histogram("6.5", "12.25",
                bucket(1, "-1", "-0.7071067811865475", "1.5"),
                bucket(3, "-0.001", "0.001", "0.5"),
                bucket(0, "0.5", "0.7071067811865475", "1.5"),
                bucket(0, "0.7071067811865475", "1", "2.25"),
                bucket(0, "1.414213562373095", "2", "0.75")), "__name__", "float_hist", "job", "rules");
        awaitHistogram(t, histogram("3.5", "1.75",
                bucket(3, "-Inf", "0.25", "0.5"), // custom bucket 0: both bounds in, as Prometheus 3 says
                bucket(0, "0.25", "1", "2.5"),
                bucket(0, "4", "+Inf", "0.5")), "__name__", "float_nhcb", "job", "rules");
        assertEquals("3.5", value("histogram_count(float_nhcb)", t), "PromQL reads the float histogram");
    }

    /**
     * Remote write 1.0's TimeSeries.histograms (field 4), as Prometheus 2.42 sends scraped native
     * histograms (integer) and recording rules' results (float, gauge hint) with
     * send_native_histograms: accepted and queryable; 1.0 answers carry no written headers.
     */
    @Test
    @DisplayName("Beyond the suite: integer, float and custom-bucket histograms over remote write 1.0")
    void histogramsOverRemoteWrite1() {
        long t = slot();
        RemoteWrite w = RemoteWrite.request()
                .histograms(Labels.of("__name__", "rw1_hist", "job", "a"), suite(1.0, true, true, true, false).at(t),
                        suite(2.0, true, true, true, false).count(54).positive(new int[] {0, 3, 2, 2}, 2, 4, 2, 6, 2)
                                .negative(new int[] {0, 2}, 2, 2).zero(0, 2).at(t + 1000))
                .histograms(Labels.of("__name__", "rw1_float_hist", "job", "a"), RemoteWriteHistogram.floats(2.5, 3)
                        .schema(0).positive(new int[] {1, 2}, 1, 1.5).resetHint(RemoteWriteHistogram.RESET_GAUGE).at(t))
                .histograms(Labels.of("__name__", "rw1_nhcb", "job", "a"), suite(0.05, false, false, false, true).at(t))
                .series(Labels.of("__name__", "rw1_float_beside", "job", "a"), new long[] {t}, new double[] {7});
        MnemoClient.Response r = n.client.push("t", w.encode());
        assertEquals(200, r.status(), r.body());
        assertNull(r.header(HISTOGRAMS), "1.0 answers carry no written headers");
        awaitHistogram(t, suiteJson(1.0, true, true, true, false), "__name__", "rw1_hist", "job", "a");
        awaitHistogram(t + 1000, histogram("54", "2",
                bucket(1, "-2", "-1", "4"), bucket(1, "-1", "-0.5", "2"), bucket(3, "-0", "0", "2"),
                bucket(0, "0.5", "1", "2"), bucket(0, "1", "2", "6"), bucket(0, "2", "4", "8"),
                bucket(0, "16", "32", "14"), bucket(0, "32", "64", "16")), "__name__", "rw1_hist", "job", "a");
        awaitHistogram(t, histogram("2.5", "3", bucket(0, "1", "2", "1"), bucket(0, "2", "4", "1.5")),
                "__name__", "rw1_float_hist", "job", "a");
        awaitHistogram(t, suiteJson(0.05, false, false, false, true), "__name__", "rw1_nhcb", "job", "a");
        assertEquals("7", value("rw1_float_beside", t));
        // The two samples of one series make a rate: (54 - 27) observations over one second.
        assertEquals("27", value("histogram_count(rate(rw1_hist[2s]))", t + 1000));
    }

    /**
     * Stale markers (sum = StaleNaN, no buckets), which Prometheus sends for a histogram series
     * whose target is gone (seen from 2.42 over 1.0): the series ends at the marker instead of
     * lasting the 5 minute lookback.
     */
    @Test
    @DisplayName("Beyond the suite: stale histogram markers over remote write 1.0 and 2.0")
    void staleHistograms() {
        long t = slot();
        MnemoClient.Response r1 = n.client.push("t", RemoteWrite.request().histograms(Labels.of("__name__", "stale_hist_rw1"),
                suite(1.0, true, false, false, false).at(t), RemoteWriteHistogram.staleMarker().at(t + 1000)).encode());
        assertEquals(200, r1.status(), r1.body());
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.series("__name__", "stale_hist_rw2").addHistograms(suite(1.0, true, false, false, false).at(t))
                .addHistograms(RemoteWriteHistogram.staleMarker().at(t + 1000)));
        accepted(b, 0, 2, 0);
        for (String name : new String[] {"stale_hist_rw1", "stale_hist_rw2"}) {
            awaitHistogram(t, suiteJson(1.0, true, false, false, false), "__name__", name);
            // Without the marker, the sample at t would answer at t + 1s and t + 60s.
            for (long at : new long[] {t + 1000, t + 60_000}) {
                assertEquals(0, n.client.api("t", "query", "query", name, "time", seconds(at)).json()
                        .path("data").path("result").size(), name + " after its stale marker");
            }
            JsonNode range = n.client.api("t", "query", "query", name + "[10s]", "time", seconds(t + 5000)).json()
                    .path("data").path("result");
            assertEquals(1, range.path(0).path("histograms").size(), "range selectors leave stale markers out: " + range);
        }
    }

    /**
     * X-Prometheus-Remote-Write-Histograms-Written on a partial write: of a valid histogram, an
     * invalid one (the suite's bad count) and a float sample, the valid two are written and
     * counted, the answer is the 400 naming the invalid one.
     */
    @Test
    @DisplayName("Beyond the suite: written headers of a partial write with histograms")
    void partialWriteCountsWrittenHistograms() {
        long t = slot();
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.series("__name__", "partial_hist", "ok", "yes").addHistograms(suite(1.0, true, true, true, false).at(t)));
        b.add(b.series("__name__", "partial_hist", "ok", "no").addHistograms(suite(1.0, true, false, false, false).count(99).at(t)));
        b.add(b.series("__name__", "partial_float").addSamples(RemoteWrite2.sample(t, 3)));
        MnemoClient.Response r = n.client.pushV2("t", b.encode());
        assertEquals(400, r.status(), r.body());
        written(r, 1, 1, 0);
        assertTrue(r.body().contains("ok=\"no\""), r.body());
        awaitHistogram(t, suiteJson(1.0, true, true, true, false), "__name__", "partial_hist", "ok", "yes");
        assertEquals("3", value("partial_float", t));
        assertEquals(1, n.client.api("t", "series", "match[]", "partial_hist", "start", seconds(t - 1000), "end", seconds(t + 1000))
                .json().path("data").size(), "only the valid histogram's series");
    }

    // ---- the suite's histogram() and its JSON ----

    /** The suite's histogram(sum, includePositive, includeNegative, includeZero, useCustomBuckets, false). */
    static RemoteWriteHistogram suite(double sum, boolean positive, boolean negative, boolean zero, boolean custom) {
        long count = (positive ? 23 : 0) + (negative ? 3 : 0) + (zero ? 1 : 0);
        if (custom) count = 30;
        RemoteWriteHistogram h = RemoteWriteHistogram.integer(count, sum);
        if (positive) h.positive(new int[] {0, 3, 2, 2}, 1, 2, 1, 3, 1);
        if (negative) h.negative(new int[] {0, 2}, 1, 1);
        if (zero) h.zero(0, 1);
        if (custom) h.schema(-53).positive(new int[] {0, 6}, 2, 1, 2, 3, -1, -2).customValues(0.1, 0.5, 1.0, 2.5, 5.0, 10.0);
        return h;
    }

    /** The Prometheus API's JSON of {@link #suite}: its populated buckets in increasing order. */
    static ObjectNode suiteJson(double sum, boolean positive, boolean negative, boolean zero, boolean custom) {
        List<ArrayNode> buckets = new ArrayList<>();
        long count = 0;
        if (custom) {
            String[] bounds = {"-Inf", "0.1", "0.5", "1", "2.5", "5", "10"};
            long[] counts = {2, 3, 5, 8, 7, 5};
            // (lower, upper], but custom bucket 0 includes its lower bound too (Prometheus 3: LowerInclusive = index == 0)
            for (int i = 0; i < counts.length; i++) buckets.add(bucket(i == 0 ? 3 : 0, bounds[i], bounds[i + 1], Long.toString(counts[i])));
            count = 30;
        } else {
            if (negative) { // index 1 is [-2, -1), index 0 [-1, -0.5): lower bound in, upper out
                buckets.add(bucket(1, "-2", "-1", "2"));
                buckets.add(bucket(1, "-1", "-0.5", "1"));
                count += 3;
            }
            if (zero) { // zero threshold 0: [-0, 0], both in
                buckets.add(bucket(3, "-0", "0", "1"));
                count += 1;
            }
            if (positive) { // indices 0, 1, 2, 5, 6 of schema 0: (2^(i-1), 2^i]
                buckets.add(bucket(0, "0.5", "1", "1"));
                buckets.add(bucket(0, "1", "2", "3"));
                buckets.add(bucket(0, "2", "4", "4"));
                buckets.add(bucket(0, "16", "32", "7"));
                buckets.add(bucket(0, "32", "64", "8"));
                count += 23;
            }
        }
        return histogram(Long.toString(count), plain(sum), buckets.toArray(ArrayNode[]::new));
    }

    static ObjectNode histogram(String count, String sum, ArrayNode... buckets) {
        ObjectNode h = MnemoClient.JSON.createObjectNode().put("count", count).put("sum", sum);
        if (buckets.length > 0) {
            ArrayNode list = h.putArray("buckets");
            for (ArrayNode b : buckets) list.add(b);
        }
        return h;
    }

    /** A bucket as the API writes it: [boundary rule, "lower", "upper", "count"]. */
    static ArrayNode bucket(int rule, String lower, String upper, String count) {
        return MnemoClient.JSON.createArrayNode().add(rule).add(lower).add(upper).add(count);
    }

    /** A float as Go's strconv.FormatFloat(v, 'f', -1, 64) writes the simple decimals used here. */
    static String plain(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
    }

    // ---- pushing and reading back ----

    private long lastSlot = T;

    /**
     * A time after every earlier test's: tests share series names, as the suite's cases do, and run
     * in JUnit's order, so a fixed time per test could be older than a sample already stored.
     */
    private long slot() {
        return lastSlot += 10_000L;
    }

    /** Pushes one of the suite's histograms over 2.0, expects it accepted, and reads it back. */
    private void pushOne(long t, double sum, boolean positive, boolean negative, boolean zero, boolean custom, String... labels) {
        RemoteWrite2 b = RemoteWrite2.request();
        b.add(b.series(labels).addHistograms(suite(sum, positive, negative, zero, custom).at(t)));
        accepted(b, 0, 1, 0);
        awaitHistogram(t, suiteJson(sum, positive, negative, zero, custom), labels);
    }

    /** Pushes over 2.0; the suite's MUST: a 2xx with these written headers (Mnemo answers 200, as Mimir). */
    private void accepted(RemoteWrite2 b, int samples, int histograms, int exemplars) {
        MnemoClient.Response r = n.client.pushV2("t", b.encode());
        assertEquals(200, r.status(), r.body());
        written(r, samples, histograms, exemplars);
    }

    private static void written(MnemoClient.Response r, int samples, int histograms, int exemplars) {
        String what = r.status() + " " + r.body() + " " + r.headers().map();
        assertEquals(Integer.toString(samples), r.header(SAMPLES), what);
        assertEquals(Integer.toString(histograms), r.header(HISTOGRAMS), what);
        assertEquals(Integer.toString(exemplars), r.header(EXEMPLARS), what);
    }

    /**
     * Waits until the series with exactly these labels answers the expected histogram at t (an
     * instant query answers the newest sample within the lookback, which may be an older test's
     * until this one's is applied), then compares, so a wrong answer fails with its difference.
     */
    private void awaitHistogram(long t, ObjectNode expected, String... labels) {
        String what = String.join(",", labels) + " at " + t;
        try {
            Await.until(what + " queryable", Duration.ofSeconds(30), () -> {
                JsonNode h = histogramAt(t, labels);
                return h != null && expected.equals(h.path(1));
            });
        } catch (AssertionError timedOut) {
            JsonNode h = histogramAt(t, labels);
            assertEquals(expected, h == null ? null : h.path(1), what);
            throw timedOut;
        }
    }

    /** The [time, histogram] an instant query at t answers for the series with exactly these labels, null if none. */
    private JsonNode histogramAt(long t, String... labels) {
        JsonNode result = n.client.api("t", "query", "query", "{__name__=\"" + labels[1] + "\"}", "time", seconds(t)).json()
                .path("data").path("result");
        for (JsonNode s : result) {
            if (sameLabels(s.path("metric"), labels)) return s.path("histogram").isMissingNode() ? null : s.path("histogram");
        }
        return null;
    }

    private static boolean sameLabels(JsonNode metric, String... labels) {
        if (metric.size() != labels.length / 2) return false;
        for (int i = 0; i < labels.length; i += 2) {
            if (!metric.path(labels[i]).asText("\u0000").equals(labels[i + 1])) return false;
        }
        return true;
    }

    /** A float instant query's value, as the API writes it. */
    private String value(String promql, long t) {
        Await.until(promql + " answered", Duration.ofSeconds(30),
                () -> n.client.api("t", "query", "query", promql, "time", seconds(t)).json().path("data").path("result").size() == 1);
        return n.client.api("t", "query", "query", promql, "time", seconds(t)).json().path("data").path("result")
                .path(0).path("value").path(1).asText();
    }

    private void awaitExemplar(String query, double value, long t, String... labels) {
        Await.until("exemplar of " + query, Duration.ofSeconds(30), () -> {
            for (JsonNode s : n.client.api("t", "query_exemplars", "query", query, "start", seconds(t - 60_000),
                    "end", seconds(t + 60_000)).json().path("data")) {
                for (JsonNode e : s.path("exemplars")) {
                    if (e.path("timestamp").asDouble() == t / 1000.0 && Double.parseDouble(e.path("value").asText()) == value
                            && sameLabels(e.path("labels"), labels)) {
                        return true;
                    }
                }
            }
            return false;
        });
    }

    private void assertMetadata(String family, String help, String unit) {
        Await.until("metadata of " + family, Duration.ofSeconds(30),
                () -> n.client.api("t", "metadata", "metric", family).json().path("data").path(family).size() > 0);
        JsonNode all = n.client.api("t", "metadata", "metric", family).json().path("data").path(family);
        List<String> found = new ArrayList<>();
        for (Iterator<JsonNode> it = all.elements(); it.hasNext(); ) {
            JsonNode m = it.next();
            found.add(m.path("type").asText() + "|" + m.path("help").asText() + "|" + m.path("unit").asText());
        }
        assertTrue(found.contains("histogram|" + help + "|" + unit), family + ": " + found);
    }

    private static String seconds(long millis) {
        return BigDecimal.valueOf(millis, 3).toPlainString();
    }
}
