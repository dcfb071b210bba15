package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.mnemo.tsdb.block.IndexReader;
import io.mnemo.tsdb.block.SeriesEntry;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real sender of native histograms: a client_java exporter with a native-only histogram, served
 * in the protobuf exposition format, scraped every second by Debian's Prometheus 2.42
 * ({@code --enable-feature=native-histograms}), which remote-writes them to Mnemo with
 * {@code send_native_histograms: true}. Prometheus's own HTTP API and Mnemo's then give the same
 * answers, floats within 1e-9 relative, for the raw histograms, {@code rate}, its
 * {@code histogram_count} and {@code histogram_sum}, and {@code histogram_quantile}, at several
 * times and as range queries; again once Mnemo has cut its heads into blocks, and after a restart.
 *
 * <p>Prometheus 2.42 interpolates {@code histogram_quantile} linearly within exponential buckets;
 * Prometheus 3 (and Mnemo) logarithmically. So Mnemo's quantile is checked against Prometheus 3's
 * rule applied to Prometheus's own {@code rate} histogram, and Prometheus's answer against the
 * linear rule in the same bucket.
 *
 * <p>The node is single-tenant: 2.42 does not send remote_write {@code headers} (see
 * {@link PrometheusInteropIT}).
 */
class NativeHistogramInteropIT {
    private static final String METRIC = "mnemo_nh_interop_seconds";
    private static final String TENANT = "interop";
    /** Enough for a 1m rate over the last 30 s, and for several histogram chunks at 100+ buckets (cut at ~1 KiB). */
    private static final int MIN_SAMPLES = 100;
    private static final double RELATIVE = 1e-9;

    @TempDir
    Path dir;

