package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.actors.prompb.Remote;
import io.mnemo.actors.readpath.ReadStreams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Exemplars end to end on one node: pushed over remote write 1.0 (with their samples, and in
 * series entries of their own, as Prometheus sends them) and 2.0, carried in the ingest records
 * to the ingesters' exemplar stores, answered by {@code query_exemplars} in Prometheus's JSON,
 * also when the answer takes many stream frames, and again after a restart (snapshot and journal).
 * An invalid exemplar, and any exemplar of a tenant whose limit is 0, is a 400 naming it while
 * its samples are stored.
 */
class ExemplarsIT {
    static final long T = 1_700_000_000_000L;
    static final String EXEMPLARS_WRITTEN = "X-Prometheus-Remote-Write-Exemplars-Written";

    @TempDir
    Path dataDir;

    static Remote.Label label(String name, String value) {
        return Remote.Label.newBuilder().setName(name).setValue(value).build();
    }

    static Remote.TimeSeries.Builder series(String... nameValues) {
        Remote.TimeSeries.Builder b = Remote.TimeSeries.newBuilder();
        for (int i = 0; i < nameValues.length; i += 2) b.addLabels(label(nameValues[i], nameValues[i + 1]));
        return b;
    }

    static Remote.Sample sample(long t, double v) {
        return Remote.Sample.newBuilder().setTimestamp(t).setValue(v).build();
    }

    static Remote.Exemplar exemplar(long t, double v, String... nameValues) {
        Remote.Exemplar.Builder e = Remote.Exemplar.newBuilder().setTimestamp(t).setValue(v);
        for (int i = 0; i < nameValues.length; i += 2) e.addLabels(label(nameValues[i], nameValues[i + 1]));
        return e.build();
    }

    static byte[] encode(Remote.TimeSeries.Builder... series) throws Exception {
        Remote.WriteRequest.Builder w = Remote.WriteRequest.newBuilder();
        for (Remote.TimeSeries.Builder s : series) w.addTimeseries(s);
        return Snappy.compress(w.build().toByteArray());
    }

    /** A query_exemplars answer as lines "series labels | exemplar labels | value | timestamp", in answer order. */
    static List<String> exemplars(TestNode n, String tenant, String query) {
        MnemoClient.Response r = n.client.api(tenant, "query_exemplars", "query", query);
        assertEquals(200, r.status(), r.body());
        List<String> out = new ArrayList<>();
        for (JsonNode s : r.json().path("data")) {
            for (JsonNode e : s.path("exemplars")) {
                out.add(s.path("seriesLabels") + " | " + e.path("labels") + " | " + e.path("value").asText() + " | "
                        + new java.math.BigDecimal(e.path("timestamp").asText()).stripTrailingZeros().toPlainString());
            }
        }
        return out;
    }

    static final List<String> SMALL = List.of(
            "{\"__name__\":\"rq\",\"job\":\"a\"} | {\"trace_id\":\"a1\"} | 0.5 | 1700000000",
            "{\"__name__\":\"rq\",\"job\":\"b\"} | {\"span_id\":\"s1\",\"trace_id\":\"b1\"} | 1.5 | 1700000001",
            "{\"__name__\":\"rq2\",\"job\":\"c\"} | {\"trace_id\":\"c1\"} | 2.5 | 1700000002.5");

    static final int BIG_SERIES = 200;
    static final int BIG_PER_SERIES = 100;

    static String traceId(int s, int e) {
        return "%064x".formatted((long) s * 1_000 + e);
    }

