package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo.actors.prompb.Remote.MetricMetadata.MetricType;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes the data directories that {@link DataDirCompatibilityIT} starts the current build on:
 * runs an older build's jar ({@code -Dcompat.old-jar}) as a single node, writes a small data set
 * that reaches every file format a node keeps (Kafka's logs, blocks and their sidecars, a snapshot
 * holding a head, journal events after it, an out-of-order head and its write-behind log, an
 * out-of-order block), records the answers to a set of queries, stops the node (SIGTERM, and in a
 * second directory SIGKILL) and packs the directory. Then it starts the old build again on an
 * unpacked copy and checks that it answers the same: the recorded answers are what the old build
 * itself says of its directory. Everything is written to {@code -Dcompat.out}.
 *
 * <p>Not part of the build (its name matches no test pattern); run it as
 * {@code test/src/test/resources/compat/README.md} says.
 */
class DataDirFixtureWriter {
    static final long T0 = 1_699_999_200_000L; // 2023-11-14T22:00:00Z, on a block boundary
    static final long STEP = 60_000;
    /** Samples 0..299 of each series, one a minute: five hours. */
    static final int SAMPLES = 300;
    static final String[] CODES = {"200", "404", "500"};
    static final List<String> VARIANTS = List.of("sigterm", "sigkill");

    @TempDir
    Path dir;

    @Test
    void write() throws Exception {
        Path oldJar = Path.of(System.getProperty("compat.old-jar"));
        Path out = Path.of(System.getProperty("compat.out"));
        Files.createDirectories(out);
        ObjectNode fixtures = MnemoClient.JSON.createObjectNode();
        JsonNode answers = null;
        for (String variant : VARIANTS) {
            Path data = dir.resolve(variant).resolve("data");
            String archive = "datadir-" + variant + ".tar.gz";
            Ports written = Ports.free();
            JsonNode before;
            try (MnemoProcess node = new MnemoProcess("old-" + variant, dir, DataDirCompatibilityIT.config(data, written),
                    written.http(), written.remoting()).jar(oldJar)) {
                node.start().awaitReady(Duration.ofMinutes(2));
                writeDataSet(node);
                before = record(node);
                if (variant.equals("sigterm")) assertTrue(node.terminate(Duration.ofSeconds(60)), "SIGTERM stops the node");
                else node.kill();
            }
            assertReachesEveryFormat(data);
            pack(data, out.resolve(archive));

            // The old build on an unpacked copy, on other ports: what it answers is what the
            // current build must answer, and how it recovers is how the current build must.
            Path copy = dir.resolve(variant + "-copy");
            TarGz.extract(out.resolve(archive), copy);
            Ports restarted = Ports.free();
            try (MnemoProcess again = new MnemoProcess("old-" + variant + "-again", dir,
                    DataDirCompatibilityIT.config(copy.resolve("data"), restarted), restarted.http(),
                    restarted.remoting()).jar(oldJar)) {
                again.start().awaitReady(Duration.ofMinutes(2));
                JsonNode after = record(again);
                assertEquals(before, after, "the old build answers the same after a restart on its unpacked directory");
                if (answers == null) answers = after;
                else assertEquals(answers, after, "both variants answer the same");
                ObjectNode f = fixtures.putObject(archive);
                f.put("stopped", variant.toUpperCase());
                f.set("writtenWith", written.json());
                f.set("recovery", DataDirCompatibilityIT.recoveryLines(again.logText()));
            }
        }
        ObjectNode expected = MnemoClient.JSON.createObjectNode();
        expected.put("writtenBy", System.getProperty("compat.old-build", oldJar.toString()));
        expected.set("fixtures", fixtures);
        expected.set("answers", answers);
        MnemoClient.JSON.writer().with(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("expected-answers.json").toFile(), expected);
    }

