package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's three-node example ({@code conf/examples/vm-cluster}, with free ports on loopback):
 * every node runs a voter of one KRaft quorum, the ingest topic has three replicas and
 * min.insync.replicas 2. Under a steady push load, the node leading most partitions is SIGKILLed:
 * pushes through the other two fail only until Kafka has elected new leaders, then succeed; after
 * it returns, every acknowledged sample is queryable, none twice. Then a node's whole data
 * directory (Kafka's included) is wiped: its broker catches up from the others and its ingesters
 * rebuild from Kafka, and nothing acknowledged is lost.
 */
class KafkaQuorumIT {
    static final int SERIES = 200;
    static final int SENDERS = 4;
    static final long ROUND_MS = 200;
    /** From the election seen in metadata to the producers using the new leaders: a metadata refresh, a retry. */
    static final Duration AFTER_ELECTION = Duration.ofSeconds(5);
    static final Path EXAMPLE = Path.of(System.getProperty("mnemo.example.dir", "../conf/examples/vm-cluster"))
            .toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void noSingleNodeLosesAcknowledgedSamplesOrStopsWritesForLong() throws Exception {
        List<MnemoProcess> nodes = cluster();
        MnemoProcess n1 = nodes.get(0), n2 = nodes.get(1), n3 = nodes.get(2);
        PushLoad load = null;
        try {
            for (MnemoProcess n : nodes) n.start();
            for (MnemoProcess n : nodes) n.awaitReady(Duration.ofMinutes(4));

            // The example's topic: three copies of every record, two needed in sync for a write.
            JsonNode status = distributorStatus(n1);
            JsonNode replication = status.path("kafkaReplication");
            assertEquals(2, replication.path("minInsyncReplicas").asInt(), status.toString());
            assertEquals("[1,2,3]", replication.path("liveBrokers").toString(), status.toString());
            assertTrue(replication.path("writable").asBoolean(), status.toString());
            for (JsonNode p : status.path("partitions")) {
                assertEquals(3, p.path("replicas").size(), p.toString());
                assertEquals(3, p.path("inSyncReplicas").size(), p.toString());
            }
            String metrics = n2.client.get("/metrics").body();
            assertTrue(metrics.contains("mnemo_kafka_under_replicated_partitions 0.0")
                    && metrics.contains("mnemo_kafka_partition_in_sync_replicas{partition=\"0\"} 3.0"), metrics);
            // Every node's clients know every broker.
            for (MnemoProcess n : nodes) {
                assertTrue(n.logText().contains("clients bootstrap from " + bootstrapServers), n.logTail(40));
            }

            load = new PushLoad("quorum", "quorum_metric", SERIES, SENDERS, ROUND_MS, nodes);
            PushLoad l = load;
            Await.until("load under way", Duration.ofSeconds(60), () -> l.ackedPushes.get() >= 40);

            // SIGKILL the node that leads most partitions; a load balancer stops sending it pushes.
            int victimId = mostLeadingBroker(n1);
            boolean victimLedQuorum = false;
            for (JsonNode v : distributorStatus(n1).path("controllerQuorum")) {
                victimLedQuorum |= v.path("voter").asInt() == victimId && v.path("leader").asBoolean();
            }
            MnemoProcess victim = nodes.get(victimId - 1);
            List<MnemoProcess> survivors = nodes.stream().filter(n -> n != victim).toList();
            load.target(survivors);
            AtomicLong elected = new AtomicLong();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watch = watchElection(survivors.get(0), victimId, elected, watching);
            victim.kill();
            long killed = System.nanoTime();
            try {
                Await.until("new leaders without broker " + victimId, Duration.ofSeconds(60), () -> elected.get() != 0);
            } finally {
                watching.set(false);
                watch.join();
            }
            Await.until("pushes acknowledged again through both survivors", Duration.ofSeconds(60), () -> survivors.stream()
                    .allMatch(s -> !l.pushes(p -> p.node().equals(s.name) && p.startNanos() > elected.get() && p.ok()).isEmpty()));

            List<PushLoad.Push> failed = load.pushes(p -> !p.node().equals(victim.name) && p.endNanos() > killed && !p.ok());
            long electionMs = ms(elected.get() - killed);
            long firstAckMs = ms(load.pushes(p -> !p.node().equals(victim.name) && p.startNanos() > killed && p.ok()).stream()
                    .mapToLong(PushLoad.Push::endNanos).min().orElseThrow() - killed);
            long lastFailureMs = failed.stream().mapToLong(p -> ms(p.endNanos() - killed)).max().orElse(0);
            System.out.printf("KafkaQuorumIT: node%d (leading the most partitions%s) SIGKILLed; new leaders and in-sync "
                    + "replicas in Kafka's metadata after %d ms; %d pushes through the other nodes failed, the last answered "
                    + "%d ms after the kill (statuses %s); the first push started after the kill was acknowledged %d ms after it%n",
                    victimId, victimLedQuorum ? ", and the active controller" : ", not the active controller", electionMs,
                    failed.size(), lastFailureMs, statuses(failed), firstAckMs);
            assertTrue(electionMs < 30_000, "Kafka elected new leaders " + electionMs + " ms after the kill");
            // Refused, never left unanswered or taken for bad input.
            for (PushLoad.Push p : failed) assertTrue(p.status() >= 500 && p.status() < 600, p.toString());
            List<PushLoad.Push> lateFailures = failed.stream()
                    .filter(p -> p.startNanos() > elected.get() + AFTER_ELECTION.toNanos()).toList();
            assertEquals(List.of(), lateFailures, "pushes started " + AFTER_ELECTION + " after the election still failed");

            // The victim returns: it catches up and all three are in sync again.
            victim.start();
            victim.awaitReady(Duration.ofMinutes(4));
            load.target(nodes);
            awaitAllInSync(n1);

            // Wipe a node's whole data directory (Kafka's too) while it is stopped, and start it again.
            MnemoProcess wiped = n2;
            String clusterId = distributorStatus(n1).path("kafkaReplication").path("clusterId").asText();
            load.target(List.of(n1, n3));
            long wipeStart = System.nanoTime();
            assertTrue(wiped.terminate(Duration.ofSeconds(90)), "node2 stops within 90 s of SIGTERM");
            deleteRecursively(dir.resolve("node2"));
            wiped.start();
            wiped.awaitReady(Duration.ofMinutes(4));
            awaitAllInSync(n1);
            assertEquals(clusterId, metaProperties(dir.resolve("node2").resolve("kafka")).getProperty("cluster.id"),
                    "the wiped broker was formatted with the quorum's cluster id");
            load.target(nodes);
            long back = System.nanoTime();
            Await.until("pushes acknowledged through the wiped node", Duration.ofSeconds(60),
                    () -> !l.pushes(p -> p.node().equals(wiped.name) && p.startNanos() > back && p.ok()).isEmpty());
            load.stop();
            List<PushLoad.Push> failedAroundWipe = load.pushes(p -> p.startNanos() > wipeStart && !p.ok()
                    && !(p.node().equals(wiped.name) && p.startNanos() < back));
            System.out.printf("KafkaQuorumIT: node2 stopped, wiped and restarted; %d pushes through the others failed "
                    + "meanwhile (statuses %s)%s%n", failedAroundWipe.size(), statuses(failedAroundWipe),
                    failedAroundWipe.isEmpty() ? "" : ", e.g. " + failedAroundWipe.get(0).body());
            // A stopped broker hands its leaderships over first, but a returning follower that lags
            // while in sync holds acks=all writes up: a push may fail then, but only with a 5xx.
            for (PushLoad.Push p : failedAroundWipe) assertTrue(p.status() >= 500 && p.status() < 600, p.toString());

            // Its ingesters (zone-b's four, with nothing on disk) rebuilt their heads from Kafka, and
            // its querier reads them: what it answers below comes from the rebuilt heads.
            List<ClusterIT.Entry> rebuilt = ClusterIT.ring(wiped).stream().filter(e -> e.node().equals(wiped.address())).toList();
            assertEquals(4, rebuilt.size(), rebuilt.toString());
            for (ClusterIT.Entry e : rebuilt) assertTrue(e.id().startsWith("zone-b/") && e.state().equals("ACTIVE"), e.toString());
            for (JsonNode p : wiped.client.getJson("/querier/status").json().path("partitions")) {
                assertEquals("zone-b/" + p.path("partition").asInt(), p.path("reader").asText(), p.toString());
            }

            // Every acknowledged sample, none twice, through every node (node2 reads its rebuilt zone-b).
            long samples = 0;
            for (MnemoProcess n : nodes) {
                PushLoad verifying = load;
                Await.until(n.name + " answers with everything acknowledged", Duration.ofSeconds(60), () -> {
                    try {
                        verifying.verify(n);
                        return true;
                    } catch (AssertionError notYet) {
                        return false;
                    }
                });
                samples = load.verify(n);
            }
            System.out.printf("KafkaQuorumIT: %d acknowledged pushes of %d (%s), %d acknowledged samples each found once "
                    + "through every node%n", load.ackedPushes.get(), load.pushes.size(),
                    PushLoad.latency(load.pushes(PushLoad.Push::ok)), samples);
        } finally {
            if (load != null) load.stop();
            MnemoProcess.closeAll(nodes);
        }
    }

    private String bootstrapServers;

    /** Three nodes from the example's node files, with free ports and data under the test's directory. */
    private List<MnemoProcess> cluster() throws IOException {
        int[][] ports = new int[3][5];
        for (int[] p : ports) for (int i = 0; i < p.length; i++) p[i] = MnemoProcess.freePort();
        // http, remoting, management, kafka, controller
        String quorum = "[" + Stream.of(0, 1, 2).map(i -> "{id = %d, host = \"127.0.0.1\", port = %d, controller-port = %d}"
                .formatted(i + 1, ports[i][3], ports[i][4])).collect(Collectors.joining(", ")) + "]";
        bootstrapServers = Stream.of(0, 1, 2).map(i -> "127.0.0.1:" + ports[i][3]).collect(Collectors.joining(","));
        String endpoints = "[" + Stream.of(0, 1, 2).map(i -> "{host = \"127.0.0.1\", port = %d}".formatted(ports[i][2]))
                .collect(Collectors.joining(", ")) + "]";
        List<MnemoProcess> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String conf = """
                    include file("%s")
                    mnemo {
                      data-dir = "%s"
                      http { host = "127.0.0.1", port = %d }
                      kafka.embedded.quorum = %s
                      kafka.replication-refresh-interval = 500ms
                      kafka-path-warm-up = 1s
                      ring.heartbeat-timeout = 5s
                      querier.ingester-timeout = 3s
                    }
                    pekko.remote.artery.canonical.port = %d
                    pekko.management.http.port = %d
                    pekko.discovery.config.services.mnemo.endpoints = %s
                    pekko.cluster.split-brain-resolver.stable-after = 5s
                    # As ClusterIT: see a kill quickly, without flapping while three JVMs warm up on two cores.
                    pekko.cluster.failure-detector.acceptable-heartbeat-pause = 4s
                    pekko.cluster.failure-detector.heartbeat-interval = 500ms
                    """.formatted(EXAMPLE.resolve("node" + (i + 1) + ".conf"), dir.resolve("node" + (i + 1)), ports[i][0],
                    quorum, ports[i][1], ports[i][2], endpoints);
            nodes.add(new MnemoProcess("node" + (i + 1), dir, conf, ports[i][0], ports[i][1]));
        }
        return nodes;
    }

    static JsonNode distributorStatus(MnemoProcess via) {
        return via.client.getJson("/distributor/status").json();
    }

    /** The broker (= node) id leading the most partitions; the lowest on a tie. */
    static int mostLeadingBroker(MnemoProcess via) {
        Map<Integer, Integer> led = new TreeMap<>();
        for (JsonNode p : distributorStatus(via).path("partitions")) led.merge(p.path("leader").asInt(), 1, Integer::sum);
        return led.entrySet().stream().max(Map.Entry.<Integer, Integer>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder()))).orElseThrow().getKey();
    }

    /**
     * Polls a survivor's /metrics (refreshed every 500 ms from Kafka's metadata) until every
     * partition is led by another broker with two replicas in sync; records when it first saw that.
     */
    private static Thread watchElection(MnemoProcess via, int victimId, AtomicLong elected, AtomicBoolean watching) {
        Pattern gauge = Pattern.compile("^mnemo_kafka_partition_(leader|in_sync_replicas)\\{partition=\"(\\d+)\"} (-?[0-9.]+)$",
                Pattern.MULTILINE);
        Thread t = new Thread(() -> {
            while (watching.get() && elected.get() == 0) {
                try {
                    Map<String, Double> values = new HashMap<>();
                    Matcher m = gauge.matcher(via.client.get("/metrics").body());
                    while (m.find()) values.put(m.group(1) + m.group(2), Double.parseDouble(m.group(3)));
                    boolean done = values.size() == 8;
                    for (int p = 0; p < 4; p++) {
                        double leader = values.getOrDefault("leader" + p, -1.0);
                        done &= leader >= 1 && leader != victimId && values.getOrDefault("in_sync_replicas" + p, 0.0) == 2.0;
                    }
                    if (done) elected.set(System.nanoTime());
                    Thread.sleep(100);
                } catch (RuntimeException | InterruptedException e) {
                    // the node may be busy; keep polling until the deadline
                }
            }
        }, "election-watch");
        t.start();
        return t;
    }

    private static void awaitAllInSync(MnemoProcess via) {
        Await.until("every partition in sync on all three brokers", Duration.ofMinutes(2), () -> {
            JsonNode status = distributorStatus(via);
            for (JsonNode p : status.path("partitions")) if (p.path("inSyncReplicas").size() != 3) return false;
            return status.path("kafkaReplication").path("underReplicatedPartitions").asInt(-1) == 0;
        });
    }

    private static String statuses(List<PushLoad.Push> pushes) {
        return pushes.stream().collect(Collectors.groupingBy(PushLoad.Push::status, TreeMap::new, Collectors.counting())).toString();
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static Properties metaProperties(Path kafkaDir) throws IOException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(kafkaDir.resolve("meta.properties"))) {
            props.load(in);
        }
        return props;
    }

    private static void deleteRecursively(Path root) throws IOException {
        assertFalse(root.toString().isBlank());
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
