package io.mnemo.actors.ingest;

import io.mnemo.cluster.IngesterId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.KafkaConsumerActor;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Consumer.Control;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Streams one partition of the ingest topic into its ingester entity: fetched records are grouped
 * into batches ({@link ConsumedBatch}: offsets, tenants from the keys, values, format versions
 * from the {@link RecordVersion} header, records of versions this build does not read refused) and
 * handed to the entity one at a time, so the stream is back-pressured by the journal writes.
 *
 * <p>The ingesters of a node share one Kafka consumer (a {@link KafkaConsumerActor}, each
 * partition manually assigned at its ingester's offset): one fetch brings records of every
 * partition the node consumes, instead of one fetch session per partition. A partition whose
 * ingester stopped stays assigned but paused (nothing is fetched without demand); a consumer that
 * fails (Kafka unreachable) fails every stream on it, and the next {@link #start} makes a new one.
 */
public final class PartitionConsumer implements PartitionReader {
    private final String bootstrapServers;
    private final String topic;
    private final int maxBatchRecords;
    private final Duration maxBatchWait;
    /** Zone → the node's consumer of that zone's partitions, while it lives. */
    private final Map<String, org.apache.pekko.actor.ActorRef> consumers = new HashMap<>();
    private final AtomicInteger generation = new AtomicInteger();

    public PartitionConsumer(String bootstrapServers, String topic, int maxBatchRecords, Duration maxBatchWait) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.maxBatchRecords = maxBatchRecords;
        this.maxBatchWait = maxBatchWait;
    }

    @Override
    public <T> Control start(IngesterId id, long fromOffset, ActorRef<T> ingester,
                             BiFunction<ConsumedBatch, ActorRef<Done>, T> message,
                             ActorSystem<?> system, Consumer<Throwable> onStop) {
        TopicPartition tp = new TopicPartition(topic, id.partition());
        Duration askTimeout = Duration.ofMinutes(5);
        Pair<Control, java.util.concurrent.CompletionStage<Done>> running = org.apache.pekko.kafka.javadsl.Consumer
                .<byte[], byte[]>plainExternalSource(consumer(id.zone(), system), Subscriptions.assignmentWithOffset(tp, fromOffset))
                .groupedWithin(maxBatchRecords, maxBatchWait)
                .mapAsync(1, batch -> AskPattern.<T, Done>ask(
                        ingester, replyTo -> message.apply(batch(batch), replyTo), askTimeout, system.scheduler()))
                .toMat(Sink.ignore(), Keep.both())
                .run(system);
        running.second().whenComplete((done, err) -> onStop.accept(err));
        return running.first();
    }

    /** The node's consumer for a zone's partitions, made if there is none (or the last one stopped). */
    private synchronized org.apache.pekko.actor.ActorRef consumer(String zone, ActorSystem<?> system) {
        org.apache.pekko.actor.ActorRef existing = consumers.get(zone);
        if (existing != null) return existing;
        ConsumerSettings<byte[], byte[]> settings = ConsumerSettings
                .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(bootstrapServers)
                .withGroupId("mnemo-ingester-" + zone) // never committed to: offsets live in the journals
                .withClientId("mnemo-ingester-" + zone)
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .withProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        int n = generation.incrementAndGet();
        // A system actor: the node's user guardian is typed and takes no classic children from outside.
        org.apache.pekko.actor.ActorRef consumer = ((org.apache.pekko.actor.ExtendedActorSystem) Adapter.toClassic(system))
                .systemActorOf(KafkaConsumerActor.props(settings), "ingest-consumer-" + zone + "-" + n);
        consumers.put(zone, consumer);
        system.systemActorOf(Behaviors.setup(ctx -> {
            ctx.watch(Adapter.toTyped(consumer));
            return Behaviors.receive(Object.class)
                    .onSignal(Terminated.class, t -> {
                        forget(zone, consumer);
                        return Behaviors.stopped();
                    })
                    .build();
        }), "ingest-consumer-watch-" + zone + "-" + n, Props.empty());
        return consumer;
    }

    /** Stops the consumers this instance made (a warm-up's, once it is done); their streams end. */
    public synchronized void close() {
        consumers.values().forEach(c -> c.tell(KafkaConsumerActor.stop(), org.apache.pekko.actor.ActorRef.noSender()));
        consumers.clear();
    }

    private synchronized void forget(String zone, org.apache.pekko.actor.ActorRef consumer) {
        consumers.remove(zone, consumer);
    }

    static ConsumedBatch batch(List<ConsumerRecord<byte[], byte[]>> batch) {
        int n = batch.size();
        long[] offsets = new long[n];
        String[] tenants = new String[n];
        byte[][] values = new byte[n][];
        int[] versions = new int[n];
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> r = batch.get(i);
            offsets[i] = r.offset();
            tenants[i] = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
            versions[i] = RecordVersion.of(r.headers());
            if (RecordVersion.readable(versions[i])) values[i] = r.value() == null ? new byte[0] : r.value();
        }
        return new ConsumedBatch(offsets, tenants, values, versions);
    }
}
