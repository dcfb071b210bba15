package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.server.kafka.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journal segments deleted behind the node's back, as an operator meets it. Deleted at the end of
 * the journal: a WARN says which files and which Kafka offsets are rebuilt, and every acknowledged
 * sample comes back. Deleted in the middle: the ingester refuses to replay across the hole (that
 * would skip its records for good) with one ERROR and {@code /ready} naming the file, until
 * {@code --journal.repair}. Deleted when Kafka no longer holds those records either: an ERROR names
 * the lost offsets, a metric counts them and {@code /ready} says so, and the node serves nothing
 * until an operator accepts the loss; then it answers with what it still has.
 */
class JournalLossIT {
    static final String PID_DIR = "ingester%7Czone-a%7C0";
    static final String TOPIC = "mnemo-ingest";

    @TempDir
    Path dir;

    final Rounds rounds = new Rounds("loss", "loss_metric");

    String config(int http, String kafka, String extra) throws IOException {
        return """
                mnemo {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = %d }
                  %s
                  kafka.partitions = 1
                  management.enabled = false
                }
                pekko.remote.artery.canonical.port = %d
                %s
                %s""".formatted(dir.resolve("data"), http, kafka, MnemoProcess.freePort(), MnemoProcess.SINGLE_NODE_RESTARTS,
                extra);
    }

    @Test
    void deletedLastSegmentIsRebuiltFromKafkaWithAWarning() throws Exception {
        int http = MnemoProcess.freePort();
        String kafka = "kafka.embedded.port = " + MnemoProcess.freePort();
        try (MnemoProcess node = new MnemoProcess("deleted", dir, config(http, kafka, ""), http, 0)) {
            node.start().awaitReady(Duration.ofMinutes(2));
            rounds.push(node, 0, 40);
            assertTrue(node.terminate(Duration.ofSeconds(60)), "node stops on SIGTERM");

            List<Path> segments = segments();
            assertEquals(1, segments.size(), "one segment at the default size: " + segments);
            Files.delete(segments.get(0));

            node.start().awaitReady(Duration.ofMinutes(2));
            String journal = node.awaitLogLine("WARN .*segment file\\(s\\) .* are missing", Duration.ofSeconds(10));
            assertTrue(journal.contains(segments.get(0).toString()) && journal.contains("events from sequence number 1 on are gone"),
                    journal);
            String rebuilt = node.awaitLogLine("WARN .*Ingester zone-a/0: .*rebuilding Kafka offsets", Duration.ofSeconds(10));
            assertTrue(rebuilt.contains(segments.get(0).toString()) && rebuilt.contains("[0, 40) (40 records)"), rebuilt);
            rounds.awaitAllQueryable(node);
            rounds.push(node, 40, 5);
            rounds.awaitAllQueryable(node);
        }
    }

    @Test
    void deletedMiddleSegmentStopsTheIngesterUntilRepairThenEverythingComesBack() throws Exception {
        int http = MnemoProcess.freePort();
        String kafka = "kafka.embedded.port = " + MnemoProcess.freePort();
        String small = "mnemo.persistence.journal.segment-size = 4KiB";
        try (MnemoProcess node = new MnemoProcess("hole", dir, config(http, kafka, small), http, 0)) {
            node.start().awaitReady(Duration.ofMinutes(2));
            rounds.push(node, 0, 40);
            assertTrue(node.terminate(Duration.ofSeconds(60)), "node stops on SIGTERM");

            List<Path> segments = segments();
            assertTrue(segments.size() >= 4, "several segments at 4 KiB: " + segments);
            Path missing = segments.get(1);
            Files.delete(missing);

            int before = node.logText().length();
            node.start();
            String error = node.awaitLogLine("ERROR .*Ingester zone-a/0 cannot start: journal file .* is missing",
                    Duration.ofMinutes(2));
            assertTrue(error.contains(missing.toString()) && error.contains("--journal.repair"), error);
            Await.until("/ready names the missing file", Duration.ofSeconds(60), () -> {
                MnemoClient.Response r = node.client.get("/ready");
                return r.status() == 503 && r.body().contains("zone-a/0") && r.body().contains(missing + " is missing");
            });
            assertEquals(1, node.logText().substring(before).lines().filter(l -> l.contains(" ERROR ")).count(),
                    node.logTail(40));
            node.kill();

            node.start("--journal.repair").awaitReady(Duration.ofMinutes(2));
            String rebuilt = node.awaitLogLine("WARN .*Ingester zone-a/0: .*rebuilding Kafka offsets", Duration.ofSeconds(10));
            assertTrue(rebuilt.contains(missing.toString()) && rebuilt.contains(", 40) "), rebuilt);
            rounds.awaitAllQueryable(node);
            rounds.push(node, 40, 5);
            rounds.awaitAllQueryable(node);
        }
    }

