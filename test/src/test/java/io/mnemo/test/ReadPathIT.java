package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.server.kafka.EmbeddedKafka;
import io.mnemo.tsdb.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read path at the size users run, on the example's shape: three ingester nodes in two zones
 * (zone-a: node1 and node3, zone-b: node2) around one Kafka, plus node4, a querier and distributor
 * without ingesters. 200,000 series: every partition's answer is many MiB, far over one Artery
 * frame (256 KiB), so it only arrives as a stream of frames. Queries are exact through every node,
 * whether the node holds all of the readers it uses (node2), some (node1, node3) or none (node4);
 * a query cancelled by its timeout releases the ingesters' streams; and a node SIGKILLed while it
 * streams answers leaves every answer exact (read again from the other zone) or a 503, never partial.
 */
class ReadPathIT {
    static final int PARTITIONS = 4;
    static final int SERIES = 200_000;
    static final int SAMPLES = 10;
    static final int PODS = 100;
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;
    static final long T_LAST = T0 + (SAMPLES - 1) * STEP;

    @TempDir
    Path dir;

    @Test
    void bigAnswersAreExactThroughEveryNodeAndNeverPartial() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0)) {
            int[] remoting = new int[4];
            for (int i = 0; i < 4; i++) remoting[i] = MnemoProcess.freePort();
            String seeds = "[\"pekko://mnemo@127.0.0.1:" + remoting[0] + "\", \"pekko://mnemo@127.0.0.1:" + remoting[1] + "\"]";
            String[] zones = {"zone-a", "zone-b", "zone-a", "zone-a"};
            List<MnemoProcess> nodes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int http = MnemoProcess.freePort();
                String roles = i == 3 ? "[distributor, querier]" : "[distributor, ingester, querier]";
                String conf = """
                        mnemo {
                          data-dir = "%s"
                          roles = %s
                          zone = "%s"
                          zones = [zone-a, zone-b]
                          http { host = "127.0.0.1", port = %d }
                          kafka { bootstrap-servers = "%s", partitions = %d }
                          ring.heartbeat-timeout = 5s
                          querier.ingester-timeout = 5s
                          limits.max-fetched-series-per-query = 0
                          limits.max-fetched-chunk-bytes-per-query = 0
                        }
                        pekko.remote.artery.canonical.port = %d
                        pekko.management.http.port = %d
                        pekko.cluster.seed-nodes = %s
                        pekko.cluster.split-brain-resolver.stable-after = 5s
                        pekko.cluster.failure-detector.acceptable-heartbeat-pause = 4s
                        pekko.cluster.failure-detector.heartbeat-interval = 500ms
                        %s""".formatted(dir.resolve("node" + (i + 1)), roles, zones[i], http, kafka.bootstrapServers(),
                        PARTITIONS, remoting[i], MnemoProcess.freePort(), seeds,
                        // node4 has no ingester to read its Kafka path warm-up back, and that warm-up
                        // then waits out its 30 s drain timeout (KafkaPathWarmUp): off there.
                        i == 3 ? "mnemo.kafka-path-warm-up = 0s" : "");
                nodes.add(new MnemoProcess("node" + (i + 1), dir, conf, http, remoting[i]).heap("1g"));
            }
            MnemoProcess n1 = nodes.get(0), n2 = nodes.get(1), n3 = nodes.get(2), n4 = nodes.get(3);
            try {
                for (MnemoProcess n : nodes) n.start();
                for (MnemoProcess n : nodes) n.awaitReady(Duration.ofMinutes(4));
                Await.until("every partition ACTIVE in both zones, zone-a on node1 and node3", Duration.ofSeconds(120), () -> {
                    List<ClusterIT.Entry> ring = ClusterIT.ring(n4);
                    return ring.size() == 2 * PARTITIONS && ring.stream().allMatch(e -> e.state().equals("ACTIVE"))
                            && ring.stream().anyMatch(e -> e.node().equals(n1.address()))
                            && ring.stream().anyMatch(e -> e.node().equals(n3.address()));
                });

                push(n4);
                Await.until("all series readable through node2", Duration.ofMinutes(3),
                        () -> count(n2, "count({job=\"bench\"})") == SERIES);

                // Exact through every node: count, sum by, one series' range, /api/v1/series.
                Map<String, Double> sums = expectedSums();
                for (MnemoProcess n : nodes) {
                    assertEquals(SERIES, count(n, "count({job=\"bench\"})"), n.name);
                    assertEquals(sums, sumByPod(n), n.name);
                    JsonNode range = query(n, "bench_metric{series=\"123456\"}[1h]").path("data").path("result");
                    assertEquals(1, range.size(), n.name);
                    JsonNode values = range.get(0).path("values");
                    assertEquals(SAMPLES, values.size(), n.name);
                    for (int s = 0; s < SAMPLES; s++) {
                        assertEquals(value(123456, s), values.get(s).get(1).asDouble(), n.name);
                        assertEquals((T0 + s * STEP) / 1000.0, values.get(s).get(0).asDouble(), n.name);
                    }
                    MnemoClient.Response series = n.client.api("t", "series", "match[]", "{job=\"bench\"}",
                            "start", Long.toString(T0 / 1000), "end", Long.toString(T_LAST / 1000));
                    assertEquals(200, series.status(), n.name + ": " + series.body().substring(0, Math.min(500, series.body().length())));
                    assertEquals(SERIES, series.json().path("data").size(), n.name);
                }

                // Exemplars through every node, node4 holding no ingester: the exemplar query and its
                // answers (several frames a partition) cross nodes, exact from each.
                pushExemplars(n4);
                for (MnemoProcess n : nodes) {
                    Await.until("every exemplar through " + n.name, Duration.ofSeconds(60),
                            () -> exemplarCount(n) == EXEMPLAR_SERIES * EXEMPLARS_PER_SERIES);
                }

                // A query cancelled by its timeout releases the ingesters' streams.
                double cancelledBefore = sum(nodes, "mnemo_ingester_read_streams_cancelled_total");
                for (int ms = 100; ms <= 3200 && sum(nodes, "mnemo_ingester_read_streams_cancelled_total") == cancelledBefore; ms *= 2) {
                    MnemoClient.Response r = n4.client.api("t", "query", "query", "count_over_time({job=\"bench\"}[1h])",
                            "time", Long.toString(T_LAST / 1000), "timeout", ms + "ms");
                    assertTrue(r.status() == 503 || r.status() == 200, r.status() + " " + r.body());
                }
                assertTrue(sum(nodes, "mnemo_ingester_read_streams_cancelled_total") > cancelledBefore,
                        "a timed-out query cancelled ingesters' streams before their end");
                Await.until("no read stream open on any node", Duration.ofSeconds(20),
                        () -> sum(nodes, "mnemo_ingester_read_streams") == 0);

                // SIGKILL node3 while node4 (zone-a, reading half the partitions from node3) runs big queries.
                AtomicBoolean running = new AtomicBoolean(true);
                List<String> wrong = new CopyOnWriteArrayList<>();
                AtomicInteger exact = new AtomicInteger(), unavailable = new AtomicInteger(), overlapping = new AtomicInteger();
                long[] killedAt = {Long.MAX_VALUE};
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    Thread t = new Thread(() -> {
                        while (running.get()) {
                            long start = System.nanoTime();
                            MnemoClient.Response r = n4.client.api("t", "query", "query", "count({job=\"bench\"})",
                                    "time", Long.toString(T_LAST / 1000));
                            if (start < killedAt[0] && System.nanoTime() > killedAt[0]) overlapping.incrementAndGet();
                            if (r.status() == 503) {
                                unavailable.incrementAndGet();
                            } else if (r.status() == 200 && r.json().path("data").path("result").get(0).path("value")
                                    .get(1).asText().equals(Integer.toString(SERIES))) {
                                exact.incrementAndGet();
                            } else {
                                wrong.add(r.status() + " " + r.body());
                            }
                        }
                    });
                    t.start();
                    clients.add(t);
                }
                Await.until("queries under way", Duration.ofSeconds(60), () -> exact.get() >= 2);
                killedAt[0] = System.nanoTime();
                n3.kill();
                Await.until("queries exact again after the kill", Duration.ofSeconds(60), () -> exact.get() >= 6);
                running.set(false);
                for (Thread t : clients) t.join();
                System.out.printf("ReadPathIT: node3 SIGKILLed under 2 query clients: %d exact answers, %d answered 503, "
                        + "%d in flight at the kill%n", exact.get(), unavailable.get(), overlapping.get());
                assertEquals(List.of(), wrong, "never a partial or wrong answer");
                assertTrue(overlapping.get() > 0, "some query was in flight when node3 died");
                assertEquals(SERIES, count(n1, "count({job=\"bench\"})"), "node1 reads node3's partitions from zone-b");
            } finally {
                MnemoProcess.closeAll(nodes);
            }
        }
    }

    static final int EXEMPLAR_SERIES = 100;
    static final int EXEMPLARS_PER_SERIES = 100;

    static void pushExemplars(MnemoProcess via) throws Exception {
        io.mnemo.actors.prompb.Remote.TimeSeries.Builder[] series = new io.mnemo.actors.prompb.Remote.TimeSeries.Builder[EXEMPLAR_SERIES];
        for (int s = 0; s < EXEMPLAR_SERIES; s++) {
            series[s] = ExemplarsIT.series("__name__", "ex_metric", "series", Integer.toString(s)).addSamples(ExemplarsIT.sample(T0, s));
            for (int e = 0; e < EXEMPLARS_PER_SERIES; e++) {
                series[s].addExemplars(ExemplarsIT.exemplar(T0 + e, e, "trace_id", ExemplarsIT.traceId(s, e)));
            }
        }
        MnemoClient.Response r = via.client.push("t", ExemplarsIT.encode(series));
        assertEquals(200, r.status(), r.body());
    }

    /** Exemplars query_exemplars answers through a node, each checked for its trace id; -1 on an error. */
    static int exemplarCount(MnemoProcess n) {
        MnemoClient.Response r = n.client.api("t", "query_exemplars", "query", "ex_metric");
        if (r.status() != 200) return -1;
        int count = 0;
        for (JsonNode s : r.json().path("data")) {
            int id = Integer.parseInt(s.path("seriesLabels").path("series").asText());
            JsonNode es = s.path("exemplars");
            for (int e = 0; e < es.size(); e++) {
                assertEquals(ExemplarsIT.traceId(id, e), es.get(e).path("labels").path("trace_id").asText(), n.name);
                count++;
            }
        }
        return count;
    }

    static double value(int series, int sample) {
        return series % 1000 + sample;
    }

    static Labels labels(int series) {
        return Labels.of("__name__", "bench_metric", "job", "bench", "pod", "pod-" + series % PODS,
                "series", Integer.toString(series));
    }

    static void push(MnemoProcess via) {
        long[] ts = new long[SAMPLES];
        for (int s = 0; s < SAMPLES; s++) ts[s] = T0 + s * STEP;
        for (int from = 0; from < SERIES; from += 10_000) {
            RemoteWrite w = RemoteWrite.request();
            for (int i = from; i < from + 10_000; i++) {
                double[] vs = new double[SAMPLES];
                for (int s = 0; s < SAMPLES; s++) vs[s] = value(i, s);
                w.series(labels(i), ts, vs);
            }
            MnemoClient.Response r = via.client.push("t", w.encode());
            assertEquals(200, r.status(), r.body());
        }
    }

    static Map<String, Double> expectedSums() {
        Map<String, Double> out = new TreeMap<>();
        for (int i = 0; i < SERIES; i++) out.merge("pod-" + i % PODS, value(i, SAMPLES - 1), Double::sum);
        return out;
    }

    static JsonNode query(MnemoProcess n, String q) {
        MnemoClient.Response r = n.client.api("t", "query", "query", q, "time", Long.toString(T_LAST / 1000));
        assertEquals(200, r.status(), n.name + ": " + r.body());
        return r.json();
    }

    static long count(MnemoProcess n, String q) {
        JsonNode result = query(n, q).path("data").path("result");
        return result.isEmpty() ? 0 : result.get(0).path("value").get(1).asLong();
    }

    static Map<String, Double> sumByPod(MnemoProcess n) {
        Map<String, Double> out = new TreeMap<>();
        for (JsonNode s : query(n, "sum by (pod) ({job=\"bench\"})").path("data").path("result")) {
            out.put(s.path("metric").path("pod").asText(), s.path("value").get(1).asDouble());
        }
        return out;
    }

    /** The sum of a metric's samples over the nodes still running. */
    static double sum(List<MnemoProcess> nodes, String metric) {
        double total = 0;
        for (MnemoProcess n : nodes) {
            if (!n.alive()) continue;
            for (String line : n.client.get("/metrics").body().split("\n")) {
                if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return total;
    }
}
