package io.mnemo.actors.ingest;

import java.util.concurrent.CompletionStage;

/**
 * Where a distributor writes its ingest records: Kafka in a node ({@link KafkaPartitionWriter}),
 * a list in tests without Kafka.
 */
public interface PartitionWriter extends AutoCloseable {
    /**
     * Writes a tenant's ingest record (format {@link RecordVersion#CURRENT}) to a partition of
     * {@code topic}; completes once Kafka acknowledged it, exceptionally if it will not.
     */
    CompletionStage<?> write(String topic, int partition, String tenant, byte[] record);

    @Override
    void close();
}