    @Test
    void deletedSegmentWhoseRecordsKafkaDeletedTooIsALossReportedUntilAccepted() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            int http = MnemoProcess.freePort();
            String external = "kafka.bootstrap-servers = \"" + kafka.bootstrapServers() + "\"";
            try (MnemoProcess node = new MnemoProcess("lost", dir, config(http, external, ""), http, 0)) {
                node.start().awaitReady(Duration.ofMinutes(2));
                rounds.push(node, 0, 20);
                assertEquals(200, node.client.post("/ingester/flush").status()); // rounds 0-19 into blocks
                rounds.push(node, 20, 20); // the first of them brings a snapshot, and the journal is truncated to it
                node.awaitLogLine("snapshot stored at event", Duration.ofSeconds(30));
                assertTrue(node.terminate(Duration.ofSeconds(60)), "node stops on SIGTERM");

                // While the node is down: its journal segment goes, and Kafka deletes every record so far.
                for (Path segment : segments()) Files.delete(segment);
                TopicPartition tp = new TopicPartition(TOPIC, 0);
                admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(40))).all().get(30, TimeUnit.SECONDS);
                assertEquals(40, admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp)
                        .get(30, TimeUnit.SECONDS).offset());

                node.start();
                String error = node.awaitLogLine("ERROR .*Ingester zone-a/0: DATA LOSS", Duration.ofMinutes(2));
                Matcher range = Pattern.compile("Kafka offsets \\[(\\d+), 40\\) \\((\\d+) records\\)").matcher(error);
                assertTrue(range.find(), error);
                int lostFrom = Integer.parseInt(range.group(1));
                assertTrue(lostFrom >= 20 && lostFrom < 40, "blocks and the snapshot kept rounds 0-19 at least: " + error);
                assertTrue(error.contains("deleted outside Mnemo") && error.contains("accept-data-loss?id=zone-a/0"), error);

                String lostRange = "lost Kafka offsets [" + lostFrom + ", 40)";
                Await.until("/ready names the loss", Duration.ofSeconds(60), () -> {
                    MnemoClient.Response r = node.client.get("/ready");
                    return r.status() == 503 && r.body().contains("zone-a/0") && r.body().contains(lostRange)
                            && r.body().contains("accept-data-loss");
                });
                assertTrue(node.client.get("/metrics").body().contains(
                        "mnemo_ingester_data_loss_records{partition=\"0\",zone=\"zone-a\"} " + (40 - lostFrom) + ".0"));
                JournalCorruptionIT.observe(Duration.ofSeconds(5), () -> assertEquals(503, node.client.get("/ready").status(),
                        "not ready before the loss is accepted"));

                MnemoClient.Response accepted = node.client.post("/ingester/accept-data-loss?id=zone-a/0");
                assertEquals(200, accepted.status(), accepted.body());
                assertTrue(accepted.body().contains("accepted the loss of offsets [" + lostFrom + ", 40)"), accepted.body());
                node.awaitReady(Duration.ofMinutes(1));
                assertTrue(node.client.get("/metrics").body().contains(
                        "mnemo_ingester_data_loss_records{partition=\"0\",zone=\"zone-a\"} 0.0"));

                // It answers with what it still has: blocks and snapshot, not the lost rounds; and it ingests on.
                TreeSet<Long> kept = new TreeSet<>(rounds.acked);
                for (int round = lostFrom; round < 40; round++) kept.remove(Rounds.timestamp(round));
                rounds.awaitExactly(node, kept);
                rounds.push(node, 40, 5);
                for (int round = 40; round < 45; round++) kept.add(Rounds.timestamp(round));
                rounds.awaitExactly(node, kept);
                assertEquals(409, node.client.post("/ingester/accept-data-loss").status(), "nothing left to accept");
            }
        }
    }

    List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("data").resolve("journal").resolve(PID_DIR))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }
}
