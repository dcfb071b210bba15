package io.mnemo.actors.ingest;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Asks Kafka for a partition's end offset, from which an ingester computes its lag, and its
 * earliest offset, below which Kafka holds nothing any more (retention, deleted records). One per node.
 */
public final class PartitionOffsets implements PartitionOffsetReader, AutoCloseable {
    private final Admin admin;
    private final String topic;

    public PartitionOffsets(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "mnemo-offsets");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        this.admin = Admin.create(p);
        this.topic = topic;
    }

    @Override
    public CompletionStage<Long> endOffset(int partition) {
        return offset(partition, OffsetSpec.latest());
    }

    @Override
    public CompletionStage<Long> earliestOffset(int partition) {
        return offset(partition, OffsetSpec.earliest());
    }

    private CompletionStage<Long> offset(int partition, OffsetSpec spec) {
        TopicPartition tp = new TopicPartition(topic, partition);
        CompletableFuture<Long> out = new CompletableFuture<>();
        admin.listOffsets(Map.of(tp, spec), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .partitionResult(tp)
                .whenComplete((info, err) -> {
                    if (err != null) out.completeExceptionally(err);
                    else out.complete(info.offset());
                });
        return out;
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(5));
    }
}