    /** The data set; each phase is waited for until queryable, so its place in the files is known. */
    static void writeDataSet(MnemoProcess node) {
        Totals totals = new Totals();
        // Four hours in order, in half-hour pushes, metadata with the first: the timer may cut
        // team-a's first two hours on the way (team-b's out-of-order window keeps its head whole),
        // the flush cuts the rest.
        for (int from = 0; from < 240; from += 30) pushInOrder(node, from, from + 30, from == 0, totals);
        totals.await(node);
        long snapshots = count(node.logText(), "snapshot stored at event");
        flush(node);
        // team-b's window reaches back into the range in blocks now: the next flush cuts these
        // into a block of out-of-order samples overlapping the first.
        pushOutOfOrder(node, 180, 210, 1000, totals);
        totals.await(node);
        flush(node);

        // After the flushes: the first events after a cut take a snapshot (holding them in its
        // head), the rest stays in the journal after it, and team-b gets out-of-order samples in
        // the head (and its write-behind log).
        pushInOrder(node, 240, 270, false, totals);
        totals.await(node);
        Await.until("a snapshot after the flush on every partition", Duration.ofSeconds(60),
                () -> count(node.logText(), "snapshot stored at event") >= snapshots + 4);
        pushOutOfOrder(node, 250, 260, 2000, totals);
        pushInOrder(node, 270, SAMPLES, false, totals);
        totals.await(node);
    }

