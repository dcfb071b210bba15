package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Prometheus query API as clients use it: JSON shapes, GET and POST forms, Prometheus's
 * errors and status codes, and Debian's promtool querying Mnemo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryApiIT {
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;
    static final int SAMPLES = 41; // ten minutes

    Path dir;
    TestNode node;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("mnemo-query-api");
        // promtool 2.42 cannot send X-Scope-OrgID, so this node serves the no-auth tenant.
        node = TestNode.start(dir, "mnemo.multitenancy-enabled", false);
        RemoteWrite w = RemoteWrite.request();
        for (int s = 0; s < 3; s++) {
            long[] ts = new long[SAMPLES];
            double[] vs = new double[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) {
                ts[i] = T0 + i * STEP;
                vs[i] = i * (s + 1);
            }
            w.series(Labels.of("__name__", "requests_total", "job", "api", "instance", "i" + s), ts, vs);
        }
        assertEquals(200, node.client.push(null, w.encode()).status());
        Await.until("data ingested", Duration.ofSeconds(30), () -> node.client.api(null, "query",
                "query", "requests_total", "time", sec(T0 + (SAMPLES - 1) * STEP)).json()
                .path("data").path("result").size() == 3);
    }

    @AfterAll
    void stop() throws Exception {
        node.close();
    }

    @Test
    void rangeQueryOfASelector() {
        JsonNode r = node.client.api(null, "query_range", "query", "requests_total{instance=\"i1\"}",
                "start", sec(T0), "end", sec(T0 + 10 * STEP), "step", "30s").json();
        assertEquals("success", r.path("status").asText(), r.toString());
        assertEquals("matrix", r.path("data").path("resultType").asText());
        JsonNode values = r.path("data").path("result").get(0).path("values");
        assertEquals(6, values.size());
        for (int k = 0; k < 6; k++) {
            assertEquals(sec(T0 + k * 30_000), values.get(k).get(0).asText());
            assertEquals(Integer.toString(2 * 2 * k), values.get(k).get(1).asText());
        }
    }

    @Test
    void promqlOverTheApi() {
        // Series i grows by (i + 1) every 15 s: rates 1/15, 2/15, 3/15 per second, summing to 0.4.
        JsonNode r = node.client.api(null, "query", "query", "sum by (job) (rate(requests_total[5m]))",
                "time", sec(T0 + 30 * STEP)).json();
        assertEquals("vector", r.path("data").path("resultType").asText(), r.toString());
        JsonNode sample = r.path("data").path("result").get(0);
        assertEquals("api", sample.path("metric").path("job").asText());
        assertEquals(0.4, Double.parseDouble(sample.path("value").get(1).asText()), 1e-12);

        JsonNode top = node.client.api(null, "query", "query", "topk(1, requests_total)", "time", sec(T0 + 10 * STEP)).json();
        assertEquals("i2", top.path("data").path("result").get(0).path("metric").path("instance").asText());

        JsonNode count = node.client.api(null, "query", "query", "count(requests_total)", "time", sec(T0)).json();
        assertEquals("3", count.path("data").path("result").get(0).path("value").get(1).asText());
    }

    @Test
    void postFormAnswersLikeGet() {
        String[] params = {"query", "requests_total{job=\"api\"}", "time", sec(T0 + 5 * STEP)};
        assertEquals(node.client.api(null, "query", params).body(), node.client.apiPost(null, "query", params).body());
        assertEquals(node.client.api(null, "series", "match[]", "requests_total").body(),
                node.client.apiPost(null, "series", "match[]", "requests_total").body());
    }

    @Test
    void errorsHavePrometheusShapeAndStatus() {
        MnemoClient.Response parse = node.client.api(null, "query", "query", "sum(");
        assertEquals(400, parse.status());
        assertEquals("error", parse.json().path("status").asText());
        assertEquals("bad_data", parse.json().path("errorType").asText());
        assertTrue(parse.json().path("error").asText().contains("parse error"), parse.body());

        MnemoClient.Response noMatch = node.client.api(null, "series");
        assertEquals(400, noMatch.status());
        assertEquals("no match[] parameter provided", noMatch.json().path("error").asText());

        MnemoClient.Response emptyMatcher = node.client.api(null, "series", "match[]", "{job=~\".*\"}");
        assertEquals(400, emptyMatcher.status());

        MnemoClient.Response rangeOfMatrix = node.client.api(null, "query_range", "query", "requests_total[5m]",
                "start", sec(T0), "end", sec(T0 + STEP), "step", "15");
        assertEquals(400, rangeOfMatrix.status());
        assertTrue(rangeOfMatrix.json().path("error").asText().contains("range vector"), rangeOfMatrix.body());

        MnemoClient.Response tooManyPoints = node.client.api(null, "query_range", "query", "requests_total",
                "start", "0", "end", "100000", "step", "1");
        assertEquals(400, tooManyPoints.status());
        assertTrue(tooManyPoints.json().path("error").asText().contains("11,000 points"), tooManyPoints.body());

        MnemoClient.Response badTime = node.client.api(null, "query", "query", "1", "time", "yesterday");
        assertEquals(400, badTime.status());
        assertTrue(badTime.json().path("error").asText().contains("\"time\""), badTime.body());
    }

    @Test
    void limitTruncatesWithAWarning() {
        JsonNode r = node.client.api(null, "series", "match[]", "requests_total", "limit", "2").json();
        assertEquals(2, r.path("data").size());
        assertEquals("results truncated due to limit", r.path("warnings").get(0).asText());
        JsonNode values = node.client.api(null, "label/instance/values", "limit", "1").json();
        assertEquals(1, values.path("data").size());
    }

    @Test
    void formatQueryPrettyPrints() {
        JsonNode r = node.client.api(null, "format_query", "query", "sum(rate(foo{bar=\"baz\"}[5m]))by(job)").json();
        assertEquals("sum by (job) (rate(foo{bar=\"baz\"}[5m]))", r.path("data").asText());
    }

    @Test
    void promtoolQueriesMnemo() throws Exception {
        String url = "http://127.0.0.1:" + node.node.httpPort() + "/prometheus";
        String instant = promtool("query", "instant", "--time=" + sec(T0 + 10 * STEP), url, "requests_total{instance=\"i2\"}");
        assertTrue(instant.contains("requests_total{instance=\"i2\", job=\"api\"} => 30 @["), instant);

        String range = promtool("query", "range", "--start=" + sec(T0), "--end=" + sec(T0 + 2 * STEP), "--step=15s",
                url, "requests_total{instance=\"i0\"}");
        assertTrue(range.contains("0 @[" + sec(T0) + "]") && range.contains("2 @[" + sec(T0 + 2 * STEP) + "]"), range);

        // promtool's default window is around now; the data is from 2023.
        String window1 = "--start=" + sec(T0), window2 = "--end=" + sec(T0 + SAMPLES * STEP);
        String series = promtool("query", "series", "--match=requests_total", window1, window2, url);
        assertEquals(3, series.lines().filter(l -> l.contains("requests_total")).count(), series);

        String labels = promtool("query", "labels", window1, window2, url, "instance");
        assertEquals(List.of("i0", "i1", "i2"), labels.lines().map(String::trim).filter(l -> !l.isEmpty()).toList());
    }

    private static String promtool(String... args) throws IOException, InterruptedException {
        return PrometheusTools.promtool(Duration.ofSeconds(60), args);
    }

    static String sec(long ms) {
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format("%d.%03d", ms / 1000, ms % 1000);
    }
}
