package io.mnemo.actors.ingester;

import static io.mnemo.actors.ingester.PartitionTsdbTest.HOUR;
import static io.mnemo.actors.ingester.PartitionTsdbTest.RANGE;
import static io.mnemo.actors.ingester.PartitionTsdbTest.batch;
import static io.mnemo.actors.ingester.PartitionTsdbTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.actors.MnemoMetrics;
import io.mnemo.bucketstore.BlockTransfer;
import io.mnemo.actors.storage.BlocksStorage;
import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.actors.storage.Shipper;
import io.mnemo.cluster.IngesterId;
import io.mnemo.compactor.BlocksCleaner;
import io.mnemo.compactor.CompactorConfig;
import io.mnemo.compactor.CompactorMetrics;
import io.mnemo.compactor.StreamingBlockMerger;
import io.mnemo.compactor.TenantCompaction;
import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SampleIterator;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockMeta;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.Ulid;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * An ingester's blocks and the bucket: shipped once, deleted from its disk once shipped and past
 * retention, and found again by an ingester that lost its disk.
 */
class BlockShippingTest {
    static final IngesterId ID = new IngesterId("zone-a", 0);
    static final long T0 = 1_700_006_400_000L; // 24 h aligned

    @TempDir
    Path dir;

    final AtomicLong clock = new AtomicLong(System.currentTimeMillis()); // blocks get ULIDs of the real time
    FilesystemBucket bucket;
    BlocksStorage storage;

