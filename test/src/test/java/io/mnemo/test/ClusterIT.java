package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.server.kafka.EmbeddedKafka;
import io.mnemo.tsdb.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three JVMs in two zones around one Kafka broker: every partition ACTIVE in both zones; reads
 * stay complete while a node is SIGKILLed (its ingesters turn UNHEALTHY, reads move to the other
 * zone) and after it returns (JOINING, then ACTIVE); a SIGTERMed node goes LEAVING and hands off
 * without a read gap; a fourth node joins and partitions rebalance onto it. States are read from
 * /ingester/ring, never from logs.
 */
class ClusterIT {
    static final int PARTITIONS = 4;
    static final int SERIES = 400;
    static final int SAMPLES = 5;
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;

    @TempDir
    Path dir;

    record Entry(String id, String state, String previousState, String node, long nextOffset, long resumedOffset) {}

    @Test
    void ringSurvivesKillsRestartsLeavesAndJoins() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0)) {
            int[] remoting = {MnemoProcess.freePort(), MnemoProcess.freePort(), MnemoProcess.freePort(), MnemoProcess.freePort()};
            String seeds = "[\"pekko://mnemo@127.0.0.1:" + remoting[0] + "\", \"pekko://mnemo@127.0.0.1:" + remoting[1]
                    + "\", \"pekko://mnemo@127.0.0.1:" + remoting[2] + "\"]";
            List<MnemoProcess> nodes = new ArrayList<>();
            String[] zones = {"zone-a", "zone-b", "zone-a", "zone-a"};
            for (int i = 0; i < 4; i++) {
                int http = MnemoProcess.freePort();
                String conf = """
                        mnemo {
                          data-dir = "%s"
                          zone = "%s"
                          zones = [zone-a, zone-b]
                          http { host = "127.0.0.1", port = %d }
                          kafka { bootstrap-servers = "%s", partitions = %d }
                          ring.heartbeat-timeout = 5s
                          querier.ingester-timeout = 3s
                        }
                        pekko.remote.artery.canonical.port = %d
                        pekko.management.http.port = %d
                        pekko.cluster.seed-nodes = %s
                        pekko.cluster.split-brain-resolver.stable-after = 5s
                        # Short enough to see the kill quickly, long enough not to flap while four JVMs
                        # warm up on two cores (an unreachable member holds back every rebalance).
                        pekko.cluster.failure-detector.acceptable-heartbeat-pause = 4s
                        pekko.cluster.failure-detector.heartbeat-interval = 500ms
                        """.formatted(dir.resolve("node" + (i + 1)), zones[i], http, kafka.bootstrapServers(), PARTITIONS,
                        remoting[i], MnemoProcess.freePort(), seeds);
                nodes.add(new MnemoProcess("node" + (i + 1), dir, conf, http, remoting[i]));
            }
            MnemoProcess n1 = nodes.get(0), n2 = nodes.get(1), n3 = nodes.get(2), n4 = nodes.get(3);
            try {
                n1.start();
                n2.start();
                n3.start();
                for (MnemoProcess n : List.of(n1, n2, n3)) n.awaitReady(Duration.ofMinutes(3));

                // Every partition ACTIVE in both zones, zone-a spread over node1 and node3.
                Await.until("8 ACTIVE ingesters", Duration.ofSeconds(90), () -> {
                    List<Entry> ring = ring(n2);
                    return ring.size() == 2 * PARTITIONS && ring.stream().allMatch(e -> e.state().equals("ACTIVE"))
                            && ring.stream().anyMatch(e -> e.node().equals(n1.address()))
                            && ring.stream().anyMatch(e -> e.node().equals(n3.address()));
                });

                push(n2);
                Await.until("all data readable", Duration.ofSeconds(60), () -> complete(n1) && complete(n3));

                // SIGKILL node3: reads through node1 stay complete (other zone takes over), and
                // node3's ingesters turn UNHEALTHY within the heartbeat timeout.
                List<String> killedIngesters = ring(n1).stream().filter(e -> e.node().equals(n3.address()))
                        .map(Entry::id).sorted().toList();
                assertTrue(!killedIngesters.isEmpty());
                // Where node3's journals end: every record of their partitions consumed.
                Map<String, Long> journalEnds = new HashMap<>();
                Await.until("node3's ingesters at the end of their partitions", Duration.ofSeconds(30), () -> {
                    Map<Integer, Long> ends = endOffsets(n2);
                    journalEnds.clear();
                    for (Entry e : ring(n3)) {
                        if (killedIngesters.contains(e.id())) journalEnds.put(e.id(), e.nextOffset());
                    }
                    return journalEnds.size() == killedIngesters.size() && journalEnds.entrySet().stream()
                            .allMatch(j -> j.getValue() > 0 && j.getValue().equals(ends.get(partition(j.getKey()))));
                });
                n3.kill();
                assertTrue(complete(n1), "reads complete right after the kill");
                Await.until("node3's ingesters UNHEALTHY or moved", Duration.ofSeconds(30), () -> ring(n1).stream()
                        .filter(e -> killedIngesters.contains(e.id()))
                        .allMatch(e -> e.state().equals("UNHEALTHY") || !e.node().equals(n3.address())));
                assertTrue(complete(n1), "reads complete while node3 is down");

                // node3 returns: it hosts zone-a ingesters again, which pass JOINING and become ACTIVE.
                n3.start();
                n3.awaitReady(Duration.ofMinutes(3));
                // Sticky allocation: node3 gets back exactly the partitions whose journals it holds.
                Await.until("8 ACTIVE after restart, node3 hosting " + killedIngesters, Duration.ofSeconds(90),
                        () -> allActive(n2) && ring(n2).stream().filter(e -> e.node().equals(n3.address()))
                                .map(Entry::id).sorted().toList().equals(killedIngesters));
                List<Entry> onNode3 = ring(n2).stream().filter(e -> e.node().equals(n3.address())).toList();
                for (Entry e : onNode3) {
                    assertEquals("JOINING", e.previousState(), e.toString());
                    // Replayed its journal and resumed where it stopped, not rebuilt from offset 0.
                    assertEquals(journalEnds.get(e.id()).longValue(), e.resumedOffset(), e.toString());
                }
                assertTrue(complete(n3), "node3 answers completely after its restart");

                // SIGTERM node1: its ingesters go LEAVING and hand off; reads never fail meanwhile.
                Map<String, List<String>> leaving = watchStates(n2, n1.address());
                AtomicBoolean reading = new AtomicBoolean(true);
                List<String> readFailures = new CopyOnWriteArrayList<>();
                AtomicInteger reads = new AtomicInteger();
                Thread reader = new Thread(() -> {
                    while (reading.get()) {
                        try {
                            if (!complete(n2)) readFailures.add("incomplete answer");
                        } catch (RuntimeException | AssertionError e) {
                            readFailures.add(e.toString());
                        }
                        reads.incrementAndGet();
                    }
                });
                AtomicBoolean watching2 = new AtomicBoolean(true);
                Thread leaveWatcher = watch(n2, leaving, watching2);
                reader.start();
                assertTrue(n1.terminate(Duration.ofSeconds(60)), "node1 stops within a minute of SIGTERM");
                Await.until("node1's partitions ACTIVE on node3", Duration.ofSeconds(90), () -> allActive(n2)
                        && ring(n2).stream().noneMatch(e -> e.node().equals(n1.address())));
                watching2.set(false);
                leaveWatcher.join();
                reading.set(false);
                reader.join();
                assertTrue(reads.get() > 0);
                assertEquals(List.of(), readFailures, "no read gap during the handoff");
                assertTrue(leaving.values().stream().anyMatch(states -> states.contains("LEAVING")),
                        "node1's ingesters were seen LEAVING: " + leaving);

                // A fourth node joins zone-a and partitions rebalance onto it.
                n4.start();
                n4.awaitReady(Duration.ofMinutes(3));
                Await.until("node4 hosts ACTIVE ingesters", Duration.ofSeconds(120), () -> allActive(n2)
                        && ring(n2).stream().anyMatch(e -> e.node().equals(n4.address())));
                assertTrue(complete(n4));

            } finally {
                MnemoProcess.closeAll(nodes);
            }
        }
    }

    /** Ingesters of the given node seen over time (ingester id → states in order). */
    private static Map<String, List<String>> watchStates(MnemoProcess via, String node) {
        Map<String, List<String>> seen = new ConcurrentHashMap<>();
        for (Entry e : ring(via)) if (e.node().equals(node)) seen.put(e.id(), new CopyOnWriteArrayList<>(List.of(e.state())));
        return seen;
    }

    private static Thread watch(MnemoProcess via, Map<String, List<String>> seen, AtomicBoolean running) {
        Thread t = new Thread(() -> {
            while (running.get()) {
                try {
                    for (Entry e : ring(via)) {
                        List<String> states = seen.computeIfAbsent(e.id(), k -> new CopyOnWriteArrayList<>());
                        if (states.isEmpty() || !states.get(states.size() - 1).equals(e.state())) states.add(e.state());
                    }
                    Thread.sleep(100);
                } catch (RuntimeException | InterruptedException ignored) {
                    // the node may be between answers; keep watching
                }
            }
        });
        t.start();
        return t;
    }

    static List<Entry> ring(MnemoProcess via) {
        MnemoClient.Response r = via.client.getJson("/ingester/ring");
        List<Entry> out = new ArrayList<>();
        for (JsonNode e : r.json().path("ingesters")) {
            out.add(new Entry(e.path("id").asText(), e.path("state").asText(), e.path("previousState").asText(),
                    e.path("node").asText(), e.path("nextOffset").asLong(), e.path("resumedOffset").asLong()));
        }
        return out;
    }

    static int partition(String ingesterId) {
        return Integer.parseInt(ingesterId.substring(ingesterId.lastIndexOf('/') + 1));
    }

    /** Every partition's end offset, from the distributor's status page. */
    static Map<Integer, Long> endOffsets(MnemoProcess via) {
        Map<Integer, Long> out = new HashMap<>();
        for (JsonNode p : via.client.getJson("/distributor/status").json().path("partitions")) {
            out.put(p.path("partition").asInt(), p.path("endOffset").asLong());
        }
        return out;
    }

    static boolean allActive(MnemoProcess via) {
        List<Entry> ring = ring(via);
        Map<String, Long> activePerPartitionZone = ring.stream().filter(e -> e.state().equals("ACTIVE"))
                .collect(Collectors.groupingBy(Entry::id, Collectors.counting()));
        return activePerPartitionZone.size() == 2 * PARTITIONS;
    }

    static void push(MnemoProcess via) {
        RemoteWrite w = RemoteWrite.request();
        for (int s = 0; s < SERIES; s++) {
            long[] ts = new long[SAMPLES];
            double[] vs = new double[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) {
                ts[i] = T0 + i * STEP;
                vs[i] = s + i;
            }
            w.series(Labels.of("__name__", "cluster_metric", "series", Integer.toString(s)), ts, vs);
        }
        assertEquals(200, via.client.push("ring", w.encode()).status());
    }

    /** Every series with every sample, through this node's querier. */
    static boolean complete(MnemoProcess via) {
        JsonNode r = via.client.api("ring", "query", "query", "cluster_metric[10m]",
                "time", Long.toString((T0 + (SAMPLES - 1) * STEP) / 1000)).json();
        if (!"success".equals(r.path("status").asText())) throw new AssertionError(via.name + ": " + r);
        JsonNode result = r.path("data").path("result");
        if (result.size() != SERIES) return false;
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode s : result) counts.put(s.path("metric").path("series").asText(), s.path("values").size());
        return counts.size() == SERIES && counts.values().stream().allMatch(c -> c == SAMPLES);
    }
}
