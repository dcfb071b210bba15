package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.mnemo.tsdb.block.ChunkSegmentReader;
import io.mnemo.tsdb.block.IndexReader;
import io.mnemo.tsdb.block.SeriesEntry;
import io.mnemo.tsdb.chunkenc.Chunk;
import io.mnemo.tsdb.chunkenc.FloatHistogramAppender;
import io.mnemo.tsdb.chunkenc.FloatHistogramChunk;
import io.mnemo.tsdb.chunkenc.FloatHistogramChunkIterator;
import io.mnemo.tsdb.chunkenc.HistogramAppender;
import io.mnemo.tsdb.chunkenc.HistogramChunk;
import io.mnemo.tsdb.chunkenc.HistogramChunkIterator;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.Histogram;
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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte identity of the histogram chunk encodings with a real Prometheus (Debian's 2.42): it
 * scrapes a native histogram from a client_java exporter (protobuf exposition) into histogram
 * chunks (encoding 2) and records its rate into float histogram chunks (encoding 3, gauges), its
 * snapshot API writes the head as a block, and the block's chunks are decoded with our
 * iterators, checked sample by sample against Prometheus's own query answer, and appended again
 * with our appenders, which must give Prometheus's bytes.
 *
 * <p>The one allowed difference is Prometheus 2's: a stream that ends on a whole byte written
 * last has one more empty byte (fixed in Prometheus 3.0, prometheus#14854); our encoder writes
 * Prometheus 3's bytes.
 */
class PrometheusHistogramChunksIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METRIC = "mnemo_interop_latency_seconds";
    /**
     * A recording rule's sum of the histogram: Prometheus 2.42 stores it as float histograms
     * (encoding 3). Not a rate: 2.42's snapshot fails on float histograms that go down ("detected
     * unexpected counter reset in histogram" while it re-encodes them).
     */
    private static final String RATE = "mnemo_interop_latency_seconds:sum";
    private static final int MIN_SAMPLES = 40;

    @TempDir
    Path dir;

    @Test
    void prometheusHistogramChunksDecodeAndReencodeToTheSameBytes() throws Exception {
        Path prometheus = PrometheusTools.prometheus();
        HttpClient http = HttpClient.newHttpClient();

        // An exporter with a native histogram whose observations drift, so buckets come and go.
        PrometheusRegistry registry = new PrometheusRegistry();
        io.prometheus.metrics.core.metrics.Histogram latency = io.prometheus.metrics.core.metrics.Histogram.builder()
                .name(METRIC).help("request latency").nativeOnly().register(registry);
        PrometheusProtobufWriter writer = new PrometheusProtobufWriter();
        HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", MnemoProcess.freePort()), 0);
        exporter.createContext("/metrics", ex -> {
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
        Random random = new Random(42);
        long[] tick = {0};
        load.scheduleAtFixedRate(() -> {
            double median = 0.05 * (1 + tick[0]++ / 50.0); // slowly slower
            for (int i = 0; i < 20; i++) latency.observe(median * Math.exp(random.nextGaussian() * 0.8));
        }, 0, 100, TimeUnit.MILLISECONDS);

        int promPort = MnemoProcess.freePort();
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, """
                groups:
                  - name: interop
                    interval: 1s
                    rules:
                      - record: %s
                        expr: sum(%s)
                """.formatted(RATE, METRIC));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                rule_files: ['%s']
                scrape_configs:
                  - job_name: exporter
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(rules, exporter.getAddress().getPort()));
        Path data = dir.resolve("prom-data");
        Process p = new ProcessBuilder(prometheus.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + data,
                "--web.listen-address=127.0.0.1:" + promPort,
                "--web.enable-admin-api",
                "--enable-feature=native-histograms")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        String api = "http://127.0.0.1:" + promPort + "/api/v1/";
        try {
            Await.until(MIN_SAMPLES + " scraped histograms", Duration.ofSeconds(120), () ->
                    samples(query(http, api, METRIC + "[10m]", System.currentTimeMillis() / 1000.0)).size() >= MIN_SAMPLES
                    && samples(query(http, api, RATE + "[10m]", System.currentTimeMillis() / 1000.0)).size() >= MIN_SAMPLES / 2);

            JsonNode snapshot = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(api + "admin/tsdb/snapshot"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("success", snapshot.path("status").asText(), snapshot.toString());
            Path block;
            try (Stream<Path> blocks = Files.list(data.resolve("snapshots").resolve(snapshot.path("data").path("name").asText()))) {
                block = blocks.filter(Files::isDirectory).filter(b -> Files.exists(b.resolve("index"))).findFirst().orElseThrow();
            }

            checkIntegerHistogramChunks(http, api, block);
            checkFloatHistogramChunks(http, api, block);
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            load.shutdownNow();
            exporter.stop(0);
        }
    }

    /** Encoding 2: the scraped histogram. */
    private static void checkIntegerHistogramChunks(HttpClient http, String api, Path block) throws Exception {
        List<Long> times = new ArrayList<>();
        List<FloatHistogram> ours = new ArrayList<>();
        Sizes sizes = new Sizes();
        for (Chunk chunk : chunks(block, METRIC)) {
            HistogramChunk c = assertInstanceOf(HistogramChunk.class, chunk, "encoding " + chunk.encoding());
            HistogramChunk again = new HistogramChunk();
            again.setCounterResetHeader(c.counterResetHeader()); // which the samples cannot tell
            HistogramAppender app = again.appender();
            HistogramChunkIterator it = c.iterator();
            while (it.next()) {
                Histogram h = it.atHistogram(null);
                h.validate();
                times.add(it.timestamp());
                ours.add(it.atFloatHistogram(null));
                app = app.append(it.timestamp(), h);
                assertEquals(HistogramAppender.Outcome.APPENDED, app.outcome(), "a chunk's samples share its layout");
            }
            sizes.add(c, again);
        }
        sizes.print("histogram (encoding 2)", ours.size());
        assertSameAsAnswer(http, api, METRIC, times, ours);
    }

    /** Encoding 3: the recording rule's rate, gauge float histograms. */
    private static void checkFloatHistogramChunks(HttpClient http, String api, Path block) throws Exception {
        List<Long> times = new ArrayList<>();
        List<FloatHistogram> ours = new ArrayList<>();
        Sizes sizes = new Sizes();
        for (Chunk chunk : chunks(block, RATE)) {
            FloatHistogramChunk c = assertInstanceOf(FloatHistogramChunk.class, chunk, "encoding " + chunk.encoding());
            FloatHistogramChunk again = new FloatHistogramChunk();
            again.setCounterResetHeader(c.counterResetHeader());
            FloatHistogramAppender app = again.appender();
            FloatHistogramChunkIterator it = c.iterator();
            while (it.next()) {
                FloatHistogram h = it.atFloatHistogram(null);
                h.validate();
                times.add(it.timestamp());
                ours.add(h);
                app = app.append(it.timestamp(), h);
                assertEquals(HistogramAppender.Outcome.APPENDED, app.outcome(), "a chunk's samples share its layout");
            }
            sizes.add(c, again);
        }
        sizes.print("float histogram (encoding 3)", ours.size());
        assertSameAsAnswer(http, api, RATE, times, ours);
    }

    /** Compares Prometheus's chunk bytes with ours and sums both sizes. */
    private static final class Sizes {
        long prometheus;
        long ours;
        int chunks;
        int trailingByte;

        void add(Chunk theirs, Chunk mine) {
            byte[] t = theirs.toByteArray();
            byte[] m = mine.toByteArray();
            if (t.length == m.length + 1 && t[t.length - 1] == 0) {
                trailingByte++; // Prometheus 2's empty byte after a stream ending on a whole byte
                t = Arrays.copyOf(t, m.length);
            }
            assertArrayEquals(t, m, "re-encoded chunk of " + theirs.numSamples() + " samples");
            prometheus += theirs.length();
            ours += mine.length();
            chunks++;
        }

        void print(String kind, int samples) {
            System.out.printf("%s chunks: %d chunks, %d samples; Prometheus 2.42 %.2f bytes/sample, ours %.2f"
                            + " (%d chunks with Prometheus 2's trailing empty byte)%n",
                    kind, chunks, samples, (double) prometheus / samples, (double) ours / samples, trailingByte);
        }
    }

    /** The chunks of a metric's only series in a block, in time order, read with the project's block reader. */
    private static List<Chunk> chunks(Path block, String metric) throws Exception {
        List<Chunk> out = new ArrayList<>();
        try (IndexReader index = IndexReader.open(block.resolve("index"));
             ChunkSegmentReader segments = ChunkSegmentReader.open(block.resolve("chunks"))) {
            int[] ids = index.postings("__name__", metric);
            assertEquals(1, ids.length, "one series of " + metric);
            SeriesEntry series = new SeriesEntry();
            index.series(ids[0], series, true);
            for (int i = 0; i < series.numChunks(); i++) {
                Chunk c = segments.readChunk(series.ref(i));
                assertNotNull(c, "chunk " + i + " of " + metric + " has an encoding we read");
                out.add(c);
            }
        }
        assertTrue(!out.isEmpty(), "the block has chunks of " + metric);
        return out;
    }

    /** The block's samples as Prometheus answers them: a range selector up to the block's last sample. */
    private static void assertSameAsAnswer(HttpClient http, String api, String metric, List<Long> times, List<FloatHistogram> ours) {
        long maxT = times.get(times.size() - 1);
        long range = (maxT - times.get(0)) / 1000 + 1;
        List<JsonNode> answered = samples(query(http, api, metric + "[" + range + "s]", maxT / 1000.0));
        assertEquals(times.size(), answered.size(), "samples of " + metric + " in the block vs Prometheus's answer");
        for (int i = 0; i < answered.size(); i++) assertSameSample(answered.get(i), times.get(i), ours.get(i));
    }

    /** An instant query; failures to reach Prometheus and its 503 while starting are unchecked, so Await retries them until its deadline. */
    private static JsonNode query(HttpClient http, String api, String expr, double time) {
        String url = api + "query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8) + "&time=" + time;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            // 503 while Prometheus starts (its TSDB not open yet): retried like an unreachable server
            if (r.statusCode() == 503) throw new UncheckedIOException(new IOException("Prometheus not ready: " + r.body()));
            assertEquals(200, r.statusCode(), r.body());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The raw histogram samples of a range selector's answer: [time, {count, sum, buckets}] each. */
    private static List<JsonNode> samples(JsonNode answer) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode result = answer.path("data").path("result");
        if (result.size() != 1) return out;
        result.get(0).path("histograms").forEach(out::add);
        return out;
    }

    /**
     * One sample of Prometheus's JSON against ours: the timestamp, count and sum exactly, and
     * every populated bucket with its boundary rule, bounds (to the last bits of Prometheus's
     * bound table) and count.
     */
    private static void assertSameSample(JsonNode answered, long t, FloatHistogram ours) {
        String at = "sample at " + t;
        assertEquals(t, Math.round(answered.get(0).asDouble() * 1000), at);
        JsonNode h = answered.get(1);
        assertEquals(Double.parseDouble(h.path("count").asText()), ours.count(), at);
        assertEquals(Double.parseDouble(h.path("sum").asText()), ours.sum(), at);
        List<FloatHistogram.Bucket> buckets = new ArrayList<>();
        for (FloatHistogram.Bucket b : ours.allBuckets()) if (b.count() != 0) buckets.add(b);
        JsonNode theirs = h.path("buckets");
        assertEquals(theirs.size(), buckets.size(), at + ": buckets " + theirs + " vs " + buckets);
        for (int i = 0; i < buckets.size(); i++) {
            FloatHistogram.Bucket b = buckets.get(i);
            JsonNode tb = theirs.get(i);
            int rule = b.lowerInclusive() ? (b.upperInclusive() ? 3 : 1) : (b.upperInclusive() ? 0 : 2);
            assertEquals(tb.get(0).asInt(), rule, at + " bucket " + i);
            assertEquals(Double.parseDouble(tb.get(1).asText()), b.lower(), Math.abs(b.lower()) * 1e-12, at + " bucket " + i);
            assertEquals(Double.parseDouble(tb.get(2).asText()), b.upper(), Math.abs(b.upper()) * 1e-12, at + " bucket " + i);
            assertEquals(Double.parseDouble(tb.get(3).asText()), b.count(), at + " bucket " + i);
        }
    }
}
