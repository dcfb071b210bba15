package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingester cuts its heads into Prometheus blocks (here with a 2-minute block range): Debian's
 * promtool accepts them and dumps exactly the samples written; queries merge blocks and head;
 * /ingester/flush cuts everything; a restart answers the same, with no sample doubled.
 */
class BlocksIT {
    static final int SERIES = 50;
    static final int SAMPLES = 40; // 10 minutes at 15 s
    static final long T0 = 1_700_000_040_000L; // 2-minute aligned
    static final long STEP = 15_000;
    static final String TENANT = "blocks";

    @TempDir
    Path dir;

    @Test
    void headsBecomePrometheusBlocks() throws Exception {
        PrometheusTools.promtool();
        Path data = dir.resolve("data");
        try (TestNode n = TestNode.start(data, "mnemo.ingester.block-range", "2m")) {
            RemoteWrite w = RemoteWrite.request();
            for (int s = 0; s < SERIES; s++) w.series(labels(s), timestamps(), values(s));
            assertEquals(200, n.client.push(TENANT, w.encode()).status());

            // 10 minutes of data with 2-minute blocks: the oldest ranges are cut, the newest stay in memory.
            Await.until("blocks cut", Duration.ofSeconds(60), () -> blocks(data).size() >= 3);
            Await.until("all samples queryable", Duration.ofSeconds(30), () -> complete(n));

            Path oneBlock = blocks(data).get(0);
            String analyze = promtool("tsdb", "analyze", oneBlock.getParent().toString(), oneBlock.getFileName().toString());
            assertTrue(analyze.contains("Block ID: " + oneBlock.getFileName()), analyze);

            // Flush: everything into blocks; the answers stay complete.
            MnemoClient.Response flush = n.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            assertTrue(complete(n), "complete after flush");
            assertEquals(expectedDump(), dump(data), "promtool dump of every block");
        }
        try (TestNode n = TestNode.start(data, "mnemo.ingester.block-range", "2m")) {
            assertTrue(complete(n), "complete after restart, nothing doubled");
            // The journal was truncated after the flush: the restart replayed nothing that is in blocks.
            String metrics = n.client.get("/metrics").body();
            assertTrue(!metrics.contains("reason=\"sample-too-old\"") && !metrics.contains("reason=\"sample-out-of-bounds\""),
                    metrics);
            assertTrue(metrics.lines().filter(l -> l.startsWith("mnemo_ingester_head_series{"))
                    .allMatch(l -> l.endsWith(" 0.0")), metrics);
            assertEquals(expectedDump(), dump(data), "no block written twice");
        }
    }

    static final int HISTOGRAM_SERIES = 3;