    /** The directory holds a file of every kind the current build has to read. */
    static void assertReachesEveryFormat(Path data) throws IOException {
        List<Path> files;
        try (var walk = Files.walk(data)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        List<String> names = files.stream().map(f -> data.relativize(f).toString()).toList();
        assertTrue(names.stream().anyMatch(n -> n.matches("kafka/mnemo-ingest-\\d+/\\d+\\.log")), "Kafka's log: " + names);
        assertTrue(names.stream().anyMatch(n -> n.matches("snapshots/.+/snapshot-.+\\.snap")), "a snapshot: " + names);
        assertTrue(names.stream().anyMatch(n -> n.matches("journal/ingester%7C[^/]+%7C\\d+/\\d+\\.log")), "the journal: " + names);
        assertTrue(names.stream().anyMatch(n -> n.matches("journal/ingester%7C[^/]+-wbl/\\d+\\.log")), "a write-behind log: " + names);
        assertTrue(names.stream().anyMatch(n -> n.matches("tsdb/team-a/\\w+/chunks/\\d+")), "blocks: " + names);
        long outOfOrderBlocks = 0;
        for (Path f : files) {
            if (f.getFileName().toString().equals("mnemo.properties") && Files.readString(f).contains("outOfOrder=true")) {
                outOfOrderBlocks++;
            }
        }
        assertTrue(outOfOrderBlocks > 0, "a block of out-of-order samples");
    }

    static void flush(MnemoProcess node) {
        MnemoClient.Response flush = node.client.post("/ingester/flush");
        assertEquals(200, flush.status(), flush.body());
    }

    /** Samples {@code [from, to)} of every series alive then, in time order. */
    static void pushInOrder(MnemoProcess node, int from, int to, boolean metadata, Totals totals) {
        RemoteWrite a = RemoteWrite.request();
        for (int s = 0; s < 120; s++) {
            int k = s % 7 + 1;
            a.series(requests(s), times(from, to), values(from, to, i -> k * (double) i));
        }
        int batchEnd = Math.min(to, 150); // batch runs end after 2.5 hours: in blocks only
        for (int s = 0; s < 30 && from < batchEnd; s++) {
            int k = s * 13;
            a.series(batch(s), times(from, batchEnd), values(from, batchEnd, i -> ((k + i) % 50) / 4.0));
        }
        int freshStart = Math.max(from, 240); // new series after the flush: in the head only
        for (int s = 0; s < 20 && freshStart < to; s++) {
            int k = s - 240;
            a.series(fresh(s), times(freshStart, to), values(freshStart, to, i -> i + k));
        }
        if (metadata) {
            a.metadata(MetricType.COUNTER, "compat_requests_total", "Requests served.", "")
                    .metadata(MetricType.GAUGE, "compat_batch_duration_seconds", "How long a batch run took.", "seconds");
        }
        if (from == 240) a.metadata(MetricType.GAUGE, "compat_new_series", "A series born after the flush.", "");
        RemoteWrite b = RemoteWrite.request();
        for (int s = 0; s < 100; s++) {
            int k = s * 7;
            b.series(temperature(s), times(from, to), values(from, to, i -> 15 + ((k + i * 3) % 40) * 0.5));
        }
        if (metadata) b.metadata(MetricType.GAUGE, "compat_temperature", "Temperature of a sensor.", "celsius");
        push(node, "team-a", a);
        push(node, "team-b", b);
        totals.a += 120L * (to - from) + 30L * Math.max(0, batchEnd - from) + 20L * Math.max(0, to - freshStart);
        totals.b += 100L * (to - from);
    }

    /** team-b's site s-00, half a minute after samples {@code [from, to)}, newest first. */
    static void pushOutOfOrder(MnemoProcess node, int from, int to, double base, Totals totals) {
        RemoteWrite b = RemoteWrite.request();
        for (int s = 0; s < 10; s++) {
            long[] ts = new long[to - from];
            double[] vs = new double[to - from];
            for (int k = 0; k < ts.length; k++) {
                int i = to - 1 - k;
                ts[k] = T0 + i * STEP + 30_000;
                vs[k] = base + i;
            }
            b.series(temperature(s), ts, vs);
        }
        push(node, "team-b", b);
        totals.b += 10L * (to - from);
    }

    static void push(MnemoProcess node, String tenant, RemoteWrite w) {
        MnemoClient.Response r = node.client.push(tenant, w.encode());
        assertEquals(200, r.status(), r.body());
    }

    static Labels requests(int s) {
        return Labels.of("__name__", "compat_requests_total", "job", "api", "instance", "i-%02d".formatted(s / 3),
                "code", CODES[s % 3]);
    }

    static Labels batch(int s) {
        return Labels.of("__name__", "compat_batch_duration_seconds", "job", "batch", "run", "r-%02d".formatted(s));
    }

    static Labels fresh(int s) {
        return Labels.of("__name__", "compat_new_series", "job", "late", "shard", Integer.toString(s));
    }

    static Labels temperature(int s) {
        return Labels.of("__name__", "compat_temperature", "site", "s-%02d".formatted(s / 10),
                "sensor", "t-%02d".formatted(s % 10));
    }

    static long[] times(int from, int to) {
        long[] ts = new long[to - from];
        for (int i = from; i < to; i++) ts[i - from] = T0 + i * STEP;
        return ts;
    }

    static double[] values(int from, int to, java.util.function.IntToDoubleFunction value) {
        double[] vs = new double[to - from];
        for (int i = from; i < to; i++) vs[i - from] = value.applyAsDouble(i);
        return vs;
    }

    /** Samples written per tenant; {@link #await} waits until the node answers with all of them. */
    static final class Totals {
        long a;
        long b;

        void await(MnemoProcess node) {
            Await.until("team-a's " + a + " and team-b's " + b + " samples queryable", Duration.ofSeconds(60),
                    () -> DataDirCompatibilityIT.samples(node, "team-a") == a && DataDirCompatibilityIT.samples(node, "team-b") == b);
        }
    }

    /** The queries whose answers are recorded: every kind of read, over blocks, snapshot, journal and out-of-order data. */
    static List<String[]> queries() {
        String t0 = seconds(0), end = seconds(SAMPLES);
        List<String[]> q = new ArrayList<>();
        // team-a: counts and sums over time cross both blocks, the snapshot's head and the journal's tail.
        q.add(new String[] {"team-a", "query_range", "query", "count(compat_requests_total)", "start", t0, "end", end, "step", "900"});
        q.add(new String[] {"team-a", "query_range", "query", "sum(compat_requests_total)", "start", t0, "end", end, "step", "600"});
        q.add(new String[] {"team-a", "query_range", "query", "sum by (code) (rate(compat_requests_total[5m]))",
                "start", t0, "end", end, "step", "1800"});
        q.add(new String[] {"team-a", "query_range", "query", "count by (__name__) ({job=~\".+\"})", "start", t0, "end", end, "step", "1200"});
        q.add(new String[] {"team-a", "query", "query", "compat_batch_duration_seconds{run=\"r-07\"}[10m]", "time", seconds(60)});
        q.add(new String[] {"team-a", "query", "query", "compat_requests_total{instance=\"i-05\",code=\"500\"}[20m]", "time", seconds(250)});
        q.add(new String[] {"team-a", "query", "query", "compat_new_series{shard=\"3\"}[1h]", "time", end});
        q.add(new String[] {"team-a", "query", "query", "count(compat_temperature)", "time", end});
        q.add(new String[] {"team-a", "series", "match[]", "{__name__=~\"compat_.+\"}", "start", t0, "end", end});
        q.add(new String[] {"team-a", "series", "match[]", "compat_batch_duration_seconds", "start", seconds(240), "end", end});
        q.add(new String[] {"team-a", "labels", "start", t0, "end", end});
        q.add(new String[] {"team-a", "label/__name__/values"});
        q.add(new String[] {"team-a", "label/run/values", "match[]", "compat_batch_duration_seconds"});
        q.add(new String[] {"team-a", "label/instance/values", "start", seconds(240), "end", end});
        q.add(new String[] {"team-a", "metadata"});
        q.add(new String[] {"team-a", "metadata", "metric", "compat_requests_total"});
        // team-b: out-of-order samples in a block overlapping an in-order one, and in the head.
        q.add(new String[] {"team-b", "query", "query", "compat_temperature{site=\"s-00\",sensor=\"t-03\"}[45m]", "time", seconds(210)});
        q.add(new String[] {"team-b", "query", "query", "compat_temperature{site=\"s-00\"}[30m]", "time", seconds(270)});
        q.add(new String[] {"team-b", "query_range", "query", "sum(compat_temperature)", "start", t0, "end", end, "step", "300"});
        q.add(new String[] {"team-b", "query_range", "query", "sum(count_over_time(compat_temperature[1h]))",
                "start", seconds(60), "end", end, "step", "3600"});
        q.add(new String[] {"team-b", "series", "match[]", "{site=\"s-09\"}"});
        q.add(new String[] {"team-b", "labels"});
        q.add(new String[] {"team-b", "label/site/values"});
        q.add(new String[] {"team-b", "metadata"});
        // A tenant that never wrote sees nothing.
        q.add(new String[] {"team-c", "query", "query", "count({__name__=~\"compat_.+\"})", "time", end});
        return q;
    }

    /** Seconds since the epoch of sample {@code i}'s timestamp. */
    static String seconds(int i) {
        return Long.toString((T0 + i * STEP) / 1000);
    }

    /** Every query's answer ({@code status} and {@code data}), with the request that got it. */
    static JsonNode record(MnemoProcess node) {
        ArrayNode all = MnemoClient.JSON.createArrayNode();
        for (String[] q : queries()) {
            ObjectNode entry = all.addObject();
            entry.put("tenant", q[0]);
            entry.put("path", q[1]);
            ArrayNode params = entry.putArray("params");
            for (int i = 2; i < q.length; i++) params.add(q[i]);
            JsonNode answer = DataDirCompatibilityIT.answer(node, entry);
            assertEquals("success", answer.path("status").asText(), entry + " answered " + answer);
            entry.set("answer", answer);
        }
        return all;
    }

    /** {@code tar} of the directory as the node left it, ustar (plain files and directories), gzip -9. */
    static void pack(Path data, Path archive) throws IOException, InterruptedException {
        Process tar = new ProcessBuilder("sh", "-c", "tar --format=ustar --sort=name --owner=0 --group=0 --numeric-owner -C \""
                + data.getParent() + "\" -cf - \"" + data.getFileName() + "\" | gzip -9 > \"" + archive + "\"")
                .inheritIO().start();
        assertEquals(0, tar.waitFor(), "tar of " + data);
    }

    static long count(String text, String what) {
        return text.lines().filter(l -> l.contains(what)).count();
    }

    /** The ports a node was started with. */
    record Ports(int http, int kafka, int remoting) {
        static Ports free() throws IOException {
            return new Ports(MnemoProcess.freePort(), MnemoProcess.freePort(), MnemoProcess.freePort());
        }

        ObjectNode json() {
            ObjectNode n = MnemoClient.JSON.createObjectNode();
            n.put("http", http).put("kafka", kafka).put("remoting", remoting);
            return n;
        }
    }
}
