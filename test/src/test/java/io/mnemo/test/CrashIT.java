package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is lost, nothing is applied twice: a node (with its embedded Kafka) is
 * SIGKILLed while a load keeps cutting one-minute blocks (and taking a snapshot after each cut),
 * restarted on the same data directory, and every sample the client saw acknowledged must be
 * queryable, none twice. The kill lands mid-load, inside a block cut, or inside a snapshot write;
 * the last two are made deterministic by test-only pauses that the node logs before it sleeps.
 */
class CrashIT {
    static final int SERIES = 1000;
    static final int SENDERS = 4;
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;

    @TempDir
    Path dir;

    String config(int http, String extra) throws IOException {
        return """
                mnemo {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = %d }
                  kafka.embedded.port = %d
                  management.enabled = false
                  ingester.block-range = 1m
                  ingester.head-compaction-interval = 1s
                }
                pekko.remote.artery.canonical.port = %d
                %s
                %s""".formatted(dir.resolve("data"), http, MnemoProcess.freePort(), MnemoProcess.freePort(),
                MnemoProcess.SINGLE_NODE_RESTARTS, extra);
    }

    @Test
    void killMidLoadLosesNothingAcknowledged() throws Exception {
        int http = MnemoProcess.freePort();
        try (MnemoProcess node = new MnemoProcess("crash", dir, config(http, ""), http, 0)) {
            node.start().awaitReady(Duration.ofMinutes(2));
            Load load = new Load(node);
            Await.until("load under way", Duration.ofSeconds(60), () -> load.ackedRequests.get() >= 120);
            // A snapshot follows a block cut only with the next event: wait for one, or the kill may come first.
            node.awaitLogLine("snapshot stored at event", Duration.ofSeconds(60));
            node.kill();
            load.stop();
            node.start().awaitReady(Duration.ofMinutes(3));
            assertTrue(node.logText().contains("snapshot restored"), "recovery started from a snapshot");
            load.verify();
        }
    }

    @Test
    void killInsideABlockCutLosesNothingAndDoublesNothing() throws Exception {
        int http = MnemoProcess.freePort();
        String paused = "mnemo.ingester.fault-injection.pause-in-block-cut = 10m";
        try (MnemoProcess node = new MnemoProcess("crash", dir, config(http, paused), http, 0)) {
            node.start().awaitReady(Duration.ofMinutes(2));
            Load load = new Load(node);
            node.awaitLogLine("Fault injection: ingester .* pausing .* inside a block cut", Duration.ofSeconds(90));
            node.kill();
            load.stop();
            assertFalse(node.logText().contains("snapshot stored"), "no snapshot was stored before the kill");
            node.reconfigure(config(http, ""));
            node.start().awaitReady(Duration.ofMinutes(3));
            load.verify();
        }
    }