    @BeforeEach
    void open() throws IOException {
        bucket = new FilesystemBucket(dir.resolve("bucket"));
        storage = new BlocksStorage(bucket, Duration.ofHours(13), new MnemoMetrics(new PrometheusRegistry()),
                new BlocksStorage.Backoff(2, Duration.ofMillis(10), Duration.ofMillis(10)), clock::get);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    /** A partition that took a sample an hour for {@code hours} hours in tenant "t", offsets 0.., cut as due. */
    PartitionTsdb partition(Path data, int hours) {
        PartitionTsdb tsdb = new PartitionTsdb(ID, data.resolve("tsdb"), RANGE);
        for (int h = 0; h < hours; h++) {
            tsdb.apply(batch(h, "t", record(T0 + h * HOUR)));
            tsdb.compactIfDue(h + 1);
        }
        return tsdb;
    }

    static List<CompletableFuture<Shipper.Shipment>> shipAll(BlockShipping shipping, PartitionTsdb tsdb) throws Exception {
        List<CompletableFuture<Shipper.Shipment>> all = shipping.shipPending(tsdb, (key, f) -> {});
        for (var f : all) f.get(30, TimeUnit.SECONDS);
        return all;
    }

    static int samples(PartitionTsdb tsdb, String tenant) {
        int n = 0;
        try (Querier q = tsdb.querier(tenant, Long.MIN_VALUE, Long.MAX_VALUE)) {
            SeriesSet set = q.select(false, LabelMatcher.equal("__name__", "m"));
            while (set.next()) for (SampleIterator it = set.at().iterator(); it.next(); ) n++;
        }
        return n;
    }

    @Test
    void shippedBlocksLeaveTheDiskOnceOlderThanTheRetentionPeriodAndOthersStay() throws Exception {
        Path data = dir.resolve("data");
        PartitionTsdb tsdb = partition(data, 8); // blocks [0, 2h), [2h, 4h), [4h, 6h) cut; 6h, 7h in the head
        assertEquals(3, tsdb.numBlocks());
        BlockShipping shipping = new BlockShipping(ID, storage, data, LoggerFactory.getLogger("test"));
        List<BlockReader> blocks = List.copyOf(tsdb.tenants.get("t").db.blocks());

        // Two are shipped now; the third is cut, but its upload fails (not shipped).
        Path failing = blocks.get(2).dir().resolve("index");
        Files.move(failing, failing.resolveSibling("index.away"));
        List<CompletableFuture<Shipper.Shipment>> first = shipping.shipPending(tsdb, (key, f) -> {});
        assertEquals(3, first.size());
        first.get(0).get(30, TimeUnit.SECONDS);
        first.get(1).get(30, TimeUnit.SECONDS);
        assertTrue(first.get(2).handle((s, e) -> e != null).get(30, TimeUnit.SECONDS), "the third fails");
        Files.move(failing.resolveSibling("index.away"), failing);

        clock.addAndGet(Duration.ofHours(13).toMillis() - 1);
        assertEquals(0, shipping.deleteExpired(tsdb), "not before the retention period is over");
        clock.addAndGet(1);
        assertEquals(2, shipping.deleteExpired(tsdb), "the shipped ones, 13 h after their upload");
        assertEquals(List.of(blocks.get(2).meta().ulid()), tsdb.tenants.get("t").db.blocks().stream()
                .map(b -> b.meta().ulid()).toList(), "the block not shipped stays");
        assertFalse(Files.exists(blocks.get(0).dir()));
        assertFalse(Files.exists(blocks.get(1).dir()));
        assertEquals(4, samples(tsdb, "t"), "4h to 7h: the block not shipped and the head");
        assertEquals(T0 + 6 * HOUR, tsdb.tenants.get("t").db.minValidTime(), "what the deleted blocks held stays refused");
        assertTrue(BucketLayout.meta(bucket, "t", blocks.get(0).meta().ulid()).isPresent(), "the bucket keeps them");

        shipAll(shipping, tsdb); // the next head compaction ships it
        clock.addAndGet(Duration.ofHours(13).toMillis());
        assertEquals(1, shipping.deleteExpired(tsdb));
        assertEquals(0, tsdb.numBlocks());
        assertEquals(Map.of(), storage.shipper(ID, data).shipped(), "deleted blocks leave the state file too");
        tsdb.close();
    }

    @Test
    void anIngesterWithAnEmptyDiskFindsItsBlocksFloorsAndRebuildOffsetInTheBucket() throws Exception {
        // The ingester's life before: blocks cut, shipped; another zone's ingester of the partition ships too.
        Path lost = dir.resolve("lost");
        PartitionTsdb before = partition(lost, 12); // blocks up to 10 h; 10 h, 11 h in the head
        before.tenant("u"); // a tenant without blocks has no floor
        shipAll(new BlockShipping(ID, storage, lost, LoggerFactory.getLogger("test")), before);
        long rebuildOffset = before.rebuildOffset();
        assertEquals(10, rebuildOffset, "the record of 10 h");
        List<BlockMeta> metas = before.tenants.get("t").db.blocks().stream().map(BlockReader::meta).toList();
        assertEquals(5, metas.size());
        before.close();
        Path other = dir.resolve("other");
        PartitionTsdb zoneB = new PartitionTsdb(new IngesterId("zone-b", 0), other.resolve("tsdb"), RANGE);
        for (int h = 0; h < 20; h++) {
            zoneB.apply(batch(h, "t", record(T0 + h * HOUR)));
            zoneB.compactIfDue(h + 1);
        }
        shipAll(new BlockShipping(new IngesterId("zone-b", 0), storage, other, LoggerFactory.getLogger("test")), zoneB);
        zoneB.close();

        // Its two oldest blocks were cut long ago: they are older than the retention period.
        Path bucketDir = dir.resolve("bucket");
        for (BlockMeta m : metas.subList(0, 2)) age(bucketDir, "t", m, clock.get() - Duration.ofHours(20).toMillis());

        Path fresh = dir.resolve("fresh");
        PartitionTsdb restored = new PartitionTsdb(ID, fresh.resolve("tsdb"), RANGE); // as the entity opens it: empty
        BucketRestore.Result r = BucketRestore.run(ID, bucket, fresh.resolve("tsdb"), clock.get(),
                Duration.ofHours(13).toMillis());
        assertEquals(rebuildOffset, r.rebuildOffset(), "the newest block's");
        assertEquals(Map.of("t", new BucketRestore.Floor(T0 + 10 * HOUR, 12)), r.floors());
        assertEquals(3, r.downloaded().size(), "the blocks within the retention period, none of zone-b's");

        assertEquals(0, restored.numBlocks());
        restored.restore(r);
        assertEquals(3, restored.numBlocks());
        assertEquals(rebuildOffset, restored.rebuildOffset());
        PartitionTsdb.Tenant t = restored.tenants.get("t");
        assertEquals(T0 + 10 * HOUR, t.db.minValidTime());
        assertEquals(12, t.cutOffset, "the offset reached at its newest cut");
        assertEquals(6, samples(restored, "t"), "4 h to 10 h from the downloaded blocks");

        // Kafka from the rebuild offset: the records of 10 h and 11 h go to the head, nothing twice.
        restored.apply(batch(10, "t", record(T0 + 10 * HOUR)));
        restored.apply(batch(11, "t", record(T0 + 11 * HOUR)));
        assertEquals(8, samples(restored, "t"));
        // A record before the floor (consumed again) takes nothing the blocks hold.
        PartitionTsdb.ApplyResult again = restored.apply(batch(9, "t", record(T0 + 9 * HOUR)));
        assertEquals(0, again.appended);
        assertTrue(again.firstRefused.isEmpty(), "and is not counted as refused: it was counted the first time");
        assertEquals(8, samples(restored, "t"));
        restored.close();

        // An ingester whose blocks are all older than the retention period: floors and offset, no download.
        BucketRestore.Result old = BucketRestore.run(ID, bucket, dir.resolve("later").resolve("tsdb"),
                clock.get() + Duration.ofDays(2).toMillis(), Duration.ofHours(13).toMillis());
        assertEquals(Map.of(), old.downloaded());
        assertEquals(rebuildOffset, old.rebuildOffset());
        assertEquals(Map.of("t", new BucketRestore.Floor(T0 + 10 * HOUR, 12)), old.floors());
        PartitionTsdb bare = new PartitionTsdb(ID, dir.resolve("later").resolve("tsdb"), RANGE);
        bare.restore(old);
        assertEquals(T0 + 10 * HOUR, bare.tenants.get("t").db.minValidTime());
        assertEquals(T0 + 10 * HOUR - 1, bare.tenants.get("t").head.highWaterMark());
        bare.close();
    }

    @Test
    void afterACompactionAndTheDeletionOfItsSourcesAnIngesterWithAnEmptyDiskRestoresFromTheCompactedBlocks() throws Exception {
        Path lost = dir.resolve("lost");
        PartitionTsdb before = partition(lost, 12); // blocks up to 10 h; 10 h, 11 h in the head
        shipAll(new BlockShipping(ID, storage, lost, LoggerFactory.getLogger("test")), before);
        long rebuildOffset = before.rebuildOffset();
        before.close();
        Path other = dir.resolve("other");
        PartitionTsdb zoneB = new PartitionTsdb(new IngesterId("zone-b", 0), other.resolve("tsdb"), RANGE);
        for (int h = 0; h < 12; h++) {
            zoneB.apply(batch(h, "t", record(T0 + h * HOUR)));
            zoneB.compactIfDue(h + 1);
        }
        shipAll(new BlockShipping(new IngesterId("zone-b", 0), storage, other, LoggerFactory.getLogger("test")), zoneB);
        zoneB.close();

        // The compactor merges both zones' copies and the ranges, then its cleaner deletes every source.
        java.time.Clock now = java.time.Clock.fixed(java.time.Instant.ofEpochMilli(clock.get()), java.time.ZoneOffset.UTC);
        CompactorConfig config = new CompactorConfig(Duration.ofHours(1),
                List.of(Duration.ofHours(2), Duration.ofHours(12), Duration.ofHours(24)), Duration.ZERO, Duration.ZERO,
                Duration.ofMinutes(15), dir.resolve("compactor"));
        CompactorMetrics.Counting counts = new CompactorMetrics.Counting();
        TenantCompaction.Result compacted = new TenantCompaction(bucket, config, new StreamingBlockMerger(), now, counts).run("t");
        assertTrue(compacted.compacted().size() >= 5, "the five ranges of both zones merged: " + compacted);
        java.time.Clock later = java.time.Clock.offset(now, Duration.ofSeconds(2));
        assertTrue(new BlocksCleaner(bucket, config, t -> Duration.ZERO, later, counts).clean("t").deleted() >= 10);
        for (Ulid b : BucketLayout.blocksNewestFirst(bucket, "t")) {
            BucketBlockMeta m = BucketLayout.meta(bucket, "t", b).orElseThrow();
            assertEquals(BucketBlockMeta.COMPACTOR_SOURCE, m.source(), "only compacted blocks are left: " + m);
        }

        Path fresh = dir.resolve("fresh");
        PartitionTsdb restored = new PartitionTsdb(ID, fresh.resolve("tsdb"), RANGE); // as the entity opens it: empty
        BucketRestore.Result r = BucketRestore.run(ID, bucket, fresh.resolve("tsdb"), clock.get(), Duration.ofHours(13).toMillis());
        assertEquals(rebuildOffset, r.rebuildOffset(), "the compacted block says where its newest cut of this ingester was");
        assertEquals(Map.of("t", new BucketRestore.Floor(T0 + 10 * HOUR, 12)), r.floors(), "and where its blocks ended");
        assertEquals(BucketLayout.blocksNewestFirst(bucket, "t").size(), r.downloaded().size(),
                "the compacted blocks holding its cuts within the retention period");
        restored.restore(r);
        assertEquals(rebuildOffset, restored.rebuildOffset());
        assertEquals(T0 + 10 * HOUR, restored.tenants.get("t").db.minValidTime());
        assertEquals(10, samples(restored, "t"), "0 h to 10 h, each once (both zones' copies merged)");
        restored.apply(batch(10, "t", record(T0 + 10 * HOUR)));
        restored.apply(batch(11, "t", record(T0 + 11 * HOUR)));
        assertEquals(12, samples(restored, "t"), "Kafka from the rebuild offset: nothing twice, nothing missing");
        restored.close();

        // Restarted on that disk, it opens the compacted blocks as its own, with the same rebuild offset.
        PartitionTsdb reopened = new PartitionTsdb(ID, fresh.resolve("tsdb"), RANGE);
        assertEquals(rebuildOffset, reopened.rebuildOffset());
        assertEquals(10, samples(reopened, "t"));
        reopened.close();
    }

    /** Re-uploads a block under a ULID made at {@code timeMs}, the original removed: a block cut then. */
    void age(Path bucketDir, String tenant, BlockMeta meta, long timeMs) throws IOException {
        Path tmp = Files.createTempDirectory(dir, "age");
        BucketBlockMeta bucketMeta = BucketLayout.meta(bucket, tenant, meta.ulid()).orElseThrow();
        Path local = new BlockTransfer(bucket).download(tenant, bucketMeta, tmp);
        Ulid aged = Ulid.generate(timeMs);
        Path renamed = local.resolveSibling(aged.toString());
        Files.move(local, renamed);
        BlockMeta m = bucketMeta.block();
        Files.writeString(renamed.resolve("meta.json"), new BlockMeta(aged, m.minTime(), m.maxTime(), m.numSamples(),
                m.numSeries(), m.numChunks(), m.compactionLevel(), List.of(aged)).toJson());
        new BlockTransfer(bucket).upload(tenant, renamed);
        List<String> objects = new ArrayList<>();
        bucket.iter(BucketLayout.block(tenant, meta.ulid()), true, objects::add);
        for (String o : objects) bucket.delete(o);
        try (Stream<Path> s = Files.list(bucketDir.resolve(tenant))) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().equals(aged.toString())));
        }
    }
}
