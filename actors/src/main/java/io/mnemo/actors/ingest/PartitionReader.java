package io.mnemo.actors.ingest;

import io.mnemo.cluster.IngesterId;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.javadsl.Consumer.Control;

/**
 * Where an ingester's records come from: Kafka in a node ({@link PartitionConsumer}), batches a
 * unit test hands the entity itself.
 */
public interface PartitionReader {
    /**
     * Starts streaming the ingester's partition at {@code fromOffset}: each batch is sent to
     * {@code ingester} as {@code message(batch, replyTo)}, the next one once it answered on
     * {@code replyTo}. {@code onStop} is called with the failure, or null, when the stream ends.
     */
    <T> Control start(IngesterId id, long fromOffset, ActorRef<T> ingester,
                      BiFunction<ConsumedBatch, ActorRef<Done>, T> message,
                      ActorSystem<?> system, Consumer<Throwable> onStop);
}
