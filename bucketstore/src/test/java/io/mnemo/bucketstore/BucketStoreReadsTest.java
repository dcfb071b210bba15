package io.mnemo.bucketstore;

import static io.mnemo.bucketstore.StoreData.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.block.IndexFormat;
import io.mnemo.tsdb.block.MappedFile;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bucket store reads blocks by ranges only, few of them, and repeated queries from its caches. */
class BucketStoreReadsTest {
    static final ReadPolicy ONE_READ_PER_RANGE = new ReadPolicy(new RangeCoalescer(-1, 0), 4 << 10, 16 << 10, 4096);

    @TempDir
    Path dir;
    FilesystemBucket fs;
    CountingBucket bucket;

    @BeforeEach
    void open() throws IOException {
        fs = new FilesystemBucket(BigBlocks.get().bucketDir);
        bucket = new CountingBucket(fs);
    }

    @AfterEach
    void close() throws IOException {
        fs.close();
    }

    BucketStore store(long cacheBytes, ReadPolicy policy, String syncDir) throws IOException {
        BucketStore s = new BucketStore(bucket, dir.resolve(syncDir),
                new BucketStoreConfig(Duration.ZERO, cacheBytes, cacheBytes, Clock.systemUTC()), (t, m) -> true, policy);
        assertEquals(3, s.sync().blocks());
        return s;
    }

    /** The block of the second half of the range: one copy, so every selected series is read from it alone. */
    static Set<Ulid> secondHalf(BucketStore s) {
        return Set.of(s.loaded(TENANT).get(2).block().ulid());
    }

    int selectReads(BucketStore s, Set<Ulid> blocks, LabelMatcher... matchers) {
        bucket.clear();
        try (BlockQuery q = s.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, blocks)) {
            TreeMap<Labels, List<String>> got = StoreData.dump(q, matchers);
            assertTrue(!got.isEmpty());
        }
        return bucket.reads().size();
    }

    @Test
    void theIndexIsNeverReadWhole() throws IOException {
        try (BucketStore s = store(64L << 20, ReadPolicy.DEFAULT, "sync")) {
            selectReads(s, null, LabelMatcher.regex("__name__", ".+"));
            selectReads(s, null, LabelMatcher.regex("instance", "host-1.*"), LabelMatcher.notEqual("env", "prod"));
            bucket.clear();
            s.close();
            try (BucketStore again = store(64L << 20, ReadPolicy.DEFAULT, "sync2")) { // builds index-headers again
                selectReads(again, null, LabelMatcher.equal("job", "job-3"));
            }
        }
        for (var block : List.of(BigBlocks.get().local.get(0), BigBlocks.get().local.get(2))) {
            long indexSize = Files.size(block.resolve("index"));
            for (CountingBucket.Read r : bucket.reads("/index")) {
                assertTrue(r.length() >= 0 && r.length() < indexSize / 2, "a ranged read of part of the index: " + r);
            }
        }
    }

    @Test
    void aSelectOfManySeriesMakesFewReads() throws IOException {
        int n = BigBlocks.SERIES / 10; // metric_0: every one has samples in the second half
        try (BucketStore s = store(0, ReadPolicy.DEFAULT, "sync")) {
            int reads = selectReads(s, secondHalf(s), LabelMatcher.equal("__name__", "metric_0"));
            System.out.println("a select of " + n + " series of one block: " + reads + " reads, "
                    + bucket.reads("/index").size() + " of the index, " + bucket.chunkReads().size() + " of chunks");
            assertTrue(reads <= 12, "few reads for " + n + " series: " + reads + " " + bucket.reads());
            assertEquals(reads, s.bucketReads(), "the store counts its reads");
            assertEquals(bucket.reads().stream().mapToLong(CountingBucket.Read::length).sum(), s.bucketBytesRead());
            int one = selectReads(s, secondHalf(s), LabelMatcher.equal("instance", "host-4240.example:9100"));
            System.out.println("a select of one series: " + one + " reads " + bucket.reads());
            assertEquals(3, one, "postings, series, chunks: " + bucket.reads());
        }
        // Without coalescing the same select reads each series' entry and chunks on their own.
        try (BucketStore s = store(0, ONE_READ_PER_RANGE, "sync-uncoalesced")) {
            int reads = selectReads(s, secondHalf(s), LabelMatcher.equal("__name__", "metric_0"));
            assertTrue(reads > n, "the measure tells: " + reads);
        }
    }

    @Test
    void theListsOfARegexOfLiteralsAreReadTogether() throws IOException {
        Path local = BigBlocks.get().local.get(2);
        long postingsStart;
        try (MappedFile f = MappedFile.open(local.resolve("index"))) {
            postingsStart = IndexFormat.readToc(f, f.size()).postings();
        }
        try (BucketStore s = store(0, ReadPolicy.DEFAULT, "sync")) {
            selectReads(s, secondHalf(s), LabelMatcher.regex("job", "job-15|job-5|job-10|job-0"));
            List<CountingBucket.Read> postings = bucket.reads("/index").stream().filter(r -> r.offset() >= postingsStart).toList();
            assertEquals(1, postings.size(), "four postings lists in one read: " + postings);
        }
    }

    @Test
    void aRepeatedQueryIsAnsweredFromTheCaches() throws IOException {
        LabelMatcher[] m = {LabelMatcher.regex("__name__", "metric_[37]"), LabelMatcher.notEqual("env", "dev")};
        try (BucketStore s = store(64L << 20, ReadPolicy.DEFAULT, "sync")) {
            assertTrue(selectReads(s, null, m) > 0);
            assertEquals(0, selectReads(s, null, m), "postings, series and chunks all cached: " + bucket.reads());
            assertTrue(s.indexCacheStats().hits() > 0 && s.chunksCacheStats().hits() > 0);
            // Label values with matchers read series entries: cached too.
            bucket.clear();
            try (BlockQuery q = s.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null)) {
                assertEquals(List.of("prod"), q.labelValues("env", m));
            }
            assertEquals(List.of(), bucket.reads());
        }
        try (BucketStore s = store(0, ReadPolicy.DEFAULT, "sync-uncached")) {
            int first = selectReads(s, null, m);
            assertEquals(first, selectReads(s, null, m), "without caches a repeated query reads as much again");
            assertEquals(0, s.indexCacheStats().hits());
        }
    }
}
