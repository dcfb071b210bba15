package io.mnemo.compactor;

import static io.mnemo.compactor.TestData.DAY0;
import static io.mnemo.compactor.TestData.H2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.TestBlocks;
import io.mnemo.bucketstore.bucketindex.BucketIndex;
import io.mnemo.bucketstore.markers.DeletionMark;
import io.mnemo.bucketstore.markers.Markers;
import io.mnemo.bucketstore.markers.NoCompactMark;
import io.mnemo.bucketstore.markers.TenantDeletionMark;
import io.mnemo.objstore.Bucket;
import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.objstore.S3Bucket;
import io.mnemo.objstore.S3ProxyServer;
import io.mnemo.tsdb.block.Ulid;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction passes over a bucket: the zones' copies and a day of two-hour blocks into one block, crash safety, corrupt blocks. */
class TenantCompactionTest {
    static final List<String> TENANTS = List.of("team-a", "team-b");

    @TempDir
    Path dir;
    final TestData.MutableClock clock = new TestData.MutableClock(Instant.now().plus(Duration.ofHours(1)));
    final CompactorMetrics.Counting metrics = new CompactorMetrics.Counting();
    final TestMerger merger = new TestMerger();

    CompactorConfig config() {
        return CompactorConfig.defaults(dir.resolve("compactor"));
    }

    /**
     * Both zones ship the same 12 two-hour blocks of a day per tenant; team-a's zone-a also an
     * out-of-order block over the fourth range, with samples between the others'. Returns what
     * each tenant holds.
     */
    Map<String, TestData.Samples> shipDay(Bucket bucket, int series) throws IOException {
        Map<String, TestData.Samples> expected = new java.util.TreeMap<>();
        for (String tenant : TENANTS) {
            TestData.Samples samples = new TestData.Samples();
            for (int i = 0; i < 12; i++) {
                for (String zone : List.of("zone-a", "zone-b")) {
                    TestData.ship(bucket, dir.resolve("ingesters"), tenant, zone, DAY0 + i * H2, DAY0 + (i + 1) * H2, series, 60_000, 0,
                            samples);
                }
            }
            if (tenant.equals("team-a")) {
                TestData.ship(bucket, dir.resolve("ingesters"), tenant, "zone-a", DAY0 + 3 * H2, DAY0 + 4 * H2, series, 300_000, 30_000,
                        samples);
            }
            expected.put(tenant, samples);
        }
        return expected;
    }

    @Test
    void aDayOfBothZonesBlocksBecomesOneBlockPerTenantOnAFilesystem() throws Exception {
        try (FilesystemBucket bucket = new FilesystemBucket(dir.resolve("bucket"))) {
            aDayBecomesOneBlock(bucket, 20);
        }
    }

    @Test
    void aDayOfBothZonesBlocksBecomesOneBlockPerTenantOnS3() throws Exception {
        try (S3ProxyServer proxy = new S3ProxyServer(dir.resolve("s3"))) {
            proxy.createBucket("mnemo-blocks");
            try (S3Bucket bucket = new S3Bucket(proxy.config("mnemo-blocks"))) {
                aDayBecomesOneBlock(bucket, 5);
            }
        }
    }

    @Test
    void theNodesStreamingMergerCompactsADayIntoExactlyTheSamplesShipped() throws Exception {
        try (FilesystemBucket bucket = new FilesystemBucket(dir.resolve("bucket"))) {
            Map<String, TestData.Samples> expected = shipDay(bucket, 20);
            TenantCompaction compaction = new TenantCompaction(bucket, config(), new StreamingBlockMerger(), clock, metrics);
            for (String tenant : TENANTS) {
                TenantCompaction.Result r = compaction.run(tenant);
                assertEquals(15, r.compacted().size(), tenant);
                BucketIndex index = BucketIndex.read(bucket, tenant).orElseThrow();
                assertEquals(1, index.liveBlocks().size(), tenant + ": " + index.liveBlocks());
                assertEquals(4, index.liveBlocks().get(0).compactionLevel());
                TestData.Samples got = TestData.live(bucket, tenant, dir.resolve("check-" + tenant));
                assertEquals(expected.get(tenant).bySeries, got.bySeries, tenant + ": exactly the samples shipped");
                assertEquals(expected.get(tenant).count, got.count, tenant + ": none twice");
            }
            assertEquals(0, metrics.compactionFailures.get());
        }
    }

