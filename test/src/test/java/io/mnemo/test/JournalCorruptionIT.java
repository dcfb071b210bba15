package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal as an operator meets its damage: a node is stopped and its ingester's journal is
 * damaged on disk. A torn tail (a record cut short, as a crash mid-write leaves it) is truncated
 * with a warning naming file and offset, and the node comes back with every acknowledged sample.
 * A damaged record before the tail stops the ingester with one ERROR naming the ingester, file,
 * offset and remedy (no stack trace, and little more log while the node waits, however often it is
 * probed), and leaves the node not ready, {@code /ready} and a metric saying why;
 * {@code --journal.repair} truncates at the damage and the ingester re-consumes the lost range from
 * Kafka, so every acknowledged sample is queryable again.
 */
class JournalCorruptionIT {
    @TempDir
    Path dir;

    final Rounds rounds = new Rounds("corrupt", "corrupt_metric");

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
                %s""".formatted(dir.resolve("data"), http, MnemoProcess.freePort(), MnemoProcess.freePort(),
                MnemoProcess.SINGLE_NODE_RESTARTS);
        try (MnemoProcess node = new MnemoProcess("corrupt", dir, conf, http, 0)) {
            node.start().awaitReady(Duration.ofMinutes(2));
            rounds.push(node, 0, 40);
            rounds.awaitAllQueryable(node);
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
            rounds.awaitAllQueryable(node); // the torn record's samples came back from Kafka
            rounds.push(node, 40, 20);
            rounds.awaitAllQueryable(node);
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
            int logBefore = node.logText().length();
            node.start();
            String error = node.awaitLogLine("journal file .* is corrupt at offset", Duration.ofMinutes(2));
            assertTrue(error.contains(" ERROR ") && error.contains(segment.toString())
                    && error.contains("is corrupt at offset " + middle[0] + ":"), error);
            assertTrue(error.contains("zone-a/0") && error.contains("--journal.repair")
                    && error.contains("persistence/README.md"), "names the ingester and the remedy: " + error);

            // /ready names the ingester, the file, the offset and the damage; a metric says so too.
            Await.until("/ready names the damage", Duration.ofSeconds(60), () -> {
                MnemoClient.Response r = node.client.get("/ready");
                return r.status() == 503 && r.body().contains("zone-a/0") && r.body().contains(segment.toString())
                        && r.body().contains("offset " + middle[0]) && r.body().contains("CRC32C");
            });
            assertFalse(node.client.get("/ready").body().contains("AskTimeoutException"));
            assertTrue(node.client.get("/metrics").body()
                    .contains("mnemo_ingester_journal_corrupted{partition=\"0\",zone=\"zone-a\"} 1.0"));

            // Reported once: the node, probed as a load balancer would, logs little more and no stack trace again,
            // also when the ingester tries to recover again (30 s after the failure, RecoveryFailures.RETRY_AFTER).
            // A new attempt shows as its write-behind log's replay: watched until 5 s after one.
            int reported = node.logText().length();
            long watchedFrom = System.nanoTime();
            long[] retriedAt = {0};
            observe(Duration.ofSeconds(45), () -> {
                MnemoClient.Response r = node.client.get("/ready");
                assertEquals(503, r.status(), r.body());
                assertTrue(r.body().contains(segment.toString()), r.body());
                if (retriedAt[0] == 0 && node.logText().substring(reported).contains("write-behind log replayed")) {
                    retriedAt[0] = System.nanoTime();
                }
            }, () -> retriedAt[0] != 0 && System.nanoTime() - retriedAt[0] > Duration.ofSeconds(5).toNanos());
            assertTrue(retriedAt[0] != 0, "the ingester tried to recover again while watched");
            double minutes = (System.nanoTime() - watchedFrom) / 60e9;
            String since = node.logText().substring(logBefore);
            String after = node.logText().substring(reported);
            assertTrue(after.length() / minutes < 20_000, Math.round(after.length() / minutes)
                    + " bytes of log per minute after the report: " + after.substring(0, Math.min(after.length(), 5000)));
            assertTrue(stackTraces(since) <= 1, stackTraces(since) + " stack traces: "
                    + since.substring(0, Math.min(since.length(), 5000)));
            assertEquals(1, since.lines().filter(l -> l.contains(" ERROR ") && l.contains("is corrupt at offset")).count(),
                    since.substring(0, Math.min(since.length(), 5000)));
            assertTrue(node.alive(), "the node itself keeps running");
            node.kill();

            // 3. --journal.repair: truncated at the damage, the rest re-consumed from Kafka.
            node.start("--journal.repair").awaitReady(Duration.ofMinutes(2));
            assertTrue(node.logText().contains("Repairing journal of persistence id"), "repair logged");
            rounds.awaitAllQueryable(node);
            rounds.push(node, 60, 5);
            rounds.awaitAllQueryable(node);
        }
    }

    /** Runs {@code probe} every half second for {@code window}: watching how the node behaves over time. */
    static void observe(Duration window, Runnable probe) throws InterruptedException {
        observe(window, probe, () -> false);
    }

    /** As {@link #observe(Duration, Runnable)}, ending early once {@code seenEnough} says so. */
    static void observe(Duration window, Runnable probe, java.util.function.BooleanSupplier seenEnough) throws InterruptedException {
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end && !seenEnough.getAsBoolean()) {
            probe.run();
            Thread.sleep(500); // the probing pace, not a wait for a condition
        }
    }

    /** Stack traces in a log: a line followed by a frame line ("\tat ..."). */
    static long stackTraces(String log) {
        String[] lines = log.split("\n");
        long n = 0;
        for (int i = 0; i + 1 < lines.length; i++) {
            if (!lines[i].startsWith("\t") && lines[i + 1].startsWith("\tat ")) n++;
        }
        return n;
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
}
