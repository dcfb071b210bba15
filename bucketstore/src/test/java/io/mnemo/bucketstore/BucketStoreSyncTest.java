package io.mnemo.bucketstore;

import static io.mnemo.bucketstore.StoreData.RANGE;
import static io.mnemo.bucketstore.StoreData.T0;
import static io.mnemo.bucketstore.StoreData.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.bucketstore.bucketindex.BucketIndex;
import io.mnemo.bucketstore.bucketindex.BucketIndexUpdater;
import io.mnemo.bucketstore.markers.DeletionMark;
import io.mnemo.bucketstore.markers.Markers;
import io.mnemo.bucketstore.markers.TenantDeletionMark;
import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockReader;
import io.mnemo.tsdb.block.Ulid;
import io.mnemo.tsdb.head.Head;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which blocks a sync loads and drops, and what queries see meanwhile. */
class BucketStoreSyncTest {
    static final LabelMatcher[] ALL = {LabelMatcher.regex("__name__", ".+")};

    @TempDir
    Path dir;
    Head head;
    FilesystemBucket fs;
    CountingBucket bucket;
    Path blockA; // [T0, T0 + RANGE/2)
    Path blockB; // [T0 + RANGE/2, T0 + RANGE)
    Ulid a;
    Ulid b;
    final MutableClock clock = new MutableClock(T0 + 10 * RANGE);
    final Set<Ulid> owned = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void blocks() throws IOException {
        head = StoreData.head(2_000, 3);
        long mid = T0 + RANGE / 2;
        blockA = StoreData.write(head, dir.resolve("local"), T0, mid);
        blockB = StoreData.write(head, dir.resolve("local"), mid, T0 + RANGE);
        a = Ulid.parse(blockA.getFileName().toString());
        b = Ulid.parse(blockB.getFileName().toString());
        fs = new FilesystemBucket(dir.resolve("bucket"));
        StoreData.upload(fs, blockA);
        StoreData.upload(fs, blockB);
        bucket = new CountingBucket(fs);
        owned.addAll(List.of(a, b));
    }

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    BucketStore store(Duration ignoreWithin) {
        return new BucketStore(bucket, dir.resolve("sync"), new BucketStoreConfig(ignoreWithin, 1 << 20, 1 << 20, clock),
                (tenant, meta) -> owned.contains(meta.block().ulid()));
    }

    List<Ulid> loaded(BucketStore s) {
        return s.loaded(TENANT).stream().map(m -> m.block().ulid()).toList();
    }

    static TreeMap<Labels, List<String>> dump(Path block) throws IOException {
        try (BlockReader r = BlockReader.open(block); Querier q = r.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
            return StoreData.dump(q, ALL);
        }
    }

    @Test
    void blocksWhoseMinTimeIsWithinIgnoreBlocksWithinOfNowAreNotLoadedYet() throws IOException {
        clock.set(T0 + RANGE); // block B starts RANGE/2 before now
        try (BucketStore s = store(Duration.ofMillis(RANGE / 2))) {
            assertEquals(new BucketStore.SyncResult(1, 0, 0, 1), s.sync());
            assertEquals(List.of(a), loaded(s));
            clock.set(T0 + RANGE + 1);
            assertEquals(new BucketStore.SyncResult(1, 0, 0, 2), s.sync());
            assertEquals(List.of(a, b), loaded(s));
        }
        try (BucketStore s = store(Duration.ZERO)) { // 0: every block, whatever its time
            clock.set(T0);
            assertEquals(2, s.sync().blocks());
        }
    }

