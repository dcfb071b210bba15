package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
