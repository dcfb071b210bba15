package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of old data costs what it costs Prometheus: one small push of one series with 300
 * in-order samples 2 h apart, ending a day ago (25 days of sparse data), is accepted and
 * queryable, and the ingester cuts it into a few blocks aligned to 2 h, 12 h and 24 h, not one
 * block (and two memory maps) per sample. The node keeps ingesting and answering afterwards, and
 * refuses a sample out of bounds once its head holds the present. The same flood pushed sample by
 * sample may make more blocks, but never more memory maps than the ingesters' cap.
 */
class OldSamplesFloodIT {
    static final int SAMPLES = 300;
    static final long STEP = 7_200_000L;
    static final String TENANT = "flood";
    static final String TRICKLE = "trickle";
    /** PartitionTsdb.MAX_MAPPED_BLOCKS: blocks one partition keeps mapped at most. */
    static final int MAX_MAPPED_BLOCKS = 64;
    /** 25 days cut at levels of 2 h, 12 h and 24 h: at most 5 + 1 + 24 + 1 + 5 blocks. */
    static final int MAX_BLOCKS = 36;

    @TempDir
    Path dir;

    @Test
    void sparseOldSamplesBecomeAFewBlocks() throws Exception {
        Path data = dir.resolve("data");
        long now = System.currentTimeMillis();
        long end = (now - 86_400_000L) / 1000 * 1000; // whole seconds: queries are evaluated at one
        long[] ts = new long[SAMPLES];
        double[] vs = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            ts[i] = end - (SAMPLES - 1 - i) * STEP;
            vs[i] = i;
        }
        try (TestNode n = TestNode.start(data)) {
            Labels series = Labels.of("__name__", "flood_metric", "job", "flood");
            byte[] body = RemoteWrite.request().series(series, ts, vs).encode();
            assertTrue(body.length < 4096, "a small push: " + body.length + " bytes");
            long start = System.nanoTime();
            MnemoClient.Response r = n.client.push(TENANT, body);
            assertEquals(200, r.status(), r.body());
            try {
                Await.until("every old sample queryable", Duration.ofSeconds(120), () -> samples(n, end) == SAMPLES);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + n.client.api(TENANT, "query", "query", "count_over_time(flood_metric[26d])",
                        "time", Long.toString(end / 1000)).body(), e);
            }
            // The head keeps its newest 1.5 block ranges: everything else is cut in one pass.
            Await.until("the old ranges cut", Duration.ofSeconds(120),
                    () -> blockMaxTime(data) >= end - 3 * STEP / 2 - STEP);
            long cutMs = (System.nanoTime() - start) / 1_000_000;
            int blocks = blocks(data).size();
            long maps = tsdbMaps(data);
            System.out.printf("flood of %d samples: %d blocks, %d memory maps of block files, %d ms from the push until cut%n",
                    SAMPLES, blocks, maps, cutMs);
            assertTrue(blocks <= MAX_BLOCKS, blocks + " blocks");
            assertTrue(maps <= 2L * MAX_BLOCKS, maps + " memory maps of block files");
            assertEquals(SAMPLES, samples(n, end), "every sample once, from blocks and head");

            // The node goes on: the tenant's current samples and another tenant's are taken and answered.
            long t = System.currentTimeMillis() / 1000 * 1000;
            assertEquals(200, n.client.push(TENANT, RemoteWrite.request()
                    .series(series, new long[] {t}, new double[] {SAMPLES}).encode()).status());
            assertEquals(200, n.client.push("other", RemoteWrite.request()
                    .series(Labels.of("__name__", "other_metric"), new long[] {t}, new double[] {1}).encode()).status());
            Await.until("current samples queryable", Duration.ofSeconds(60), () ->
                    n.client.api(TENANT, "query", "query", "flood_metric", "time", Long.toString(t / 1000))
                            .json().path("data").path("result").size() == 1
                    && n.client.api("other", "query", "query", "other_metric", "time", Long.toString(t / 1000))
                            .json().path("data").path("result").size() == 1);
            assertEquals(SAMPLES, samples(n, end), "the old samples stay");

            // Now that the head holds the present, a sample 2 h old is out of bounds (Prometheus's rule:
            // more than half a block range behind the newest, and no out-of-order window): refused, counted.
            assertEquals(200, n.client.push(TENANT, RemoteWrite.request()
                    .series(series, new long[] {t - STEP}, new double[] {-1}).encode()).status());
            Await.until("the out-of-bounds sample counted for its tenant", Duration.ofSeconds(30), () -> n.client.get("/metrics")
                    .body().contains("mnemo_discarded_samples_total{reason=\"sample-out-of-bounds\",tenant=\"flood\"} 1.0"));
            assertEquals(0, n.client.api(TENANT, "query", "query", "flood_metric[1m]", "time", Long.toString((t - STEP) / 1000))
                    .json().path("data").path("result").size(), "not stored");

            // The same flood sample by sample, one push each, as a backfill would send it: each push
            // makes a range due, so blocks may be many, but the ingester keeps at most its cap of
            // them mapped (MAX_MAPPED_BLOCKS per partition), mapping others again when read.
            for (int i = 0; i < SAMPLES; i++) {
                assertEquals(200, n.client.push(TRICKLE, RemoteWrite.request()
                        .series(series, new long[] {ts[i]}, new double[] {vs[i]}).encode()).status());
            }
            Await.until("every trickled sample queryable", Duration.ofSeconds(120), () -> samples(n, TRICKLE, end) == SAMPLES);
            System.out.printf("the flood in %d pushes: %d blocks, %d memory maps of block files%n", SAMPLES,
                    blocks(data, TRICKLE).size(), tsdbMaps(data));
            assertTrue(tsdbMaps(data) <= 2L * 2 * MAX_MAPPED_BLOCKS, tsdbMaps(data) + " memory maps of block files");
            assertTrue(blocks(data).size() <= MAX_BLOCKS + 2, blocks(data).size() + " blocks");
        }
    }

    /** Samples of the flood series over the 26 days up to {@code end}. */
    private static int samples(TestNode n, long end) {
        return samples(n, TENANT, end);
    }

    private static int samples(TestNode n, String tenant, long end) {
        JsonNode result = n.client.api(tenant, "query", "query", "flood_metric[26d]", "time",
                Long.toString(end / 1000)).json().path("data").path("result");
        return result.size() == 1 ? result.get(0).path("values").size() : -1;
    }

    private static List<Path> blocks(Path data) {
        return blocks(data, TENANT);
    }

    private static List<Path> blocks(Path data, String tenant) {
        Path tenantDir = data.resolve("tsdb").resolve(tenant);
        if (!Files.isDirectory(tenantDir)) return List.of();
        try (Stream<Path> s = Files.list(tenantDir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("meta.json"))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The newest block's max time (exclusive), from its meta.json; Long.MIN_VALUE without blocks. */
    private static long blockMaxTime(Path data) {
        long max = Long.MIN_VALUE;
        for (Path b : blocks(data)) {
            try {
                max = Math.max(max, MnemoClient.JSON.readTree(b.resolve("meta.json").toFile()).path("maxTime").asLong());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return max;
    }

    /** Memory maps of files under the data directory's tsdb/ in this JVM (the node runs in it). */
    private static long tsdbMaps(Path data) throws IOException {
        String prefix = data.resolve("tsdb").toAbsolutePath().toString();
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains(prefix)).count();
        }
    }
}
