package io.mnemo.actors.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partition writer of a node: one Kafka producer for all its distributor's pushes (and its
 * warm-up's). A record is acknowledged only once every in-sync replica has it (acks=all), and
 * retries cannot duplicate or reorder it (idempotence). Each Kafka record is keyed by its tenant
 * and marked with the format version of its value ({@link RecordVersion}).
 */
public final class KafkaPartitionWriter implements PartitionWriter {
    private static final Logger log = LoggerFactory.getLogger(KafkaPartitionWriter.class);
    /** On every record; shared, as nothing changes a header once made. */
    private static final List<Header> HEADERS = List.of(RecordVersion.header(RecordVersion.CURRENT));

    private final SendProducer<byte[], byte[]> producer;

    /** @param produceTimeout how long a push waits for Kafka: the producer's timeouts derive from it */
    public KafkaPartitionWriter(ActorSystem<?> system, String bootstrapServers, Duration produceTimeout) {
        this.producer = new SendProducer<>(settings(ProducerSettings.create(system, new ByteArraySerializer(),
                new ByteArraySerializer()), bootstrapServers, produceTimeout), system);
    }

    /**
     * The producer's settings over {@code base} ({@code pekko.kafka.producer}: compression, linger):
     * acks=all and idempotence, and timeouts derived from the produce timeout.
     */
    static ProducerSettings<byte[], byte[]> settings(ProducerSettings<byte[], byte[]> base, String bootstrapServers,
                                                     Duration produceTimeout) {
        long timeoutMs = produceTimeout.toMillis();
        long requestTimeoutMs = Math.max(1000, timeoutMs / 2);
        String linger = base.getProperty(ProducerConfig.LINGER_MS_CONFIG);
        // Kafka refuses a delivery timeout below linger + request timeout (the producer then never starts).
        long deliveryTimeoutMs = requestTimeoutMs + (linger == null ? 0 : Long.parseLong(linger.trim())) + 2;
        return base
                .withBootstrapServers(bootstrapServers)
                .withProperty(ProducerConfig.ACKS_CONFIG, "all")
                .withProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .withProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(64 << 20))
                .withProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(requestTimeoutMs))
                .withProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(deliveryTimeoutMs))
                .withProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeoutMs))
                .withProperty(ProducerConfig.CLIENT_ID_CONFIG, "mnemo-distributor");
    }

    /** The Kafka record of a tenant's ingest record: key the tenant id (UTF-8), header the current version. */
    static ProducerRecord<byte[], byte[]> record(String topic, int partition, String tenant, byte[] record) {
        return new ProducerRecord<>(topic, partition, null, tenant.getBytes(StandardCharsets.UTF_8), record,
                HEADERS);
    }

    @Override
    public CompletionStage<RecordMetadata> write(String topic, int partition, String tenant, byte[] record) {
        return producer.send(record(topic, partition, tenant, record));
    }

    @Override
    public void close() {
        try {
            producer.close().toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Kafka producer did not close cleanly: {}", e.toString());
        }
    }
}
