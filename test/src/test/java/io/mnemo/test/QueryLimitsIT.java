package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * No single query hurts the node (issue 13, finding 2) and the query limits answer 422 naming
 * the limit: a subquery that would hold tens of billions of samples, expressions nested
 * thousands deep, too many series, too many chunk bytes, too long a time range. After each the
 * node still ingests and answers, and every acknowledged sample is queryable. Also the UTF-8 name
 * scheme of {@code /label/<name>/values} (finding 8).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueryLimitsIT {
    static final long STEP = 15_000;
    static final int SAMPLES = 40; // ten minutes

    @TempDir
    static Path dataDir;

    private TestNode n;
    private long t0;
    /** Samples of "kept" acknowledged so far, one series of tenant "t". */
    private int keptSamples;

    @BeforeAll
    void start() throws Exception {
        n = TestNode.start(dataDir,
                "mnemo.limits.tenants.series.max-fetched-series-per-query", 5,
                "mnemo.limits.tenants.bytes.max-fetched-chunk-bytes-per-query", "500B",
                "mnemo.limits.tenants.length.max-query-length", "1h",
                "mnemo.distributor.max-label-value-length", 200_000);
        t0 = (System.currentTimeMillis() / 1000) * 1000 - 20 * 60_000;
        for (String tenant : new String[] {"t", "series", "bytes", "length"}) {
            RemoteWrite w = RemoteWrite.request();
            for (int s = 0; s < 10; s++) w.series(Labels.of("__name__", "m", "i", "" + s, "my_label", "v" + s), times(), values());
            assertEquals(200, n.client.push(tenant, w.encode()).status());
        }
        Await.until("data queryable", Duration.ofSeconds(30), () -> count("length", "count(m)") == 10);
        pushKept();
    }

    @AfterAll
    void stop() throws Exception {
        n.close();
    }

    /**
     * Java's regex engine recurses once per repetition of (a|b)*: over a value this long it
     * overflows any stack. Before the fix that happened on an ingester's actor thread, where
     * Pekko stops the JVM on such an error; last, as it stops this one.
     */
    @Test
    @Order(100)
    void aRegexTooComplexForALabelValueFailsTheQueryNotTheNode() {
        byte[] body = RemoteWrite.request().series(Labels.of("__name__", "long", "v", "ab".repeat(50_000)),
                new long[] {t0}, new double[] {1}).encode();
        assertEquals(200, n.client.push("t", body).status());
        Await.until("long value queryable", Duration.ofSeconds(30), () -> count("t", "count(last_over_time(long[1h]))") == 1);
        MnemoClient.Response r = n.client.api("t", "query", "query", "long{v=~\"(a|b)*\"}", "time", sec(t0));
        assertEquals(422, r.status(), r.body());
        assertEquals("execution", r.json().path("errorType").asText());
        assertTrue(r.json().path("error").asText().matches("ingester zone-a/\\d+: the regular expression of"
                + " v=~\"\\(a\\|b\\)\\*\" is too complex to match a label value of 100000 characters"), r.body());
        carriesOn();
    }

    /** Before the fix it ran the heap out, in this JVM. */
    @Test
    @Order(99)
    void aSubqueryOfBillionsOfStepsIsRefusedAtOnce() {
        double before = rejected("t", "max-samples");
        MnemoClient.Response r = timed("max_over_time(vector(1)[1y:1ms])", 10_000,
                () -> n.client.api("t", "query", "query", "max_over_time(vector(1)[1y:1ms])", "time", sec(t0)));
        assertError(r, 422, "execution", "query processing would load too many samples into memory in query execution");
        assertEquals(before + 1, rejected("t", "max-samples"));
        carriesOn();
    }

    @Test
    @Order(1)
    void deepExpressionsAreParseErrorsAndTheDeepestAllowedIsEvaluated() {
        double before = rejected("t", "max-expression-depth");
        // 2,000 deep in several shapes, and a binary chain of 100,000 terms: refused while parsing.
        String[] tooDeep = {nest("(", "1", ")", 2000), nest("-(", "m", ")", 2000), nest("abs(", "m", ")", 2000),
                nest("max_over_time(", "m", "[1m:])", 2000), "1" + "+1".repeat(100_000)};
        for (String deep : tooDeep) {
            MnemoClient.Response r = timed(deep.substring(0, 20), 10_000,
                    () -> n.client.apiPost("t", "query", "query", deep, "time", sec(t0)));
            assertEquals(400, r.status(), r.body());
            assertEquals("bad_data", r.json().path("errorType").asText());
            assertTrue(r.json().path("error").asText().contains(
                    "expression is nested deeper than the limit of 1000 levels (mnemo.querier.max-expression-depth)"), r.body());
            MnemoClient.Response f = n.client.apiPost("t", "format_query", "query", deep);
            assertEquals(400, f.status(), f.body());
        }
        assertEquals(before + 2 * tooDeep.length, rejected("t", "max-expression-depth"));
        // As deep as the limit allows is evaluated, printed and formatted on the query threads.
        String atLimit = nest("abs(", "-m{i=\"3\"}", ")", 998);
        JsonNode deepest = n.client.apiPost("t", "query", "query", atLimit, "time", sec(t0 + (SAMPLES - 1) * STEP)).json();
        assertEquals("success", deepest.path("status").asText(), deepest.toString());
        assertEquals("117", deepest.path("data").path("result").get(0).path("value").get(1).asText());
        JsonNode range = n.client.apiPost("t", "query_range", "query", atLimit,
                "start", sec(t0), "end", sec(t0 + (SAMPLES - 1) * STEP), "step", "60").json();
        assertEquals(10, range.path("data").path("result").get(0).path("values").size(), range.toString());
        assertEquals(200, n.client.apiPost("t", "format_query", "query", atLimit).status());
        carriesOn();
    }

    @Test
    @Order(2)
    void moreSeriesThanTheTenantMayFetch() {
        double before = rejected("series", "max-fetched-series-per-query");
        MnemoClient.Response r = n.client.api("series", "query", "query", "count(m)", "time", sec(t0));
        assertError(r, 422, "execution", "the query exceeded the maximum number of series (limit: 5 series)"
                + " (err-mnemo-max-series-per-query). Consider reducing the time range and/or number of series selected"
                + " by the query. One way to reduce the number of selected series is to add more label matchers to the"
                + " query. Otherwise, to adjust the related per-tenant limit, configure"
                + " mnemo.limits.max-fetched-series-per-query, or contact your service administrator.");
        MnemoClient.Response seriesApi = n.client.api("series", "series", "match[]", "m",
                "start", sec(t0), "end", sec(t0 + SAMPLES * STEP));
        assertEquals(422, seriesApi.status(), seriesApi.body());
        assertTrue(seriesApi.body().contains("(limit: 5 series)"), seriesApi.body());
        assertEquals(before + 2, rejected("series", "max-fetched-series-per-query"));
        assertEquals(5, count("series", "count(m{i=~\"[0-4]\"})"));
        assertEquals(10, count("t", "count(m)"), "other tenants keep their own limits");
        carriesOn();
    }

    @Test
    @Order(3)
    void moreChunkBytesThanTheTenantMayFetch() {
        // Ten series of 40 samples hold more than 500 bytes of chunks; one holds less.
        MnemoClient.Response r = n.client.api("bytes", "query", "query", "sum(m)", "time", sec(t0));
        assertError(r, 422, "execution", "the query exceeded the aggregated chunks size limit (limit: 500 bytes)"
                + " (err-mnemo-max-chunks-bytes-per-query). Consider reducing the time range and/or number of series"
                + " selected by the query. One way to reduce the number of selected series is to add more label matchers"
                + " to the query. Otherwise, to adjust the related per-tenant limit, configure"
                + " mnemo.limits.max-fetched-chunk-bytes-per-query, or contact your service administrator.");
        assertEquals(1, rejected("bytes", "max-fetched-chunk-bytes-per-query"));
        assertEquals(1, count("bytes", "count(m{i=\"0\"})"));
        carriesOn();
    }

    @Test
    @Order(4)
    void aLongerTimeRangeThanTheTenantMayRead() {
        // Two hours where one may be read: a range query (plus its lookback), a range selector, the series API.
        MnemoClient.Response r = n.client.api("length", "query_range", "query", "m",
                "start", sec(t0 - 2 * 3_600_000), "end", sec(t0), "step", "60");
        assertError(r, 422, "execution", "the query time range exceeds the limit (query length: 2h4m59.999s,"
                + " limit: 1h0m0s) (err-mnemo-max-query-length). To adjust the related per-tenant limit, configure"
                + " mnemo.limits.max-query-length, or contact your service administrator.");
        MnemoClient.Response selector = n.client.api("length", "query", "query", "count_over_time(m[2h])", "time", sec(t0));
        assertEquals(422, selector.status(), selector.body());
        assertTrue(selector.body().contains("(query length: 1h59m59.999s, limit: 1h0m0s)"), selector.body());
        MnemoClient.Response seriesApi = n.client.api("length", "series", "match[]", "m",
                "start", sec(t0 - 2 * 3_600_000), "end", sec(t0));
        assertEquals(422, seriesApi.status(), seriesApi.body());
        assertEquals(3, rejected("length", "max-query-length"));
        assertEquals(10, count("length", "count(count_over_time(m[30m]))"));
        carriesOn();
    }

    @Test
    @Order(5)
    void labelValuesTakeUtf8NamesEscapedOrNot() {
        // Prometheus 3's UTF-8 names in /label/<name>/values, escaped with U__ where the path needs it.
        assertEquals("[\"v0\",\"v1\"]", n.client.api("t", "label/U__my__label/values",
                "match[]", "m{i=~\"0|1\"}").json().path("data").toString());
        MnemoClient.Response utf8 = n.client.api("t", "label/a-b/values");
        assertEquals(200, utf8.status(), utf8.body());
        assertEquals("[]", utf8.json().path("data").toString());
        assertEquals(200, n.client.api("t", "label/U__a_2e_b/values").status());
        assertEquals(200, n.client.api("t", "label/%C3%A4/values").status());
        assertError(n.client.api("t", "label/U__/values"), 400, "bad_data", "invalid label name: \"\"");
        carriesOn();
    }

    /** The node still takes a push and answers with every sample acknowledged so far. */
    private void carriesOn() {
        pushKept();
        int expected = keptSamples;
        Await.until(expected + " acknowledged samples queryable", Duration.ofSeconds(30),
                () -> count("t", "count_over_time(kept[1h])") == expected);
    }

    private void pushKept() {
        long t = t0 + keptSamples * 1000L;
        byte[] body = RemoteWrite.request().series(Labels.of("__name__", "kept"), new long[] {t}, new double[] {keptSamples})
                .encode();
        assertEquals(200, n.client.push("t", body).status());
        keptSamples++;
    }

    /** The single value of an instant query at the newest pushed time, as an integer; -1 for no result. */
    private int count(String tenant, String query) {
        JsonNode r = n.client.api(tenant, "query", "query", query, "time", sec(t0 + (SAMPLES - 1) * STEP)).json();
        assertEquals("success", r.path("status").asText(), r.toString());
        JsonNode result = r.path("data").path("result");
        return result.isEmpty() ? -1 : Integer.parseInt(result.get(0).path("value").get(1).asText());
    }

    /** mnemo_querier_queries_rejected_total of a tenant and limit, 0 before the first. */
    private double rejected(String tenant, String reason) {
        String series = "mnemo_querier_queries_rejected_total{reason=\"" + reason + "\",tenant=\"" + tenant + "\"} ";
        for (String line : n.client.get("/metrics").body().split("\n")) {
            if (line.startsWith(series)) return Double.parseDouble(line.substring(series.length()));
        }
        return 0;
    }

    private static MnemoClient.Response timed(String what, long maxMillis, java.util.function.Supplier<MnemoClient.Response> call) {
        long start = System.nanoTime();
        MnemoClient.Response r = call.get();
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs < maxMillis, what + " took " + tookMs + " ms: " + r.status() + " " + r.body());
        return r;
    }

    private static void assertError(MnemoClient.Response r, int status, String errorType, String message) {
        assertEquals(status, r.status(), r.body());
        assertEquals("error", r.json().path("status").asText(), r.body());
        assertEquals(errorType, r.json().path("errorType").asText(), r.body());
        assertEquals(message, r.json().path("error").asText());
    }

    private long[] times() {
        long[] ts = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) ts[i] = t0 + i * STEP;
        return ts;
    }

    private static double[] values() {
        double[] vs = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) vs[i] = i * 3;
        return vs;
    }

    private static String nest(String open, String inner, String close, int times) {
        return open.repeat(times) + inner + close.repeat(times);
    }

    private static String sec(long millis) {
        return String.format("%.3f", millis / 1000.0);
    }
}
