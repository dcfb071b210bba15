package io.mnemo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnemo.actors.prompb.Remote;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.xerial.snappy.Snappy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Loads the same data into Prometheus (Debian's package, remote-write receiver) and into a Mnemo
 * node, runs the same range queries on both, checks that the answers agree, and reports Mnemo's
 * latency as a ratio to Prometheus's. Both servers run as child processes on loopback.
 */
@Command(name = "query-compare", mixinStandardHelpOptions = true,
        description = "Side-by-side PromQL range-query latency and answers: Mnemo vs Prometheus.")
public final class QueryCompare implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double[] LE = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, Double.POSITIVE_INFINITY};

    @Option(names = "--series", defaultValue = "10000", description = "Counter series (default: 10000).")
    int series;

    @Option(names = "--histograms", defaultValue = "500", description = "Classic histograms, 11 buckets each (default: 500).")
    int histograms;

    @Option(names = "--minutes", defaultValue = "60", description = "Data span ending now, 15 s apart (default: 60).")
    int minutes;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs per query and system; the median counts.")
    int runs;

    @Option(names = "--mnemo", defaultValue = "bin/mnemo", description = "Mnemo's launcher.")
    Path mnemoLauncher;

    @Option(names = "--prometheus", defaultValue = "/usr/bin/prometheus")
    Path prometheus;

    /** Mnemo serves the Prometheus API under /prometheus. */
    private String mnemoBase;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) {
        System.exit(new CommandLine(new QueryCompare()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("mnemo-query-compare");
        int promPort = freePort();
        int mnemoPort = freePort();
        Path promConfig = work.resolve("prometheus.yml");
        Files.writeString(promConfig, "global:\n  scrape_interval: 1m\n");
        List<Process> children = new ArrayList<>();
        try {
            children.add(new ProcessBuilder(prometheus.toString(), "--config.file=" + promConfig,
                    "--storage.tsdb.path=" + work.resolve("prometheus"), "--web.enable-remote-write-receiver",
                    "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start());
            // Mnemo as a user starts it: bin/mnemo, with its JVM options from conf/jvm.options.
            ProcessBuilder mnemoProcess = new ProcessBuilder(mnemoLauncher.toString(), "--data-dir",
                    work.resolve("mnemo").toString(), "--http-port", Integer.toString(mnemoPort))
                    .redirectErrorStream(true).redirectOutput(work.resolve("mnemo.log").toFile());
            mnemoProcess.environment().put("JAVA_OPTS", "-Dmnemo.multitenancy-enabled=false -Dmnemo.kafka.embedded.port="
                    + freePort() + " -Dpekko.remote.artery.canonical.port=" + freePort() + " -Dpekko.management.http.port=" + freePort());
            children.add(mnemoProcess.start());
            String prom = "http://127.0.0.1:" + promPort;
            String mnemo = "http://127.0.0.1:" + mnemoPort;
            mnemoBase = mnemo;
            awaitOk(prom + "/-/ready", Duration.ofSeconds(60));
            awaitOk(mnemo + "/ready", Duration.ofSeconds(120));

            long end = System.currentTimeMillis() / 15_000 * 15_000;
            int rounds = minutes * 4;
            long start = end - (rounds - 1) * 15_000L;
            System.out.printf("loading %d counters + %d histograms x %d buckets, %d samples each (15 s apart) into both%n",
                    series, histograms, LE.length, rounds);
            // Samples sit half-way between query steps: Prometheus 2.x range selectors include a sample
            // exactly at t - range, 3.x (Mnemo's semantics) exclude it; off-step samples make both agree.
            for (int r = 0; r < rounds; r++) {
                byte[] body = round(r, start + r * 15_000L - 7_500L);
                push(prom + "/api/v1/write", body);
                push(mnemo + "/api/v1/push", body);
            }
            long total = (long) (series + histograms * LE.length) * rounds;
            String countQuery = "count_over_time({__name__=~\"bench_.+\"}[" + (minutes + 1) + "m])";
            awaitAnswer(mnemo, "sum(" + countQuery + ")", end, total, Duration.ofSeconds(120));

            String step = "15";
            String[] queries = {
                    "sum by (job) (rate(bench_requests_total[5m]))",
                    "topk(5, rate(bench_requests_total[5m]))",
                    "histogram_quantile(0.9, sum by (le, job) (rate(bench_latency_seconds_bucket[5m])))",
                    "bench_requests_total{instance=~\"host-1.*\"}",
            };
            System.out.printf("%n%-86s %10s %10s %7s  %s%n", "range query (1 h, 15 s step)", "prom ms", "mnemo ms", "ratio", "answers");
            boolean allAgree = true;
            for (String q : queries) {
                String[] params = {"query", q, "start", Long.toString(start / 1000), "end", Long.toString(end / 1000), "step", step};
                JsonNode promAnswer = query(prom, params);
                JsonNode mnemoAnswer = query(mnemo, params);
                String diff = compare(promAnswer, mnemoAnswer);
                allAgree &= diff == null;
                if (diff != null && explain) explain(prom, mnemo, start, end);
                double promMs = medianMs(prom, params);
                double mnemoMs = medianMs(mnemo, params);
                System.out.printf("%-86s %10.1f %10.1f %7.2f  %s%n", q, promMs, mnemoMs, mnemoMs / promMs,
                        diff == null ? "agree" : "DIFFER: " + diff);
            }
            return allAgree ? 0 : 1;
        } finally {
            for (Process p : children) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
    }

    /** One scrape round: every counter and every histogram bucket at time t. */
    private byte[] round(int r, long t) throws IOException {
        Remote.WriteRequest.Builder w = Remote.WriteRequest.newBuilder();
        for (int s = 0; s < series; s++) {
            // Counters start at 0: Prometheus 3 (Mnemo's semantics) caps rate()'s extrapolation
            // before the zero-point check, 2.x after it, so a counter starting above zero would
            // legitimately differ in the first window of each series.
            w.addTimeseries(series(t, r * (1 + s % 7), "__name__", "bench_requests_total",
                    "instance", "host-" + s, "job", "job-" + (s % 10)));
        }
        for (int h = 0; h < histograms; h++) {
            double cumulative = 0;
            for (int b = 0; b < LE.length; b++) {
                cumulative += r * (b + 1 + h % 3);
                w.addTimeseries(series(t, cumulative, "__name__", "bench_latency_seconds_bucket",
                        "instance", "host-" + h, "job", "job-" + (h % 10), "le", formatLe(LE[b])));
            }
        }
        return Snappy.compress(w.build().toByteArray());
    }

    private static Remote.TimeSeries series(long t, double v, String... labels) {
        String[][] pairs = new String[labels.length / 2][];
        for (int i = 0; i < labels.length; i += 2) pairs[i / 2] = new String[] {labels[i], labels[i + 1]};
        Arrays.sort(pairs, (a, b) -> a[0].compareTo(b[0]));
        Remote.TimeSeries.Builder ts = Remote.TimeSeries.newBuilder();
        for (String[] p : pairs) ts.addLabels(Remote.Label.newBuilder().setName(p[0]).setValue(p[1]));
        return ts.addSamples(Remote.Sample.newBuilder().setTimestamp(t).setValue(v)).build();
    }

    private static String formatLe(double le) {
        return Double.isInfinite(le) ? "+Inf" : (le == Math.rint(le) ? Long.toString((long) le) : Double.toString(le));
    }

    private void push(String url, byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }

    private JsonNode query(String base, String... params) throws IOException, InterruptedException {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < params.length; i += 2) {
            if (form.length() > 0) form.append('&');
            form.append(params[i]).append('=').append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
        }
        String path = base.equals(mnemoBase) ? "/prometheus/api/v1/query_range" : "/api/v1/query_range";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded").timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(r.body());
        if (!"success".equals(json.path("status").asText())) throw new IllegalStateException(base + ": " + r.body());
        return json.path("data").path("result");
    }

    private double medianMs(String base, String... params) throws IOException, InterruptedException {
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            query(base, params);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[runs / 2];
    }

    @Option(names = "--explain", description = "On a difference, print one series' raw samples and rate from both.")
    boolean explain;

    private void explain(String prom, String mnemo, long start, long end) throws IOException, InterruptedException {
        String[] raw = {"query", "bench_requests_total{instance=\"host-0\"}", "start", Long.toString(start / 1000),
                "end", Long.toString(start / 1000 + 600), "step", "15"};
        String[] rate = {"query", "rate(bench_requests_total{instance=\"host-0\"}[5m])", "start", Long.toString(start / 1000),
                "end", Long.toString(start / 1000 + 600), "step", "15"};
        System.out.println("  prometheus raw:  " + query(prom, raw));
        System.out.println("  mnemo raw:       " + query(mnemo, raw));
        System.out.println("  prometheus rate: " + query(prom, rate));
        System.out.println("  mnemo rate:      " + query(mnemo, rate));
    }

    /** Null when both matrices hold the same series with the same points (values within 1e-9 relative). */
    static String compare(JsonNode expected, JsonNode actual) {
        Map<String, JsonNode> e = bySeries(expected), a = bySeries(actual);
        if (!e.keySet().equals(a.keySet())) return "series differ: prometheus " + e.size() + ", mnemo " + a.size();
        for (Map.Entry<String, JsonNode> s : e.entrySet()) {
            JsonNode ev = s.getValue(), av = a.get(s.getKey());
            if (ev.size() != av.size()) return s.getKey() + ": " + ev.size() + " vs " + av.size() + " points";
            for (int i = 0; i < ev.size(); i++) {
                if (ev.get(i).get(0).asDouble() != av.get(i).get(0).asDouble()) return s.getKey() + ": timestamps differ at " + i;
                double x = Double.parseDouble(ev.get(i).get(1).asText().replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
                double y = Double.parseDouble(av.get(i).get(1).asText().replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
                boolean same = Double.compare(x, y) == 0 || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
                if (!same) return s.getKey() + " at " + ev.get(i).get(0).asText() + ": " + x + " vs " + y;
            }
        }
        return null;
    }

    private static Map<String, JsonNode> bySeries(JsonNode result) {
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode s : result) out.put(new TreeMap<>(JSON.convertValue(s.path("metric"), Map.class)).toString(), s.path("values"));
        return out;
    }

    private void awaitOk(String url, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(url + " not ready after " + timeout);
    }

    private void awaitAnswer(String mnemo, String q, long time, long expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(mnemo + "/prometheus/api/v1/query?query="
                    + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&time=" + time / 1000)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            last = r.body();
            JsonNode res = JSON.readTree(last).path("data").path("result");
            if (res.size() == 1 && res.get(0).path("value").get(1).asDouble() == expected) return;
            Thread.sleep(500);
        }
        throw new IllegalStateException("Mnemo did not ingest " + expected + " samples in time; last answer " + last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