    @Test
    void exemplarsArePushedQueriedAndKeptAcrossARestart() throws Exception {
        Object[] config = {"mnemo.limits.tenants.none.max-global-exemplars-per-user", 0};
        try (TestNode n = TestNode.start(dataDir, config)) {
            // 1.0: an exemplar beside its sample, and one in an entry of its own (Prometheus's remote write).
            MnemoClient.Response v1 = n.client.push("t", encode(
                    series("__name__", "rq", "job", "a").addSamples(sample(T, 1)).addExemplars(exemplar(T, 0.5, "trace_id", "a1")),
                    series("__name__", "rq", "job", "b").addSamples(sample(T + 1000, 2)),
                    series("__name__", "rq", "job", "b").addExemplars(exemplar(T + 1000, 1.5, "trace_id", "b1", "span_id", "s1"))));
            assertEquals(200, v1.status(), v1.body()); // 1.0 answers carry no written headers, as Prometheus 3's
            // 2.0
            RemoteWrite2 b = RemoteWrite2.request();
            b.add(b.exemplar(b.series("__name__", "rq2", "job", "c").addSamples(RemoteWrite2.sample(T + 2500, 3)), 2.5, T + 2500,
                    "trace_id", "c1"));
            MnemoClient.Response v2 = n.client.pushV2("t", b.encode());
            assertEquals(200, v2.status(), v2.body());
            assertEquals("1", v2.header(EXEMPLARS_WRITTEN));
            Await.until("the three exemplars queryable", Duration.ofSeconds(60),
                    () -> exemplars(n, "t", "rq or rq2").size() == 3);
            assertEquals(SMALL, exemplars(n, "t", "sum(rate(rq[5m])) + on() group_left rq2"), "every selector, sorted by series");
            assertEquals(SMALL.subList(0, 1), exemplars(n, "t", "rq{job=\"a\"}"));
            assertEquals(List.of(), exemplars(n, "other", "rq"), "another tenant sees none");

            // Invalid: 400 naming the series, the exemplar and the reason; the sample is stored.
            MnemoClient.Response invalid = n.client.push("t", encode(series("__name__", "bad", "job", "x")
                    .addSamples(sample(T, 7)).addExemplars(exemplar(T, 1, "trace_id", "x".repeat(130)))));
            assertEquals(400, invalid.status());
            assertTrue(invalid.body().contains("err-mnemo-exemplar-labels-too-long") && invalid.body().contains("bad")
                    && invalid.body().contains("trace_id=\"xxx"), invalid.body());

            // A tenant whose limit is 0: 400 naming the limit; its samples are stored.
            MnemoClient.Response none = n.client.push("none", encode(series("__name__", "rq", "job", "a")
                    .addSamples(sample(T, 9)).addExemplars(exemplar(T, 1, "trace_id", "n1"))));
            assertEquals(400, none.status());
            assertTrue(none.body().contains("max-global-exemplars-per-user"), none.body());
            Await.until("refused exemplars' samples queryable", Duration.ofSeconds(60),
                    () -> value(n, "t", "bad").equals("7") && value(n, "none", "rq").equals("9"));
            assertEquals(List.of(), exemplars(n, "none", "rq"));
            assertEquals(List.of(), exemplars(n, "t", "bad"));
            String metrics = n.client.get("/metrics").body();
            assertTrue(metrics.contains("mnemo_discarded_exemplars_total{reason=\"exemplar_labels_too_long\",tenant=\"t\"} 1.0"),
                    metrics);
            assertTrue(metrics.contains("mnemo_discarded_exemplars_total{reason=\"max_global_exemplars_per_user\",tenant=\"none\"} 1.0"),
                    metrics);

            // An answer of many frames: 20,000 exemplars with 64-character trace ids.
            for (int part = 0; part < 4; part++) {
                List<Remote.TimeSeries.Builder> big = new ArrayList<>();
                for (int s = part * BIG_SERIES / 4; s < (part + 1) * BIG_SERIES / 4; s++) {
                    Remote.TimeSeries.Builder ts = series("__name__", "big", "instance", "host-" + s).addSamples(sample(T, s));
                    for (int e = 0; e < BIG_PER_SERIES; e++) ts.addExemplars(exemplar(T + e, e, "trace_id", traceId(s, e)));
                    big.add(ts);
                }
                MnemoClient.Response r = n.client.push("t", encode(big.toArray(Remote.TimeSeries.Builder[]::new)));
                assertEquals(200, r.status(), r.body());
            }
            Await.until("20,000 exemplars queryable", Duration.ofSeconds(60),
                    () -> exemplars(n, "t", "big").size() == BIG_SERIES * BIG_PER_SERIES);
            assertBig(n);

            // Cut the heads into blocks: the next event takes a snapshot, and the journal before it goes.
            MnemoClient.Response flush = n.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            MnemoClient.Response after = n.client.push("t", encode(series("__name__", "rq", "job", "a")
                    .addSamples(sample(T + 60_000, 4)).addExemplars(exemplar(T + 60_000, 4.5, "trace_id", "a2"))));
            assertEquals(200, after.status(), after.body());
            Await.until("the exemplar after the flush queryable", Duration.ofSeconds(60),
                    () -> exemplars(n, "t", "rq{job=\"a\"}").size() == 2);
        }
        try (TestNode n = TestNode.start(dataDir, config)) {
            List<String> expected = new ArrayList<>(SMALL);
            expected.add(1, "{\"__name__\":\"rq\",\"job\":\"a\"} | {\"trace_id\":\"a2\"} | 4.5 | 1700000060");
            assertEquals(expected, exemplars(n, "t", "rq or rq2"), "after a restart");
            assertBig(n);
            // The node keeps ingesting exemplars.
            MnemoClient.Response more = n.client.push("t", encode(series("__name__", "rq2", "job", "c")
                    .addSamples(sample(T + 120_000, 5)).addExemplars(exemplar(T + 120_000, 5.5, "trace_id", "c2"))));
            assertEquals(200, more.status(), more.body());
            Await.until("a new exemplar after the restart", Duration.ofSeconds(60),
                    () -> exemplars(n, "t", "rq2").size() == 2);
        }
    }

    static String value(TestNode n, String tenant, String query) {
        JsonNode r = n.client.api(tenant, "query", "query", query, "time", Long.toString(T / 1000)).json()
                .path("data").path("result");
        return r.size() == 1 ? r.path(0).path("value").path(1).asText() : "";
    }

    /** The 20,000 exemplars, whole: each series' 100 in order, with their trace ids. */
    static void assertBig(TestNode n) {
        MnemoClient.Response r = n.client.api("t", "query_exemplars", "query", "big");
        assertEquals(200, r.status());
        assertTrue(r.body().length() > 4 * ReadStreams.MAX_FRAME_BYTES, "more than a frame per partition: " + r.body().length());
        JsonNode data = r.json().path("data");
        assertEquals(BIG_SERIES, data.size());
        List<String> instances = new ArrayList<>();
        for (int s = 0; s < BIG_SERIES; s++) instances.add("host-" + s);
        instances.sort(null);
        for (int i = 0; i < BIG_SERIES; i++) {
            JsonNode s = data.get(i);
            String instance = s.path("seriesLabels").path("instance").asText();
            assertEquals(instances.get(i), instance, "series sorted by labels");
            int id = Integer.parseInt(instance.substring(5));
            JsonNode es = s.path("exemplars");
            assertEquals(BIG_PER_SERIES, es.size(), instance);
            for (int e = 0; e < BIG_PER_SERIES; e++) {
                assertEquals(traceId(id, e), es.get(e).path("labels").path("trace_id").asText());
                assertEquals(Integer.toString(e), es.get(e).path("value").asText());
            }
        }
    }
}
