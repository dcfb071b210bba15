package io.mnemo.actors.querier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.mnemo.actors.MatcherSpec;
import io.mnemo.actors.MnemoMetrics;
import io.mnemo.actors.storegateway.StoreGateway;
import io.mnemo.actors.storegateway.StoreGatewayCommand;
import io.mnemo.actors.storegateway.StoreGateways;
import io.mnemo.actors.storegateway.SyncStatus;
import io.mnemo.bucketstore.BlockTransfer;
import io.mnemo.bucketstore.markers.DeletionMark;
import io.mnemo.bucketstore.markers.Markers;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.bucketstore.BucketStoreConfig;
import io.mnemo.cluster.BlockOwnership;
import io.mnemo.cluster.BlockOwnership.Gateway;
import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockWriter;
import io.mnemo.tsdb.head.Head;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store-gateways' side of queries against real store-gateways: {@link StoreGateway} actors
 * with real bucket stores over a filesystem bucket holding three real blocks of consecutive
 * ranges. Which gateways own which block is Mimir's consistency check's business: a gateway that
 * answers for fewer blocks than asked, or not at all, is replaced by another owner for the
 * missing ones; blocks no owner answers for fail the query with 503 naming them.
 */
class StoreGatewayQuerierTest {
    static final String TENANT = "team-a";
    static final long RANGE = 7_200_000L;
    static final long T0 = 1_700_006_400_000L;
    static final int SERIES = 300;
    static final Gateway A = new Gateway("pekko://mnemo@10.0.0.1:25520", "zone-a");
    static final Gateway B = new Gateway("pekko://mnemo@10.0.0.2:25520", "zone-b");
    static final LabelMatcher[] ALL = {LabelMatcher.of(LabelMatcher.Type.EQUAL, "__name__", "m")};

    static ActorTestKit kit;

    @TempDir
    Path dir;
    FilesystemBucket bucket;
    final List<String> blocks = new ArrayList<>();
    final List<ActorRef<StoreGatewayCommand>> started = new ArrayList<>();
    final MnemoMetrics metrics = new MnemoMetrics(new PrometheusRegistry());

