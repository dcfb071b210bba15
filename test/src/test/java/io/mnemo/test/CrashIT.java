package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is lost: a node (with its embedded Kafka) is SIGKILLed in the middle of a
 * load that keeps cutting one-minute blocks, restarted on the same data directory, and every
 * sample the client saw acknowledged must be queryable, none twice.
 */
class CrashIT {
    static final int SERIES = 1000;
    static final int SENDERS = 4;
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;

    @TempDir
    Path dir;

    @Test
    void killMidLoadLosesNothingAcknowledged() throws Exception {
        int http = MnemoProcess.freePort();
        String conf = """
                mnemo {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = %d }
                  kafka.embedded.port = %d
                  management.enabled = false
                  ingester.block-range = 1m
                }
                pekko.remote.artery.canonical.port = %d
                """.formatted(dir.resolve("data"), http, MnemoProcess.freePort(), MnemoProcess.freePort());
        try (MnemoProcess node = new MnemoProcess("crash", dir, conf, http, 0)) {
            node.start().awaitReady(Duration.ofMinutes(2));

            // Each sender owns a quarter of the series and pushes their rounds in order, so every
            // acknowledged sample is in order for its series.
            Map<Integer, ConcurrentSkipListSet<Long>> acked = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger ackedRequests = new AtomicInteger();
            List<Thread> senders = new ArrayList<>();
            for (int k = 0; k < SENDERS; k++) {
                final int sender = k;
                Thread t = new Thread(() -> {
                    for (int round = 0; !stop.get(); round++) {
                        long ts = T0 + round * STEP;
                        RemoteWrite w = RemoteWrite.request();
                        for (int s = sender; s < SERIES; s += SENDERS) {
                            w.series(labels(s), new long[] {ts}, new double[] {round});
                        }
                        MnemoClient.Response r;
                        try {
                            r = node.client.push("crash", w.encode());
                        } catch (RuntimeException connectionLost) {
                            return;
                        }
                        if (r.status() != 200) return;
                        for (int s = sender; s < SERIES; s += SENDERS) {
                            acked.computeIfAbsent(s, x -> new ConcurrentSkipListSet<>()).add(ts);
                        }
                        ackedRequests.incrementAndGet();
                    }
                });
                t.start();
                senders.add(t);
            }
            Await.until("load under way", Duration.ofSeconds(60), () -> ackedRequests.get() >= 120);
            node.kill();
            stop.set(true);
            for (Thread t : senders) t.join();

            node.start().awaitReady(Duration.ofMinutes(3));
            long maxTs = acked.values().stream().mapToLong(ConcurrentSkipListSet::last).max().orElseThrow();
            JsonNode r = node.client.api("crash", "query", "query", "crash_metric[1d]",
                    "time", Long.toString(maxTs / 1000 + 1)).json();
            assertEquals("success", r.path("status").asText(), r.toString());
            int checked = 0;
            for (JsonNode s : r.path("data").path("result")) {
                int series = Integer.parseInt(s.path("metric").path("series").asText());
                List<Long> stored = new ArrayList<>();
                for (JsonNode v : s.path("values")) stored.add(Math.round(v.get(0).asDouble() * 1000));
                for (int i = 1; i < stored.size(); i++) {
                    assertTrue(stored.get(i) > stored.get(i - 1), "series " + series + " has a sample twice or out of order");
                }
                assertTrue(stored.containsAll(acked.getOrDefault(series, new ConcurrentSkipListSet<>())),
                        "series " + series + " lost acknowledged samples");
                checked++;
            }
            assertEquals(acked.size(), checked, "every series with acknowledged samples is there");
        }
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "crash_metric", "job", "crash", "series", Integer.toString(s));
    }
}
