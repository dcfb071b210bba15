package io.mnemo.actors.ingester;

import io.mnemo.cluster.IngesterId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Consumer.Control;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Streams one partition of the ingest topic into its ingester entity: fetched records are grouped
 * into batches and handed to the entity one at a time, so the stream is back-pressured by the
 * journal writes.
 */
public final class PartitionConsumer {
    private final String bootstrapServers;
    private final String topic;
    private final int maxBatchRecords;
    private final Duration maxBatchWait;

    public PartitionConsumer(String bootstrapServers, String topic, int maxBatchRecords, Duration maxBatchWait) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.maxBatchRecords = maxBatchRecords;
        this.maxBatchWait = maxBatchWait;
    }

    /**
     * Starts consuming the ingester's partition at {@code fromOffset}. {@code onStop} is called
     * with the failure, or null, when the stream ends.
     */
    public Control start(IngesterId id, long fromOffset, ActorRef<IngesterCommand> ingester,
                         ActorSystem<?> system, Consumer<Throwable> onStop) {
        ConsumerSettings<byte[], byte[]> settings = ConsumerSettings
                .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(bootstrapServers)
                .withGroupId("mnemo-ingester-" + id.zone() + "-" + id.partition())
                .withClientId("mnemo-ingester-" + id.zone() + "-" + id.partition())
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .withProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(maxBatchRecords))
                .withProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        TopicPartition tp = new TopicPartition(topic, id.partition());
        Duration askTimeout = Duration.ofMinutes(5);
        Pair<Control, java.util.concurrent.CompletionStage<Done>> running = org.apache.pekko.kafka.javadsl.Consumer
                .plainSource(settings, Subscriptions.assignmentWithOffset(tp, fromOffset))
                .groupedWithin(maxBatchRecords, maxBatchWait)
                .mapAsync(1, batch -> AskPattern.<IngesterCommand, Done>ask(
                        ingester, replyTo -> toCommand(batch, replyTo), askTimeout, system.scheduler()))
                .toMat(Sink.ignore(), Keep.both())
                .run(system);
        running.second().whenComplete((done, err) -> onStop.accept(err));
        return running.first();
    }

    private static IngesterCommand.ConsumeBatch toCommand(List<ConsumerRecord<byte[], byte[]>> batch,
                                                          ActorRef<Done> replyTo) {
        int n = batch.size();
        long[] offsets = new long[n];
        String[] tenants = new String[n];
        byte[][] values = new byte[n][];
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> r = batch.get(i);
            offsets[i] = r.offset();
            tenants[i] = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
            values[i] = r.value() == null ? new byte[0] : r.value();
        }
        return new IngesterCommand.ConsumeBatch(offsets, tenants, values, replyTo);
    }
}
