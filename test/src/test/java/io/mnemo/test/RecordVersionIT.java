package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.actors.ingest.IngestRecordWriter;
import io.mnemo.actors.ingest.RecordVersion;
import io.mnemo.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest record's version header end to end: pushes go to Kafka marked version 1; a record
 * without the header (as every distributor wrote them before) is read as version 1; records of a
 * version the ingesters do not read, produced straight into the topic as the last of their
 * partitions, are refused and counted, never applied, and consumed all the same (the ingesters
 * reach the end of their partitions and stay ready), through a restart that replays them without
 * counting them again.
 */
class RecordVersionIT {
    static final long T0 = 1_700_000_000_000L;
    static final int PARTITIONS = 2;
    static final String TENANT = "versions";

    @TempDir
    Path dir;

    @Test
    void versionOneWithOrWithoutTheHeaderIsReadAndOtherVersionsAreRefused() throws Exception {
        Path data = dir.resolve("data");
        try (TestNode n = TestNode.start(data, "mnemo.kafka.partitions", PARTITIONS)) {
            assertEquals(200, n.client.push(TENANT, RemoteWrite.request()
                    .series(Labels.of("__name__", "pushed_metric"), new long[] {T0}, new double[] {1}).encode()).status());
            for (ConsumerRecord<byte[], byte[]> r : readTopic(n)) {
                Header h = r.headers().lastHeader("Version");
                assertArrayEquals(new byte[] {0, 0, 0, 1}, h == null ? null : h.value(), "a distributor's record is marked version 1");
            }

            produce(n, "legacy_metric");                                              // no header: version 1
            produce(n, "future_metric", RecordVersion.header(2));                     // a version not read
            Map<Integer, Long> last = produce(n, "garbled_metric", new RecordHeader("Version", new byte[] {2}));
            n.awaitConsumed("ingesters consumed past the refused records", last);

            Await.until("the headerless record is applied", Duration.ofSeconds(60), () -> count(n, "legacy_metric") == PARTITIONS);
            assertEquals(1, count(n, "pushed_metric"));
            assertEquals(0, count(n, "future_metric"), "a version the ingesters do not read is never applied");
            assertEquals(0, count(n, "garbled_metric"));
            assertEquals(2 * PARTITIONS, refused(n.client.get("/metrics").body()));
            Await.until("ready: the refused records, last in their partitions, count as consumed", Duration.ofSeconds(30),
                    () -> n.client.get("/ready").status() == 200);
        }
        try (TestNode n = TestNode.start(data, "mnemo.kafka.partitions", PARTITIONS)) {
            assertEquals(PARTITIONS, count(n, "legacy_metric"), "replayed from the journal");
            assertEquals(0, count(n, "future_metric"));
            assertEquals(0, count(n, "garbled_metric"));
            assertEquals(0, refused(n.client.get("/metrics").body()), "skipped again in the replay, not counted twice");
            for (JsonNode e : n.client.getJson("/ingester/ring").json().path("ingesters")) {
                assertEquals("ACTIVE", e.path("state").asText(), e.toString());
            }
        }
    }

    /**
     * One record into every partition, with these headers, of one sample of a series of
     * {@code metric} labelled with the partition; the offsets written.
     */
    private static Map<Integer, Long> produce(TestNode n, String metric, Header... headers) throws Exception {
        Map<Integer, Long> last = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, n.node.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int p = 0; p < PARTITIONS; p++) {
                IngestRecordWriter w = new IngestRecordWriter();
                w.beginSeries();
                w.labels(new int[] {w.symbol("__name__"), w.symbol(metric), w.symbol("partition"), w.symbol(Integer.toString(p))}, 4);
                w.sample(T0, Double.doubleToRawLongBits(1));
                w.endSeries();
                byte[] record = w.toByteArray();
                RecordMetadata m = producer.send(new ProducerRecord<>("mnemo-ingest", p, null,
                        TENANT.getBytes(StandardCharsets.UTF_8), record, List.of(headers))).get();
                last.put(p, m.offset());
            }
        }
        return last;
    }

    /** Every record of the ingest topic so far. */
    private static List<ConsumerRecord<byte[], byte[]>> readTopic(TestNode n) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, n.node.kafkaBootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = java.util.stream.IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition("mnemo-ingest", p)).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = c.endOffsets(tps);
            List<ConsumerRecord<byte[], byte[]>> out = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            assertFalse(out.isEmpty(), "the push wrote records");
            return out;
        }
    }

    /** Series of this metric the query API finds. */
    private static int count(TestNode n, String metric) {
        JsonNode r = n.client.api(TENANT, "query", "query", metric, "time", Long.toString(T0 / 1000)).json();
        assertEquals("success", r.path("status").asText(), r.toString());
        return r.path("data").path("result").size();
    }

    private static long refused(String metrics) {
        Matcher m = Pattern.compile("(?m)^mnemo_ingester_invalid_records_total\\{[^}]*reason=\"unknown-record-version\"[^}]*} (\\S+)$")
                .matcher(metrics);
        long n = 0;
        while (m.find()) n += (long) Double.parseDouble(m.group(1));
        return n;
    }
}