    /**
     * Native histograms cut into blocks: integer ones (chunk encoding 2) and gauge float ones
     * (encoding 3). promtool 2.42 analyzes the blocks and dumps them, but its dump prints float
     * samples only (as for Prometheus 2.42's own blocks: the histogram series are in the index and
     * print nothing), so the histogram samples are checked by Prometheus 2.42 itself opening a copy
     * of the blocks: its answer is Mnemo's, and the values pushed.
     */
    @Test
    void histogramHeadsBecomePrometheusBlocks() throws Exception {
        Path prometheus = PrometheusTools.prometheus();
        PrometheusTools.promtool();
        Path data = dir.resolve("data");
        try (TestNode n = TestNode.start(data, "mnemo.ingester.block-range", "2m")) {
            RemoteWrite w = RemoteWrite.request();
            for (int s = 0; s < HISTOGRAM_SERIES; s++) {
                ByteString[] integers = new ByteString[SAMPLES];
                ByteString[] floats = new ByteString[SAMPLES];
                for (int i = 0; i < SAMPLES; i++) {
                    integers[i] = integerHistogram(s, i).at(T0 + i * STEP);
                    floats[i] = floatHistogram(s, i).at(T0 + i * STEP);
                }
                w.histograms(Labels.of("__name__", "blocks_histogram", "job", "blocks", "series", Integer.toString(s)), integers);
                w.histograms(Labels.of("__name__", "blocks_float_histogram", "job", "blocks", "series", Integer.toString(s)), floats);
            }
            w.series(labels(0), timestamps(), values(0)); // floats beside them, which promtool's dump prints
            MnemoClient.Response push = n.client.push(TENANT, w.encode());
            assertEquals(200, push.status(), push.body());

            Await.until("blocks cut", Duration.ofSeconds(60), () -> blocks(data).size() >= 3);
            Await.until("all histograms queryable", Duration.ofSeconds(30), () -> histogramsComplete(n));
            MnemoClient.Response flush = n.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            assertTrue(histogramsComplete(n), "complete after flush");

            // The series are spread over the node's partitions, each ingester cutting its own blocks:
            // promtool analyzes every block of the first range, which together hold every series.
            int seriesInFirstRange = 0;
            StringBuilder analyzed = new StringBuilder();
            for (Path block : blocks(data)) {
                if (MnemoClient.JSON.readTree(block.resolve("meta.json").toFile()).path("minTime").asLong() != T0) continue;
                String analyze = promtool("tsdb", "analyze", block.getParent().toString(), block.getFileName().toString());
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^Series: (\\d+)$").matcher(analyze);
                assertTrue(m.find(), analyze);
                seriesInFirstRange += Integer.parseInt(m.group(1));
                analyzed.append(analyze);
            }
            assertEquals(2 * HISTOGRAM_SERIES + 1, seriesInFirstRange, analyzed.toString());
            assertTrue(analyzed.indexOf("blocks_histogram") >= 0 && analyzed.indexOf("blocks_float_histogram") >= 0,
                    analyzed.toString());
            List<String> floatsOnly = new ArrayList<>();
            for (int i = 0; i < SAMPLES; i++) floatsOnly.add(labels(0) + " " + i + " " + (T0 + i * STEP));
            floatsOnly.sort(null);
            assertEquals(floatsOnly, dump(data), "promtool 2.42's dump: the float samples, nothing of the histograms");

            // Prometheus 2.42 opens a copy of the blocks and answers as Mnemo does.
            Path promData = dir.resolve("prom-data");
            for (Path block : blocks(data)) copy(block, promData.resolve(block.getFileName()));
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, "global:\n  scrape_interval: 1m\n");
            int port = MnemoProcess.freePort();
            Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + config, "--storage.tsdb.path=" + promData,
                    "--storage.tsdb.retention.time=100y", "--web.listen-address=127.0.0.1:" + port,
                    "--enable-feature=native-histograms")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                // One series per query: 2.42 answers a range selector over several histogram series
                // with one series' samples repeated in the others (PrometheusReadsHistogramBlocksIT).
                String time = Long.toString((T0 + (SAMPLES - 1) * STEP) / 1000);
                HttpClient http = HttpClient.newHttpClient();
                for (String name : List.of("blocks_histogram", "blocks_float_histogram")) {
                    for (int s = 0; s < HISTOGRAM_SERIES; s++) {
                        String range = name + "{series=\"" + s + "\"}[20m]";
                        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?time=" + time + "&query="
                                + URLEncoder.encode(range, StandardCharsets.UTF_8));
                        Await.until("Prometheus 2.42 answering " + range + " from Mnemo's blocks", Duration.ofSeconds(60), () -> {
                            try {
                                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                                return r.statusCode() == 200
                                        && MnemoClient.JSON.readTree(r.body()).path("data").path("result").size() == 1;
                            } catch (IOException e) {
                                return false;
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return false;
                            }
                        });
                        JsonNode theirs = MnemoClient.JSON.readTree(http.send(HttpRequest.newBuilder(uri).build(),
                                HttpResponse.BodyHandlers.ofString()).body()).path("data").path("result");
                        JsonNode ours = n.client.api(TENANT, "query", "query", range, "time", time).json().path("data").path("result");
                        assertEquals(SAMPLES, ours.path(0).path("histograms").size(), range);
                        assertEquals(byMetric(theirs), byMetric(ours), "Prometheus 2.42 reading Mnemo's blocks vs Mnemo: " + range);
                    }
                }
            } finally {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
    }

    /** Series s, sample i: schema 0, 4 + s positive buckets of (i + 1) * (k + 1), a zero bucket of i. */
    static RemoteWriteHistogram integerHistogram(int s, int i) {
        int buckets = 4 + s;
        double[] deltas = new double[buckets];
        java.util.Arrays.fill(deltas, i + 1);
        return RemoteWriteHistogram.integer((long) (i + 1) * buckets * (buckets + 1) / 2 + i, 1.5 * i * (s + 1))
                .zero(0.001, i).positive(new int[] {0, buckets}, deltas);
    }

    /** Series s, sample i: a gauge of schema 1 whose buckets go up and down. */
    static RemoteWriteHistogram floatHistogram(int s, int i) {
        double[] counts = {0.5 * (i % 7), 1.25, 0.25 * (s + 1)};
        return RemoteWriteHistogram.floats(counts[0] + counts[1] + counts[2], 0.75 * (i % 5) - 1)
                .schema(1).positive(new int[] {-2, 3}, counts).resetHint(RemoteWriteHistogram.RESET_GAUGE);
    }

    /** Every histogram sample of both kinds queryable from Mnemo, with the count and sum pushed. */
    static boolean histogramsComplete(TestNode n) {
        JsonNode result = n.client.api(TENANT, "query", "query", "{__name__=~\"blocks_.*histogram\"}[20m]",
                "time", Long.toString((T0 + (SAMPLES - 1) * STEP) / 1000)).json().path("data").path("result");
        if (result.size() != 2 * HISTOGRAM_SERIES) return false;
        for (JsonNode series : result) {
            int s = Integer.parseInt(series.path("metric").path("series").asText());
            boolean floats = series.path("metric").path("__name__").asText().equals("blocks_float_histogram");
            JsonNode histograms = series.path("histograms");
            if (histograms.size() != SAMPLES) return false;
            for (int i = 0; i < SAMPLES; i++) {
                RemoteWriteHistogram pushed = floats ? floatHistogram(s, i) : integerHistogram(s, i);
                JsonNode h = histograms.get(i);
                assertEquals((T0 + i * STEP) / 1000.0, h.get(0).asDouble(), series.path("metric") + " sample " + i);
                assertEquals(pushed.count(), Double.parseDouble(h.get(1).path("count").asText()), series.path("metric") + " sample " + i);
                assertEquals(pushed.sum(), Double.parseDouble(h.get(1).path("sum").asText()), series.path("metric") + " sample " + i);
            }
        }
        return true;
    }

    /** A query's series keyed by their labels, for comparing answers that may list them in another order. */
    static java.util.Map<String, JsonNode> byMetric(JsonNode result) {
        java.util.Map<String, JsonNode> out = new java.util.TreeMap<>();
        for (JsonNode s : result) out.put(s.path("metric").toString(), s);
        return out;
    }

    static boolean complete(TestNode n) {
        JsonNode r = n.client.api(TENANT, "query", "query", "blocks_metric[20m]",
                "time", Long.toString((T0 + (SAMPLES - 1) * STEP) / 1000)).json();
        JsonNode result = r.path("data").path("result");
        if (result.size() != SERIES) return false;
        for (JsonNode s : result) {
            int series = Integer.parseInt(s.path("metric").path("series").asText());
            JsonNode values = s.path("values");
            if (values.size() != SAMPLES) throw new AssertionError("series " + series + " has " + values.size() + " samples");
            for (int i = 0; i < SAMPLES; i++) {
                assertEquals(Long.toString((T0 + i * STEP) / 1000), values.get(i).get(0).asText());
                assertEquals(Long.toString(series * 100L + i), values.get(i).get(1).asText());
            }
        }
        return true;
    }

    /** Block directories of the tenant, oldest first. */
    static List<Path> blocks(Path data) {
        Path tenantDir = data.resolve("tsdb").resolve(TENANT);
        if (!Files.isDirectory(tenantDir)) return List.of();
        try (Stream<Path> s = Files.list(tenantDir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("meta.json"))).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** promtool tsdb dump over a copy of the tenant's blocks (dump wants a TSDB directory with a WAL). */
    List<String> dump(Path data) throws Exception {
        Path db = Files.createTempDirectory(dir, "dump");
        Files.createDirectories(db.resolve("wal"));
        for (Path block : blocks(data)) copy(block, db.resolve(block.getFileName()));
        List<String> lines = new ArrayList<>();
        for (String line : promtool("tsdb", "dump", db.toString()).split("\n")) {
            if (!line.isBlank()) lines.add(line.trim());
        }
        lines.sort(null);
        return lines;
    }

    static List<String> expectedDump() {
        List<String> out = new ArrayList<>();
        for (int s = 0; s < SERIES; s++) {
            for (int i = 0; i < SAMPLES; i++) out.add(labels(s) + " " + (s * 100 + i) + " " + (T0 + i * STEP));
        }
        out.sort(null);
        return out;
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target);
            }
        }
    }

    private static String promtool(String... args) throws IOException, InterruptedException {
        return PrometheusTools.promtool(Duration.ofSeconds(120), args);
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "blocks_metric", "job", "blocks", "series", Integer.toString(s));
    }

    static long[] timestamps() {
        long[] ts = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) ts[i] = T0 + i * STEP;
        return ts;
    }

    static double[] values(int s) {
        double[] v = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) v[i] = s * 100 + i;
        return v;
    }
}
