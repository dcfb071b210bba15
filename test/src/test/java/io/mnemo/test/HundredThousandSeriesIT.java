package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The skeleton's "done" bar: 100,000 series × 10 samples pushed through /api/v1/push are all
 * acknowledged, all listed by /series, each range-selectable with its 10 samples, and the same
 * after a restart.
 */
class HundredThousandSeriesIT {
    static final int SERIES = 100_000;
    static final int SAMPLES = 10;
    static final int SERIES_PER_REQUEST = 200; // 2,000 samples per request, as Prometheus sends
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;

    @TempDir
    Path dataDir;

    @Test
    void hundredThousandSeries() throws Exception {
        try (TestNode n = TestNode.start(dataDir)) {
            List<byte[]> requests = new ArrayList<>();
            for (int first = 0; first < SERIES; first += SERIES_PER_REQUEST) {
                RemoteWrite w = RemoteWrite.request();
                for (int s = first; s < first + SERIES_PER_REQUEST; s++) w.series(labels(s), timestamps(), values(s));
                requests.add(w.encode());
            }
            ExecutorService senders = Executors.newFixedThreadPool(4);
            try {
                List<Future<Integer>> statuses = new ArrayList<>();
                for (byte[] r : requests) statuses.add(senders.submit(() -> n.client.push("load", r).status()));
                for (Future<Integer> f : statuses) assertEquals(200, f.get());
            } finally {
                senders.shutdown();
            }
            Await.until("all series listed", Duration.ofSeconds(120), () -> seriesCount(n) == SERIES);
            assertSeries(n);
        }
        try (TestNode n = TestNode.start(dataDir)) {
            assertEquals(SERIES, seriesCount(n));
            assertSeries(n);
        }
    }

    static void assertSeries(TestNode n) {
        for (int s : new int[] {0, 1, 4_242, 77_777, SERIES - 1}) {
            JsonNode r = n.client.api("load", "query", "query",
                    "load_metric{series=\"" + s + "\"}[10m]", "time", Long.toString((T0 + (SAMPLES - 1) * STEP) / 1000)).json();
            JsonNode result = r.path("data").path("result");
            assertEquals(1, result.size(), r.toString());
            JsonNode values = result.get(0).path("values");
            assertEquals(SAMPLES, values.size());
            for (int i = 0; i < SAMPLES; i++) {
                assertEquals(Long.toString((T0 + i * STEP) / 1000), values.get(i).get(0).asText());
                assertEquals(Long.toString(s + i), values.get(i).get(1).asText());
            }
        }
    }

    static int seriesCount(TestNode n) {
        JsonNode r = n.client.api("load", "series", "match[]", "{__name__=~\".+\"}").json();
        return r.path("data").size();
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "load_metric", "job", "load", "instance", "host-" + (s % 500),
                "series", Integer.toString(s));
    }

    static long[] timestamps() {
        long[] ts = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) ts[i] = T0 + i * STEP;
        return ts;
    }

    static double[] values(int s) {
        double[] v = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) v[i] = s + i;
        return v;
    }
}
