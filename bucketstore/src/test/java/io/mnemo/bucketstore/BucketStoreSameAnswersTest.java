package io.mnemo.bucketstore;

import static io.mnemo.bucketstore.StoreData.T0;
import static io.mnemo.bucketstore.StoreData.RANGE;
import static io.mnemo.bucketstore.StoreData.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.ChunkSeries;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.SeriesSet;
import io.mnemo.tsdb.block.BlockReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bucket store answers exactly as tsdb's block reader does on the same blocks: 50,000 series
 * in three blocks (two of them copies), every matcher kind and many ranges, labels and every
 * sample compared.
 */
class BucketStoreSameAnswersTest {
    /** Matcher sets: every kind, empty-matching ones, no match, all series. */
    static final List<LabelMatcher[]> MATCHERS = List.of(
            ms(LabelMatcher.equal("__name__", "metric_3")),
            ms(LabelMatcher.equal("instance", "host-4242.example:9100")),
            ms(LabelMatcher.equal("__name__", "metric_1"), LabelMatcher.notEqual("env", "prod")),
            ms(LabelMatcher.equal("job", "job-7"), LabelMatcher.notEqual("env", "")),
            ms(LabelMatcher.regex("__name__", "metric_[12]"), LabelMatcher.equal("env", "dev")),
            ms(LabelMatcher.regex("instance", "host-1.*"), LabelMatcher.notRegex("job", "job-1.*")),
            ms(LabelMatcher.regex("instance", "host-(12|345|6789|49999)\\.example:9100")),
            ms(LabelMatcher.regex("instance", ".*:9100"), LabelMatcher.equal("job", "job-3")),
            ms(LabelMatcher.regex("zone", "zöne-.+")),
            ms(LabelMatcher.equal("__name__", "metric_5"), LabelMatcher.equal("zone", "")),
            ms(LabelMatcher.equal("__name__", "metric_5"), LabelMatcher.regex("env", ".*")),
            ms(LabelMatcher.equal("__name__", "metric_6"), LabelMatcher.regex("path", "|/a.*")),
            ms(LabelMatcher.equal("__name__", "metric_0"), LabelMatcher.notRegex("env", "prod|")),
            ms(LabelMatcher.equal("__name__", "nope")),
            ms(LabelMatcher.equal("__name__", "metric_1"), LabelMatcher.equal("job", "job-2")), // disjoint: no match
            ms(LabelMatcher.regex("__name__", ".+")),
            ms(LabelMatcher.notEqual("instance", ""), LabelMatcher.regex("job", "(?i)JOB-1")));

    /** Ranges: all, none, inside one block, across the blocks' border, cutting chunks, a point. */
    static final long[][] RANGES = {
            {Long.MIN_VALUE, Long.MAX_VALUE},
            {T0 - 10 * RANGE, T0 - 1},
            {T0 + 600_000, T0 + 1_200_000},
            {T0 + RANGE / 2 - 95_000, T0 + RANGE / 2 + 185_000},
            {T0 + 1_234_567, T0 + RANGE - 1_234_567},
            {T0 + 3_600_000, T0 + 3_600_000},
            {T0 + 7_000, T0 + 7_100},
            {T0 + RANGE - 1, T0 + 10 * RANGE},
    };

    static BigBlocks blocks;
    static final List<BlockReader> readers = new ArrayList<>();
    static Queryable local;
    static FilesystemBucket bucket;
    static BucketStore store;
    @TempDir
    static Path syncDir;

    static LabelMatcher[] ms(LabelMatcher... ms) {
        return ms;
    }

    @BeforeAll
    static void load() throws IOException {
        blocks = BigBlocks.get();
        local = blocks.localBlocks(readers);
        bucket = new FilesystemBucket(blocks.bucketDir);
        store = new BucketStore(bucket, syncDir, StoreData.config(64L << 20, 64L << 20), (t, m) -> true);
        assertEquals(new BucketStore.SyncResult(3, 0, 0, 3), store.sync());
    }

    @AfterAll
    static void close() throws IOException {
        if (store != null) store.close();
        if (bucket != null) bucket.close();
        readers.forEach(BlockReader::close);
    }

    @Test
    void everySelectAnswersAsTheBlockReader() {
        long total = 0;
        for (long[] r : RANGES) {
            for (LabelMatcher[] m : MATCHERS) {
                String what = List.of(m) + " over [" + r[0] + ", " + r[1] + "]";
                TreeMap<Labels, List<String>> want;
                try (Querier q = local.querier(r[0], r[1])) {
                    want = StoreData.dump(q, m);
                }
                try (BlockQuery q = store.query(TENANT, r[0], r[1], null)) {
                    StoreData.assertSameSeries(want, StoreData.dump(q, m), what);
                }
                total += StoreData.samples(want);
            }
        }
        assertTrue(total > 10_000_000, "the comparison covers many samples: " + total);
    }

    @Test
    void theWholeRangeHoldsEverySeriesOnceWithItsSamples() {
        try (BlockQuery q = store.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null)) {
            assertEquals(3, q.blocks().size());
            TreeMap<Labels, List<String>> all = StoreData.dump(q, LabelMatcher.regex("__name__", ".+"));
            assertEquals(BigBlocks.SERIES, all.size());
            // Both copies of the first half hold each sample; the answer has it once (120 a minute-sampled series).
            assertEquals(120, all.get(StoreData.labels(0)).size());
        }
    }

    @Test
    void eachBlocksSeriesAreChunkSeriesWithTheQueryBounds() {
        long mint = T0 + RANGE / 2 + 600_000;
        long maxt = T0 + RANGE - 600_000;
        try (BlockQuery q = store.query(TENANT, mint, maxt, null)) {
            assertEquals(1, q.blocks().size(), "only the second half's block overlaps");
            SeriesSet set = q.select(true, LabelMatcher.equal("__name__", "metric_0"));
            int n = 0;
            while (set.next()) {
                ChunkSeries s = (ChunkSeries) set.at();
                assertEquals(mint, s.mint());
                assertEquals(maxt, s.maxt());
                assertTrue(s.chunks().length > 0);
                n++;
            }
            assertEquals(BigBlocks.SERIES / 10, n);
        }
    }

    @Test
    void queryingSomeBlocksReadsOnlyThose() {
        var first = store.loaded(TENANT).get(0).block().ulid();
        try (BlockQuery q = store.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, Set.of(first))) {
            assertEquals(List.of(first), q.blocks());
        }
    }

    @Test
    void labelNamesAndValuesAnswerAsTheBlockReader() {
        List<LabelMatcher[]> withNone = new ArrayList<>(MATCHERS);
        withNone.add(new LabelMatcher[0]);
        for (long[] r : RANGES) {
            for (LabelMatcher[] m : withNone) {
                String what = List.of(m) + " over [" + r[0] + ", " + r[1] + "]";
                try (Querier want = local.querier(r[0], r[1]); BlockQuery got = store.query(TENANT, r[0], r[1], null)) {
                    assertEquals(want.labelNames(m), got.labelNames(m), "names of " + what);
                    for (String name : List.of("env", "zone", "__name__", "nope")) {
                        assertEquals(want.labelValues(name, m), got.labelValues(name, m), name + " values of " + what);
                    }
                }
            }
        }
    }
}
