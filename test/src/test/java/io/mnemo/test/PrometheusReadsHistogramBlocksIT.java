package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.ChunkSeriesIterator;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.chunkenc.ChunkCutter;
import io.mnemo.tsdb.chunkenc.ChunkMeta;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Prometheus 2.42 opens a block that Mnemo's block writer made of native histograms
 * (integer histogram chunks, float histogram chunks, and a series that turns from floats into
 * histograms) as part of its own TSDB, and answers every sample as written: promtool 2.42's dump
 * cannot print histograms, the server's query API can. Each series is asked for by itself: 2.42
 * answers a range selector over several histogram series with one series' integer histograms
 * all equal to another's last sample (it reuses one histogram object across series; seen with
 * this very block, each series alone answers right).
 */
class PrometheusReadsHistogramBlocksIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STEP = 15_000;
    private static final long RANGE = 7_200_000;

    @TempDir
    Path dir;

    static Histogram histogram(int i, int seed) {
        int n = 24;
        long[] deltas = new long[n];
        long prev = 0, count = 0;
        for (int b = 0; b < n; b++) {
            long mix = ((long) i * 0x9E3779B1L + (long) b * 0x85EBCA6BL + (long) seed * 0xC2B2AE35L) * 0x2545F4914F6CDD1DL;
            long v = (long) i * 1000 + b + Math.floorMod(mix >>> 17, 1000);
            deltas[b] = v - prev;
            prev = v;
            count += v;
        }
        long zero = i + seed;
        return Histogram.of(2, 1e-128, zero, count + zero, i * 2.5 + seed, new int[] {-3, n}, deltas, new int[0], new long[0], null,
                CounterResetHint.UNKNOWN);
    }

    @Test
    void prometheusAnswersEverySampleOfAHistogramBlockWeWrote() throws Exception {
        Path prometheus = PrometheusTools.prometheus();
        long t0 = (System.currentTimeMillis() - 6 * 3_600_000L) / RANGE * RANGE; // within Prometheus's retention
        int n = (int) (RANGE / STEP);
        List<ChunkSeries> series = new ArrayList<>();
        String[] kinds = {"integer", "float", "changing"};
        for (int s = 0; s < kinds.length; s++) {
            ChunkCutter cutter = new ChunkCutter(120);
            for (int i = 0; i < n; i++) {
                long t = t0 + i * STEP;
                switch (kinds[s]) {
                    case "integer" -> cutter.appendHistogram(t, histogram(i, s));
                    case "float" -> cutter.appendFloatHistogram(t, histogram(i, s).toFloat());
                    default -> {
                        if (i < n / 3) cutter.appendFloat(t, i * 0.25);
                        else cutter.appendHistogram(t, histogram(i, s));
                    }
                }
            }
            series.add(new ChunkSeries(Labels.of("__name__", "nh", "kind", kinds[s]), cutter.finish().toArray(new ChunkMeta[0]),
                    Long.MIN_VALUE, Long.MAX_VALUE));
        }
        Path data = dir.resolve("prom-data");
        BlockMeta meta = new BlockWriter(data).write(series, t0, t0 + RANGE).orElseThrow();
        assertEquals((long) n * 3, meta.numSamples());
        assertEquals(n / 3, meta.numFloatSamples());

        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1m\n");
        int port = MnemoProcess.freePort();
        Process p = new ProcessBuilder(prometheus.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + data,
                "--web.listen-address=127.0.0.1:" + port,
                "--enable-feature=native-histograms")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        HttpClient http = HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + port + "/api/v1/";
        double at = (t0 + RANGE - 1) / 1000.0;
        try {
            Await.until("Prometheus answers from the block", Duration.ofSeconds(60),
                    () -> query(http, api, "nh[" + (RANGE / 1000) + "s]", at).path("data").path("result").size() == 3);
            for (ChunkSeries s : series) {
                String kind = s.labels().get("kind");
                JsonNode result = query(http, api, "nh{kind=\"" + kind + "\"}[" + (RANGE / 1000) + "s]", at).path("data").path("result");
                assertEquals(1, result.size(), kind);
                JsonNode r = result.get(0);
                JsonNode floats = r.path("values");
                JsonNode histograms = r.path("histograms");
                int fi = 0, hi = 0;
                ChunkSeriesIterator it = new ChunkSeriesIterator(s.chunks(), Long.MIN_VALUE, Long.MAX_VALUE);
                while (it.next()) {
                    String where = kind + " at " + it.timestamp();
                    FloatHistogram ours = it.histogram();
                    if (ours == null) {
                        JsonNode f = floats.get(fi++);
                        assertEquals(it.timestamp(), Math.round(f.get(0).asDouble() * 1000), where);
                        assertEquals(it.value(), Double.parseDouble(f.get(1).asText()), where);
                    } else {
                        JsonNode h = histograms.get(hi++);
                        assertEquals(it.timestamp(), Math.round(h.get(0).asDouble() * 1000), where);
                        assertEquals(ours.count(), Double.parseDouble(h.get(1).path("count").asText()), where);
                        assertEquals(ours.sum(), Double.parseDouble(h.get(1).path("sum").asText()), where);
                        List<Double> counts = new ArrayList<>();
                        for (FloatHistogram.Bucket b : ours.allBuckets()) if (b.count() != 0) counts.add(b.count());
                        List<Double> theirs = new ArrayList<>();
                        h.get(1).path("buckets").forEach(b -> theirs.add(Double.parseDouble(b.get(3).asText())));
                        assertEquals(counts, theirs, where + ": bucket counts");
                    }
                }
                assertEquals(floats.size(), fi, kind + ": every float sample");
                assertEquals(histograms.size(), hi, kind + ": every histogram sample");
                assertTrue(hi > 0, kind + " has histograms");
            }
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /** An instant query's answer; any answer but 200 is an unchecked failure. */
    private static JsonNode query(HttpClient http, String api, String expr, double time) {
        String url = api + "query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8) + "&time=" + time;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            // Unchecked, so that Await retries while Prometheus starts (503) and a test fails on it otherwise.
            if (r.statusCode() != 200) throw new UncheckedIOException(new IOException("HTTP " + r.statusCode() + ": " + r.body()));
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
