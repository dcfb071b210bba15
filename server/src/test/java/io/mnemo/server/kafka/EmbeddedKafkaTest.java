package io.mnemo.server.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    private static final String TOPIC = "mnemo-ingest";
    private static final int PARTITIONS = 4;
    private static final int RECORDS_PER_PARTITION = 5;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    @Test
    void recordsAndClusterIdSurviveARestartOnTheSameDirectory() throws Exception {
        Path kafkaDir = dataDir.resolve("kafka");
        String clusterId;
        int port;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, "127.0.0.1", 0)) {
            port = kafka.port();
            assertNotEquals(0, port);
            assertEquals("127.0.0.1:" + port, kafka.bootstrapServers());
            clusterId = kafka.clusterId();
            assertEquals(clusterId, metaProperties(kafkaDir).getProperty("cluster.id"));

            assertEquals(PARTITIONS, Topics.ensureTopic(kafka.bootstrapServers(), TOPIC, PARTITIONS, (short) 1, TIMEOUT));
            // Idempotent, and never shrinks or grows an existing topic.
            assertEquals(PARTITIONS, Topics.ensureTopic(kafka.bootstrapServers(), TOPIC, PARTITIONS, (short) 1, TIMEOUT));
            assertEquals(PARTITIONS, Topics.ensureTopic(kafka.bootstrapServers(), TOPIC, 8, (short) 1, TIMEOUT));

            produce(kafka.bootstrapServers(), "first", 0);
            assertEquals(expected("first"), consumeAll(kafka.bootstrapServers(), RECORDS_PER_PARTITION));
        }

        // Same directory, same port: formatting is skipped and the log is reloaded.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, "127.0.0.1", port)) {
            assertEquals(clusterId, kafka.clusterId());
            assertEquals(clusterId, metaProperties(kafkaDir).getProperty("cluster.id"));
            assertEquals(PARTITIONS, Topics.ensureTopic(kafka.bootstrapServers(), TOPIC, PARTITIONS, (short) 1, TIMEOUT));
            assertEquals(expected("first"), consumeAll(kafka.bootstrapServers(), RECORDS_PER_PARTITION));
            produce(kafka.bootstrapServers(), "second", RECORDS_PER_PARTITION);
        }

        // Same directory, another port: the static controller quorum does not pin the old ports.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(kafkaDir, "127.0.0.1", 0)) {
            assertEquals(clusterId, kafka.clusterId());
            Map<Integer, List<String>> both = expected("first");
            expected("second").forEach((partition, values) -> both.get(partition).addAll(values));
            assertEquals(both, consumeAll(kafka.bootstrapServers(), 2 * RECORDS_PER_PARTITION));
        }
    }

    @Test
    void aTakenPortFailsWithTheAddressInTheMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EmbeddedKafka.start(dataDir.resolve("kafka"), "127.0.0.1", taken.getLocalPort()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
        // The failed start released the directory: a new start on it works.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), "127.0.0.1", 0)) {
            assertEquals(1, Topics.ensureTopic(kafka.bootstrapServers(), "t", 1, (short) 1, TIMEOUT));
        }
    }

    /** Sends RECORDS_PER_PARTITION records to every partition and checks the offsets they got. */
    private static void produce(String bootstrap, String prefix, long firstOffset) throws Exception {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
                    RecordMetadata md = producer.send(new ProducerRecord<>(TOPIC, p, "k" + i, value(prefix, p, i)))
                            .get(30, TimeUnit.SECONDS);
                    assertEquals(p, md.partition());
                    assertEquals(firstOffset + i, md.offset());
                }
            }
        }
    }

    /** Reads every partition from the beginning until each holds {@code perPartition} records. */
    private static Map<Integer, List<String>> consumeAll(String bootstrap, int perPartition) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        Map<Integer, List<String>> values = new HashMap<>();
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition(TOPIC, p));
            values.put(p, new ArrayList<>());
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (values.values().stream().anyMatch(v -> v.size() < perPartition) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.get(record.partition()).add(record.value());
                }
            }
        }
        return values;
    }

    private static Map<Integer, List<String>> expected(String prefix) {
        Map<Integer, List<String>> values = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            List<String> list = new ArrayList<>();
            for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
                list.add(value(prefix, p, i));
            }
            values.put(p, list);
        }
        return values;
    }

    private static String value(String prefix, int partition, int i) {
        return prefix + "-p" + partition + "-" + i;
    }

    private static Properties metaProperties(Path kafkaDir) throws IOException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(kafkaDir.resolve("meta.properties"))) {
            props.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return props;
    }
}