    @Test
    void killInsideASnapshotWriteLosesNothingAndDoublesNothing() throws Exception {
        int http = MnemoProcess.freePort();
        String paused = "mnemo.persistence.snapshot-store.fault-injection.pause-before-rename = 10m";
        try (MnemoProcess node = new MnemoProcess("crash", dir, config(http, paused), http, 0)) {
            node.start().awaitReady(Duration.ofMinutes(2));
            Load load = new Load(node);
            node.awaitLogLine("Fault injection: pausing .* inside a snapshot write", Duration.ofSeconds(90));
            try (Stream<Path> files = Files.walk(dir.resolve("data").resolve("snapshots"))) {
                assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".snap.tmp")),
                        "a snapshot is half done (written, not renamed) when the node is killed");
            }
            node.kill();
            load.stop();
            node.reconfigure(config(http, ""));
            node.start().awaitReady(Duration.ofMinutes(3));
            load.verify();
        }
    }

    /**
     * Senders each own a quarter of the series and push rounds (one sample per series, 15 s
     * apart) in lockstep, so no sender falls so far behind that a block cut makes its samples too
     * old, and every acknowledged sample is in order for its series.
     */
    static final class Load {
        final MnemoProcess node;
        final Map<Integer, ConcurrentSkipListSet<Long>> acked = new ConcurrentHashMap<>();
        final Map<Integer, ConcurrentSkipListSet<Long>> attempted = new ConcurrentHashMap<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger ackedRequests = new AtomicInteger();
        final Phaser rounds = new Phaser(SENDERS);
        final List<Thread> senders = new ArrayList<>();

        Load(MnemoProcess node) {
            this.node = node;
            for (int k = 0; k < SENDERS; k++) {
                final int sender = k;
                Thread t = new Thread(() -> {
                    try {
                        for (int round = 0; !stop.get(); round++) {
                            if (!push(sender, T0 + round * STEP, round)) return;
                            rounds.arriveAndAwaitAdvance();
                        }
                    } finally {
                        rounds.arriveAndDeregister();
                    }
                });
                t.start();
                senders.add(t);
            }
        }

        private boolean push(int sender, long ts, int round) {
            RemoteWrite w = RemoteWrite.request();
            for (int s = sender; s < SERIES; s += SENDERS) {
                w.series(labels(s), new long[] {ts}, new double[] {round});
                attempted.computeIfAbsent(s, x -> new ConcurrentSkipListSet<>()).add(ts);
            }
            MnemoClient.Response r;
            try {
                r = node.client.push("crash", w.encode());
            } catch (RuntimeException connectionLost) {
                return false;
            }
            if (r.status() != 200) return false;
            for (int s = sender; s < SERIES; s += SENDERS) {
                acked.computeIfAbsent(s, x -> new ConcurrentSkipListSet<>()).add(ts);
            }
            ackedRequests.incrementAndGet();
            return true;
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : senders) t.join();
        }

        /**
         * Every acknowledged sample is there, nothing was stored that was not sent, and each
         * series counts exactly as many samples as it has distinct timestamps.
         */
        void verify() {
            assertTrue(ackedRequests.get() > 0, "some pushes were acknowledged");
            long maxTs = attempted.values().stream().mapToLong(ConcurrentSkipListSet::last).max().orElseThrow();
            String at = Long.toString(maxTs / 1000 + 1);
            JsonNode r = node.client.api("crash", "query", "query", "crash_metric[1d]", "time", at).json();
            assertEquals("success", r.path("status").asText(), r.toString());
            JsonNode counts = node.client.api("crash", "query", "query", "count_over_time(crash_metric[1d])", "time", at).json();
            Map<Integer, Long> countOf = new ConcurrentHashMap<>();
            for (JsonNode s : counts.path("data").path("result")) {
                countOf.put(Integer.parseInt(s.path("metric").path("series").asText()), Math.round(s.path("value").get(1).asDouble()));
            }
            int checked = 0;
            for (JsonNode s : r.path("data").path("result")) {
                int series = Integer.parseInt(s.path("metric").path("series").asText());
                List<Long> stored = new ArrayList<>();
                for (JsonNode v : s.path("values")) stored.add(Math.round(v.get(0).asDouble() * 1000));
                for (int i = 1; i < stored.size(); i++) {
                    assertTrue(stored.get(i) > stored.get(i - 1), "series " + series + " has a sample twice or out of order");
                }
                List<Long> lost = new ArrayList<>(acked.getOrDefault(series, new ConcurrentSkipListSet<>()));
                lost.removeAll(stored);
                assertTrue(lost.isEmpty(), "series " + series + " lost acknowledged samples " + lost);
                assertTrue(attempted.get(series).containsAll(stored), "series " + series + " holds samples never sent");
                assertEquals(stored.size(), countOf.get(series), "count_over_time of series " + series);
                checked++;
            }
            assertEquals(acked.size(), checked, "every series with acknowledged samples is there");
        }
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "crash_metric", "job", "crash", "series", Integer.toString(s));
    }
}
