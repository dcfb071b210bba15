package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.tsdb.Labels;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Names follow Prometheus 3's UTF-8 scheme on ingest (any non-empty valid UTF-8 metric or label
 * name), and metric metadata follows Mimir's limits: a missing family, or a family name or unit
 * longer than {@code mnemo.limits.max-metadata-length}, is refused (400 naming the family, counted),
 * a longer HELP is cut to the limit, and the rest of the push is stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetadataAndNamesIT {
    static final long T = 1_700_000_000_000L;

    @TempDir
    static Path dataDir;

    /** One node for both tests: their series, families and refusals do not overlap. */
    TestNode n;

    @BeforeAll
    void start() throws Exception {
        n = TestNode.start(dataDir);
    }

    @AfterAll
    void stop() throws Exception {
        n.close();
    }

    @Test
    void utf8NamesAreStoredAndQueryable() {
        MnemoClient.Response r = n.client.push("t", RemoteWrite.request()
                .series(Labels.of("__name__", "utf8.metric", "a-b", "x", "job", "a"), new long[] {T}, new double[] {7})
                .encode());
        assertEquals(200, r.status(), r.body());
        Await.until("{\"a-b\"=\"x\"} queryable", Duration.ofSeconds(30), () -> result(n, "{\"a-b\"=\"x\"}").size() == 1);
        JsonNode series = result(n, "{\"a-b\"=\"x\"}").path(0);
        assertEquals("utf8.metric", series.path("metric").path("__name__").asText(), series.toString());
        assertEquals("7", series.path("value").path(1).asText());
        assertEquals(1, n.client.api("t", "series", "match[]", "{__name__=\"utf8.metric\"}").json().path("data").size());

        // Still refused: an empty label name (with a value) and names that are not UTF-8 are not names.
        r = n.client.push("t", RemoteWrite.request()
                .series(Labels.of("__name__", "up", "", "x"), new long[] {T}, new double[] {1}).encode());
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("err-mnemo-label-invalid"), r.body());
    }

    @Test
    void metadataIsLimitedAsInMimir() throws Exception {
        assertEquals(200, n.client.push("t", RemoteWrite.request()
                .series(Labels.of("__name__", "before", "job", "a"), new long[] {T}, new double[] {1}).encode()).status());

        String longName = "n".repeat(1_100);
        Remote.WriteRequest request = Remote.WriteRequest.newBuilder()
                .addTimeseries(Remote.TimeSeries.newBuilder()
                        .addLabels(Remote.Label.newBuilder().setName("__name__").setValue("kept"))
                        .addSamples(Remote.Sample.newBuilder().setTimestamp(T).setValue(1)))
                .addMetadata(metadata("long_help", "h".repeat(100_000) + "ü", ""))
                .addMetadata(metadata("unit_long", "help", "u".repeat(1_025)))
                .addMetadata(metadata(longName, "help", ""))
                .addMetadata(metadata("", "help", ""))
                .addMetadata(metadata("a-b c", "a family in UTF-8", "seconds"))
                .build();
        MnemoClient.Response r = n.client.push("t", Snappy.compress(request.toByteArray()));
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("unit_long") && r.body().contains("(err-mnemo-unit-too-long)")
                && r.body().contains("mnemo.limits.max-metadata-length"), r.body());

        assertEquals(200, n.client.push("t", RemoteWrite.request()
                .series(Labels.of("__name__", "after", "job", "a"), new long[] {T}, new double[] {1}).encode()).status());
        Await.until("metadata and the last push queryable", Duration.ofSeconds(30), () ->
                metadata(n).has("a-b c") && result(n, "after").size() == 1);
        JsonNode all = metadata(n);
        assertEquals("a family in UTF-8", all.path("a-b c").path(0).path("help").asText(), all.toString());
        assertEquals("seconds", all.path("a-b c").path(0).path("unit").asText());
        // HELP is cut to 1024 bytes, as Mimir does; the family is kept.
        assertEquals("h".repeat(1_024), all.path("long_help").path(0).path("help").asText());
        assertTrue(!all.has("unit_long") && !all.has(longName) && !all.has(""), all.toString());
        assertEquals(1, result(n, "kept").size());
        assertEquals(1, result(n, "before").size());

        String metrics = n.client.get("/metrics").body();
        for (String reason : new String[] {"unit_too_long", "metric_name_too_long", "missing_metric_name"}) {
            assertTrue(metrics.contains("mnemo_discarded_metadata_total{reason=\"" + reason + "\",tenant=\"t\"} 1.0"),
                    reason + " in " + metrics);
        }
    }

    private static Remote.MetricMetadata metadata(String family, String help, String unit) {
        return Remote.MetricMetadata.newBuilder().setType(Remote.MetricMetadata.MetricType.COUNTER)
                .setMetricFamilyName(family).setHelp(help).setUnit(unit).build();
    }

    private static JsonNode metadata(TestNode n) {
        return n.client.api("t", "metadata").json().path("data");
    }

    private static JsonNode result(TestNode n, String query) {
        return n.client.api("t", "query", "query", query, "time", Long.toString(T / 1000)).json().path("data").path("result");
    }
}