    void aDayBecomesOneBlock(Bucket bucket, int series) throws IOException {
        Map<String, TestData.Samples> expected = shipDay(bucket, series);
        TenantCompaction compaction = new TenantCompaction(bucket, config(), merger, clock, metrics);
        for (String tenant : TENANTS) {
            int shipped = tenant.equals("team-a") ? 25 : 24;
            TenantCompaction.Result r = compaction.run(tenant);
            // 12 vertical merges, two 12 h ones, one 24 h one.
            assertEquals(15, r.compacted().size(), tenant);
            assertEquals(0, r.failed());
            assertEquals(shipped + 12 + 2, r.marked(), "every source marked once");
            BucketIndex index = BucketIndex.read(bucket, tenant).orElseThrow();
            assertEquals(r.index().blocks(), index.blocks(), "the index written is the one returned");
            assertEquals(1, index.liveBlocks().size(), tenant + ": " + index.liveBlocks());
            BucketIndex.Block day = index.liveBlocks().get(0);
            assertEquals(List.of(DAY0, DAY0 + 12 * H2), List.of(day.minTime(), day.maxTime()));
            assertEquals("compactor", day.source());
            assertEquals(4, day.compactionLevel());
            assertEquals(shipped + 12 + 2 + 1, index.blocks().size());
            assertEquals(shipped + 12 + 2, index.blockDeletionMarks().size());
            BucketBlockMeta meta = BucketLayout.meta(bucket, tenant, day.id()).orElseThrow();
            assertNull(meta.origin(), "a compacted block is no one ingester's");
            assertEquals(List.of("zone-a", "zone-b"), meta.sourceOrigins().stream().map(o -> o.origin().zone()).toList(),
                    "what it holds of each ingester's blocks, for a restore once they are gone");
            for (var o : meta.sourceOrigins()) {
                assertEquals(List.of(0, 100L, 90L, DAY0 + 12 * H2), List.of(o.origin().partition(), o.origin().nextOffset(),
                        o.origin().rebuildOffset(), o.maxTime()), "the newest source's offsets and the greatest end: " + o);
            }
            assertEquals(shipped, meta.block().sources().size(), "its sources are the ingesters' blocks");

            TestData.Samples got = TestData.live(bucket, tenant, dir.resolve("check"));
            assertEquals(expected.get(tenant).bySeries, got.bySeries, tenant + ": exactly the samples shipped");
            assertEquals(expected.get(tenant).count, got.count, tenant + ": none twice");
        }
        assertEquals(30, merger.merges.get());
        assertEquals(2, metrics.compactionRuns.get());
        assertEquals(0, metrics.compactionFailures.get());

        // A second pass has nothing to do.
        for (String tenant : TENANTS) assertEquals(List.of(), compaction.run(tenant).compacted());
        assertEquals(30, merger.merges.get());

        // The cleaner deletes the sources once the delay is over, not before.
        BlocksCleaner cleaner = new BlocksCleaner(bucket, config(), tenant -> Duration.ZERO, clock, metrics);
        clock.advance(config().deletionDelay());
        for (String tenant : TENANTS) assertEquals(0, cleaner.clean(tenant).deleted(), "still within the delay");
        clock.advance(Duration.ofSeconds(1));
        for (String tenant : TENANTS) {
            int shipped = tenant.equals("team-a") ? 25 : 24;
            BlocksCleaner.Result c = cleaner.clean(tenant);
            assertEquals(shipped + 12 + 2, c.deleted());
            BucketIndex index = BucketIndex.read(bucket, tenant).orElseThrow();
            assertEquals(1, index.blocks().size());
            assertEquals(List.of(), index.blockDeletionMarks());
            assertEquals(List.of(index.blocks().get(0).id()), BucketLayout.blocksNewestFirst(bucket, tenant), "the rest is gone");
            assertEquals(Set.of(), Markers.listGlobal(bucket, tenant, DeletionMark.FILE));
            TestData.Samples got = TestData.live(bucket, tenant, dir.resolve("check2"));
            assertEquals(expected.get(tenant).bySeries, got.bySeries);
        }
    }

    @Test
    void aPassThatDiedBetweenUploadAndMarkingIsFinishedByTheNextWithoutCompactingTwice() throws Exception {
        try (FilesystemBucket fs = new FilesystemBucket(dir.resolve("bucket"))) {
            Map<String, TestData.Samples> expected = shipDay(fs, 10);
            TestBlocks.RecordingBucket crashing = new TestBlocks.RecordingBucket(dir.resolve("bucket"));
            crashing.beforeUpload = name -> {
                if (name.endsWith("/" + DeletionMark.FILE)) throw new IllegalStateException("simulated crash before marking " + name);
            };
            TenantCompaction dying = new TenantCompaction(crashing, config(), merger, clock, metrics);
            assertThrows(IllegalStateException.class, () -> dying.run("team-a"));
            assertEquals(1, merger.merges.get());
            // The result is in the bucket whole, its sources unmarked: both readable, the same samples.
            List<String> uploadedMeta = crashing.uploads().stream().filter(n -> n.endsWith("/meta.json")).toList();
            assertEquals(1, uploadedMeta.size());
            Ulid result = Ulid.parse(uploadedMeta.get(0).split("/")[1]);
            BucketBlockMeta resultMeta = BucketLayout.meta(fs, "team-a", result).orElseThrow();
            assertEquals(Set.of(), Markers.listGlobal(fs, "team-a", DeletionMark.FILE));
            assertTrue(Files.exists(dir.resolve("compactor").resolve("compact").resolve("team-a")), "the dead pass left its files");

            TenantCompaction next = new TenantCompaction(fs, config(), merger, clock, metrics);
            TenantCompaction.Result r = next.run("team-a");
            assertEquals(14, r.compacted().size(), "the first range is not merged again");
            assertEquals(15, merger.merges.get());
            for (Ulid source : resultMeta.block().sources()) {
                assertTrue(Markers.deletionMark(fs, "team-a", source).isPresent(), source + " is marked");
            }
            assertTrue(Markers.deletionMark(fs, "team-a", result).isPresent(), "and the result too, merged on into the day");
            assertEquals(1, r.index().liveBlocks().size());
            TestData.Samples got = TestData.live(fs, "team-a", dir.resolve("check"));
            assertEquals(expected.get("team-a").bySeries, got.bySeries);
            assertEquals(expected.get("team-a").count, got.count, "no sample twice");
            assertFalse(Files.exists(dir.resolve("compactor").resolve("compact").resolve("team-a")), "its files are cleaned up");
        }
    }

