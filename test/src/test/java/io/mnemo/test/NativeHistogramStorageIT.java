package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.histogram.FloatHistogram;
import io.mnemo.tsdb.histogram.FloatHistogram.CounterResetHint;
import io.mnemo.tsdb.histogram.Histogram;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native histograms end to end on one node: pushed over remote write 1.0 (integer counter
 * histograms with 60 buckets, float gauge histograms), stored in the ingesters' heads across many
 * histogram chunks, read back through the query API (the {@code histogram}/{@code histograms}
 * JSON fields, {@code histogram_count}, {@code histogram_quantile} of a rate), the same after a
 * restart (the journal replayed), and the node still taking histograms afterwards. All within one
 * block range: blocks are another test's.
 */
class NativeHistogramStorageIT {
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;
    static final int SAMPLES = 400; // 100 minutes: more than a dozen histogram chunks per series
    static final int BUCKETS = 60;
    static final long END = T0 + (SAMPLES - 1) * STEP;

    @TempDir
    Path dataDir;

    /**
     * The counter histogram of series {@code scale} at step k: schema 3, positive buckets -10..49,
     * bucket j holding scale * (k + 1) * (j % 5 + 1), the zero bucket scale * 3 * (k + 1).
     */
    static Histogram counter(int k, int scale) {
        long[] deltas = new long[BUCKETS];
        long previous = 0;
        long zero = 3L * scale * (k + 1);
        long count = zero;
        for (int j = 0; j < BUCKETS; j++) {
            long c = (long) scale * (k + 1) * (j % 5 + 1);
            deltas[j] = c - previous;
            previous = c;
            count += c;
        }
        return Histogram.of(3, 1e-128, zero, count, 0.75 * count, new int[] {-10, BUCKETS}, deltas, new int[0],
                new long[0], null, CounterResetHint.UNKNOWN);
    }

    static FloatHistogram gauge(int k) {
        return FloatHistogram.of(0, 0, 0, 2.5 + k % 7, 10.0 * (k % 7), new int[] {0, 3}, new double[] {1, 1.5, k % 7},
                new int[0], new double[0], null, CounterResetHint.GAUGE);
    }

    static Labels latency(String instance) {
        return Labels.of("__name__", "rpc_latency_seconds", "job", "api", "instance", instance);
    }

    /** Pushes steps [from, to) of every series, 50 steps a request. */
    static void push(TestNode n, int from, int to) {
        for (int start = from; start < to; start += 50) {
            int len = Math.min(50, to - start);
            long[] ts = new long[len];
            Object[] a = new Object[len], b = new Object[len], q = new Object[len];
            for (int i = 0; i < len; i++) {
                int k = start + i;
                ts[i] = T0 + k * STEP;
                a[i] = counter(k, 1);
                b[i] = counter(k, 2);
                q[i] = gauge(k);
            }
            RemoteWrite req = RemoteWrite.request().histograms(latency("a"), ts, a).histograms(latency("b"), ts, b)
                    .histograms(Labels.of("__name__", "queue_depth", "job", "api"), ts, q);
            MnemoClient.Response r = n.client.push("t", req.encode());
            assertEquals(200, r.status(), r.body());
        }
    }

    JsonNode query(TestNode n, String promql, long t) {
        JsonNode r = n.client.api("t", "query", "query", promql, "time", SingleNodeIT.seconds(t)).json();
        assertEquals("success", r.path("status").asText(), promql + ": " + r);
        return r.path("data").path("result");
    }

    /** Waits until the newest histogram of each latency series is queryable. */
    void awaitPushed(TestNode n, int steps) {
        long end = T0 + (steps - 1) * STEP;
        String expected = Long.toString(counter(steps - 1, 1).count());
        Await.until(steps + " steps queryable", Duration.ofSeconds(60), () -> {
            JsonNode r = n.client.api("t", "query", "query", "histogram_count(rpc_latency_seconds{instance=\"a\"})",
                    "time", SingleNodeIT.seconds(end)).json().path("data").path("result");
            return r.size() == 1 && expected.equals(r.get(0).path("value").get(1).asText());
        });
    }

