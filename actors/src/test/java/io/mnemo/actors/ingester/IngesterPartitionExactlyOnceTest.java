package io.mnemo.actors.ingester;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.MnemoSettings;
import io.mnemo.actors.TenantId;
import io.mnemo.actors.ingest.ConsumedBatch;
import io.mnemo.actors.ingest.IngestRecordWriter;
import io.mnemo.actors.ingest.PartitionOffsetReader;
import io.mnemo.actors.ingest.PartitionReader;
import io.mnemo.actors.ingester.IngesterCommand.ConsumeBatch;
import io.mnemo.actors.ingester.IngesterCommand.Flush;
import io.mnemo.actors.ingester.IngesterCommand.FlushReply;
import io.mnemo.actors.ingester.IngesterCommand.GetStatus;
import io.mnemo.actors.ingester.IngesterCommand.IngesterStatus;
import io.mnemo.actors.ingester.IngesterCommand.Select;
import io.mnemo.actors.ingester.IngesterCommand.StreamReply;
import io.mnemo.actors.readpath.ReadStreams;
import io.mnemo.actors.storage.BlocksStorage;
import io.mnemo.cluster.IngesterId;
import io.mnemo.cluster.RingState;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.Series;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.SeriesSetCodec;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.kafka.javadsl.Consumer.Control;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.internal.EventSourcedBehaviorImpl;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingester entity's exactly-once rules, on the real {@link IngesterPartition} (its command and
 * event handlers, heads, blocks, snapshots and write-behind log) with Pekko's
 * {@link EventSourcedBehaviorTestKit}: journal and snapshots in memory, Kafka replaced by
 * {@link FakeKafka} (the test hands the entity its batches, as the consumer stream would, and
 * sees where the entity asks the stream to start). What is queryable is read through the
 * entity's own {@link Select} answer, frames and all.
 */
class IngesterPartitionExactlyOnceTest {
    private static final long HOUR = 3_600_000L;
    private static final long MINUTE = 60_000L;
    private static final long T = 10 * HOUR;
    /** A tenant with an out-of-order window (the others have none, the default). */
    private static final String OOO_TENANT = "ooo";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ActorTestKit actors;
    private Materializer mat;

    @TempDir
    Path dataDir;

    private final IngesterId id = new IngesterId("zone-a", 3);
    private final FakeKafka kafka = new FakeKafka();
    private MnemoMetrics metrics;
    /** The bucket is a directory under the data directory, as on a single node. */
    private BlocksStorage storage;
    private EventSourcedBehaviorTestKit<IngesterCommand, BatchConsumed, PartitionState> kit;

    /**
     * The persistence testkit's in-memory journal under the ingester's journal plugin id (its
     * write-behind log writes there too), keeping its events where the testkit reads them: the
     * testkit's stores are per plugin id, and it reads those of its own ids.
     */
    public static final class InMemoryJournal extends PersistenceTestKitPlugin {
        public InMemoryJournal(Config cfg, String cfgPath) {
            super(cfg, PersistenceTestKitPlugin.PluginId());
        }
    }

    /** The persistence testkit's in-memory snapshot store under the ingester's snapshot plugin id, likewise. */
    public static final class InMemorySnapshotStore extends PersistenceTestKitSnapshotPlugin {
        public InMemorySnapshotStore(Config cfg, String cfgPath) {
            super(cfg, PersistenceTestKitSnapshotPlugin.PluginId());
        }
    }

    /**
     * Kafka as the entity sees it: where the partition starts and ends, as the test sets them, and
     * the offsets the entity asked its consumer stream to start at. No stream runs: the test sends
     * the batches itself.
     */
    static final class FakeKafka implements PartitionReader, PartitionOffsetReader {
        /** Kafka's end offset: moved along as the test hands over records (the partition starts at 0). */
        volatile long end;
        final BlockingQueue<Long> starts = new LinkedBlockingQueue<>();

        @Override
        public <C> Control start(IngesterId id, long fromOffset, ActorRef<C> ingester,
                                 BiFunction<ConsumedBatch, ActorRef<Done>, C> message,
                                 ActorSystem<?> system, Consumer<Throwable> onStop) {
            starts.add(fromOffset);
            return org.apache.pekko.kafka.javadsl.Consumer.createNoopControl();
        }

        @Override
        public CompletionStage<Long> endOffset(int partition) {
            return CompletableFuture.completedFuture(end);
        }