    @Test
    void ownershipDecidesAtEachSync() throws IOException {
        owned.remove(b);
        try (BucketStore s = store(Duration.ZERO)) {
            assertEquals(new BucketStore.SyncResult(1, 0, 0, 1), s.sync());
            assertEquals(List.of(a), loaded(s));
            Path localA = dir.resolve("sync").resolve(TENANT).resolve(a.toString());
            assertTrue(Files.exists(localA.resolve("index-header")));

            owned.clear();
            owned.add(b);
            assertEquals(new BucketStore.SyncResult(1, 1, 0, 1), s.sync());
            assertEquals(List.of(b), loaded(s));
            assertFalse(Files.exists(localA), "a dropped block's index-header is removed");
            try (BlockQuery q = s.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null)) {
                assertEquals(List.of(b), q.blocks());
                StoreData.assertSameSeries(dump(blockB), StoreData.dump(q, ALL), "block B only");
            }
            assertEquals(new BucketStore.SyncResult(0, 0, 0, 1), s.sync(), "nothing changed");
        }
    }

    @Test
    void aBlockRemovedFromTheBucketIsDroppedWhileAQueryReadingItCompletes() throws IOException {
        try (BucketStore s = store(Duration.ZERO)) {
            s.sync();
            TreeMap<Labels, List<String>> want = dump(blockA);
            try (BlockQuery q = s.query(TENANT, T0, T0 + RANGE / 2 - 1, null)) {
                assertEquals(List.of(a), q.blocks());
                SeriesSet set = q.select(true, ALL);
                assertTrue(set.next());
                // The compactor deletes the block: meta.json first, so the block leaves every listing.
                fs.delete(BucketLayout.object(TENANT, a, BucketLayout.META));
                assertEquals(new BucketStore.SyncResult(0, 1, 0, 1), s.sync());
                assertEquals(List.of(b), loaded(s));
                assertFalse(Files.exists(dir.resolve("sync").resolve(TENANT).resolve(a.toString())));
                // The query holds the block: its index-header stays mapped until it closes.
                assertEquals(want, StoreData.dump(q, ALL));
                assertEquals(want.size(), q.labelValues("instance").size());
            }
            try (BlockQuery q = s.query(TENANT, T0, T0 + RANGE / 2 - 1, null)) {
                assertEquals(List.of(), q.blocks(), "gone for the next query");
            }
        }
    }

    @Test
    void deletionMarksMakeABlockAbsent() throws IOException {
        try (BucketStore s = store(Duration.ZERO)) {
            s.sync();
            byte[] mark = ("{\"id\":\"" + a + "\",\"deletion_time\":1700000000,\"version\":1}").getBytes();
            fs.upload(BucketLayout.object(TENANT, a, BucketLayout.DELETION_MARK), new ByteArrayInputStream(mark), mark.length);
            assertEquals(new BucketStore.SyncResult(0, 1, 0, 1), s.sync());
            assertEquals(List.of(b), loaded(s));
            // Mimir's global markers location.
            fs.upload(TENANT + "/markers/" + b + "-deletion-mark.json", new ByteArrayInputStream(mark), mark.length);
            assertEquals(new BucketStore.SyncResult(0, 1, 0, 0), s.sync());
            assertEquals(List.of(), loaded(s));
            assertEquals(List.of(), s.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null).blocks());
        }
    }

    @Test
    void aMarkedBlockIsServedUntilItsMarkIsIgnoreDeletionMarksDelayOld() throws IOException {
        Duration delay = Duration.ofHours(1);
        try (BucketStore s = new BucketStore(bucket, dir.resolve("sync"),
                new BucketStoreConfig(Duration.ZERO, 1 << 20, 1 << 20, clock, delay), (tenant, meta) -> true)) {
            s.sync();
            Markers.write(fs, TENANT, new DeletionMark(a, clock.instant().getEpochSecond(), "compacted"));
            for (boolean withIndex : new boolean[] {false, true}) {
                if (withIndex) new BucketIndexUpdater(fs, TENANT, clock).update(null).index().write(fs, TENANT);
                s.sync();
                assertEquals(List.of(a, b), loaded(s), "the replacement may not be loaded yet: the marked block is still served"
                        + (withIndex ? " (bucket index)" : " (listing)"));
            }
            clock.set(clock.millis() + delay.toMillis() - 1000);
            s.sync();
            assertEquals(List.of(a, b), loaded(s));
            clock.set(clock.millis() + 1000);
            assertEquals(new BucketStore.SyncResult(0, 1, 0, 1), s.sync());
            assertEquals(List.of(b), loaded(s), "dropped once the mark is the delay old");
        }
    }

    @Test
    void theBucketIndexIsReadInsteadOfListingAndListingIsTheFallback() throws IOException {
        new BucketIndexUpdater(fs, TENANT, clock).update(null).index().write(fs, TENANT);
        Path blockC = StoreData.write(head, dir.resolve("local"), T0, T0 + RANGE / 2); // a copy of A
        StoreData.upload(fs, blockC); // not in the index yet: the compactor has not seen it
        Ulid c = Ulid.parse(blockC.getFileName().toString());
        try (BucketStore s = store(Duration.ZERO)) {
            s.sync();
            assertEquals(List.of(a, b), loaded(s), "the index says which blocks there are");
            new BucketIndexUpdater(fs, TENANT, clock).update(BucketIndex.read(fs, TENANT).orElseThrow()).index().write(fs, TENANT);
            owned.add(c);
            s.sync();
            assertEquals(Set.of(a, b, c), new HashSet<>(loaded(s)));
            BucketIndex.delete(fs, TENANT);
            Markers.write(fs, TENANT, new DeletionMark(c, 1, "gone"));
            s.sync();
            assertEquals(List.of(a, b), loaded(s), "without an index, listing (and its marks) as before");
        }
    }

    @Test
    void aDeletedTenantWithoutABucketIndexHasNoBlocks() throws IOException {
        try (BucketStore s = store(Duration.ZERO)) {
            s.sync();
            assertEquals(List.of(a, b), loaded(s));
            Markers.writeTenantDeletionMark(fs, TENANT, new TenantDeletionMark(clock.instant().getEpochSecond(), 0));
            s.sync();
            assertEquals(List.of(), loaded(s), "the cleaner deletes the index first: readers stop at once");
        }
    }

    @Test
    void aSyncWhoseOwnershipFilterFailsChangesNothing() throws IOException {
        boolean[] fail = {false};
        try (BucketStore s = new BucketStore(bucket, dir.resolve("sync"), StoreData.config(0, 0), (tenant, meta) -> {
            if (fail[0] && meta.block().ulid().equals(b)) throw new IllegalStateException("ring not ready");
            return !fail[0] || meta.block().ulid().equals(a);
        })) {
            assertEquals(2, s.sync().blocks());
            fail[0] = true;
            assertThrows(IllegalStateException.class, s::sync);
            assertEquals(List.of(a, b), loaded(s));
            try (BlockQuery q = s.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null)) {
                assertEquals(List.of(a, b), q.blocks(), "both blocks still served");
                assertEquals(2_000, StoreData.dump(q, ALL).size());
            }
        }
    }

    @Test
    void aBlockWithoutMetaJsonIsNotLoaded() throws IOException {
        fs.delete(BucketLayout.object(TENANT, b, BucketLayout.META)); // an upload in progress
        try (BucketStore s = store(Duration.ZERO)) {
            assertEquals(new BucketStore.SyncResult(1, 0, 0, 1), s.sync());
            assertEquals(List.of(a), loaded(s));
        }
    }

    @Test
    void aBlockThatCannotBeReadFailsTheQueryNamingIt() throws IOException {
        try (BucketStore s = store(Duration.ZERO)) {
            s.sync();
            bucket.failReads = name -> name.contains(b + "/chunks/");
            try (BlockQuery q = s.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null)) {
                SeriesSet set = q.select(true, ALL);
                BlockReadException e = assertThrows(BlockReadException.class, () -> {
                    while (set.next()) set.at();
                });
                assertEquals(b, e.block());
                assertTrue(e.getMessage().contains(b.toString()) && e.getMessage().contains(TENANT), e.getMessage());
            }
            bucket.failReads = name -> name.endsWith(a + "/index");
            try (BlockQuery q = s.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null)) {
                // Postings not read before (the first query's are cached), of series block A has.
                BlockReadException e = assertThrows(BlockReadException.class, () -> q.select(true, LabelMatcher.equal("job", "job-1")));
                assertEquals(a, e.block());
                assertThrows(BlockReadException.class, () -> q.labelNames(LabelMatcher.equal("job", "job-5")));
            }
        }
    }

    @Test
    void damagedChunkBytesFailTheQueryNamingTheBlock() throws IOException {
        Path segment = dir.resolve("bucket").resolve(TENANT).resolve(b.toString()).resolve("chunks").resolve("000001");
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(segment, bytes);
        try (BucketStore s = store(Duration.ZERO)) {
            s.sync();
            try (BlockQuery q = s.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null)) {
                SeriesSet set = q.select(true, ALL);
                BlockReadException e = assertThrows(BlockReadException.class, () -> {
                    while (set.next()) set.at();
                });
                assertEquals(b, e.block());
                assertTrue(e.getMessage().contains("checksum"), e.getMessage());
            }
        }
    }

    @Test
    void queriesRunWhileSyncsDropAndLoadBlocks() throws Exception {
        TreeMap<Labels, List<String>> wantA = dump(blockA);
        TreeMap<Labels, List<String>> wantB = dump(blockB);
        try (BucketStore s = store(Duration.ZERO)) {
            s.sync();
            Set<Throwable> failures = ConcurrentHashMap.newKeySet();
            Thread[] readers = new Thread[2];
            long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            for (int i = 0; i < readers.length; i++) {
                readers[i] = new Thread(() -> {
                    while (System.nanoTime() < deadline) {
                        try (BlockQuery q = s.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null)) {
                            TreeMap<Labels, List<String>> got = StoreData.dump(q, LabelMatcher.equal("job", "job-3"));
                            Set<Ulid> read = new HashSet<>(q.blocks());
                            // Each block it reports it read wholly: compare with the blocks' own answers.
                            TreeMap<Labels, List<String>> want = new TreeMap<>();
                            for (var e : (read.contains(a) ? wantA : new TreeMap<Labels, List<String>>()).entrySet()) {
                                if (e.getKey().get("job").equals("job-3")) want.merge(e.getKey(), e.getValue(), BucketStoreSyncTest::concat);
                            }
                            for (var e : (read.contains(b) ? wantB : new TreeMap<Labels, List<String>>()).entrySet()) {
                                if (e.getKey().get("job").equals("job-3")) want.merge(e.getKey(), e.getValue(), BucketStoreSyncTest::concat);
                            }
                            if (!want.equals(got)) throw new AssertionError("blocks " + read + ": " + got.size() + " series, want " + want.size());
                        } catch (Throwable t) {
                            failures.add(t);
                            return;
                        }
                    }
                });
                readers[i].start();
            }
            int syncs = 0;
            while (System.nanoTime() < deadline) {
                owned.clear();
                if (syncs % 3 != 0) owned.add(a);
                if (syncs % 2 == 0) owned.add(b);
                s.sync();
                syncs++;
            }
            for (Thread t : readers) t.join();
            assertEquals(Set.of(), failures);
            assertTrue(syncs > 3, "syncs ran: " + syncs);
        }
    }

    private static List<String> concat(List<String> x, List<String> y) {
        List<String> out = new java.util.ArrayList<>(x);
        out.addAll(y);
        return out;
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile long millis;

        MutableClock(long millis) {
            this.millis = millis;
        }

        void set(long millis) {
            this.millis = millis;
        }

        @Override
        public ZoneOffset getZone() { return ZoneOffset.UTC; }

        @Override
        public Clock withZone(java.time.ZoneId zone) { return this; }

        @Override
        public long millis() { return millis; }

        @Override
        public Instant instant() { return Instant.ofEpochMilli(millis); }
    }
}