    @BeforeAll
    static void startKit() {
        kit = ActorTestKit.create(ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                mnemo.read-dispatcher { type = Dispatcher, executor = "thread-pool-executor", thread-pool-executor.fixed-pool-size = 2 }
                mnemo.read-stream-dispatcher { type = Dispatcher, executor = "thread-pool-executor", thread-pool-executor.fixed-pool-size = 2 }
                """).withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stopKit() {
        kit.shutdownTestKit();
    }

    @AfterEach
    void stopGateways() throws Exception {
        for (ActorRef<StoreGatewayCommand> g : started) kit.stop(g);
        if (bucket != null) bucket.close();
    }

    /** Three blocks of consecutive ranges: series s has a sample a minute of value s + block number. */
    void bucketWithThreeBlocks() throws Exception {
        bucket = new FilesystemBucket(dir.resolve("bucket"));
        for (int b = 0; b < 3; b++) {
            Head head = new Head(RANGE, 120);
            for (int s = 0; s < SERIES; s++) {
                int ref = head.getOrCreateSeries(labels(s));
                for (long t = T0 + b * RANGE; t < T0 + (b + 1) * RANGE; t += 60_000) head.append(ref, t, s + b);
            }
            BlockMeta meta = new BlockWriter(dir.resolve("cut")).write(head, T0 + b * RANGE, T0 + (b + 1) * RANGE).orElseThrow();
            new BlockTransfer(bucket).upload(TENANT, dir.resolve("cut").resolve(meta.ulid().toString()));
            blocks.add(meta.ulid().toString());
        }
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "m", "s", String.format("%04d", s));
    }

    /**
     * A store-gateway that syncs by {@code ownership} (what it believes it owns), ignoring blocks
     * whose oldest sample is within {@code ignoreBlocksWithin} of {@code now}.
     */
    ActorRef<StoreGatewayCommand> gateway(Gateway self, BlockOwnership ownership, Duration ignoreBlocksWithin, long now)
            throws Exception {
        SyncStatus status = new SyncStatus();
        ActorRef<StoreGatewayCommand> ref = kit.spawn(StoreGateway.create(new StoreGateway.Deps(self, () -> ownership, bucket,
                dir.resolve("sync-" + self.zone()), new BucketStoreConfig(ignoreBlocksWithin, 1 << 20, 1 << 20,
                        Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC)),
                Duration.ofHours(1), false, metrics, status)));
        started.add(ref);
        status.firstSync().get(30, TimeUnit.SECONDS);
        return ref;
    }

    ActorRef<StoreGatewayCommand> gateway(Gateway self, BlockOwnership ownership) throws Exception {
        return gateway(self, ownership, Duration.ZERO, 0);
    }

    /** The cluster as the querier sees it: these gateways, each reachable. */
    static StoreGateways cluster(BlockOwnership ownership, Map<Gateway, ActorRef<StoreGatewayCommand>> refs) {
        return new StoreGateways() {
            public BlockOwnership ownership() { return ownership; }

            public ActorRef<StoreGatewayCommand> ref(Gateway g) { return refs.get(g); }

            public boolean reachable(Gateway g) { return true; }
        };
    }

    StoreGatewayQuerier querier(StoreGateways gateways) {
        return querier(gateways, Duration.ZERO);
    }

    StoreGatewayQuerier querier(StoreGateways gateways, Duration uploadGracePeriod) {
        return querier(gateways, uploadGracePeriod, Duration.ZERO);
    }

    StoreGatewayQuerier querier(StoreGateways gateways, Duration uploadGracePeriod, Duration ignoreDeletionMarksDelay) {
        return new StoreGatewayQuerier(new BlocksFinder(bucket, Duration.ofMinutes(15), ignoreDeletionMarksDelay,
                System::currentTimeMillis), gateways,
                "zone-a", Duration.ZERO, uploadGracePeriod, Duration.ofSeconds(2), metrics, kit.system().scheduler(),
                Materializer.matFromSystem(kit.system()), System::currentTimeMillis);
    }

    /** Every series of the whole range: labels → [samples, first value, last value]. */
    static Map<Labels, List<Double>> readAll(StoreGatewayQuerier q) {
        OpenStreams streams = new OpenStreams();
        SeriesSet set = streams.await(q.select(TENANT, T0, T0 + 3 * RANGE, MatcherSpec.of(ALL), false,
                new QueryLimiter(0, 0, 0), streams), System.nanoTime() + 30_000_000_000L, "test");
        Map<Labels, List<Double>> out = new TreeMap<>();
        while (set.next()) {
            int n = 0;
            double first = Double.NaN, last = Double.NaN;
            for (SampleIterator it = set.at().iterator(); it.next(); n++) {
                if (n == 0) first = it.value();
                last = it.value();
            }
            out.put(set.at().labels(), List.of((double) n, first, last));
        }
        return out;
    }

    /** Every series with every sample of all three blocks, once. */
    static void assertComplete(Map<Labels, List<Double>> got) {
        assertEquals(SERIES, got.size());
        for (int s = 0; s < SERIES; s++) {
            assertEquals(List.of(3.0 * RANGE / 60_000, (double) s, s + 2.0), got.get(labels(s)), "series " + s);
        }
    }

    double counter(io.prometheus.metrics.core.metrics.Counter c) {
        return c.get();
    }

    static void awaitTrue(String what, Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            Thread.sleep(20); // polls a condition with a deadline
        }
    }

    @Test
    void gatewaysOfBothZonesAnswerForEveryBlockOnce() throws Exception {
        bucketWithThreeBlocks();
        BlockOwnership ownership = new BlockOwnership(List.of(A, B), 2);
        Map<Gateway, ActorRef<StoreGatewayCommand>> refs = new HashMap<>();
        refs.put(A, gateway(A, ownership));
        refs.put(B, gateway(B, ownership));
        StoreGatewayQuerier q = querier(cluster(ownership, refs));
        assertComplete(readAll(q));
        OpenStreams streams = new OpenStreams();
        assertEquals(List.of("0000", "0001"), streams.await(q.labels(TENANT, "s", T0, T0 + 3 * RANGE,
                MatcherSpec.of(new LabelMatcher[] {LabelMatcher.of(LabelMatcher.Type.REGEX, "s", "000[01]")}), streams),
                System.nanoTime() + 30_000_000_000L, "test"));
        assertEquals(2, counter(metrics.querierBlocksConsistencyChecks));
        assertEquals(0, counter(metrics.querierBlocksConsistencyChecksFailed));
    }

    @Test
    void blocksTheNearestGatewayHasNotLoadedAreAskedOfAnotherOwner() throws Exception {
        bucketWithThreeBlocks();
        BlockOwnership ownership = new BlockOwnership(List.of(A, B), 2);
        Map<Gateway, ActorRef<StoreGatewayCommand>> refs = new HashMap<>();
        // A (the querier's zone, asked first) believes it owns nothing: it loads no block and
        // answers for none of those it is asked for.
        refs.put(A, gateway(A, new BlockOwnership(List.of(B), 2)));
        refs.put(B, gateway(B, ownership));
        assertComplete(readAll(querier(cluster(ownership, refs))));
        assertEquals(0, counter(metrics.querierBlocksConsistencyChecksFailed));
    }

    @Test
    void blocksNoOwnerAnswersForFailTheQueryNamingThem() throws Exception {
        bucketWithThreeBlocks();
        BlockOwnership ownership = new BlockOwnership(List.of(A, B), 2);
        // Both gateways ignore blocks starting within 2 h of T0 + 5 h: the newest, [T0 + 4 h, T0 + 6 h).
        long now = T0 + 5 * 3_600_000L;
        Map<Gateway, ActorRef<StoreGatewayCommand>> refs = new HashMap<>();
        refs.put(A, gateway(A, ownership, Duration.ofHours(2), now));
        refs.put(B, gateway(B, ownership, Duration.ofHours(2), now));
        BlocksUnavailableException e = assertThrows(BlocksUnavailableException.class, () -> readAll(querier(cluster(ownership, refs))));
        assertTrue(e.getMessage().contains("consistency check failed because some blocks were not queried"), e.getMessage());
        assertTrue(e.getMessage().contains("(err-mnemo-store-consistency-check-failed)"), e.getMessage());
        assertTrue(e.getMessage().contains("The failed blocks are: " + blocks.get(2) + " "), e.getMessage());
        assertFalse(e.getMessage().contains(blocks.get(0)) || e.getMessage().contains(blocks.get(1)),
                "the blocks answered for are not named: " + e.getMessage());
        assertTrue(e.getMessage().contains(A.address()) && e.getMessage().contains(B.address()), "both were tried: " + e.getMessage());
        assertEquals(1, counter(metrics.querierBlocksConsistencyChecksFailed));
    }

    @Test
    void aBlockMarkedForDeletionIsRequiredForHalfTheIgnoreDelayThenAskedButNotRequiredThenNotAsked() throws Exception {
        bucketWithThreeBlocks();
        BlockOwnership ownership = new BlockOwnership(List.of(A, B), 2);
        long now = T0 + 5 * 3_600_000L;
        Map<Gateway, ActorRef<StoreGatewayCommand>> refs = new HashMap<>();
        // The gateways no longer serve the newest block (as once its mark is old enough for them).
        refs.put(A, gateway(A, ownership, Duration.ofHours(2), now));
        refs.put(B, gateway(B, ownership, Duration.ofHours(2), now));
        Ulid newest = Ulid.parse(blocks.get(2));
        long nowSec = System.currentTimeMillis() / 1000;

        Markers.write(bucket, TENANT, new DeletionMark(newest, nowSec - 20 * 60, "compacted"));
        BlocksUnavailableException e = assertThrows(BlocksUnavailableException.class,
                () -> readAll(querier(cluster(ownership, refs), Duration.ZERO, Duration.ofHours(1))));
        assertTrue(e.getMessage().contains(blocks.get(2)), "marked 20 min ago, still required: " + e.getMessage());

        Markers.delete(bucket, TENANT, newest, DeletionMark.FILE);
        Markers.write(bucket, TENANT, new DeletionMark(newest, nowSec - 40 * 60, "compacted"));
        Map<Labels, List<Double>> got = readAll(querier(cluster(ownership, refs), Duration.ZERO, Duration.ofHours(1)));
        assertEquals(SERIES, got.size(), "marked 40 min ago: past half the delay, the block that replaced it answers");
        assertEquals(1, counter(metrics.querierBlocksConsistencyChecksFailed));

        StoreGatewayQuerier q = querier(cluster(ownership, refs), Duration.ZERO, Duration.ofHours(1));
        java.util.Set<String> grace = new java.util.HashSet<>();
        assertTrue(q.needed(TENANT, T0, T0 + 3 * RANGE, System.currentTimeMillis(), grace).contains(blocks.get(2)));
        assertEquals(java.util.Set.of(blocks.get(2)), grace);
        Markers.delete(bucket, TENANT, newest, DeletionMark.FILE);
        Markers.write(bucket, TENANT, new DeletionMark(newest, nowSec - 61 * 60, "compacted"));
        q = querier(cluster(ownership, refs), Duration.ZERO, Duration.ofHours(1));
        assertFalse(q.needed(TENANT, T0, T0 + 3 * RANGE, System.currentTimeMillis(), grace).contains(blocks.get(2)),
                "marked longer than the delay ago: not asked at all");
    }

    @Test
    void blocksUploadedWithinTheGracePeriodAreNotRequired() throws Exception {
        bucketWithThreeBlocks();
        BlockOwnership ownership = new BlockOwnership(List.of(A, B), 2);
        long now = T0 + 5 * 3_600_000L;
        Map<Gateway, ActorRef<StoreGatewayCommand>> refs = new HashMap<>();
        refs.put(A, gateway(A, ownership, Duration.ofHours(2), now));
        refs.put(B, gateway(B, ownership, Duration.ofHours(2), now));
        // Just uploaded: the gateways may not have synced the newest block yet; its ingesters answer for it.
        Map<Labels, List<Double>> got = readAll(querier(cluster(ownership, refs), Duration.ofMinutes(45)));
        assertEquals(SERIES, got.size());
        for (int s = 0; s < SERIES; s++) {
            assertEquals(List.of(2.0 * RANGE / 60_000, (double) s, s + 1.0), got.get(labels(s)), "the two older blocks");
        }
        assertEquals(0, counter(metrics.querierBlocksConsistencyChecksFailed));
    }

    @Test
    void aGatewayThatDoesNotAnswerIsReplacedByAnotherOwner() throws Exception {
        bucketWithThreeBlocks();
        BlockOwnership ownership = new BlockOwnership(List.of(A, B), 2);
        Map<Gateway, ActorRef<StoreGatewayCommand>> refs = new HashMap<>();
        refs.put(A, gateway(A, ownership));
        refs.put(B, gateway(B, ownership));
        kit.stop(refs.get(A)); // still listed (as a crashed node is until it is downed): asks time out
        assertComplete(readAll(querier(cluster(ownership, refs))));
        assertEquals(0, counter(metrics.querierBlocksConsistencyChecksFailed));
    }

    @Test
    void withOneReplicaAGatewayThatDoesNotAnswerFailsTheQuery() throws Exception {
        bucketWithThreeBlocks();
        BlockOwnership ownership = new BlockOwnership(List.of(A), 1);
        Map<Gateway, ActorRef<StoreGatewayCommand>> refs = new HashMap<>();
        refs.put(A, gateway(A, ownership));
        kit.stop(refs.get(A));
        BlocksUnavailableException e = assertThrows(BlocksUnavailableException.class, () -> readAll(querier(cluster(ownership, refs))));
        for (String b : blocks) assertTrue(e.getMessage().contains(b), e.getMessage());
        assertTrue(e.getMessage().contains("did not answer within PT2S"), e.getMessage());
    }

    @Test
    void aGatewaySyncsToTheOwnershipOfTheMomentLoadingAndDroppingBlocks() throws Exception {
        bucketWithThreeBlocks();
        java.util.concurrent.atomic.AtomicReference<BlockOwnership> now =
                new java.util.concurrent.atomic.AtomicReference<>(new BlockOwnership(List.of(A), 1));
        SyncStatus status = new SyncStatus();
        ActorRef<StoreGatewayCommand> a = kit.spawn(StoreGateway.create(new StoreGateway.Deps(A, now::get, bucket,
                dir.resolve("sync-a"), new BucketStoreConfig(Duration.ZERO, 1 << 20, 1 << 20, Clock.systemUTC()),
                Duration.ofHours(1), false, metrics, status)));
        started.add(a);
        status.firstSync().get(30, TimeUnit.SECONDS);
        assertEquals(3, status.blocksLoaded(), "alone, it owns every block");

        // Four more gateways join (in its zone and another): it keeps only the blocks still its own.
        List<Gateway> more = new ArrayList<>(List.of(A, B));
        for (int i = 3; i <= 5; i++) more.add(new Gateway("pekko://mnemo@10.0.0." + i + ":25520", i % 2 == 0 ? "zone-b" : "zone-a"));
        BlockOwnership five = new BlockOwnership(more, 1);
        long mine = blocks.stream().filter(b -> five.owns(A, b)).count();
        now.set(five);
        a.tell(new StoreGatewayCommand.Sync());
        awaitTrue("synced to the new ownership", Duration.ofSeconds(30), () -> status.blocksLoaded() == mine);
        assertEquals(3 - mine, counter(metrics.bucketStoreBlockDrops), "the others were dropped");
        assertEquals(mine, status.loaded().size());
        for (SyncStatus.LoadedBlock l : status.loaded()) assertTrue(five.owns(A, l.ulid()), l.ulid());

        // They leave again: it loads every block once more.
        now.set(new BlockOwnership(List.of(A), 1));
        a.tell(new StoreGatewayCommand.Sync());
        awaitTrue("all blocks again", Duration.ofSeconds(30), () -> status.blocksLoaded() == 3);
    }

    @Test
    void noBlockInTheRangeAsksNobody() throws Exception {
        bucketWithThreeBlocks();
        StoreGatewayQuerier q = querier(cluster(new BlockOwnership(List.of(), 2), Map.of()));
        OpenStreams streams = new OpenStreams();
        SeriesSet set = streams.await(q.select(TENANT, T0 - 10 * RANGE, T0 - 1, MatcherSpec.of(ALL), false,
                new QueryLimiter(0, 0, 0), streams), System.nanoTime() + 10_000_000_000L, "test");
        assertFalse(set.next());
        assertEquals(0, counter(metrics.querierBlocksConsistencyChecks));
        assertThrows(BlocksUnavailableException.class, () -> readAll(q), "blocks but no store-gateway: 503, not empty");
        StoreGatewayQuerier justUploaded = querier(cluster(new BlockOwnership(List.of(), 2), Map.of()), Duration.ofMinutes(45));
        assertEquals(Map.of(), readAll(justUploaded), "blocks just uploaded are still the ingesters' to answer");
    }
}
