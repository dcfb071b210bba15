package io.mnemo.bucketstore;

import static io.mnemo.bucketstore.StoreData.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.bucketstore.cache.CacheStats;
import io.mnemo.objstore.FilesystemBucket;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.block.BlockReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The caches stay within their byte bounds under a workload many times larger, and answers stay right. */
class CacheBoundsTest {
    static final long INDEX_BYTES = 512 << 10;
    static final long CHUNKS_BYTES = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void cachesStayWithinTheirBounds() throws IOException {
        List<BlockReader> readers = new ArrayList<>();
        Queryable local = BigBlocks.get().localBlocks(readers);
        try (FilesystemBucket bucket = new FilesystemBucket(BigBlocks.get().bucketDir);
             BucketStore store = new BucketStore(bucket, dir, StoreData.config(INDEX_BYTES, CHUNKS_BYTES), (t, m) -> true)) {
            store.sync();
            for (int round = 0; round < 2; round++) {
                for (int job = 0; job < 20; job++) {
                    LabelMatcher[] m = {LabelMatcher.equal("job", "job-" + job)};
                    TreeMap<Labels, List<String>> got;
                    try (BlockQuery q = store.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null)) {
                        got = StoreData.dump(q, m);
                    }
                    if (job % 7 == 0) {
                        try (Querier q = local.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
                            StoreData.assertSameSeries(StoreData.dump(q, m), got, "job-" + job);
                        }
                    }
                    assertWithin(store.indexCacheStats(), "index cache");
                    assertWithin(store.chunksCacheStats(), "chunks cache");
                }
            }
            store.indexCache().cleanUp();
            store.chunksCache().cleanUp();
            CacheStats index = assertWithin(store.indexCacheStats(), "index cache");
            CacheStats chunks = assertWithin(store.chunksCacheStats(), "chunks cache");
            System.out.println("after the workload: " + index + " " + chunks);
            assertTrue(index.evictions() > 0 && chunks.evictions() > 0, "the workload outgrew both: " + index + " " + chunks);
            assertTrue(index.bytes() > INDEX_BYTES / 2 && chunks.bytes() > CHUNKS_BYTES / 2, "both in use: " + index + " " + chunks);
            assertTrue(index.misses() > 0 && chunks.misses() > 0);
            assertEquals(INDEX_BYTES, index.maxBytes());
        } finally {
            readers.forEach(BlockReader::close);
        }
    }

    private static CacheStats assertWithin(CacheStats s, String what) {
        assertTrue(s.bytes() <= s.maxBytes(), what + " within its bound: " + s);
        return s;
    }
}