        @Override
        public CompletionStage<Long> earliestOffset(int partition) {
            return CompletableFuture.completedFuture(0L);
        }

        /** The offset the entity asked the next consumer stream to start at. */
        long nextStart() throws InterruptedException {
            Long from = starts.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertTrue(from != null, "the entity started no consumer stream");
            return from;
        }
    }

    /** One actor system per test: its in-memory journal and snapshots, and the entity, go with it. */
    @BeforeEach
    void startIngester() {
        Config config = ConfigFactory.parseString("""
                        pekko.actor.provider = local
                        pekko.loglevel = WARNING
                        mnemo.data-dir = "%s"
                        mnemo.persistence.journal.class = "%s"
                        mnemo.persistence.snapshot-store.class = "%s"
                        mnemo.ingester.head-compaction-interval = 1h
                        mnemo.limits.tenants."%s".out-of-order-time-window = 1h
                        """.formatted(dataDir, InMemoryJournal.class.getName(), InMemorySnapshotStore.class.getName(),
                        OOO_TENANT))
                .withFallback(EventSourcedBehaviorTestKit.config())
                .withFallback(ConfigFactory.parseFile(new File("../conf/application.conf")))
                .withFallback(ConfigFactory.load())
                .resolve();
        actors = ActorTestKit.create("ingester-exactly-once", config);
        mat = Materializer.matFromSystem(actors.system());
        metrics = new MnemoMetrics(new PrometheusRegistry());
        MnemoSettings settings = MnemoSettings.from(config);
        try {
            storage = new BlocksStorage(io.mnemo.objstore.Buckets.open(settings.blocksStorage()),
                    settings.tsdbRetentionPeriod(), metrics,
                    new BlocksStorage.Backoff(2, Duration.ofMillis(10), Duration.ofMillis(10)), System::currentTimeMillis);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        IngesterPartition.Deps deps = new IngesterPartition.Deps(settings, metrics, kafka, kafka,
                "test-node", actors.system().ignoreRef(), new RecoveryFailures(), storage);
        // Events are checked to survive the journal's serializer (Kryo); the state is not serialized.
        kit = EventSourcedBehaviorTestKit.create(actors.system(), forTestKit(IngesterPartition.create(id, deps)),
                new EventSourcedBehaviorTestKit.SerializationSettings(true, false, false, true, false));
    }

    @AfterEach
    void stopIngester() {
        actors.shutdownTestKit(); // the entity stops and closes its databases before the data directory goes
        storage.close();
    }

    /**
     * The entity is an event-sourced behavior behind a short setup that waits for its write-behind
     * log's replay, stashing the entity's commands meanwhile; the testkit's own questions are not
     * commands. Its first, the persistence id, is a signal, answered here; its others (the state)
     * are held here until the write-behind log has answered, then sent again. Everything else goes
     * through untouched.
     */
    private Behavior<IngesterCommand> forTestKit(Behavior<IngesterCommand> entity) {
        PersistenceId pid = PersistenceId.ofUniqueId(id.persistenceId());
        return Behaviors.intercept(() -> new BehaviorInterceptor<Object, IngesterCommand>(Object.class) {
            private final List<Object> held = new ArrayList<>();
            private boolean started;

            @Override
            @SuppressWarnings({"unchecked", "rawtypes"}) // the entity takes the testkit's messages, which are not commands
            public Behavior<IngesterCommand> aroundReceive(TypedActorContext<Object> ctx, Object msg,
                                                           ReceiveTarget<IngesterCommand> target) {
                if (started) return ((ReceiveTarget) target).apply(ctx, msg);
                if (!(msg instanceof IngesterCommand command)) {
                    held.add(msg);
                    return Behaviors.same();
                }
                if (command instanceof IngesterCommand.OutOfOrderLogRecovered) {
                    started = true;
                    held.forEach(ctx.asJava().getSelf()::tell);
                    held.clear();
                }
                return target.apply(ctx, command);
            }

            @Override
            public Behavior<IngesterCommand> aroundSignal(TypedActorContext<Object> ctx, Signal signal,
                                                          SignalTarget<IngesterCommand> target) {
                if (!(signal instanceof EventSourcedBehaviorImpl.GetPersistenceId get)) return target.apply(ctx, signal);
                get.replyTo().tell(pid);
                return Behaviors.same();
            }
        }, entity).narrow();
    }

    // ---------------------------------------------------------------- the rules

    @Test
    void aBatchIsJournaledAsOneEventAndAppliedOnce() throws Exception {
        assertEquals(0, kafka.nextStart(), "an ingester with an empty journal consumes from the partition's start");
        var result = consume(batch(0, "t", record("m", T), record("m", T + MINUTE), record("n", T, T + MINUTE)));

        assertEquals(1, result.events().size(), "one journal event per batch");
        BatchConsumed event = result.events().get(0);
        assertArrayEquals(new long[] {0, 1, 2}, event.offsets());
        assertArrayEquals(new String[] {"t", "t", "t"}, event.tenants());
        assertEquals(3, result.state().nextOffset);
        assertEquals(List.of(
                "{__name__=\"m\"} " + T, "{__name__=\"m\"} " + (T + MINUTE),
                "{__name__=\"n\"} " + T, "{__name__=\"n\"} " + (T + MINUTE)), samples("t"));
        assertEquals(4, appendedSamples(), "each sample appended once");
        assertEquals(1, metrics.journalEvents.labelValues(id.zone(), "3").get());
    }

    @Test
    void recordsKafkaHandsOverAgainAreNeitherJournaledNorApplied() throws Exception {
        kafka.nextStart();
        byte[][] records = {record("m", T), record("m", T + MINUTE), record("m", T + 2 * MINUTE),
                record("m", T + 3 * MINUTE), record("m", T + 4 * MINUTE)};
        consume(batch(0, "t", records[0], records[1], records[2]));
        List<String> before = samples("t");

        // A restarted consumer stream hands over records the journal holds: whole batches, or a part of one.
        var again = consume(batch(0, "t", records[0], records[1], records[2]));
        assertTrue(again.hasNoEvents(), "a batch journaled already is not journaled again");
        assertTrue(consume(batch(1, "t", records[1])).hasNoEvents(), "nor a part of one");
        assertEquals(3, again.state().nextOffset);
        assertEquals(before, samples("t"));

        var overlapping = consume(batch(1, "t", records[1], records[2], records[3], records[4]));
        assertEquals(1, overlapping.events().size());
        assertArrayEquals(new long[] {3, 4}, overlapping.event().offsets(), "only the records after the journaled ones");
        assertArrayEquals(new byte[][] {records[3], records[4]}, overlapping.event().values());
        assertEquals(5, overlapping.state().nextOffset);

        assertEquals(LongStream.range(0, 5).boxed().toList(), journaledOffsets(), "each offset journaled once");
        assertEquals(5, samples("t").size());
        assertEquals(5, appendedSamples());
        // Applied twice, the older records' samples would be refused as out of order, and counted.
        assertEquals(0, discarded("t", Discard.SAMPLE_OUT_OF_ORDER));
    }

    @Test
    void aRestartReplaysTheJournalIntoTheSameStateAndResumesAfterIt() throws Exception {
        kafka.nextStart();
        consume(new ConsumedBatch(new long[] {0, 1}, new String[] {"a", "b"},
                new byte[][] {record("m", T), record("m", T)}, new int[] {1, 1}));
        consume(new ConsumedBatch(new long[] {2, 3, 4}, new String[] {"a", "a", "b"},
                new byte[][] {record("m", T + MINUTE), record("n", T + MINUTE), record("m", T + 2 * MINUTE)},
                new int[] {1, 1, 1}));
        List<String> a = samples("a");
        List<String> b = samples("b");
        assertEquals(3, a.size());
        assertEquals(2, b.size());

        PartitionState recovered = kit.restart().state();
        assertEquals(5, recovered.nextOffset, "the offset after the last journaled record");
        assertEquals(3, recovered.tsdb.numSeries());
        assertEquals(5, kafka.nextStart(), "consuming resumes after the last journaled record");
        assertEquals(a, samples("a"));
        assertEquals(b, samples("b"));

        // Records journaled before the restart, handed over again, are still skipped.
        assertTrue(consume(batch(2, "a", record("m", T + MINUTE), record("n", T + MINUTE))).hasNoEvents(),
                "journaled before the restart");
        var next = consume(batch(4, "b", record("m", T + 2 * MINUTE), record("m", T + 3 * MINUTE)));
        assertArrayEquals(new long[] {5}, next.event().offsets());
        assertEquals(a, samples("a"));
        assertEquals(3, samples("b").size());

        // Once more, with an event journaled by the restarted entity.
        List<String> bAfter = samples("b");
        assertEquals(6, kit.restart().state().nextOffset);
        assertEquals(6, kafka.nextStart());
        assertEquals(a, samples("a"));
        assertEquals(bAfter, samples("b"));
        assertEquals(LongStream.range(0, 6).boxed().toList(), journaledOffsets());
    }

    @Test
    void invalidRecordsAreSkippedTheirOffsetsConsumedAndCountedOnlyWhenFirstConsumed() throws Exception {
        kafka.nextStart();
        String badTenant = "../x";
        String badTenantReason = TenantId.problem(badTenant).label;
        ConsumedBatch mixed = new ConsumedBatch(
                new long[] {0, 1, 2, 3, 4, 5},
                new String[] {"t", badTenant, "t", "t", "t", "t"},
                new byte[][] {
                        record("m", T),
                        record("m", T),                 // key is not a tenant id
                        new byte[] {0x0a, 0x7f},         // does not decode
                        null,                            // version 2: refused by the consumer
                        record("m", T - 2 * HOUR),      // out of bounds (before T - block range / 2)
                        record("m", T + MINUTE)},
                new int[] {1, 1, 1, 2, 1, 1});
        var result = consume(mixed);
        assertEquals(1, result.events().size());
        assertArrayEquals(mixed.offsets(), result.event().offsets(), "every record is journaled, refused ones too");
        assertArrayEquals(mixed.tenants(), result.event().tenants());
        assertArrayEquals(mixed.values()[2], result.event().values()[2]);
        assertNull(result.event().values()[3], "a record of an unknown version is journaled without its value");
        assertEquals(6, result.state().nextOffset, "the offsets of skipped records count as consumed");
        List<String> valid = List.of("{__name__=\"m\"} " + T, "{__name__=\"m\"} " + (T + MINUTE));
        assertEquals(valid, samples("t"));
        assertEquals(1, invalidRecords(badTenantReason));
        assertEquals(1, invalidRecords(PartitionTsdb.MALFORMED_RECORD));
        assertEquals(1, invalidRecords("unknown-record-version"));
        assertEquals(1, discarded("t", Discard.SAMPLE_OUT_OF_BOUNDS));

        // The journal replays them all again: skipped again, counted no more.
        PartitionState recovered = kit.restart().state();
        assertEquals(6, recovered.nextOffset);
        assertEquals(6, kafka.nextStart());
        assertEquals(valid, samples("t"));
        assertEquals(1, invalidRecords(badTenantReason));
        assertEquals(1, invalidRecords(PartitionTsdb.MALFORMED_RECORD));
        assertEquals(1, invalidRecords("unknown-record-version"));
        assertEquals(1, discarded("t", Discard.SAMPLE_OUT_OF_BOUNDS));

        // Handed over again by Kafka: skipped as journaled; a new invalid record is counted.
        assertTrue(consume(mixed).hasNoEvents(), "journaled before the restart");
        consume(new ConsumedBatch(new long[] {6}, new String[] {badTenant}, new byte[][] {record("m", T)}, new int[] {1}));
        assertEquals(2, invalidRecords(badTenantReason));
        assertEquals(1, invalidRecords(PartitionTsdb.MALFORMED_RECORD));
        assertEquals(1, invalidRecords("unknown-record-version"));
        assertEquals(valid, samples("t"));
    }

    /**
     * Out-of-order samples before and after a cut, then a restart: the blocks hold what the cut
     * took (out-of-order samples included), the snapshot the head after it, the write-behind log
     * the later out-of-order sample, and the journal only the events after the snapshot.
     */
    @Test
    void outOfOrderSamplesAndACutSurviveARestartOnceEach() throws Exception {
        kafka.nextStart();
        consume(batch(0, OOO_TENANT,
                record("m", T),
                record("m", T - 10 * MINUTE),   // out of order, within the window
                record("m", T + MINUTE)));
        FlushReply flushed = kit.<FlushReply>runCommand(Flush::new).reply();
        assertNull(flushed.error());
        assertEquals(1, flushed.blocks(), "the head's range, its out-of-order sample merged in");
        assertTrue(kit.getState().snapshotDue);

        // The next event takes the snapshot. Its second record's sample, T + 30s, is out of order
        // again: before the block's end, within the window, so it goes to the write-behind log.
        consume(batch(3, OOO_TENANT, record("m", T + 3 * MINUTE / 2), record("m", T + MINUTE / 2)));
        actors.createTestProbe().awaitAssert(TIMEOUT, () -> {
            assertEquals(1, kit.snapshotTestKit().orElseThrow().persistedInStorage(id.persistenceId()).size(),
                    "snapshot stored");
            assertEquals(List.of(), journaledOffsets(), "journal truncated up to the snapshot");
            return null;
        });
        List<String> expected = List.of(
                "{__name__=\"m\"} " + (T - 10 * MINUTE), "{__name__=\"m\"} " + T,
                "{__name__=\"m\"} " + (T + MINUTE / 2), "{__name__=\"m\"} " + (T + MINUTE),
                "{__name__=\"m\"} " + (T + 3 * MINUTE / 2));
        assertEquals(expected, samples(OOO_TENANT));

        PartitionState recovered = kit.restart().state();
        assertEquals(5, recovered.nextOffset);
        assertEquals(5, kafka.nextStart());
        assertEquals(expected, samples(OOO_TENANT), "blocks, snapshot and write-behind log: each sample once");

        // Kafka hands everything over again: nothing journaled, nothing doubled.
        assertTrue(consume(batch(0, OOO_TENANT, record("m", T), record("m", T - 10 * MINUTE), record("m", T + MINUTE),
                record("m", T + 3 * MINUTE / 2), record("m", T + MINUTE / 2))).hasNoEvents(), "journaled before the restart");
        assertEquals(expected, samples(OOO_TENANT));
        assertEquals(0, discarded(OOO_TENANT, Discard.SAMPLE_TOO_OLD));
        assertEquals(0, discarded(OOO_TENANT, Discard.SAMPLE_OUT_OF_BOUNDS));

        // And a second restart, with a journal event after it, still reads each sample once.
        consume(batch(5, OOO_TENANT, record("m", T + MINUTE / 4)));
        List<String> more = new ArrayList<>(expected);
        more.add(2, "{__name__=\"m\"} " + (T + MINUTE / 4));
        assertEquals(more, samples(OOO_TENANT));
        assertEquals(6, kit.restart().state().nextOffset);
        assertEquals(more, samples(OOO_TENANT));
    }

    /**
     * A flush answers once its blocks are in the bucket, or with the failure naming the block; a
     * block that failed to ship is shipped at a later head compaction, and never twice.
     */
    @Test
    void aFlushShipsItsBlocksAndSaysWhichFailed() throws Exception {
        kafka.nextStart();
        consume(batch(0, "t", record("m", T), record("m", T + MINUTE)));
        FlushReply flushed = kit.<FlushReply>runCommand(Flush::new).reply();
        assertNull(flushed.error());
        assertEquals(1, flushed.blocks());
        assertEquals(1, flushed.shipped());
        Path bucketDir = dataDir.resolve("blocks");
        String first = onlyBlock(bucketDir.resolve("t"));
        assertTrue(java.nio.file.Files.isRegularFile(bucketDir.resolve("t").resolve(first).resolve("meta.json")),
                "in the bucket when the flush answers");
        assertEquals(1, metrics.shipperUploads.labelValues(id.zone(), "3").get());

        // The bucket fails (its directory replaced by a file): the flush says which block did not go.
        java.nio.file.Path moved = dataDir.resolve("blocks-away");
        java.nio.file.Files.move(bucketDir, moved);
        java.nio.file.Files.writeString(bucketDir, "not a directory");
        consume(batch(2, "t", record("m", T + 2 * MINUTE)));
        FlushReply failed = kit.<FlushReply>runCommand(Flush::new).reply();
        assertEquals(1, failed.blocks());
        assertEquals(0, failed.shipped());
        String second = kit.getState().tsdb.tenants.get("t").db.blocks().get(1).meta().ulid().toString();
        assertTrue(failed.error() != null && failed.error().contains("t/" + second + " not shipped")
                && failed.error().contains("(2 attempts)"), String.valueOf(failed.error()));
        assertEquals(2, metrics.shipperUploadFailures.labelValues(id.zone(), "3").get(), "each attempt counted");

        // The bucket is back: the next head compaction ships what is missing, and only that.
        java.nio.file.Files.delete(bucketDir);
        java.nio.file.Files.move(moved, bucketDir);
        kit.runCommand(new IngesterCommand.CompactHead());
        actors.createTestProbe().awaitAssert(TIMEOUT, () -> {
            assertEquals(2, metrics.shipperUploads.labelValues(id.zone(), "3").get());
            return null;
        });
        assertTrue(java.nio.file.Files.isRegularFile(bucketDir.resolve("t").resolve(second).resolve("meta.json")));
        FlushReply again = kit.<FlushReply>runCommand(Flush::new).reply();
        assertEquals(0, again.blocks());
        assertEquals(0, again.shipped(), "nothing left to ship");
        assertNull(again.error());
        assertEquals(2, metrics.shipperUploads.labelValues(id.zone(), "3").get(), "no block uploaded twice");
    }

    private static String onlyBlock(Path tenantDir) throws java.io.IOException {
        try (var s = java.nio.file.Files.list(tenantDir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            assertEquals(1, names.size(), names.toString());
            return names.get(0);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Hands the entity a batch as its consumer stream would, and waits for its answer. */
    private EventSourcedBehaviorTestKit.CommandResultWithReply<IngesterCommand, BatchConsumed, PartitionState, Done> consume(
            ConsumedBatch batch) {
        kafka.end = Math.max(kafka.end, batch.offsets()[batch.offsets().length - 1] + 1);
        var result = kit.<Done>runCommand(replyTo -> new ConsumeBatch(batch, replyTo));
        assertEquals(Done.getInstance(), result.reply());
        return result;
    }

    /** Consecutive records of one tenant from {@code firstOffset} on. */
    private static ConsumedBatch batch(long firstOffset, String tenant, byte[]... records) {
        long[] offsets = LongStream.range(firstOffset, firstOffset + records.length).toArray();
        String[] tenants = new String[records.length];
        Arrays.fill(tenants, tenant);
        int[] versions = new int[records.length];
        Arrays.fill(versions, 1);
        return new ConsumedBatch(offsets, tenants, records, versions);
    }

    /** An ingest record of one series {@code {__name__=metric}} with samples at these times (value: seconds). */
    private static byte[] record(String metric, long... timestamps) {
        IngestRecordWriter w = new IngestRecordWriter();
        w.beginSeries();
        w.labels(new int[] {w.symbol("__name__"), w.symbol(metric)}, 2);
        for (long t : timestamps) w.sample(t, Double.doubleToRawLongBits(t / 1000.0));
        w.endSeries();
        return w.toByteArray();
    }

    /**
     * A tenant's samples as the entity answers a select of all its series ({@code labels timestamp}
     * in series and time order), once it is ACTIVE; each value is checked to be the sample's own.
     */
    private List<String> samples(String tenant) throws Exception {
        actors.createTestProbe().awaitAssert(TIMEOUT, () -> {
            IngesterStatus status = kit.<IngesterStatus>runCommand(GetStatus::new).reply();
            assertEquals(RingState.ACTIVE, status.state());
            return null;
        });
        StreamReply reply = kit.<StreamReply>runCommand(replyTo -> new Select(tenant, Long.MIN_VALUE, Long.MAX_VALUE,
                new MatcherSpec[] {MatcherSpec.of(LabelMatcher.regex("__name__", ".+"))}, false, replyTo)).reply();
        assertNull(reply.answer().error());
        List<byte[]> frames = new ArrayList<>();
        ReadStreams.collect("ingester " + id, reply.answer(), TIMEOUT, frames::add, k -> {}, mat)
                .toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        SeriesSet set = SeriesSetCodec.decodeFrames(frames);
        List<String> out = new ArrayList<>();
        while (set.next()) {
            Series series = set.at();
            SampleIterator it = series.iterator();
            while (it.next()) {
                assertEquals(it.timestamp() / 1000.0, it.value());
                out.add(series.labels() + " " + it.timestamp());
            }
        }
        return out;
    }

    /** The offsets of every event in the journal, in order. */
    private List<Long> journaledOffsets() {
        List<Long> out = new ArrayList<>();
        for (Object e : kit.persistenceTestKit().persistedInStorage(id.persistenceId())) {
            for (long o : ((BatchConsumed) e).offsets()) out.add(o);
        }
        return out;
    }

    private long appendedSamples() {
        return (long) metrics.ingesterAppendedSamples.labelValues(id.zone(), "3").get();
    }

    private long invalidRecords(String reason) {
        return (long) metrics.ingesterInvalidRecords.labelValues(id.zone(), "3", reason).get();
    }

    private long discarded(String tenant, Discard reason) {
        return (long) metrics.discardedSamples.labelValues(tenant, reason.label).get();
    }
}
