package io.mnemo.compactor;

import static io.mnemo.compactor.TestData.DAY0;
import static io.mnemo.compactor.TestData.H2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.TestBlocks;
import io.mnemo.bucketstore.bucketindex.BucketIndex;
import io.mnemo.bucketstore.markers.DeletionMark;
import io.mnemo.bucketstore.markers.Markers;
import io.mnemo.bucketstore.markers.NoCompactMark;
import io.mnemo.bucketstore.markers.TenantDeletionMark;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deletion after the delay in Mimir's order, retention, and tenant deletion. */
class BlocksCleanerTest {
    @TempDir
    Path dir;
    final CompactorMetrics.Counting metrics = new CompactorMetrics.Counting();

    CompactorConfig config() {
        return CompactorConfig.defaults(dir.resolve("compactor"));
    }

    List<BucketBlockMeta> shipDays(TestBlocks.RecordingBucket bucket, String tenant, int days) throws IOException {
        List<BucketBlockMeta> out = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            long from = DAY0 + d * 12 * H2;
            out.add(TestData.ship(bucket, dir.resolve("ingesters"), tenant, "zone-a", from, from + H2, 3, 60_000, 0, null));
        }
        return out;
    }

    @Test
    void blocksPastRetentionAreMarkedThenDeletedAfterTheDelayMetaJsonFirst() throws IOException {
        try (TestBlocks.RecordingBucket bucket = new TestBlocks.RecordingBucket(dir.resolve("bucket"))) {
            List<BucketBlockMeta> days = shipDays(bucket, "team-a", 4); // days 0..3, a 2 h block each
            shipDays(bucket, "team-b", 4);
            // Day 4 begins; team-a keeps 2 days: the blocks of days 0 and 1 end before now - 48h.
            TestData.MutableClock clock = new TestData.MutableClock(Instant.ofEpochMilli(DAY0 + 4 * 12 * H2 + H2));
            Map<String, Duration> retention = Map.of("team-a", Duration.ofDays(2), "team-b", Duration.ZERO);
            BlocksCleaner cleaner = new BlocksCleaner(bucket, config(), retention::get, clock, metrics);

            Map<String, BlocksCleaner.Result> first = cleaner.run();
            assertEquals(Set.of("team-a", "team-b"), first.keySet());
            assertEquals(2, first.get("team-a").marked());
            assertEquals(0, first.get("team-b").marked(), "0 keeps forever");
            assertEquals(0, first.get("team-a").deleted());
            Ulid d0 = days.get(0).block().ulid();
            Ulid d1 = days.get(1).block().ulid();
            assertEquals(Set.of(d0, d1), BucketIndex.read(bucket, "team-a").orElseThrow().markedForDeletion(),
                    "the index written holds the new marks");
            assertTrue(Markers.deletionMark(bucket, "team-a", d0).orElseThrow().details().contains("retention"));
            assertEquals(2, metrics.markedForRetention.get());
            // Marked twice? No: the next cleanup finds them marked.
            assertEquals(0, cleaner.clean("team-a").marked());

            clock.advance(config().deletionDelay().plusSeconds(1));
            bucket.calls.clear();
            BlocksCleaner.Result second = cleaner.clean("team-a");
            assertEquals(2, second.deleted());
            assertEquals(2, metrics.deleted.get());
            BucketIndex index = BucketIndex.read(bucket, "team-a").orElseThrow();
            assertEquals(List.of(days.get(2).block().ulid(), days.get(3).block().ulid()), index.blocks().stream().map(BucketIndex.Block::id).toList());
            // 12 h later, day 2's block is past retention in its turn: marked now, deleted 12 h on.
            assertEquals(1, second.marked());
            assertEquals(List.of(days.get(2).block().ulid()), index.blockDeletionMarks().stream().map(BucketIndex.BlockDeletionMark::id).toList());
            for (Ulid gone : List.of(d0, d1)) {
                List<String> deletes = bucket.calls.stream().filter(c -> c.startsWith("delete ") && c.contains(gone.toString())).toList();
                assertEquals("delete team-a/" + gone + "/meta.json", deletes.get(0), "meta.json first: " + deletes);
                assertEquals("delete team-a/" + gone + "/deletion-mark.json", deletes.get(deletes.size() - 2), deletes.toString());
                assertEquals("delete team-a/markers/" + gone + "-deletion-mark.json", deletes.get(deletes.size() - 1), deletes.toString());
                assertFalse(BucketLayout.blocksNewestFirst(bucket, "team-a").contains(gone));
            }
            assertEquals(4, BucketLayout.blocksNewestFirst(bucket, "team-b").size());
        }
    }

    @Test
    void aPartialBlockWithADeletionMarkGoesAtOnceAndOneWithoutStays() throws IOException {
        try (TestBlocks.RecordingBucket bucket = new TestBlocks.RecordingBucket(dir.resolve("bucket"))) {
            List<BucketBlockMeta> blocks = shipDays(bucket, "team-a", 2);
            TestData.MutableClock clock = new TestData.MutableClock(Instant.now());
            // A deletion that died after meta.json, and an upload in progress.
            Ulid halfDeleted = blocks.get(0).block().ulid();
            Markers.write(bucket, "team-a", new DeletionMark(halfDeleted, clock.instant().getEpochSecond(), ""));
            bucket.delete(BucketLayout.object("team-a", halfDeleted, BucketLayout.META));
            Ulid uploading = blocks.get(1).block().ulid();
            bucket.delete(BucketLayout.object("team-a", uploading, BucketLayout.META));

            BlocksCleaner.Result r = new BlocksCleaner(bucket, config(), t -> Duration.ZERO, clock, metrics).clean("team-a");
            assertEquals(1, r.deleted());
            assertEquals(List.of(uploading), BucketLayout.blocksNewestFirst(bucket, "team-a"));
            assertEquals(Set.of(), Markers.listGlobal(bucket, "team-a", DeletionMark.FILE));
            assertEquals(List.of(), r.index().blocks());
        }
    }

    @Test
    void anUploadThatDiedIsDeletedOncePastThePartialBlockDeletionDelay() throws IOException {
        try (TestBlocks.RecordingBucket bucket = new TestBlocks.RecordingBucket(dir.resolve("bucket"))) {
            List<BucketBlockMeta> blocks = shipDays(bucket, "team-a", 2);
            Ulid died = blocks.get(1).block().ulid();
            bucket.delete(BucketLayout.object("team-a", died, BucketLayout.META)); // its uploader died before meta.json
            TestData.MutableClock clock = new TestData.MutableClock(Instant.now());
            CompactorConfig never = new CompactorConfig(Duration.ofHours(1), List.of(Duration.ofHours(2)), Duration.ZERO,
                    Duration.ofHours(12), Duration.ofMinutes(15), dir.resolve("compactor"), Duration.ZERO);

            // Within the delay it may still be uploading: kept.
            assertEquals(0, new BlocksCleaner(bucket, config(), t -> Duration.ZERO, clock, metrics).clean("team-a").deleted());
            clock.advance(CompactorConfig.DEFAULT_PARTIAL_BLOCK_DELETION_DELAY.plusMinutes(1));
            // A delay of 0 never deletes partial blocks.
            assertEquals(0, new BlocksCleaner(bucket, never, t -> Duration.ZERO, clock, metrics).clean("team-a").deleted());
            assertEquals(2, BucketLayout.blocksNewestFirst(bucket, "team-a").size());

            BlocksCleaner.Result r = new BlocksCleaner(bucket, config(), t -> Duration.ZERO, clock, metrics).clean("team-a");
            assertEquals(1, r.deleted());
            assertEquals(1, metrics.markedPartial.get());
            assertEquals(List.of(blocks.get(0).block().ulid()), BucketLayout.blocksNewestFirst(bucket, "team-a"));
            List<String> left = new ArrayList<>();
            bucket.iter(BucketLayout.block("team-a", died), true, left::add);
            assertEquals(List.of(), left, "every object of the dead upload");
            assertEquals(Set.of(), Markers.listGlobal(bucket, "team-a", DeletionMark.FILE));
            assertEquals(1, r.index().blocks().size());
        }
    }

    @Test
    void aDeletedTenantLosesItsIndexThenEveryBlockAtOnceAndTheMarkIsFinished() throws IOException {
        try (TestBlocks.RecordingBucket bucket = new TestBlocks.RecordingBucket(dir.resolve("bucket"))) {
            List<BucketBlockMeta> blocks = shipDays(bucket, "team-a", 3);
            shipDays(bucket, "team-b", 1);
            TestData.MutableClock clock = new TestData.MutableClock(Instant.now());
            BlocksCleaner cleaner = new BlocksCleaner(bucket, config(), t -> Duration.ZERO, clock, metrics);
            cleaner.run(); // both tenants get an index
            Markers.write(bucket, "team-a", new NoCompactMark(blocks.get(0).block().ulid(), 1, NoCompactMark.MANUAL, ""));
            long deletedAt = clock.instant().getEpochSecond();
            Markers.writeTenantDeletionMark(bucket, "team-a", new TenantDeletionMark(deletedAt, 0));

            clock.advance(Duration.ofMinutes(15)); // no deletion delay for a deleted tenant
            bucket.calls.clear();
            BlocksCleaner.Result r = cleaner.clean("team-a");
            assertEquals(3, r.deleted());
            assertNull(r.index());
            assertEquals("delete team-a/bucket-index.json.gz", bucket.calls.get(0), "the index goes first: " + bucket.calls);
            assertEquals(List.of(), BucketLayout.blocksNewestFirst(bucket, "team-a"));
            List<String> left = new ArrayList<>();
            bucket.iter("team-a", true, left::add);
            assertEquals(List.of("team-a/markers/tenant-deletion-mark.json"), left);
            assertEquals(new TenantDeletionMark(deletedAt, clock.instant().getEpochSecond()),
                    Markers.tenantDeletionMark(bucket, "team-a").orElseThrow());
            assertEquals(1, BucketLayout.blocksNewestFirst(bucket, "team-b").size(), "other tenants keep theirs");

            // Again: nothing to delete, finished_time stays.
            clock.advance(Duration.ofMinutes(15));
            assertEquals(0, cleaner.clean("team-a").deleted());
            assertEquals(deletedAt + 15 * 60, Markers.tenantDeletionMark(bucket, "team-a").orElseThrow().finishedTime());
        }
    }
}