    void assertAnswers(TestNode n, int steps) {
        long end = T0 + (steps - 1) * STEP;
        // An instant vector: the newest histogram, with its count, sum and buckets.
        JsonNode a = query(n, "rpc_latency_seconds{instance=\"a\"}", end);
        assertEquals(1, a.size(), a.toString());
        Histogram newest = counter(steps - 1, 1);
        JsonNode h = a.get(0).path("histogram");
        assertEquals(SingleNodeIT.seconds(end), h.get(0).asText());
        assertEquals(Long.toString(newest.count()), h.get(1).path("count").asText(), h.toString());
        assertEquals(SingleNodeIT.fmt(newest.sum()), h.get(1).path("sum").asText());
        assertEquals(BUCKETS + 1, h.get(1).path("buckets").size(), "60 buckets and the zero bucket");

        // Every sample of the range, in order: no sample lost or doubled across chunk cuts.
        JsonNode m = query(n, "rpc_latency_seconds{instance=\"a\"}[" + steps * 15 + "s]", end);
        JsonNode points = m.get(0).path("histograms");
        assertEquals(steps, points.size());
        for (int k = 0; k < steps; k++) {
            assertEquals(SingleNodeIT.seconds(T0 + k * STEP), points.get(k).get(0).asText());
            assertEquals(Long.toString(counter(k, 1).count()), points.get(k).get(1).path("count").asText(), "step " + k);
        }

        // Functions over them.
        JsonNode counts = query(n, "sort(histogram_count(rpc_latency_seconds))", end);
        assertEquals(2, counts.size());
        assertEquals(Long.toString(newest.count()), counts.get(0).path("value").get(1).asText());
        assertEquals(Long.toString(counter(steps - 1, 2).count()), counts.get(1).path("value").get(1).asText());

        double q = quantile(query(n, "histogram_quantile(0.9, rate(rpc_latency_seconds{instance=\"a\"}[5m]))", end));
        double qRaw = quantile(query(n, "histogram_quantile(0.9, rpc_latency_seconds{instance=\"a\"})", end));
        // The rate has the buckets' proportions, so the same quantile; it lies in the bucket where 90 % is reached.
        assertEquals(qRaw, q, Math.abs(qRaw) * 1e-9);
        double[] bounds = ninetiethPercentileBucket();
        assertTrue(q > bounds[0] && q <= bounds[1], q + " in (" + bounds[0] + ", " + bounds[1] + "]");

        JsonNode g = query(n, "queue_depth", end);
        assertEquals(SingleNodeIT.fmt(gauge(steps - 1).count()), g.get(0).path("histogram").get(1).path("count").asText());
    }

    static double quantile(JsonNode result) {
        assertEquals(1, result.size(), result.toString());
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    /** The bounds of the bucket in which the cumulative count reaches 90 % (schema 3: bucket i ends at 2^(i/8)). */
    static double[] ninetiethPercentileBucket() {
        double total = 3;
        for (int j = 0; j < BUCKETS; j++) total += j % 5 + 1;
        double cumulative = 3;
        for (int j = 0; j < BUCKETS; j++) {
            cumulative += j % 5 + 1;
            if (cumulative >= 0.9 * total) {
                int index = j - 10;
                return new double[] {Math.pow(2, (index - 1) / 8.0), Math.pow(2, index / 8.0)};
            }
        }
        throw new AssertionError("unreachable");
    }

    @Test
    void nativeHistogramsArePushedStoredQueriedAndSurviveARestart() throws Exception {
        try (TestNode n = TestNode.start(dataDir)) {
            push(n, 0, SAMPLES);
            awaitPushed(n, SAMPLES);
            assertAnswers(n, SAMPLES);
        }
        // Same data directory: the journal is replayed into the heads, histograms included.
        try (TestNode n = TestNode.start(dataDir)) {
            awaitPushed(n, SAMPLES);
            assertAnswers(n, SAMPLES);
            // and the node keeps taking histograms, after the ones it had
            push(n, SAMPLES, SAMPLES + 40);
            awaitPushed(n, SAMPLES + 40);
            assertAnswers(n, SAMPLES + 40);
        }
    }
}
