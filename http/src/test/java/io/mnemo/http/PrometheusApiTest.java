package io.mnemo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.querier.StoreFailureException;
import io.mnemo.actors.querier.PartitionUnavailableException;
import io.mnemo.actors.querier.TenantQueryable;
import io.mnemo.promql.EvaluationException;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.head.Head;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus query API on a real Pekko HTTP server with the node's configuration, over
 * in-memory heads per tenant: JSON shapes, tenants kept apart, and each kind of failure answered
 * with Prometheus's status and error type.
 */
class PrometheusApiTest {
    static final long T = 1_700_000_000_000L;
    static final ObjectMapper JSON = new ObjectMapper();

    /** Heads by tenant; a failure to throw from every read instead, when set. */
    static final class Heads implements TenantQueryable {
        final Map<String, Head> heads = new TreeMap<>();
        volatile Supplier<RuntimeException> failure;

        Head head(String tenant) {
            return heads.computeIfAbsent(tenant, t -> new Head());
        }

        private Querier querier(String tenant, long mint, long maxt) {
            if (failure != null) throw failure.get();
            Head h = heads.get(tenant);
            return h == null ? new Head().querier(mint, maxt) : h.querier(mint, maxt);
        }

        @Override
        public Queryable queryable(String tenant, long deadlineNanos) {
            return (mint, maxt) -> querier(tenant, mint, maxt);
        }

        @Override
        public List<Labels> series(String tenant, long mint, long maxt, List<LabelMatcher[]> matcherSets) {
            TreeSet<Labels> out = new TreeSet<>();
            for (LabelMatcher[] ms : matcherSets) {
                SeriesSet s = querier(tenant, mint, maxt).select(true, ms);
                while (s.next()) out.add(s.at().labels());
            }
            return new ArrayList<>(out);
        }

        @Override
        public List<String> labelNames(String tenant, long mint, long maxt, LabelMatcher... matchers) {
            return querier(tenant, mint, maxt).labelNames(matchers);
        }

        @Override
        public List<String> labelValues(String tenant, String name, long mint, long maxt, LabelMatcher... matchers) {
            return querier(tenant, mint, maxt).labelValues(name, matchers);
        }

        @Override
        public Map<String, List<String[]>> metadata(String tenant, String metric) {
            return Map.of();
        }

        /** Exemplars by tenant, selected as an ingester's store selects them. */
        final Map<String, io.mnemo.tsdb.exemplar.ExemplarStore> exemplars = new TreeMap<>();

        @Override
        public List<io.mnemo.tsdb.exemplar.SeriesExemplars> exemplars(String tenant, long start, long end,
                                                                     List<LabelMatcher[]> matcherSets) {
            if (failure != null) throw failure.get();
            io.mnemo.tsdb.exemplar.ExemplarStore s = exemplars.get(tenant);
            return s == null ? List.of() : s.select(start, end, matcherSets);
        }
    }

