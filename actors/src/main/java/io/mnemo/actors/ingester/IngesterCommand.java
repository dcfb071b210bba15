package io.mnemo.actors.ingester;

import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.ingest.ConsumedBatch;
import io.mnemo.actors.readpath.ReadError;
import io.mnemo.actors.readpath.ReadAnswer;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.RingState;
import io.mnemo.persistence.MnemoSerializable;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/** Messages an ingester partition entity understands. */
public sealed interface IngesterCommand extends MnemoSerializable {

    /** Starts the entity (sharding creates it on first message); answers nothing. */
    record Wake() implements IngesterCommand {}

    /** Stop serving this partition here (node leaving, or shard handed off): LEAVING, then stop. */
    record Leave() implements IngesterCommand {}

    /** Internal: the LEAVING grace period is over. */
    record StopNow() implements IngesterCommand {}

    /**
     * A batch of consecutive records fetched from the partition, to be persisted as one journal
     * event and then applied to the heads. Sent only by the entity's own consumer stream.
     */
    record ConsumeBatch(ConsumedBatch batch, ActorRef<Done> replyTo) implements IngesterCommand {}

    /**
     * Series of a tenant matching the matchers, with samples in [mint, maxt], streamed in
     * series-set frames; with {@code labelsOnly} only their label sets (for /api/v1/series).
     */
    record Select(String tenant, long mint, long maxt, MatcherSpec[] matchers, boolean labelsOnly,
                  ActorRef<StreamReply> replyTo) implements IngesterCommand {}

    /** Label names (name == null) or the values of one label, of the matching series, streamed in strings frames. */
    record LabelQuery(String tenant, String name, long mint, long maxt, MatcherSpec[] matchers,
                      ActorRef<StreamReply> replyTo) implements IngesterCommand {}

    /**
     * Exemplars of a tenant in [start, end] (ms) of the series matching any of the matcher sets,
     * streamed in exemplar frames ({@link io.mnemo.actors.readpath.ExemplarFrames}).
     */
    record ExemplarQuery(String tenant, long start, long end, MatcherSpec[][] matcherSets,
                         ActorRef<StreamReply> replyTo) implements IngesterCommand {}

    record GetStatus(ActorRef<IngesterStatus> replyTo) implements IngesterCommand {}

    /** Metric metadata of a tenant: one family (metric set) or all. */
    record MetadataQuery(String tenant, String metric, ActorRef<MetadataReply> replyTo) implements IngesterCommand {}

    /** Cut everything in the heads to blocks now (Mimir's /ingester/flush). */
    record Flush(ActorRef<FlushReply> replyTo) implements IngesterCommand {}

    /** Internal: refresh the Kafka end offset to compute lag. */
    record RefreshLag() implements IngesterCommand {}

    /** Timer: cut what is due into blocks (every mnemo.ingester.head-compaction-interval). */
    record CompactHead() implements IngesterCommand {}

    /** Internal: the partition's end offset as Kafka reported it. */
    record EndOffset(long endOffset) implements IngesterCommand {}

    /** Internal: the consumer stream stopped (with the failure, or null when completed). */
    record ConsumerStopped(Throwable failure) implements IngesterCommand {}

    /** Internal: restart the consumer stream after a failure. */
    record RestartConsumer() implements IngesterCommand {}

    /** Internal: the partition's offsets once recovered, to check that Kafka still holds where it resumes (-1: unknown). */
    record StartOffsets(long earliest, long end, Throwable failure) implements IngesterCommand {}

    /** Internal: ask Kafka for {@link StartOffsets} (again). */
    record CheckStartOffsets() implements IngesterCommand {}

    /** Internal, of a {@link FailedIngester}: time to try recovering again. */
    record RetryRecovery() implements IngesterCommand {}

    /**
     * The operator acknowledges that records this ingester misses are gone from Kafka too: it
     * resumes at the partition's earliest offset and may become ACTIVE without them.
     */
    record AcceptDataLoss(ActorRef<AcceptDataLossReply> replyTo) implements IngesterCommand {}

    // Replies to reads: an error (of its kind) instead of the answer when the ingester cannot give one.

    /** The answer: whole, as a stream (see {@link io.mnemo.actors.readpath.ReadStreams}), or why there is none. */
    record StreamReply(IngesterId from, ReadAnswer answer) implements MnemoSerializable {}

    /** Rows of [family, type, help, unit]. */
    record MetadataReply(IngesterId from, String[][] rows, ReadError error) implements MnemoSerializable {}

    /**
     * @param blocks blocks cut
     * @param shipped blocks of this ingester uploaded to (or found in) the bucket while the flush waited
     * @param error why cutting or shipping failed; null if nothing did
     */
    record FlushReply(IngesterId from, int blocks, int shipped, String error) implements MnemoSerializable {}

    /**
     * @param problem why this ingester cannot become ACTIVE without an operator (its journal is
     *     damaged, or records it misses are gone from Kafka too), naming what to do; null if none
     */
    record IngesterStatus(IngesterId id, RingState state, long nextOffset, long endOffset, long lag,
                          long series, String node, String problem) implements MnemoSerializable {}

    /** {@code accepted}: a loss was pending and is accepted now; {@code message} says what happened. */
    record AcceptDataLossReply(IngesterId from, boolean accepted, String message) implements MnemoSerializable {}

    /** Internal, from the write-behind log child: what it replayed at start. */
    record OutOfOrderLogRecovered(java.util.List<OutOfOrderLogged> logged, long loggedUpTo) implements IngesterCommand {}

    /** Internal: a block's shipment to the bucket ended (by bucket prefix), with the failure if every attempt failed. */
    record BlockShipped(String key, io.mnemo.actors.storage.Shipper.Shipment shipment, Throwable failure)
            implements IngesterCommand {}

    /** Internal: what an ingester with an empty disk found of its blocks in the bucket, or why it could not look. */
    record BucketRestored(BucketRestore.Result result, Throwable failure) implements IngesterCommand {}

    /** Internal: look in the bucket again after a failure. */
    record RetryBucketRestore() implements IngesterCommand {}

    /** Internal, from the write-behind log child: these many events are written. */
    record OutOfOrderLogWritten(int events) implements IngesterCommand {}
}
