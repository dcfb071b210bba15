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
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Out-of-order ingestion end to end, in a child JVM: a tenant with a 30-minute window pushes its
 * samples shuffled across requests and reads back exactly the sorted series; so it stays through a
 * SIGTERM restart, a SIGKILL restart (the write-behind log and the journal, each sample once), a
 * flush into blocks, late samples for ranges already in blocks (overlapping blocks), and restarts
 * after those. A tenant without a window still refuses out-of-order samples.
 */
class OutOfOrderIT {
    static final int SERIES = 20;
    static final int SAMPLES = 100; // 25 minutes at 15 s, inside the window
    static final long T0 = 1_700_000_040_000L;
    static final long STEP = 15_000;
    static final String TENANT = "ooo";

    @TempDir
    Path dir;

    /** Expected samples per series: timestamp → value. */
    final List<TreeMap<Long, Double>> expected = new ArrayList<>();

    @Test
    void shuffledSamplesReadBackSortedThroughRestartsAndBlocks() throws Exception {
        int http = MnemoProcess.freePort();
        String conf = """
                mnemo {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = %d }
                  kafka.embedded.port = %d
                  management.enabled = false
                  limits.tenants."ooo".out-of-order-time-window = 30m
                }
                pekko.remote.artery.canonical.port = %d
                %s""".formatted(dir.resolve("data"), http, MnemoProcess.freePort(), MnemoProcess.freePort(),
                MnemoProcess.SINGLE_NODE_RESTARTS);
        for (int s = 0; s < SERIES; s++) expected.add(new TreeMap<>());
        try (MnemoProcess node = new MnemoProcess("ooo", dir, conf, http, 0)) {
            node.start().awaitReady(Duration.ofMinutes(2));

            // Every sample of every series, shuffled, in 10 requests: out of order within and across them.
            List<long[]> all = new ArrayList<>();
            for (int s = 0; s < SERIES; s++) for (int i = 0; i < SAMPLES; i++) all.add(new long[] {s, T0 + i * STEP});
            Collections.shuffle(all, new Random(5));
            int perRequest = all.size() / 10;
            for (int from = 0; from < all.size(); from += perRequest) {
                push(node, all.subList(from, Math.min(all.size(), from + perRequest)));
            }
            Await.until("shuffled samples queryable, sorted", Duration.ofSeconds(60), () -> complete(node));

            // Beyond the window: refused as too old. Without a window: refused as out of order.
            RemoteWrite old = RemoteWrite.request().series(labels(0), new long[] {T0 - 3_600_000}, new double[] {1});
            assertEquals(200, node.client.push(TENANT, old.encode()).status());
            RemoteWrite other = RemoteWrite.request()
                    .series(labels(0), new long[] {T0 + STEP}, new double[] {1})
                    .series(labels(0), new long[] {T0}, new double[] {2});
            assertEquals(200, node.client.push("no-window", other.encode()).status());
            Await.until("refusals counted", Duration.ofSeconds(30), () -> {
                String m = node.client.get("/metrics").body();
                return rejected(m, "sample-too-old") == 1 && rejected(m, "sample-out-of-order") == 1;
            });
            // Per tenant and reason too, as Mimir's cortex_discarded_samples_total.
            String counted = node.client.get("/metrics").body();
            assertTrue(counted.contains("mnemo_discarded_samples_total{reason=\"sample-too-old\",tenant=\"ooo\"} 1.0"), counted);
            assertTrue(counted.contains("mnemo_discarded_samples_total{reason=\"sample-out-of-order\",tenant=\"no-window\"} 1.0"),
                    counted);
            assertTrue(complete(node), () -> "nothing refused was stored" + ": " + mismatch);

            assertTrue(node.terminate(Duration.ofSeconds(60)), "SIGTERM stops the node");
            node.start().awaitReady(Duration.ofMinutes(2));
            assertTrue(complete(node), () -> "complete after a SIGTERM restart" + ": " + mismatch);

            node.kill();
            node.start().awaitReady(Duration.ofMinutes(2));
            assertTrue(complete(node), () -> "complete after a SIGKILL restart" + ": " + mismatch);

            MnemoClient.Response flush = node.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            assertTrue(!blocks().isEmpty(), "flush cut blocks");
            assertTrue(complete(node), () -> "complete after the flush" + ": " + mismatch);

            // Late samples for the range the blocks hold (between existing ones): out-of-order head,
            // then, at the next flush, blocks overlapping the first ones.
            List<long[]> late = new ArrayList<>();
            for (int s = 0; s < SERIES; s++) for (int i = 0; i < 40; i++) late.add(new long[] {s, T0 + i * STEP + 7_500});
            Collections.shuffle(late, new Random(6));
            push(node, late.subList(0, late.size() / 2));
            push(node, late.subList(late.size() / 2, late.size()));
            Await.until("late samples queryable", Duration.ofSeconds(60), () -> complete(node));

            node.kill();
            node.start().awaitReady(Duration.ofMinutes(2));
            assertTrue(complete(node), () -> "late samples survive a SIGKILL (write-behind log), once" + ": " + mismatch);

            int before = blocks().size();
            flush = node.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            assertTrue(blocks().size() > before, "the late samples became a block of their own");
            assertTrue(complete(node), () -> "overlapping blocks merged, each sample once" + ": " + mismatch);

            assertTrue(node.terminate(Duration.ofSeconds(60)), "SIGTERM stops the node");
            node.start().awaitReady(Duration.ofMinutes(2));
            assertTrue(complete(node), () -> "complete after a restart on blocks only" + ": " + mismatch);
            String m = node.client.get("/metrics").body();
            assertEquals(0, rejected(m, "sample-too-old") + rejected(m, "new-value-for-timestamp")
                    + rejected(m, "sample-out-of-bounds"),
                    "the restart applied nothing twice: " + m.lines().filter(l -> l.contains("rejected")).toList());
            assertTrue(!m.contains("mnemo_discarded_samples_total{"), "nothing refused again: " + m);
        }
    }

