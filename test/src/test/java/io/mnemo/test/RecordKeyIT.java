package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.actors.ingest.IngestRecordWriter;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka is on the network: anyone who reaches it can write the ingest topic. Valid ingest records
 * produced straight into it under keys (tenants) the distributor would refuse, {@code ../../escape}
 * among them, are skipped and counted by the ingesters, never used as a path: after a flush
 * nothing exists outside the data directory, through a restart that replays them too, and the
 * tenants pushed through the distributor before and after are complete.
 */
class RecordKeyIT {
    static final long T0 = 1_700_000_000_000L;
    static final long STEP = 15_000;
    static final int PARTITIONS = 4;
    static final String TENANT = "keys";
    static final byte[] ESCAPE = "../../escape".getBytes(StandardCharsets.UTF_8);
    /** Other keys a distributor never writes: empty, too long, '..', '.', a separator, a control character, null. */
    static final List<byte[]> HOSTILE_KEYS = new ArrayList<>();

    static {
        for (String k : List.of("", "x".repeat(151), "..", ".", "a/b", "tenant\u0000"))
            HOSTILE_KEYS.add(k.getBytes(StandardCharsets.UTF_8));
        HOSTILE_KEYS.add(null);
    }

    @TempDir
    Path dir;

    @Test
    void recordsWithInvalidTenantKeysAreSkippedCountedAndNeverAPath() throws Exception {
        Path data = dir.resolve("data");
        try (TestNode n = TestNode.start(data, "mnemo.kafka.partitions", PARTITIONS)) {
            // The case alone: a valid record keyed ../../escape, then a flush.
            assertEquals(200, n.client.push(TENANT, batch(0).encode()).status());
            awaitConsumed(n, produce(n, List.of(ESCAPE)));
            assertEquals(200, n.client.push(TENANT, batch(1).encode()).status());
            Await.until("what was pushed around the hostile record is queryable", Duration.ofSeconds(60),
                    () -> complete(n, 2));
            MnemoClient.Response flush = n.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            assertNothingOutside(data);
            assertEquals(List.of(TENANT), tenantDirs(data), "only the pushed tenant has blocks");
            String metrics = n.client.get("/metrics").body();
            assertEquals(PARTITIONS, invalidRecords(metrics), metrics);
            assertTrue(metrics.contains("reason=\"tenant-unsupported-character\""), metrics);

            // Every other kind of key the distributor refuses, after the flush, so the restart replays them.
            assertEquals(200, n.client.push(TENANT, batch(2).encode()).status());
            awaitConsumed(n, produce(n, HOSTILE_KEYS));
            metrics = n.client.get("/metrics").body();
            assertEquals((1 + HOSTILE_KEYS.size()) * PARTITIONS, invalidRecords(metrics), metrics);
            for (String reason : List.of("tenant-empty", "tenant-too-long", "tenant-unsafe-path", "tenant-unsupported-character"))
                assertTrue(metrics.contains("reason=\"" + reason + "\""), reason + " in " + metrics);
            assertEquals(200, n.client.push(TENANT, batch(3).encode()).status());
            Await.until("all four batches queryable", Duration.ofSeconds(60), () -> complete(n, 4));
        }
        try (TestNode n = TestNode.start(data, "mnemo.kafka.partitions", PARTITIONS)) {
            assertTrue(complete(n, 4), "complete after a restart");
            assertEquals(0, invalidRecords(n.client.get("/metrics").body()),
                    "skipped again in the replay, not counted twice");
            MnemoClient.Response flush = n.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            assertNothingOutside(data);
            assertEquals(List.of(TENANT), tenantDirs(data));
            assertEquals(200, n.client.push(TENANT, batch(4).encode()).status());
            Await.until("the node still ingests after the restart", Duration.ofSeconds(60), () -> complete(n, 5));
            assertTrue(complete(n, 5));
        }
    }

    /** One valid ingest record per key into every partition; the last offset written, per partition. */
    private static Map<Integer, Long> produce(TestNode n, List<byte[]> keys) throws Exception {
        IngestRecordWriter w = new IngestRecordWriter();
        w.beginSeries();
        w.labels(new int[] {w.symbol("__name__"), w.symbol("escaped_metric")}, 2);
        w.sample(T0, Double.doubleToRawLongBits(1));
        w.endSeries();
        byte[] record = w.toByteArray();
        Map<Integer, Long> last = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, n.node.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (byte[] key : keys) {
                    RecordMetadata m = producer.send(new ProducerRecord<>("mnemo-ingest", p, key, record)).get();
                    last.merge(p, m.offset(), Math::max);
                }
            }
        }
        return last;
    }

    /** Waits until every partition's ingester consumed past these offsets. */
    private static void awaitConsumed(TestNode n, Map<Integer, Long> offsets) {
        n.awaitConsumed("ingesters consumed the hostile records", offsets);
    }

    /** Nothing but the data directory in its parent, and no tenant directory outside tsdb/. */
    private void assertNothingOutside(Path data) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(data), s.toList(), "entries beside the data directory");
        }
        try (Stream<Path> s = Files.walk(data)) {
            List<Path> escaped = s.filter(p -> p.getFileName().toString().equals("escape")
                    || p.getFileName().toString().equals("escaped_metric")).toList();
            assertEquals(List.of(), escaped);
        }
    }

    private static List<String> tenantDirs(Path data) throws IOException {
        try (Stream<Path> s = Files.list(data.resolve("tsdb"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static long invalidRecords(String metrics) {
        Matcher m = Pattern.compile("(?m)^mnemo_ingester_invalid_records_total\\{[^}]*} (\\S+)$").matcher(metrics);
        long n = 0;
        while (m.find()) n += (long) Double.parseDouble(m.group(1));
        return n;
    }

    /** Batch b: 20 series, 4 samples each, after those of batch b - 1. */
    private static RemoteWrite batch(int b) {
        RemoteWrite w = RemoteWrite.request();
        for (int s = 0; s < 20; s++) {
            long[] ts = new long[4];
            double[] vs = new double[4];
            for (int i = 0; i < 4; i++) {
                ts[i] = T0 + (b * 4 + i) * STEP;
                vs[i] = b * 4 + i;
            }
            w.series(Labels.of("__name__", "keys_metric", "series", Integer.toString(s)), ts, vs);
        }
        return w;
    }

    private static boolean complete(TestNode n, int batches) {
        JsonNode r = n.client.api(TENANT, "query", "query", "keys_metric[1h]",
                "time", Long.toString((T0 + (batches * 4 - 1) * STEP) / 1000)).json();
        JsonNode result = r.path("data").path("result");
        if (result.size() != 20) return false;
        for (JsonNode s : result) if (s.path("values").size() != batches * 4) return false;
        return true;
    }
}