    static final Heads heads = new Heads();
    static ActorSystem<Void> system;
    static ServerBinding binding;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Config config = ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING\n")
                .withFallback(ConfigFactory.parseFile(new File("../conf/application.conf"))).resolve();
        MnemoSettings settings = MnemoSettings.from(config);
        system = ActorSystem.create(Behaviors.empty(), "prometheus-api", config);
        PrometheusApi api = new PrometheusApi(settings, new MnemoMetrics(new PrometheusRegistry()), heads, new Tenants(settings));
        var d = new AllDirectives() {};
        binding = Http.get(system).newServerAt("127.0.0.1", 0)
                .bind(d.pathPrefix(PathMatchers.segment("prometheus").slash("api").slash("v1"), api::route))
                .toCompletableFuture().get();
        for (int i = 0; i < 3; i++) {
            Head h = heads.head("team-a");
            int ref = h.getOrCreateSeries(Labels.of("__name__", "up", "instance", "i" + i, "job", "node"));
            for (int s = 0; s < 10; s++) h.append(ref, T + s * 15_000L, i + s);
        }
        Head b = heads.head("team-b");
        b.append(b.getOrCreateSeries(Labels.of("__name__", "up", "instance", "other", "a-b", "utf8")), T, 42);
    }

    @AfterAll
    static void stop() throws Exception {
        binding.unbind().toCompletableFuture().get();
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get();
    }

    @AfterEach
    void noFailure() {
        heads.failure = null;
    }

    static HttpResponse<String> get(String tenant, String path, String... params) throws Exception {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < params.length; i += 2) {
            q.append(i == 0 ? '?' : '&').append(params[i]).append('=')
                    .append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + binding.localAddress().getPort()
                + "/prometheus/api/v1/" + path + q)).timeout(Duration.ofSeconds(30));
        if (tenant != null) b.header("X-Scope-OrgID", tenant);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    static String at(long millis) {
        return Long.toString(millis / 1000);
    }

    @Test
    void instantQueryAnswersAVectorOfTheTenantsOwnSeries() throws Exception {
        HttpResponse<String> r = get("team-a", "query", "query", "sum(up)", "time", at(T + 135_000));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = json(r);
        assertEquals("success", j.path("status").asText());
        assertEquals("vector", j.path("data").path("resultType").asText());
        // 9 + 10 + 11 at the last sample
        assertEquals("30", j.path("data").path("result").get(0).path("value").get(1).asText());
        JsonNode b = json(get("team-b", "query", "query", "count(up)", "time", at(T + 60_000)));
        assertEquals("1", b.path("data").path("result").get(0).path("value").get(1).asText());
    }

    @Test
    void rangeQueryAnswersAMatrix() throws Exception {
        JsonNode j = json(get("team-a", "query_range", "query", "up{instance=\"i1\"}", "start", at(T),
                "end", at(T + 60_000), "step", "15s"));
        assertEquals("matrix", j.path("data").path("resultType").asText());
        JsonNode values = j.path("data").path("result").get(0).path("values");
        assertEquals(5, values.size());
        assertEquals("1", values.get(0).get(1).asText());
        assertEquals("5", values.get(4).get(1).asText());
    }

    @Test
    void seriesLabelsAndUtf8LabelValues() throws Exception {
        JsonNode series = json(get("team-a", "series", "match[]", "up", "start", at(T), "end", at(T + 60_000)));
        assertEquals(3, series.path("data").size());
        JsonNode names = json(get("team-b", "labels"));
        assertEquals("[\"__name__\",\"a-b\",\"instance\"]", names.path("data").toString());
        JsonNode values = json(get("team-b", "label/U__a_2d_b/values"));
        assertEquals("[\"utf8\"]", values.path("data").toString(), "U__ escaping of a UTF-8 label name in the path");
    }

    @Test
    void queryExemplarsAnswersPrometheusJsonOfTheTenantsOwnExemplars() throws Exception {
        io.mnemo.tsdb.exemplar.ExemplarStore a = new io.mnemo.tsdb.exemplar.ExemplarStore(10);
        Labels req = Labels.of("__name__", "req", "job", "api");
        a.add(req, Labels.of("trace_id", "abc"), 1.5, 1_600_096_945_479L);
        a.add(req, Labels.of("trace_id", "def"), 6, 1_600_096_946_000L);
        a.add(Labels.of("__name__", "other"), Labels.of("trace_id", "o"), 1, 1_600_096_945_000L);
        heads.exemplars.put("team-a", a);
        try {
            HttpResponse<String> r = get("team-a", "query_exemplars", "query", "sum(rate(req[5m])) / ignoring(x) up",
                    "start", "1600096945", "end", "1600096947");
            assertEquals("success", json(r).path("status").asText());
            assertEquals("{\"status\":\"success\",\"data\":[{\"seriesLabels\":{\"__name__\":\"req\",\"job\":\"api\"},\"exemplars\":["
                    + "{\"labels\":{\"trace_id\":\"abc\"},\"value\":\"1.5\",\"timestamp\":1600096945.479},"
                    + "{\"labels\":{\"trace_id\":\"def\"},\"value\":\"6\",\"timestamp\":1600096946}]}]}",
                    r.body(), "the raw body: JSON numbers as Prometheus writes them");
            JsonNode later = json(get("team-a", "query_exemplars", "query", "req", "start", "1600096945.5"));
            assertEquals(1, later.path("data").get(0).path("exemplars").size(), "start filters by time");
            JsonNode both = json(get("team-a", "query_exemplars", "query", "req or other"));
            assertEquals(2, both.path("data").size(), "every selector of the query");
            assertEquals("[]", json(get("team-b", "query_exemplars", "query", "req")).path("data").toString(),
                    "another tenant's exemplars are not seen");
            HttpResponse<String> none = get("team-a", "query_exemplars", "query", "1 + 1");
            assertEquals(200, none.statusCode());
            assertTrue(json(none).path("data").isNull(), "no selector: null data, as Prometheus");
            HttpResponse<String> bad = get("team-a", "query_exemplars", "query", "sum(");
            assertEquals(400, bad.statusCode());
            assertEquals("bad_data", json(bad).path("errorType").asText());
            HttpResponse<String> backwards = get("team-a", "query_exemplars", "query", "req", "start", "10", "end", "5");
            assertEquals(400, backwards.statusCode());
        } finally {
            heads.exemplars.clear();
        }
    }

    @Test
    void aRequestWithoutTenantIs401() throws Exception {
        HttpResponse<String> r = get(null, "query", "query", "up");
        assertEquals(401, r.statusCode());
        assertEquals("no org id", r.body());
    }

    @Test
    void aParseErrorIs400BadData() throws Exception {
        HttpResponse<String> r = get("team-a", "query", "query", "sum(");
        assertEquals(400, r.statusCode());
        assertEquals("bad_data", json(r).path("errorType").asText());
    }

    @Test
    void unavailableDataIs503() throws Exception {
        heads.failure = () -> new PartitionUnavailableException("partition 3: no ingester answered");
        HttpResponse<String> r = get("team-a", "query", "query", "up");
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("unavailable", json(r).path("errorType").asText());
        assertTrue(json(r).path("error").asText().contains("partition 3"), r.body());
        assertEquals(503, get("team-a", "series", "match[]", "up").statusCode());
    }

    @Test
    void aQueryTheStorageCannotAnswerIs422() throws Exception {
        heads.failure = () -> new EvaluationException("ingester zone-a/1: regex too complex");
        HttpResponse<String> r = get("team-a", "query", "query", "up");
        assertEquals(422, r.statusCode(), r.body());
        assertEquals("execution", json(r).path("errorType").asText());
    }

    @Test
    void aStorageFailureIs500() throws Exception {
        heads.failure = () -> new StoreFailureException("ingester zone-a/1: block unreadable");
        HttpResponse<String> r = get("team-a", "query", "query", "up");
        assertEquals(500, r.statusCode(), r.body());
        assertEquals("internal", json(r).path("errorType").asText());
    }
}