    /** Why the last {@link #complete} said no. */
    private String mismatch;

    private void push(MnemoProcess node, List<long[]> samples) {
        RemoteWrite w = RemoteWrite.request();
        for (long[] sample : samples) {
            int s = (int) sample[0];
            double v = value(s, sample[1]);
            w.series(labels(s), new long[] {sample[1]}, new double[] {v});
            expected.get(s).put(sample[1], v);
        }
        MnemoClient.Response r = node.client.push(TENANT, w.encode());
        assertEquals(200, r.status(), r.body());
    }

    /** Every series has exactly the expected samples, in order, and count_over_time agrees. */
    private boolean complete(MnemoProcess node) {
        long end = T0 + SAMPLES * STEP;
        JsonNode r = node.client.api(TENANT, "query", "query", "ooo_metric[1h]", "time", Long.toString(end / 1000)).json();
        JsonNode result = r.path("data").path("result");
        if (result.size() != SERIES) {
            mismatch = result.size() + " series answered, not " + SERIES;
            return false;
        }
        for (JsonNode series : result) {
            int s = Integer.parseInt(series.path("metric").path("series").asText());
            JsonNode values = series.path("values");
            List<String> got = new ArrayList<>();
            for (JsonNode v : values) got.add(Math.round(v.get(0).asDouble() * 1000) + "=" + v.get(1).asText());
            List<String> want = new ArrayList<>();
            expected.get(s).forEach((t, v) -> want.add(t + "=" + (long) (double) v));
            if (!want.equals(got)) {
                if (got.size() > want.size()) throw new AssertionError("series " + s + " has extra samples: " + got);
                List<String> missing = new ArrayList<>(want);
                missing.removeAll(got);
                mismatch = "series " + s + " lacks " + missing.size() + " of " + want.size() + " samples: " + missing;
                return false;
            }
        }
        JsonNode counts = node.client.api(TENANT, "query", "query", "count_over_time(ooo_metric[1h])",
                "time", Long.toString(end / 1000)).json().path("data").path("result");
        for (JsonNode c : counts) {
            int s = Integer.parseInt(c.path("metric").path("series").asText());
            assertEquals(Integer.toString(expected.get(s).size()), c.path("value").get(1).asText(), "count of series " + s);
        }
        return counts.size() == SERIES;
    }

    private List<Path> blocks() throws IOException {
        Path tenantDir = dir.resolve("data").resolve("tsdb").resolve(TENANT);
        if (!Files.isDirectory(tenantDir)) return List.of();
        try (Stream<Path> s = Files.list(tenantDir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("meta.json"))).toList();
        }
    }

    private static long rejected(String metrics, String reason) {
        return Math.round(metrics.lines()
                .filter(l -> l.startsWith("mnemo_ingester_rejected_samples_total{") && l.contains("reason=\"" + reason + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum());
    }

    /** Distinct per series and timestamp, integral so that the API's text compares exactly. */
    static double value(int s, long t) {
        return s * 1_000_000L + (t - T0) / 500;
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "ooo_metric", "job", "ooo", "series", Integer.toString(s));
    }
}
