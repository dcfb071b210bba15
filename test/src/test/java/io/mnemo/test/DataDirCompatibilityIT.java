package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A data directory written by an older build (commit 3c13d4f, before issue 14's refactoring)
 * starts the current build and answers the same: the fixtures in {@code resources/compat/} hold
 * everything a single node wrote (its embedded Kafka's logs, journal, snapshots, blocks and their
 * sidecars, the write-behind log), stopped with SIGTERM and, in the other, SIGKILL;
 * {@code expected-answers.json} holds the old build's answers to a set of queries and how each of
 * its ingesters recovered (see {@link DataDirFixtureWriter} and the README there). The node runs
 * on ports other than the ones the directory was written with, Kafka's broker too. Then it has to
 * keep working on that directory: take new samples (in order after the restored heads' newest, a
 * new series, an out-of-order sample), answer them, and cut blocks from the restored heads.
 */
class DataDirCompatibilityIT {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"datadir-sigterm.tar.gz", "datadir-sigkill.tar.gz"})
    void startsOnAnOldDataDirectoryAndAnswersTheSame(String fixture) throws Exception {
        JsonNode expected = MnemoClient.JSON.readTree(resource("expected-answers.json").toFile());
        JsonNode written = expected.path("fixtures").path(fixture);
        TarGz.extract(resource(fixture), dir);
        String clusterId = kafkaClusterId();
        DataDirFixtureWriter.Ports ports = portsOtherThan(written.path("writtenWith"));
        try (MnemoProcess node = new MnemoProcess("compat", dir, config(dir.resolve("data"), ports), ports.http(),
                ports.remoting())) {
            long starting = System.nanoTime();
            node.start();
            // A file it cannot read makes an ingester fail its recovery (and retry): say so at once.
            Await.until("ready, or an ERROR logged", Duration.ofMinutes(2), () -> node.ready() || !errors(node).isEmpty());
            assertTrue(errors(node).isEmpty(), () -> "no ERROR logged: " + errors(node) + "\n" + node.logTail(40));
            node.awaitReady(Duration.ofSeconds(1));
            long ready = System.nanoTime();
            // Each ingester restored the snapshot, the write-behind log and the journal events after
            // it, and opened the blocks, exactly as the old build did on this directory: a file it
            // skips (a block whose sidecar it refuses is not opened) would show here.
            assertSameLines(written.path("recovery"), recoveryLines(node.logText()),
                    "ingesters recover as the old build did (" + written.path("stopped").asText() + ")");
            assertAnswers(node, expected.path("answers"), false);
            // Its broker, on another port, took the old broker's directory as it was.
            assertEquals(clusterId, kafkaClusterId(), "the Kafka directory was not formatted anew");

            // It keeps working: new samples after the restored heads' newest (and after the end of
            // every recorded query), a new series, and an out-of-order sample in team-b's window,
            // all queryable; none refused.
            long a = samples(node, "team-a"), b = samples(node, "team-b");
            RemoteWrite newA = RemoteWrite.request();
            for (int s = 0; s < 120; s++) {
                int k = s % 7 + 1;
                newA.series(DataDirFixtureWriter.requests(s), DataDirFixtureWriter.times(301, 311),
                        DataDirFixtureWriter.values(301, 311, i -> k * (double) i));
            }
            newA.series(Labels.of("__name__", "compat_after_upgrade", "job", "api"),
                    DataDirFixtureWriter.times(301, 311), DataDirFixtureWriter.values(301, 311, i -> i));
            RemoteWrite newB = RemoteWrite.request();
            for (int s = 0; s < 100; s++) {
                newB.series(DataDirFixtureWriter.temperature(s), DataDirFixtureWriter.times(301, 311),
                        DataDirFixtureWriter.values(301, 311, i -> -i));
            }
            long late = DataDirFixtureWriter.T0 + 303 * DataDirFixtureWriter.STEP + 30_000;
            DataDirFixtureWriter.push(node, "team-a", newA);
            DataDirFixtureWriter.push(node, "team-b", newB);
            DataDirFixtureWriter.push(node, "team-b", RemoteWrite.request()
                    .series(DataDirFixtureWriter.temperature(0), new long[] {late}, new double[] {3000}));
            Await.until("the new samples queryable", Duration.ofSeconds(60),
                    () -> samples(node, "team-a") == a + 1210 && samples(node, "team-b") == b + 1001);
            String at = DataDirFixtureWriter.seconds(310);
            assertEquals("120", scalar(node, "team-a", "count(compat_requests_total)", at));
            assertEquals("310", scalar(node, "team-a", "compat_after_upgrade", at));
            JsonNode t00 = node.client.api("team-b", "query", "query", "compat_temperature{site=\"s-00\",sensor=\"t-00\"}[1m]",
                    "time", Long.toString(late / 1000)).json().path("data").path("result").path(0).path("values");
            assertEquals("[[1700017380,\"-303\"],[1700017410,\"3000\"]]", t00.toString(), "the out-of-order sample after its neighbour");
            String metrics = node.client.get("/metrics").body();
            assertTrue(metrics.lines().noneMatch(l -> l.startsWith("mnemo_discarded_samples_total{") && l.contains("team-")),
                    "nothing refused: " + metrics.lines().filter(l -> l.startsWith("mnemo_discarded")).toList());

            // Blocks cut from the restored heads, beside the old blocks, answer the same too.
            long blocks = blocks();
            MnemoClient.Response flush = node.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            assertTrue(blocks() > blocks, "the flush cut blocks");
            assertAnswers(node, expected.path("answers"), true);
            assertEquals("310", scalar(node, "team-a", "compat_after_upgrade", at));

            System.out.printf("DataDirCompatibilityIT %s: ready after %d ms, checked in %d ms more; the node said: %s%n",
                    fixture, (ready - starting) / 1_000_000, (System.nanoTime() - ready) / 1_000_000,
                    node.logText().lines().filter(l -> l.contains(" WARN ") || l.contains("Mnemo ready")).toList());
            assertTrue(errors(node).isEmpty(), "no ERROR logged: " + errors(node));
        }
    }

    /**
     * The configuration both builds run with: a single node with every role, its embedded Kafka
     * broker, team-b with a 3-hour out-of-order window, cuts checked every second.
     */
    static String config(Path data, DataDirFixtureWriter.Ports ports) {
        return """
                mnemo {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = %d }
                  kafka.embedded.port = %d
                  management.enabled = false
                  write-path-warm-up = 0s
                  kafka-path-warm-up = 1s
                  ingester.head-compaction-interval = 1s
                  limits.tenants."team-b".out-of-order-time-window = 3h
                }
                pekko.remote.artery.canonical.port = %d
                """.formatted(data, ports.http(), ports.kafka(), ports.remoting());
    }

    /** Every sample of a tenant's compat_* series (the data set spans less than 7 hours). */
    static long samples(MnemoProcess node, String tenant) {
        String v = scalar(node, tenant, "sum(count_over_time({__name__=~\"compat_.+\"}[7h]))",
                Long.toString((DataDirFixtureWriter.T0 + 6 * 3_600_000L) / 1000));
        return v == null ? 0 : Long.parseLong(v);
    }

    /** The value of a one-element instant vector, null when the result is empty. */
    static String scalar(MnemoProcess node, String tenant, String query, String time) {
        MnemoClient.Response r = node.client.api(tenant, "query", "query", query, "time", time);
        if (r.status() != 200) throw new IllegalStateException(r.status() + " " + r.body());
        JsonNode result = r.json().path("data").path("result");
        return result.isEmpty() ? null : result.path(0).path("value").path(1).asText();
    }

    /** A recorded request's answer now: its {@code status} and {@code data}, or the HTTP status and body when not 200. */
    static JsonNode answer(MnemoProcess node, JsonNode request) {
        JsonNode params = request.path("params");
        String[] p = new String[params.size()];
        for (int i = 0; i < p.length; i++) p[i] = params.path(i).asText();
        MnemoClient.Response r = node.client.api(request.path("tenant").asText(), request.path("path").asText(), p);
        ObjectNode answer = MnemoClient.JSON.createObjectNode();
        if (r.status() != 200) {
            answer.put("httpStatus", r.status()).put("body", r.body());
            return answer;
        }
        JsonNode body = r.json();
        answer.set("status", body.path("status"));
        answer.set("data", body.path("data"));
        return answer;
    }

    /** Replays every recorded request (only the time-bounded queries when {@code queriesOnly}); lists every mismatch. */
    private static void assertAnswers(MnemoProcess node, JsonNode recorded, boolean queriesOnly) {
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (JsonNode request : recorded) {
            String path = request.path("path").asText();
            if (queriesOnly && !path.equals("query") && !path.equals("query_range")) continue;
            checked++;
            JsonNode now = answer(node, request);
            if (!now.equals(request.path("answer"))) {
                mismatches.add(request.path("tenant").asText() + " " + path + " " + request.path("params")
                        + "\n  expected: " + abbreviate(request.path("answer")) + "\n  actual:   " + abbreviate(now));
            }
        }
        assertTrue(checked > 0);
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + checked + " answers differ from the old build's"
                + (queriesOnly ? " after a flush" : "") + ":\n" + String.join("\n", mismatches));
    }

    private static void assertSameLines(JsonNode expected, JsonNode actual, String what) {
        List<String> missing = new ArrayList<>(), extra = new ArrayList<>();
        expected.forEach(l -> { if (!contains(actual, l)) missing.add(l.asText()); });
        actual.forEach(l -> { if (!contains(expected, l)) extra.add(l.asText()); });
        assertEquals(expected, actual, what + "; the old build logged, this one did not: " + missing
                + "; this one logged, the old one did not: " + extra);
    }

    private static boolean contains(JsonNode array, JsonNode element) {
        for (JsonNode e : array) if (e.equals(element)) return true;
        return false;
    }

    private static List<String> errors(MnemoProcess node) {
        return node.logText().lines().filter(l -> l.matches("\\S+ ERROR .*")).toList();
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() <= 2_000 ? s : s.substring(0, 2_000) + "...";
    }

    private static final Pattern RECOVERY = Pattern.compile("Ingester (\\S+): (opened \\d+ blocks .*"
            + "|snapshot restored: \\d+ series, resuming after offset \\d+"
            + "|\\d+ out-of-order samples restored from the write-behind log"
            + "|journal replayed .*)");

    /**
     * What each ingester logged of its recovery (blocks opened and where a rebuild would start,
     * the snapshot restored, out-of-order samples restored, journal events replayed), sorted; times
     * left out.
     */
    static ArrayNode recoveryLines(String log) {
        ArrayNode lines = MnemoClient.JSON.createArrayNode();
        log.lines().map(RECOVERY::matcher).filter(Matcher::find).map(m -> m.group(1) + ": " + m.group(2)).sorted()
                .forEach(lines::add);
        return lines;
    }

    private long blocks() throws IOException {
        try (var walk = Files.walk(dir.resolve("data/tsdb"))) {
            return walk.filter(p -> p.getFileName().toString().equals("meta.json")).count();
        }
    }

    private String kafkaClusterId() throws IOException {
        java.util.Properties meta = new java.util.Properties();
        try (var in = Files.newInputStream(dir.resolve("data/kafka/meta.properties"))) {
            meta.load(in);
        }
        return meta.getProperty("cluster.id");
    }

    private static DataDirFixtureWriter.Ports portsOtherThan(JsonNode written) throws IOException {
        Set<Integer> taken = Set.of(written.path("http").asInt(), written.path("kafka").asInt(), written.path("remoting").asInt());
        DataDirFixtureWriter.Ports p;
        do {
            p = DataDirFixtureWriter.Ports.free();
        } while (taken.contains(p.http()) || taken.contains(p.kafka()) || taken.contains(p.remoting()));
        assertNotEquals(written.path("kafka").asInt(), p.kafka());
        return p;
    }

    private static Path resource(String name) throws URISyntaxException {
        var url = DataDirCompatibilityIT.class.getResource("/compat/" + name);
        if (url == null) throw new IllegalStateException("test resource compat/" + name + " missing");
        return Path.of(url.toURI());
    }
}
