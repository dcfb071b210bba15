package io.mnemo.actors.ingester;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.readpath.ReadAnswer;
import io.mnemo.actors.ingest.ConsumedBatch;
import io.mnemo.actors.ingest.PartitionOffsetReader;
import io.mnemo.actors.ingest.PartitionReader;
import io.mnemo.actors.ingest.RecordVersion;
import io.mnemo.actors.ingester.IngesterCommand.*;
import io.mnemo.actors.storage.BlocksStorage;
import io.mnemo.actors.storage.Shipper;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.RingKeeper;
import io.mnemo.cluster.RingState;
import com.typesafe.config.ConfigFactory;
import io.mnemo.persistence.journal.JournalCorruptedException;
import io.mnemo.persistence.journal.JournalNotices;
import io.mnemo.persistence.journal.ReplayFlowControl;
import io.mnemo.persistence.snapshot.PagedSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.stream.Materializer;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * The ingester of one Kafka partition in one zone: a sharded, event-sourced entity whose journal
 * is its write-ahead log. Each batch fetched from Kafka is persisted as one {@link BatchConsumed}
 * event (raw record bytes plus offsets) and then applied to the tenants' heads; replaying the
 * journal on restart rebuilds the heads, and consumption resumes at the offset after the last
 * event, so every record is applied exactly once.
 *
 * <p>Its ring state lives here as actor state: PENDING until it starts recovering, JOINING while it
 * replays its journal and then catches up on Kafka, ACTIVE once its lag is under the threshold,
 * LEAVING when stopping.
 *
 * <p>A failed recovery (a damaged journal) is reported once per node start and retried slowly
 * ({@link RecoveryFailures}, {@link FailedIngester}). Once recovered, it consumes Kafka only after
 * checking that Kafka still holds the offset it resumes at: when records it misses are gone from
 * Kafka too, it reports the loss and stays JOINING until an operator accepts it ({@link AcceptDataLoss}).
 *
 * <p>Every block it cuts goes to the bucket ({@link BlockShipping}, off its thread) and leaves its
 * disk once shipped longer ago than the retention period. One that recovers nothing from its node's
 * disk (no journal, snapshot or block: a new or replaced disk) first takes its blocks back from the
 * bucket ({@link BucketRestore}), staying PENDING meanwhile, and consumes from the rebuild offset
 * of its newest block there instead of the partition's start.
 */
public final class IngesterPartition extends EventSourcedBehavior<IngesterCommand, BatchConsumed, PartitionState> {

    /**
     * Everything an ingester needs from its node. Kafka comes in through two interfaces (the node's
     * {@link io.mnemo.actors.ingest.PartitionConsumer} and {@link io.mnemo.actors.ingest.PartitionOffsets})
     * so that a unit test can run the entity without a broker; the bucket its blocks go to through
     * the node's {@link BlocksStorage}.
     */
    public record Deps(MnemoSettings settings, MnemoMetrics metrics, PartitionReader consumer,
                       PartitionOffsetReader offsets, String nodeAddress, ActorRef<RingKeeper.Command> ringKeeper,
                       RecoveryFailures failures, BlocksStorage blocksStorage) {}

