package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal as an operator meets its damage: a node is stopped and its ingester's journal is
 * damaged on disk. A torn tail (a record cut short, as a crash mid-write leaves it) is truncated
 * with a warning naming file and offset, and the node comes back with every acknowledged sample.
 * A damaged record before the tail stops the ingester with an error naming file and offset and
 * leaves the node not ready; {@code --journal.repair} truncates at the damage and the ingester
 * re-consumes the lost range from Kafka, so every acknowledged sample is queryable again.
 */
class JournalCorruptionIT {
    static final long T0 = 1_700_000_000_000L;
    static final int SERIES = 20;

    @TempDir
    Path dir;

    final TreeSet<Long> acked = new TreeSet<>();

    @Test
    void tornTailIsTruncatedMiddleDamageStopsTheIngesterUntilRepair() throws Exception {
        int http = MnemoProcess.freePort();
        String conf = """
                mnemo {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = %d }
                  kafka.embedded.port = %d
                  kafka.partitions = 1
                  management.enabled = false
                }
                pekko.remote.artery.canonical.port = %d
                """.formatted(dir.resolve("data"), http, MnemoProcess.freePort(), MnemoProcess.freePort());
        try (MnemoProcess node = new MnemoProcess("corrupt", dir, conf, http, 0)) {
            node.start().awaitReady(Duration.ofMinutes(2));
            push(node, 0, 40);
            awaitAllQueryable(node);
            assertTrue(node.terminate(Duration.ofSeconds(60)), "node stops on SIGTERM");

            // 1. A torn tail: the last frame cut in the middle of its body.
            Path segment = lastSegment();
            List<long[]> frames = frames(segment);
            assertTrue(frames.size() >= 3, "several journal frames to damage, got " + frames.size());
            long[] last = frames.get(frames.size() - 1);
            try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                ch.truncate(last[0] + 8 + last[1] / 2);
            }
            node.start().awaitReady(Duration.ofMinutes(2));
            String warning = node.awaitLogLine("Truncating torn record at the tail of journal file", Duration.ofSeconds(10));
            assertTrue(warning.contains("WARN") && warning.contains(segment.toString())
                    && warning.contains("at offset " + last[0] + " "), warning);
            awaitAllQueryable(node); // the torn record's samples came back from Kafka
            push(node, 40, 20);
            awaitAllQueryable(node);
            assertTrue(node.terminate(Duration.ofSeconds(60)), "node stops on SIGTERM");

            // 2. A damaged record before the tail: bytes flipped inside a middle frame's body.
            frames = frames(segment);
            long[] middle = frames.get(frames.size() / 2);
            assertTrue(frames.size() / 2 < frames.size() - 1, "the damaged frame is not the last");
            try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(4);
                long at = middle[0] + 8 + middle[1] / 2;
                ch.read(b, at);
                b.flip();
                int v = b.getInt();
                ch.write(ByteBuffer.allocate(4).putInt(0, ~v), at);
            }
            node.start();
            String error = node.awaitLogLine("journal file .* is corrupt at offset", Duration.ofMinutes(2));
            assertTrue(error.contains(segment.toString()) && error.contains("is corrupt at offset " + middle[0] + ":"), error);
            Await.until("readiness answered", Duration.ofSeconds(60), () -> node.client.get("/ready").status() > 0);
            MnemoClient.Response ready = node.client.get("/ready");
            assertTrue(ready.status() != 200, "the node is not ready while its ingester cannot recover: " + ready);
            assertTrue(node.alive(), "the node itself keeps running");
            node.kill();

            // 3. --journal.repair: truncated at the damage, the rest re-consumed from Kafka.
            node.start("--journal.repair").awaitReady(Duration.ofMinutes(2));
            assertTrue(node.logText().contains("Repairing journal of persistence id"), "repair logged");
            awaitAllQueryable(node);
            push(node, 60, 5);
            awaitAllQueryable(node);
        }
    }

    /** Pushes {@code n} requests one by one (so they land in separate journal frames), recording acknowledgements. */
    void push(MnemoProcess node, int from, int n) {
        for (int round = from; round < from + n; round++) {
            long ts = T0 + round * 15_000L;
            RemoteWrite w = RemoteWrite.request();
            for (int s = 0; s < SERIES; s++) w.series(labels(s), new long[] {ts}, new double[] {round});
            MnemoClient.Response r = node.client.push("corrupt", w.encode());
            assertEquals(200, r.status(), r.body());
            acked.add(ts);
            // wait for this push to be ingested so the next one is journaled as another event
            Await.until("push " + round + " ingested", Duration.ofSeconds(30), () -> countOf(node, ts) == SERIES);
        }
    }

    /** Series holding a sample at exactly ts. */
    static long countOf(MnemoProcess node, long ts) {
        JsonNode r = node.client.api("corrupt", "query", "query", "count(timestamp(corrupt_metric) == " + ts / 1000 + ")",
                "time", Long.toString(ts / 1000)).json();
        JsonNode result = r.path("data").path("result");
        return result.isEmpty() ? 0 : Math.round(result.get(0).path("value").get(1).asDouble());
    }

    /** Every acknowledged sample, once, in every series. */
    void awaitAllQueryable(MnemoProcess node) {
        String at = Long.toString(acked.last() / 1000 + 1);
        Await.until("every acknowledged sample queryable", Duration.ofSeconds(60), () -> {
            JsonNode r = node.client.api("corrupt", "query", "query", "corrupt_metric[1d]", "time", at).json();
            JsonNode result = r.path("data").path("result");
            if (result.size() != SERIES) return false;
            for (JsonNode s : result) {
                List<Long> stored = new ArrayList<>();
                for (JsonNode v : s.path("values")) stored.add(Math.round(v.get(0).asDouble() * 1000));
                if (!stored.equals(new ArrayList<>(acked))) return false;
            }
            return true;
        });
    }

    Path lastSegment() throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("data").resolve("journal"))) {
            return files.filter(f -> f.getParent().getFileName().toString().startsWith("ingester")
                            && f.getFileName().toString().endsWith(".log"))
                    .max(Path::compareTo).orElseThrow();
        }
    }

    /** [offset, body length] of each frame of a segment (int32 length, int32 CRC32C, body). */
    static List<long[]> frames(Path segment) throws IOException {
        List<long[]> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
        while (b.remaining() >= 8) {
            int start = b.position();
            int length = b.getInt();
            if (length <= 0 || length > b.remaining() - 4) break;
            out.add(new long[] {start, length});
            b.position(start + 8 + length);
        }
        return out;
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "corrupt_metric", "series", Integer.toString(s));
    }
}