    @Test
    void prometheusForwardsNativeHistogramsThatMnemoAnswersAlike() throws Exception {
        Path prometheus = PrometheusTools.prometheus();
        HttpClient http = HttpClient.newHttpClient();
        Path data = dir.resolve("mnemo");
        Object[] config = {"mnemo.multitenancy-enabled", false, "mnemo.no-auth-tenant", TENANT};

        // The exporter: observations from a fixed seed, log-normal over six orders of magnitude, so
        // the histogram holds 100+ buckets (client_java halves its resolution past 160).
        PrometheusRegistry registry = new PrometheusRegistry();
        Histogram latency = Histogram.builder().name(METRIC).help("interop latency").nativeOnly().register(registry);
        PrometheusProtobufWriter writer = new PrometheusProtobufWriter();
        List<String> accepts = new ArrayList<>();
        HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", MnemoProcess.freePort()), 0);
        exporter.createContext("/metrics", ex -> {
            synchronized (accepts) {
                accepts.add(String.valueOf(ex.getRequestHeaders().getFirst("Accept")));
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            writer.write(body, registry.scrape());
            ex.getResponseHeaders().add("Content-Type", PrometheusProtobufWriter.CONTENT_TYPE);
            ex.sendResponseHeaders(200, body.size());
            try (OutputStream out = ex.getResponseBody()) {
                body.writeTo(out);
            }
        });
        exporter.start();
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        Random random = new Random(16);
        load.scheduleAtFixedRate(() -> {
            for (int i = 0; i < 25; i++) latency.observe(0.01 * Math.exp(random.nextGaussian() * 2.5));
        }, 0, 100, TimeUnit.MILLISECONDS);

        TestNode n = TestNode.start(data, config);
        int promPort = MnemoProcess.freePort();
        Path promConfig = dir.resolve("prometheus.yml");
        Files.writeString(promConfig, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: exporter
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                remote_write:
                  - url: http://127.0.0.1:%d/api/v1/push
                    send_native_histograms: true
                    queue_config:
                      batch_send_deadline: 1s
                      min_backoff: 100ms
                      max_backoff: 1s
                """.formatted(exporter.getAddress().getPort(), n.node.httpPort()));
        Path promLog = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(prometheus.toString(),
                "--config.file=" + promConfig,
                "--storage.tsdb.path=" + dir.resolve("prom-data"),
                "--web.listen-address=127.0.0.1:" + promPort,
                "--enable-feature=native-histograms")
                .redirectErrorStream(true)
                .redirectOutput(promLog.toFile())
                .start();
        Prometheus prom = new Prometheus(http, "http://127.0.0.1:" + promPort + "/api/v1/");
        Answers expected;
        try {
            Await.until(MIN_SAMPLES + " scraped histograms in Prometheus", Duration.ofSeconds(240),
                    () -> prom.query(METRIC + "[10m]", now()).path("data").path("result").path(0).path("histograms").size() >= MIN_SAMPLES);
            synchronized (accepts) {
                assertTrue(accepts.get(0).startsWith("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily"),
                        "Prometheus asks for the protobuf exposition first: " + accepts.get(0));
            }
            // The floats of the same remote-write requests reach Mnemo: the chain itself works.
            Await.until("up{job=\"exporter\"} in Mnemo", Duration.ofSeconds(60), () -> n.client
                    .api(TENANT, "query", "query", "up{job=\"exporter\"}").json().path("data").path("result").size() == 1);

            // A window every answer is complete in: from the first scrape + 1m to 2 s before the last.
            JsonNode raw = prom.query(METRIC + "[10m]", now()).path("data").path("result").path(0).path("histograms");
            double first = raw.get(0).get(0).asDouble();
            double last = raw.get(raw.size() - 1).get(0).asDouble();
            long end = (long) Math.floor(last) - 2;
            long start = (long) Math.ceil(first) + 61;
            assertTrue(end - start >= 30, "a window of 30 s at least: " + start + ".." + end);
            assertTrue(raw.get(raw.size() - 1).get(1).path("buckets").size() >= 100,
                    "100+ populated buckets: " + raw.get(raw.size() - 1).get(1).path("buckets").size());

            expected = Answers.of(prom, start, end, (long) Math.floor(first));
            int scraped = expected.answers.get(expected.raw).path("data").path("result").path(0).path("histograms").size();
            Await.until("Mnemo holding Prometheus's " + scraped + " raw histograms", Duration.ofSeconds(60), () -> {
                JsonNode ours = mnemo(n, expected.raw).path("data").path("result").path(0).path("histograms");
                if (ours.size() == scraped) return true;
                throw new IllegalStateException(ours.size() + " histograms so far; Mnemo discarded: " + discarded(n)
                        + "; Prometheus's last remote-write error: " + remoteWriteErrors(promLog));
            });
            expected.check("head", q -> mnemo(n, q));

            MnemoClient.Response flush = n.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            expected.check("blocks after /ingester/flush", q -> mnemo(n, q));
            assertTrue(chunksInBlocks(data) >= 2, "the series crosses a chunk cut: " + chunksInBlocks(data) + " chunks");
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            load.shutdownNow();
            exporter.stop(0);
            n.close();
        }

        try (TestNode again = TestNode.start(data, config)) {
            expected.check("after a restart", q -> mnemo(again, q));
            // The restarted node takes and answers new histograms.
            long t = System.currentTimeMillis() / 1000 * 1000;
            MnemoClient.Response r = again.client.push(TENANT, RemoteWrite.request().histograms(
                    io.mnemo.tsdb.Labels.of("__name__", "after_restart"),
                    RemoteWriteComplianceHistogramsIT.suite(1.0, true, true, true, false).at(t)).encode());
            assertEquals(200, r.status(), r.body());
            Await.until("a histogram pushed after the restart", Duration.ofSeconds(30), () -> "27".equals(again.client
                    .api(TENANT, "query", "query", "histogram_count(after_restart)", "time", Long.toString(t / 1000)).json()
                    .path("data").path("result").path(0).path("value").path(1).asText()));
        }
    }

    /** Prometheus's answers to the compared queries, kept so Mnemo is compared with them after Prometheus stops. */
    private static final class Answers {
        final Map<Query, JsonNode> answers = new LinkedHashMap<>();
        final Query raw;

        private Answers(Query raw) {
            this.raw = raw;
        }

        static Answers of(Prometheus prom, long start, long end, long first) {
            Answers a = new Answers(new Query(METRIC + "[" + (end - first + 1) + "s]", end, 0, 0));
            a.answers.put(a.raw, prom.query(a.raw));
            String rate = "rate(" + METRIC + "[1m])";
            String[] exprs = {METRIC, rate, "histogram_count(" + rate + ")", "histogram_sum(" + rate + ")",
                    "histogram_count(" + METRIC + ")", "histogram_sum(" + METRIC + ")",
                    "histogram_quantile(0.9, " + rate + ")", "histogram_quantile(0.5, " + rate + ")"};
            long mid = start + (end - start) / 2;
            for (String e : exprs) {
                for (double t : new double[] {start, mid + 0.25, end}) a.answers.put(new Query(e, t, 0, 0), prom.query(e, t));
                Query range = new Query(e, 0, start, end);
                a.answers.put(range, prom.queryRange(e, start, end, 7));
            }
            for (Map.Entry<Query, JsonNode> e : a.answers.entrySet()) {
                JsonNode result = e.getValue().path("data").path("result");
                assertTrue(result.size() == 1, "Prometheus answers " + e.getKey() + ": " + e.getValue());
            }
            return a;
        }

        /** Compares Mnemo's answer to each query with Prometheus's. */
        void check(String when, java.util.function.Function<Query, JsonNode> mnemo) {
            List<String> failures = new ArrayList<>();
            for (Map.Entry<Query, JsonNode> e : answers.entrySet()) {
                Query q = e.getKey();
                JsonNode ours = mnemo.apply(q);
                try {
                    if (q.expr.startsWith("histogram_quantile(")) {
                        checkQuantile(q, e.getValue(), ours, mnemo);
                    } else {
                        assertSame(q + "", e.getValue().path("data"), ours.path("data"));
                    }
                } catch (AssertionError err) {
                    failures.add(err.getMessage());
                }
            }
            if (!failures.isEmpty()) {
                fail(when + ": " + failures.size() + " of " + answers.size() + " answers differ:\n"
                        + failures.stream().limit(5).collect(Collectors.joining("\n")));
            }
        }

        /**
         * Prometheus 2.42's quantile is the linear interpolation in the bucket holding the rank of
         * its rate histogram; Mnemo's is Prometheus 3's logarithmic one in the same bucket.
         */
        private void checkQuantile(Query q, JsonNode theirs, JsonNode ours, java.util.function.Function<Query, JsonNode> mnemo) {
            double quantile = Double.parseDouble(q.expr.substring("histogram_quantile(".length(), q.expr.indexOf(',')));
            String inner = q.expr.substring(q.expr.indexOf(',') + 2, q.expr.length() - 1);
            JsonNode rates = answers.get(new Query(inner, q.time, q.start, q.end)).path("data").path("result").path(0);
            JsonNode theirPoints = theirs.path("data").path("result").path(0);
            JsonNode ourPoints = ours.path("data").path("result").path(0);
            assertEquals(theirPoints.path("metric"), ourPoints.path("metric"), q + " labels");
            List<JsonNode> hs = points(rates, "histogram");
            List<JsonNode> theirValues = points(theirPoints, "value");
            List<JsonNode> ourValues = points(ourPoints, "value");
            assertEquals(hs.size(), ourValues.size(), q + " points: " + ours);
            for (int i = 0; i < hs.size(); i++) {
                JsonNode h = hs.get(i).get(1);
                assertEquals(hs.get(i).get(0).asDouble(), ourValues.get(i).get(0).asDouble(), q + " time");
                close(q + " at " + plain(hs.get(i).get(0).asDouble()) + " (Prometheus 2.42, linear)", quantile(quantile, h, false),
                        num(theirValues.get(i).get(1).asText()));
                close(q + " at " + plain(hs.get(i).get(0).asDouble()) + " (Mnemo, Prometheus 3's logarithmic)", quantile(quantile, h, true),
                        num(ourValues.get(i).get(1).asText()));
            }
        }
    }

    /** An instant (time) or range (start, end; step 7 s) query. */
    private record Query(String expr, double time, long start, long end) {
        boolean range() {
            return end != 0;
        }

        @Override
        public String toString() {
            return range() ? expr + " [" + start + ".." + end + "]" : expr + " @" + plain(time);
        }
    }

    /** The points of a result, instant ("value"/"histogram") or range ("values"/"histograms"). */
    private static List<JsonNode> points(JsonNode series, String kind) {
        List<JsonNode> out = new ArrayList<>();
        if (series.has(kind)) out.add(series.get(kind));
        else series.path(kind + "s").forEach(out::add);
        return out;
    }

    /**
     * The q-quantile of an API histogram's buckets: the rank's bucket, interpolated linearly
     * (Prometheus 2) or logarithmically between positive bounds (Prometheus 3).
     */
    private static double quantile(double q, JsonNode h, boolean logarithmic) {
        double count = num(h.path("count").asText());
        double rank = q * count;
        double seen = 0;
        for (JsonNode b : h.path("buckets")) {
            double c = num(b.get(3).asText());
            seen += c;
            if (seen < rank) continue;
            double lower = num(b.get(1).asText());
            double upper = num(b.get(2).asText());
            double fraction = (rank - (seen - c)) / c;
            assertTrue(lower > 0, "only positive observations: " + b);
            if (!logarithmic) return lower + (upper - lower) * fraction;
            double logLower = Math.log(lower) / Math.log(2);
            double logUpper = Math.log(upper) / Math.log(2);
            return Math.pow(2, logLower + (logUpper - logLower) * fraction);
        }
        throw new AssertionError("no bucket holds rank " + rank + " of " + h);
    }

    /** Two API answers alike: same structure, strings equal or numbers within {@link #RELATIVE}. */
    private static void assertSame(String what, JsonNode theirs, JsonNode ours) {
        if (theirs.isObject()) {
            assertTrue(ours.isObject(), what + ": " + ours);
            List<String> names = new ArrayList<>();
            theirs.fieldNames().forEachRemaining(names::add);
            List<String> ourNames = new ArrayList<>();
            ours.fieldNames().forEachRemaining(ourNames::add);
            assertEquals(names.stream().sorted().toList(), ourNames.stream().sorted().toList(), what + " keys");
            for (String name : names) assertSame(what + "." + name, theirs.get(name), ours.get(name));
        } else if (theirs.isArray()) {
            assertTrue(ours.isArray(), what + ": " + ours);
            assertEquals(theirs.size(), ours.size(), what + " size: " + abbreviate(theirs) + " vs " + abbreviate(ours));
            Iterator<JsonNode> a = theirs.elements();
            Iterator<JsonNode> b = ours.elements();
            for (int i = 0; a.hasNext(); i++) assertSame(what + "[" + i + "]", a.next(), b.next());
        } else if (theirs.isNumber()) {
            assertEquals(theirs.asDouble(), ours.asDouble(), what);
        } else if (isNumber(theirs.asText()) && isNumber(ours.asText())) {
            close(what, num(theirs.asText()), num(ours.asText()));
        } else {
            assertEquals(theirs, ours, what);
        }
    }

    private static void close(String what, double expected, double actual) {
        if (expected == actual) return;
        assertTrue(Math.abs(expected - actual) <= Math.abs(expected) * RELATIVE, what + ": expected " + expected + ", was " + actual);
    }

    private static boolean isNumber(String s) {
        try {
            num(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** A number as the API writes it (Go's "+Inf", "-Inf", "NaN" included). */
    private static double num(String s) {
        return switch (s) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** Seconds as the APIs take them, never in exponent notation. */
    private static String plain(double seconds) {
        return java.math.BigDecimal.valueOf(seconds).toPlainString();
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    private static JsonNode mnemo(TestNode n, Query q) {
        MnemoClient.Response r = q.range()
                ? n.client.api(TENANT, "query_range", "query", q.expr, "start", Long.toString(q.start), "end", Long.toString(q.end), "step", "7")
                : n.client.api(TENANT, "query", "query", q.expr, "time", plain(q.time));
        assertEquals(200, r.status(), q + ": " + r.body());
        return r.json();
    }

    /** Mnemo's discarded-samples counters, for the failure message when the histograms do not arrive. */
    private static String discarded(TestNode n) {
        return n.client.get("/metrics").body().lines().filter(l -> l.startsWith("mnemo_discarded_samples_total"))
                .collect(Collectors.joining("; "));
    }

    /** Prometheus's remote-write complaints (e.g. the 400s it drops batches on). */
    private static String remoteWriteErrors(Path log) {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.contains("component=remote") && l.contains("level=error"))
                    .reduce((a, b) -> b).orElse("none");
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Chunks of the histogram series in the tenant's blocks. */
    private static int chunksInBlocks(Path data) throws Exception {
        int chunks = 0;
        try (Stream<Path> blocks = Files.list(data.resolve("tsdb").resolve(TENANT))) {
            for (Path block : blocks.filter(b -> Files.exists(b.resolve("index"))).toList()) {
                try (IndexReader index = IndexReader.open(block.resolve("index"))) {
                    for (int id : index.postings("__name__", METRIC)) {
                        SeriesEntry series = new SeriesEntry();
                        index.series(id, series, true);
                        chunks += series.numChunks();
                    }
                }
            }
        }
        return chunks;
    }

    /** Prometheus's HTTP API; failures to reach it are unchecked, so Await retries them. */
    private record Prometheus(HttpClient http, String api) {
        JsonNode query(Query q) {
            return q.range() ? queryRange(q.expr, q.start, q.end, 7) : query(q.expr, q.time);
        }

        JsonNode query(String expr, double time) {
            return get("query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8) + "&time=" + plain(time));
        }

        JsonNode queryRange(String expr, long start, long end, int step) {
            return get("query_range?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8) + "&start=" + start
                    + "&end=" + end + "&step=" + step);
        }

        private JsonNode get(String path) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
                return MnemoClient.JSON.readTree(r.body());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