    private static final String JOURNAL_PLUGIN = "mnemo.persistence.journal";
    private static final String SNAPSHOT_PLUGIN = "mnemo.persistence.snapshot-store";
    /** Reason label of records refused for a format version this build does not read. */
    private static final String UNKNOWN_RECORD_VERSION = "unknown-record-version";
    /** Journal events read ahead of the replay, at most: the journal reads far faster than heads take samples. */
    private static final long REPLAY_BYTES_IN_FLIGHT = 256L << 20;
    /**
     * A journal failure (in recovery or a write) stops the entity, as Pekko's default does, but
     * Pekko's own report of it, a stack trace per attempt, goes to DEBUG: the ingester reports a
     * failed recovery itself, once per node start with the remedy, and the journal a failed write.
     */
    private static final BackoffSupervisorStrategy STOP_ON_JOURNAL_FAILURE = SupervisorStrategy
            .restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0)
            .withMaxRestarts(0)
            .withLogLevel(Level.DEBUG);

    private final IngesterId id;
    private final ActorContext<IngesterCommand> ctx;
    private final TimerScheduler<IngesterCommand> timers;
    private final Deps deps;
    private final Logger log;
    private final String partitionLabel;

    private final IngesterMembership membership;
    private final IngesterReads reads;
    /** The state recovery starts from: its blocks are open, and a snapshot is restored into it. */
    private PartitionState initialState;
    private boolean recovering = true;
    private long replayedEvents;
    private long replayedRecords;
    private Consumer.Control consumerControl;
    private final WriteBehindLogClient wbl;
    /** A snapshot was restored: there was a journal here once. */
    private boolean restoredSnapshot;
    /** Kafka was found to hold the offset this ingester resumes at (or the operator accepted what it lacks). */
    private boolean resumeChecked;
    private boolean startOffsetsFailed;
    /** What the journal found when it opened (no log, events gone), as taken once recovered; null if nothing. */
    private JournalNotices.Notice journalNotice;
    /** Records in neither the journal nor Kafka, until the operator accepts the loss; null if none. */
    private ResumeCheck pendingLoss;
    /** A record refused for its format version was logged: later ones are only counted. */
    private boolean refusedVersionLogged;
    /** Its blocks to the bucket, and off the disk once shipped and old enough. */
    private final BlockShipping shipping;
    /** What the bucket gave back to this ingester, which started with an empty disk; null if it did not. */
    private BucketRestore.Result restoredFromBucket;
    /** Looking in the bucket failed once and was said: further failures go to DEBUG. */
    private boolean bucketRestoreFailed;
    /** Between trying the bucket again after a failure. */
    private static final Duration BUCKET_RESTORE_RETRY = Duration.ofSeconds(5);

    public static Behavior<IngesterCommand> create(IngesterId id, Deps deps) {
        return Behaviors.setup(ctx -> deps.failures().standing(id, System.currentTimeMillis())
                .map(failure -> FailedIngester.create(id, deps, failure, () -> create(id, deps)))
                .orElseGet(() -> recover(id, deps)));
    }

    private static Behavior<IngesterCommand> recover(IngesterId id, Deps deps) {
        // The write-behind log replays first: the journal replay needs to know what it restored.
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(10_000, stash -> {
            ActorRef<WriteBehindLog.Command> wbl = ctx.spawn(WriteBehindLog.create(id, ctx.getSelf()), "wbl");
            ctx.watch(wbl); // a log that cannot write stops the ingester
            return Behaviors.receive(IngesterCommand.class)
                    .onMessage(OutOfOrderLogRecovered.class, r -> stash.unstashAll(new IngesterPartition(id, ctx, timers,
                            deps, new WriteBehindLogClient(wbl, r.logged(), r.loggedUpTo()))))
                    .onAnyMessage(m -> {
                        stash.stash(m);
                        return Behaviors.same();
                    })
                    .build();
        })));
    }

    private IngesterPartition(IngesterId id, ActorContext<IngesterCommand> ctx,
                              TimerScheduler<IngesterCommand> timers, Deps deps,
                              WriteBehindLogClient wbl) {
        super(PersistenceId.ofUniqueId(id.persistenceId()), STOP_ON_JOURNAL_FAILURE);
        this.id = id;
        this.ctx = ctx;
        this.timers = timers;
        this.deps = deps;
        this.log = ctx.getLog();
        this.partitionLabel = Integer.toString(id.partition());
        this.wbl = wbl;
        this.membership = new IngesterMembership(id, deps.metrics(), deps.ringKeeper(), deps.nodeAddress(),
                deps.settings().activeLagThreshold(), log);
        this.reads = new IngesterReads(id, deps.metrics(), Materializer.matFromSystem(ctx.getSystem()));
        this.shipping = new BlockShipping(id, deps.blocksStorage(), deps.settings().dataDir(), log);
        // For replay progress: the events the journal holds are a part of the partition up to here.
        deps.offsets().endOffset(id.partition()).thenAccept(membership::endOffsetAtStart);
    }

    @Override
    public String journalPluginId() {
        return JOURNAL_PLUGIN;
    }

    @Override
    public String snapshotPluginId() {
        return SNAPSHOT_PLUGIN;
    }

    @Override
    public PartitionState emptyState() {
        if (initialState == null) {
            initialState = new PartitionState(new PartitionTsdb(id, deps.settings().dataDir().resolve("tsdb"),
                    deps.settings().blockRange().toMillis()));
            IngesterFaults.from(ctx.getSystem().settings().config()).install(initialState.tsdb, id, log);
            initialState.tsdb.setOutOfOrderWindows(t -> deps.settings().limits().outOfOrderTimeWindow(t).toMillis());
            initialState.tsdb.setMetadataLimits(t -> PartitionTsdb.perPartition(
                    deps.settings().limits().of(t).maxGlobalMetadataPerUser(), deps.settings().partitions()));
            initialState.tsdb.setExemplarLimits(t -> PartitionTsdb.perPartition(
                    deps.settings().limits().of(t).maxGlobalExemplarsPerUser(), deps.settings().partitions()));
            replayFlow().register(id.persistenceId(), REPLAY_BYTES_IN_FLIGHT);
        }
        return initialState;
    }

    /** A snapshot after each block cut, taken with the next event (cuts run after an event is applied). */
    @Override
    public boolean shouldSnapshot(PartitionState state, BatchConsumed event, long sequenceNr) {
        return state.snapshotDue;
    }

    @Override
    public SnapshotAdapter<PartitionState> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(PartitionState s) {
                // On the entity's thread, before the heads move on: the store writes the bytes later.
                long start = System.nanoTime();
                // Out-of-order samples live in the write-behind log, not in the snapshot; those the
                // log has not written yet (this event's among them) go into the snapshot, which
                // makes the journal events before it unreplayable from the moment it is stored.
                List<OutOfOrderLogged> notLogged = wbl.unwritten();
                notLogged.addAll(s.tsdb.peekOutOfOrderLog());
                PagedSnapshot snapshot = PartitionSnapshotCodec.encode(s, notLogged);
                s.snapshotDue = false;
                log.info("Ingester {}: snapshot at offset {} encoded: {} series, {} bytes in {} ms", id, s.nextOffset,
                        s.tsdb.numSeries(), snapshot.size(), (System.nanoTime() - start) / 1_000_000);
                return snapshot;
            }

            @Override
            public PartitionState fromJournal(Object from) {
                long start = System.nanoTime();
                PartitionState s = emptyState();
                PagedSnapshot snapshot = from instanceof PartitionSnapshot legacy
                        ? new PagedSnapshot(List.of(legacy.bytes())) : (PagedSnapshot) from;
                PartitionSnapshotCodec.decode(snapshot, s);
                restoredSnapshot = true;
                log.info("Ingester {}: snapshot restored: {} series, resuming after offset {}, in {} ms", id,
                        s.tsdb.numSeries(), s.nextOffset - 1, (System.nanoTime() - start) / 1_000_000);
                return s;
            }
        };
    }

    @Override
    public CommandHandler<IngesterCommand, BatchConsumed, PartitionState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Wake.class, (s, c) -> Effect().none())
                .onCommand(Leave.class, (s, c) -> {
                    // Keep serving reads for a moment while queriers move to other ingesters.
                    membership.set(RingState.LEAVING);
                    membership.heartbeat(s.nextOffset, s.tsdb::minTime, true);
                    if (consumerControl != null) consumerControl.shutdown();
                    timers.startSingleTimer(new StopNow(), deps.settings().leaveGrace());
                    return Effect().none();
                })
                .onCommand(StopNow.class, (s, c) -> Effect().stop())
                .onCommand(ConsumeBatch.class, this::onConsumeBatch)
                .onCommand(Select.class, (s, c) -> {
                    if (membership.readable()) reads.select(s.tsdb, c);
                    else c.replyTo().tell(new StreamReply(id, ReadAnswer.failed(membership.notReadable())));
                    return Effect().none();
                })
                .onCommand(LabelQuery.class, (s, c) -> {
                    if (membership.readable()) reads.labels(s.tsdb, c);
                    else c.replyTo().tell(new StreamReply(id, ReadAnswer.failed(membership.notReadable())));
                    return Effect().none();
                })
                .onCommand(ExemplarQuery.class, (s, c) -> {
                    if (membership.readable()) reads.exemplars(s.tsdb, c);
                    else c.replyTo().tell(new StreamReply(id, ReadAnswer.failed(membership.notReadable())));
                    return Effect().none();
                })
                .onCommand(MetadataQuery.class, (s, c) -> {
                    c.replyTo().tell(membership.readable() ? reads.metadata(s.tsdb, c)
                            : new MetadataReply(id, null, membership.notReadable()));
                    return Effect().none();
                })
                .onCommand(Flush.class, (s, c) -> {
                    wbl.whenWritten(c, () -> {
                        int blocks;
                        try {
                            blocks = s.tsdb.flush(s.nextOffset).size();
                            if (blocks > 0) s.snapshotDue = true;
                            if (blocks > 0) wbl.truncate(s.tsdb.compacted());
                        } catch (RuntimeException e) {
                            log.error("Ingester {}: flush failed", id, e);
                            c.replyTo().tell(new FlushReply(id, 0, 0, e.getMessage()));
                            return;
                        }
                        // Mimir's flush ships too: answered once every block is in the bucket, or not.
                        replyWhenShipped(shipPending(s), blocks, c.replyTo());
                    });
                    return Effect().none();
                })
                .onCommand(BlockShipped.class, (s, c) -> {
                    shipping.shipped(c.key(), c.shipment(), c.failure());
                    return Effect().none();
                })
                .onCommand(BucketRestored.class, this::onBucketRestored)
                .onCommand(RetryBucketRestore.class, (s, c) -> {
                    if (membership.state() != RingState.LEAVING) restoreFromBucket();
                    return Effect().none();
                })
                .onCommand(OutOfOrderLogWritten.class, (s, c) -> {
                    wbl.written(c.events());
                    return Effect().none();
                })
                .onCommand(CompactHead.class, (s, c) -> {
                    // On a timer, not after every batch (Prometheus and Mimir check once a minute):
                    // a flood of old samples, one per push, then costs one pass of cuts, not one per push.
                    wbl.whenWritten("compact", () -> {
                        if (!s.tsdb.compactIfDue(s.nextOffset).isEmpty()) {
                            s.snapshotDue = true;
                            wbl.truncate(s.tsdb.compacted());
                        }
                        shipPending(s); // what was cut now, and what failed to ship before
                    });
                    shipping.deleteExpired(s.tsdb);
                    return Effect().none();
                })
                .onCommand(GetStatus.class, (s, c) -> {
                    c.replyTo().tell(status(s));
                    return Effect().none();
                })
                .onCommand(RefreshLag.class, (s, c) -> {
                    // The ring heartbeat says this ingester is alive; it must not wait on Kafka answering.
                    membership.heartbeat(s.nextOffset, s.tsdb::minTime, false);
                    ctx.pipeToSelf(deps.offsets().endOffset(id.partition()),
                            (end, err) -> err == null ? new EndOffset(end) : new EndOffset(-1));
                    return Effect().none();
                })
                .onCommand(EndOffset.class, (s, c) -> {
                    if (c.endOffset() >= 0) {
                        membership.observeEndOffset(c.endOffset());
                        updateLag(s);
                    }
                    return Effect().none();
                })
                .onCommand(ConsumerStopped.class, (s, c) -> {
                    consumerControl = null;
                    if (c.failure() != null && membership.state() != RingState.LEAVING) {
                        log.warn("Ingester {}: consumer stream failed, restarting in 1s: {}", id, c.failure().toString());
                        timers.startSingleTimer(new RestartConsumer(), Duration.ofSeconds(1));
                    }
                    return Effect().none();
                })
                .onCommand(RestartConsumer.class, (s, c) -> {
                    if (membership.state() != RingState.LEAVING) startConsumer(s);
                    return Effect().none();
                })
                .onCommand(CheckStartOffsets.class, (s, c) -> {
                    checkStartOffsets();
                    return Effect().none();
                })
                .onCommand(StartOffsets.class, this::onStartOffsets)
                .onCommand(AcceptDataLoss.class, this::onAcceptDataLoss)
                .build();
    }

    // ---------------------------------------------------------------- resuming on Kafka

    /** Asks Kafka where the partition starts and ends, before consuming from where recovery left off. */
    private void checkStartOffsets() {
        ctx.pipeToSelf(deps.offsets().earliestOffset(id.partition()).thenCombine(deps.offsets().endOffset(id.partition()),
                (earliest, end) -> new long[] {earliest, end}), (offsets, err) -> err == null
                ? new StartOffsets(offsets[0], offsets[1], null) : new StartOffsets(-1, -1, err));
    }

    /**
     * Resumes consuming at the offset after what recovery brought back, once Kafka holds it. When
     * it does not (the journal lost events, or the node was away longer than retention, and Kafka
     * deleted them since), the records in between are lost: that is reported loudly and the
     * ingester waits for an operator to accept it rather than serve reads as if nothing happened.
     */
    private Effect<BatchConsumed, PartitionState> onStartOffsets(PartitionState s, StartOffsets c) {
        if (resumeChecked || pendingLoss != null || membership.state() == RingState.LEAVING) return Effect().none();
        if (c.failure() != null) {
            if (!startOffsetsFailed) {
                log.warn("Ingester {}: cannot ask Kafka where partition {} starts, retrying every second: {}", id,
                        id.partition(), c.failure().toString());
            }
            startOffsetsFailed = true;
            timers.startSingleTimer(new CheckStartOffsets(), Duration.ofSeconds(1));
            return Effect().none();
        }
        membership.observeEndOffset(c.end());
        boolean hasBlocks = s.tsdb.numBlocks() > 0;
        ResumeCheck check = new ResumeCheck(id, deps.settings().topic(), s.nextOffset, c.earliest(), c.end(),
                restoredFromBucket != null ? restoredFromBucket.describe(deps.blocksStorage().bucket().describe())
                        : ResumeCheck.journalLacks(journalNotice, restoredSnapshot, hasBlocks),
                restoredSnapshot || hasBlocks || replayedEvents > 0 || restoredFromBucket != null);
        if (check.lost()) {
            pendingLoss = check;
            deps.metrics().dataLossRecords.labelValues(id.zone(), partitionLabel).set(check.lostRecords());
            deps.metrics().lostRecords.labelValues(id.zone(), partitionLabel).inc(check.lostRecords());
            log.error(check.lossReport());
            membership.heartbeat(s.nextOffset, s.tsdb::minTime, true);
            return Effect().none();
        }
        if (check.behind()) log.error(check.behindReport());
        else if (check.rebuildReport() != null) log.warn(check.rebuildReport());
        resume(s);
        return Effect().none();
    }

    private Effect<BatchConsumed, PartitionState> onAcceptDataLoss(PartitionState s, AcceptDataLoss c) {
        if (pendingLoss == null) {
            c.replyTo().tell(new AcceptDataLossReply(id, false, "ingester " + id + " has no data loss to accept"));
            return Effect().none();
        }
        ResumeCheck lost = pendingLoss;
        pendingLoss = null;
        deps.metrics().dataLossRecords.labelValues(id.zone(), partitionLabel).set(0);
        String accepted = "accepted the loss of offsets [" + lost.resumeAt() + ", " + lost.earliest() + ") ("
                + lost.lostRecords() + " records); resuming at offset " + lost.earliest();
        log.warn("Ingester {}: an operator {}", id, accepted);
        c.replyTo().tell(new AcceptDataLossReply(id, true, "ingester " + id + ": " + accepted));
        // Skipped for good. Checked again: Kafka may have deleted more since (that is reported anew).
        s.nextOffset = lost.earliest();
        journalNotice = null; // said already
        restoredFromBucket = null;
        checkStartOffsets();
        return Effect().none();
    }

    private void resume(PartitionState s) {
        resumeChecked = true;
        updateLag(s);
        startConsumer(s);
    }

    private Effect<BatchConsumed, PartitionState> onConsumeBatch(PartitionState s, ConsumeBatch c) {
        ConsumedBatch b = c.batch();
        // A restarted stream may hand us records already persisted: keep only the new ones.
        int skip = 0;
        while (skip < b.offsets().length && b.offsets()[skip] < s.nextOffset) skip++;
        if (skip == b.offsets().length) {
            c.replyTo().tell(Done.getInstance());
            return Effect().none();
        }
        BatchConsumed event = skip == 0
                ? new BatchConsumed(b.offsets(), b.tenants(), b.values())
                : new BatchConsumed(
                        java.util.Arrays.copyOfRange(b.offsets(), skip, b.offsets().length),
                        java.util.Arrays.copyOfRange(b.tenants(), skip, b.tenants().length),
                        java.util.Arrays.copyOfRange(b.values(), skip, b.values().length));
        int from = skip;
        return Effect().persist(event).thenRun(state -> {
            deps.metrics().journalBytes.labelValues(id.zone(), partitionLabel).inc(event.bytes());
            deps.metrics().journalEvents.labelValues(id.zone(), partitionLabel).inc();
            if (b.refused() > 0) countRefused(b, from);
            wbl.append(state.tsdb.takeOutOfOrderLog());
            updateLag(state);
            c.replyTo().tell(Done.getInstance());
        });
    }

    /**
     * Counts the records of {@code batch} from {@code from} on that the consumer refused for their
     * format version (journaled as null: consumed, never applied), and logs the first one.
     */
    private void countRefused(ConsumedBatch batch, int from) {
        for (int i = from; i < batch.values().length; i++) {
            if (batch.values()[i] != null) continue;
            deps.metrics().ingesterInvalidRecords.labelValues(id.zone(), partitionLabel, UNKNOWN_RECORD_VERSION).inc();
            if (refusedVersionLogged) continue;
            refusedVersionLogged = true;
            log.warn("Ingester {}: skipping the record at offset {}: it has {}, and this build reads only version 1 "
                    + "(records without a {} header are version 1); was it written by a newer distributor? Further "
                    + "such records are not logged; mnemo_ingester_invalid_records_total{reason=\"{}\"} counts them",
                    id, batch.offsets()[i], RecordVersion.describe(batch.versions()[i]), RecordVersion.HEADER,
                    UNKNOWN_RECORD_VERSION);
        }
    }

    @Override
    public EventHandler<PartitionState, BatchConsumed> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(BatchConsumed.class, (s, e) -> {
                    restoreOutOfOrder(s);
                    if (recovering && !membership.joinStarted()) {
                        membership.joiningFrom(e.offsets()[0]);
                        membership.set(RingState.JOINING); // replaying the journal is the first part of joining
                        membership.heartbeat(s.nextOffset, s.tsdb::minTime, true);
                    }
                    PartitionTsdb.ApplyResult r = s.apply(e);
                    if (recovering) {
                        replayFlow().applied(id.persistenceId());
                        replayedEvents++;
                        replayedRecords += e.offsets().length;
                        membership.heartbeat(s.nextOffset, s.tsdb::minTime, false);
                        membership.logProgress("replaying the journal", s.nextOffset, s.tsdb.numSeries());
                    }
                    count(r);
                    deps.metrics().ingesterExemplarsInStorage.labelValues(id.zone(), partitionLabel).set(s.tsdb.numExemplars());
                    return s;
                })
                .build();
    }

    /**
     * Counts what applying a batch did: samples per partition (journal replays too), and what was
     * refused per tenant and invalid records only when first consumed, not when the journal
     * replays them after a restart.
     */
    private void count(PartitionTsdb.ApplyResult r) {
        MnemoMetrics m = deps.metrics();
        m.ingesterAppendedSamples.labelValues(id.zone(), partitionLabel).inc(r.appended);
        if (r.exemplarsAppended > 0) m.ingesterExemplarsAppended.labelValues(id.zone(), partitionLabel).inc(r.exemplarsAppended);
        for (Discard d : Discard.ALL) {
            long n = r.refused[d.ordinal()];
            if (n > 0) m.ingesterRejectedSamples.labelValues(id.zone(), partitionLabel, d.label).inc(n);
        }
        if (recovering) return;
        r.firstRefused.forEach((tenant, refused) -> {
            for (Discard d : Discard.ALL) {
                long n = refused[d.ordinal()];
                if (n > 0) (d.isMetadata() ? m.discardedMetadata : d.isExemplar() ? m.discardedExemplars : m.discardedSamples)
                        .labelValues(tenant, d.label).inc(n);
            }
        });
        r.invalidRecords.forEach((reason, n) -> m.ingesterInvalidRecords.labelValues(id.zone(), partitionLabel, reason).inc(n));
    }

    @Override
    public SignalHandler<PartitionState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryFailed.class, (s, failed) -> onRecoveryFailed(failed.getFailure()))
                .onSignal(RecoveryCompleted.instance(), s -> {
                    recovering = false;
                    replayFlow().unregister(id.persistenceId());
                    deps.failures().recovered(id).ifPresent(f -> log.info("Ingester {}: recovered after {} failed attempt(s)",
                            id, f.attempts()));
                    deps.metrics().journalCorrupted.labelValues(id.zone(), partitionLabel).set(0);
                    journalNotice = JournalNotices.get(Adapter.toClassic(ctx.getSystem()))
                            .take(id.persistenceId()).orElse(null);
                    restoreOutOfOrder(s);
                    wbl.append(s.tsdb.takeOutOfOrderLog()); // taken out of order again in replay, not logged yet
                    timers.startTimerWithFixedDelay(new RefreshLag(), Duration.ZERO, deps.settings().lagRefreshInterval());
                    if (holdsNothing(s)) {
                        // A new or wiped disk: its blocks are in the bucket, and where to resume with them.
                        log.info("Ingester {}: this node holds no journal, snapshot or block of it; looking for its blocks "
                                + "in {}", id, deps.blocksStorage().bucket().describe());
                        restoreFromBucket();
                        return;
                    }
                    resumeRecovered(s);
                })
                .onSignal(SnapshotCompleted.class, (s, done) ->
                        // The events it covers go only once their out-of-order samples are in the write-behind log.
                        wbl.whenWritten("truncate", () -> truncateJournal(done.metadata().sequenceNr())))
                .onSignal(SnapshotFailed.class, (s, failed) -> {
                    log.warn("Ingester {}: snapshot failed, retrying with the next batch: {}", id, failed.getFailure().toString());
                    s.snapshotDue = true;
                })
                .onSignal(PostStop.instance(), s -> {
                    replayFlow().unregister(id.persistenceId());
                    membership.set(RingState.LEAVING);
                    if (consumerControl != null) consumerControl.shutdown();
                    s.tsdb.close();
                    membership.clearMetrics();
                })
                .build();
    }

    /** Recovered (and restored from the bucket, if it had to be): JOINING, then consumes once Kafka is checked. */
    private void resumeRecovered(PartitionState s) {
        if (s.nextOffset < s.tsdb.rebuildOffset()) {
            // No journal here (a new node): what the blocks hold need not be consumed again.
            s.nextOffset = s.tsdb.rebuildOffset();
        }
        log.info("Ingester {}: journal replayed ({} events, {} records), {} series in the head, {} blocks, "
                + "resuming partition at offset {}", id, replayedEvents, replayedRecords, s.tsdb.numSeries(),
                s.tsdb.numBlocks(), s.nextOffset);
        membership.set(RingState.JOINING);
        membership.heartbeat(s.nextOffset, s.tsdb::minTime, true);
        updateLag(s);
        timers.startTimerWithFixedDelay(new CompactHead(), deps.settings().headCompactionInterval());
        shipPending(s); // blocks cut before a restart and not shipped yet
        checkStartOffsets(); // then consumes, if Kafka still holds where it resumes
    }

    /** Whether recovery found nothing of this ingester on the node's disk: no journal, snapshot, block or tenant. */
    private boolean holdsNothing(PartitionState s) {
        return journalNotice != null && journalNotice.kind() == JournalNotices.Kind.NO_LOG && !restoredSnapshot
                && replayedEvents == 0 && s.tsdb.numBlocks() == 0 && s.tsdb.tenants.isEmpty();
    }

    /** Looks for this ingester's blocks in the bucket on a blocks-storage thread; {@link BucketRestored} says what it found. */
    private void restoreFromBucket() {
        BlocksStorage storage = deps.blocksStorage();
        Path tsdbDir = deps.settings().dataDir().resolve("tsdb");
        CompletableFuture<BucketRestore.Result> restore;
        try {
            restore = CompletableFuture.supplyAsync(() -> {
                try {
                    return BucketRestore.run(id, storage.bucket(), tsdbDir, storage.now(), storage.retentionPeriod().toMillis());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, storage.io());
        } catch (RejectedExecutionException e) { // the node is stopping
            return;
        }
        ctx.pipeToSelf(restore, BucketRestored::new);
    }

    private Effect<BatchConsumed, PartitionState> onBucketRestored(PartitionState s, BucketRestored c) {
        if (membership.state() == RingState.LEAVING) return Effect().none();
        if (c.failure() != null) {
            Throwable cause = c.failure() instanceof CompletionException && c.failure().getCause() != null
                    ? c.failure().getCause() : c.failure();
            if (cause instanceof UncheckedIOException u) cause = u.getCause();
            if (!bucketRestoreFailed) {
                log.warn("Ingester {}: cannot read its blocks from {}, trying again every {} s (it does not consume Kafka "
                        + "before, so as not to rebuild from the start what the bucket holds): {}", id,
                        deps.blocksStorage().bucket().describe(), BUCKET_RESTORE_RETRY.toSeconds(), cause.toString());
            } else {
                log.debug("Ingester {}: reading the bucket failed again: {}", id, cause.toString());
            }
            bucketRestoreFailed = true;
            timers.startSingleTimer(new RetryBucketRestore(), BUCKET_RESTORE_RETRY);
            return Effect().none();
        }
        BucketRestore.Result r = c.result();
        if (r.isEmpty()) {
            log.info("Ingester {}: {} holds no block of it ({} meta.json read)", id,
                    deps.blocksStorage().bucket().describe(), r.metasRead());
        } else {
            s.tsdb.restore(r);
            shipping.markShipped(r.downloaded());
            restoredFromBucket = r;
            s.snapshotDue = true; // the tenants' floors, for a restart before the next cut
            log.info("Ingester {}: restored from {}: {} blocks downloaded, the floors of {} tenants set by its blocks there "
                    + "({} meta.json read); its newest block {} has Kafka rebuild offset {}", id,
                    deps.blocksStorage().bucket().describe(), r.downloaded().size(), r.floors().size(), r.metasRead(),
                    r.newest(), r.rebuildOffset());
        }
        resumeRecovered(s);
        return Effect().none();
    }

    /** Ships the blocks not in the bucket yet; the entity is told each outcome. */
    private List<CompletableFuture<Shipper.Shipment>> shipPending(PartitionState s) {
        return shipping.shipPending(s.tsdb, (key, f) -> ctx.pipeToSelf(f, (shipment, err) -> new BlockShipped(key, shipment, err)));
    }

    /** Answers a flush once every shipment is over: the blocks cut, those shipped, and what failed. */
    private void replyWhenShipped(List<CompletableFuture<Shipper.Shipment>> shipments, int blocks,
                                  ActorRef<FlushReply> replyTo) {
        CompletableFuture.allOf(shipments.toArray(new CompletableFuture[0]))
                .whenComplete((v, e) -> {
                    int shipped = 0;
                    List<String> failed = new ArrayList<>();
                    for (var f : shipments) {
                        try {
                            f.join();
                            shipped++;
                        } catch (CompletionException err) {
                            failed.add(err.getCause() == null ? err.toString() : err.getCause().getMessage());
                        }
                    }
                    replyTo.tell(new FlushReply(id, blocks, shipped, failed.isEmpty() ? null
                            : "blocks cut, but not all shipped: " + String.join("; ", failed)));
                });
    }

    /**
     * Reports a failed recovery at ERROR once per node start (with the stack trace only when it is
     * not journal damage, which the message fully describes), at DEBUG when it fails again alike.
     * The entity then stops; {@link RecoveryFailures} keeps it from recovering again too soon.
     */
    private void onRecoveryFailed(Throwable cause) {
        boolean news = deps.failures().failed(id, cause, System.currentTimeMillis());
        RecoveryFailures.Failure failure = deps.failures().of(id).orElseThrow();
        JournalCorruptedException damage = RecoveryFailures.journalDamage(cause);
        deps.metrics().journalCorrupted.labelValues(id.zone(), partitionLabel).set(damage != null ? 1 : 0);
        if (!news) {
            log.debug("Ingester {}: recovery failed again ({} attempts): {}", id, failure.attempts(), failure.reason());
        } else if (damage != null) {
            log.error("Ingester {} cannot start: {} It tries again every {} s; this is logged once.", id,
                    damage.getMessage(), RecoveryFailures.RETRY_AFTER.toSeconds());
        } else {
            log.error("Ingester {} failed to recover; it tries again every {} s, and this is logged once", id,
                    RecoveryFailures.RETRY_AFTER.toSeconds(), cause);
        }
    }

    /**
     * Once a snapshot is stored, the journal events it covers and older snapshots are deleted:
     * blocks hold what was cut, the snapshot the head, so the journal keeps only later events.
     */
    private void truncateJournal(long snapshotSequenceNr) {
        Persistence persistence = Persistence.get(Adapter.toClassic(ctx.getSystem()));
        org.apache.pekko.actor.ActorRef ignore = Adapter.toClassic(ctx.getSystem().ignoreRef());
        persistence.journalFor(JOURNAL_PLUGIN, ConfigFactory.empty()).tell(
                new JournalProtocol.DeleteMessagesTo(id.persistenceId(), snapshotSequenceNr, ignore),
                org.apache.pekko.actor.ActorRef.noSender());
        persistence.snapshotStoreFor(SNAPSHOT_PLUGIN, ConfigFactory.empty()).tell(new SnapshotProtocol.DeleteSnapshots(
                id.persistenceId(), SnapshotSelectionCriteria.create(snapshotSequenceNr - 1, Long.MAX_VALUE)), ignore);
        log.info("Ingester {}: snapshot stored at event {}; journal truncated up to it", id, snapshotSequenceNr);
    }

    /**
     * Once, before the journal replays: puts the write-behind log's out-of-order samples back into
     * the heads (after a snapshot, if one was restored).
     */
    private void restoreOutOfOrder(PartitionState s) {
        List<OutOfOrderLogged> logged = wbl.takeRecovered();
        if (logged == null) return;
        long n = s.tsdb.restoreOutOfOrder(logged, wbl.loggedUpTo(), s.outOfOrderNotLogged);
        s.outOfOrderNotLogged = List.of();
        deps.metrics().ingesterAppendedSamples.labelValues(id.zone(), partitionLabel).inc(n);
        if (n > 0) log.info("Ingester {}: {} out-of-order samples restored from the write-behind log", id, n);
    }

    private ReplayFlowControl replayFlow() {
        return ReplayFlowControl.get(Adapter.toClassic(ctx.getSystem()));
    }

    private void startConsumer(PartitionState s) {
        if (consumerControl != null) return;
        try {
            consumerControl = deps.consumer().start(id, s.nextOffset, ctx.getSelf(), ConsumeBatch::new, ctx.getSystem(),
                    failure -> ctx.getSelf().tell(new ConsumerStopped(failure)));
        } catch (RuntimeException e) {
            // Not a reason to lose the recovered state: try again, as after a failed stream.
            log.warn("Ingester {}: could not start consuming, retrying in 1s: {}", id, e.toString());
            timers.startSingleTimer(new RestartConsumer(), Duration.ofSeconds(1));
        }
    }

    private void updateLag(PartitionState s) {
        membership.updateLag(s.nextOffset, s.tsdb.numSeries(), s.tsdb::minTime, resumeChecked);
    }

    private IngesterStatus status(PartitionState s) {
        return new IngesterStatus(id, membership.state(), s.nextOffset, membership.endOffset(),
                membership.lag(s.nextOffset), s.tsdb.numSeries(), deps.nodeAddress(),
                pendingLoss == null ? null : pendingLoss.lossProblem());
    }
}