    @Test
    void aBlockThatCannotBeReadIsMarkedNoCompactAndTheRestIsCompacted() throws Exception {
        try (FilesystemBucket bucket = new FilesystemBucket(dir.resolve("bucket"))) {
            List<BucketBlockMeta> shipped = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                for (String zone : List.of("zone-a", "zone-b")) {
                    shipped.add(TestData.ship(bucket, dir.resolve("ingesters"), "team-a", zone, DAY0 + i * H2, DAY0 + (i + 1) * H2, 5,
                            60_000, 0, null));
                }
            }
            // zone-b's first block: its index overwritten with zeros of the same size.
            Ulid broken = shipped.get(1).block().ulid();
            String index = BucketLayout.object("team-a", broken, BucketLayout.INDEX);
            byte[] zeros = new byte[(int) bucket.attributes(index).size()];
            bucket.upload(index, new ByteArrayInputStream(zeros), zeros.length);

            TenantCompaction.Result r = new TenantCompaction(bucket, config(), merger, clock, metrics).run("team-a");
            assertEquals(1, r.noCompact());
            assertEquals(1, metrics.noCompactMarks.get());
            NoCompactMark mark = Markers.noCompactMark(bucket, "team-a", broken).orElseThrow();
            assertEquals(NoCompactMark.CRITICAL, mark.reason());
            assertEquals(Set.of(broken), Markers.listGlobal(bucket, "team-a", NoCompactMark.FILE));
            assertEquals(1, r.compacted().size(), "the second range's copies are merged all the same");
            Set<Ulid> live = new HashSet<>();
            r.index().liveBlocks().forEach(b -> live.add(b.id()));
            assertEquals(Set.of(shipped.get(0).block().ulid(), broken, r.compacted().get(0)), live);
            assertEquals(0, r.failed());
            // The next pass does not try it again.
            int merges = merger.merges.get();
            assertEquals(List.of(), new TenantCompaction(bucket, config(), merger, clock, metrics).run("team-a").compacted());
            assertEquals(merges, merger.merges.get());
        }
    }

    @Test
    void aGroupThatFailsWithEveryBlockReadableIsCountedAndTriedAtTheNextPass() throws Exception {
        try (FilesystemBucket bucket = new FilesystemBucket(dir.resolve("bucket"))) {
            for (String zone : List.of("zone-a", "zone-b")) {
                TestData.ship(bucket, dir.resolve("ingesters"), "team-a", zone, DAY0, DAY0 + H2, 3, 60_000, 0, null);
            }
            java.util.concurrent.atomic.AtomicBoolean diskFull = new java.util.concurrent.atomic.AtomicBoolean(true);
            BlockMerger flaky = (blocks, out) -> {
                if (diskFull.get()) throw new IOException("No space left on device");
                return merger.merge(blocks, out);
            };
            TenantCompaction compaction = new TenantCompaction(bucket, config(), flaky, clock, metrics);
            TenantCompaction.Result r = compaction.run("team-a");
            assertEquals(1, r.failed());
            assertEquals(List.of(), r.compacted());
            assertEquals(0, r.noCompact(), "no block is to blame");
            assertEquals(Set.of(), Markers.listGlobal(bucket, "team-a", NoCompactMark.FILE));
            assertEquals(1, metrics.compactionFailures.get());
            assertEquals(2, r.index().liveBlocks().size());
            diskFull.set(false);
            r = compaction.run("team-a");
            assertEquals(1, r.compacted().size());
            assertEquals(1, r.index().liveBlocks().size());
        }
    }

    @Test
    void aDeletedTenantIsNotCompacted() throws Exception {
        try (FilesystemBucket bucket = new FilesystemBucket(dir.resolve("bucket"))) {
            for (String zone : List.of("zone-a", "zone-b")) {
                TestData.ship(bucket, dir.resolve("ingesters"), "team-a", zone, DAY0, DAY0 + H2, 3, 60_000, 0, null);
            }
            Markers.writeTenantDeletionMark(bucket, "team-a", new TenantDeletionMark(clock.instant().getEpochSecond(), 0));
            TenantCompaction.Result r = new TenantCompaction(bucket, config(), merger, clock, metrics).run("team-a");
            assertEquals(List.of(), r.compacted());
            assertNull(r.index());
            assertEquals(0, merger.merges.get());
            assertFalse(bucket.exists(BucketIndex.name("team-a")));
        }
    }
}
