package io.mnemo.bucketstore;

import io.mnemo.objstore.S3ProxyServer;

import static io.mnemo.bucketstore.StoreData.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.objstore.S3Bucket;
import io.mnemo.tsdb.LabelMatcher;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.Querier;
import io.mnemo.tsdb.Queryable;
import io.mnemo.tsdb.block.BlockReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bucket store over a real S3 API (s3proxy in-process): the same answers, and repeated queries from the caches. */
class S3BucketStoreTest {
    static S3ProxyServer proxy;
    static S3Bucket s3;
    static CountingBucket bucket;
    static BucketStore store;
    static final List<BlockReader> readers = new ArrayList<>();
    static Queryable local;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        BigBlocks blocks = BigBlocks.get();
        local = blocks.localBlocks(readers);
        proxy = new S3ProxyServer(dir.resolve("s3"));
        proxy.createBucket("mnemo-blocks");
        s3 = new S3Bucket(proxy.config("mnemo-blocks"));
        for (Path b : blocks.local) StoreData.upload(s3, b);
        bucket = new CountingBucket(s3);
        store = new BucketStore(bucket, dir.resolve("sync"), StoreData.config(128L << 20, 128L << 20), (t, m) -> true);
        assertEquals(new BucketStore.SyncResult(3, 0, 0, 3), store.sync());
    }

    @AfterAll
    static void stop() throws Exception {
        if (store != null) store.close();
        if (s3 != null) s3.close();
        if (proxy != null) proxy.close();
        readers.forEach(BlockReader::close);
    }

    @Test
    void everySelectAnswersAsTheBlockReader() {
        for (long[] r : List.of(BucketStoreSameAnswersTest.RANGES).subList(0, 5)) {
            for (LabelMatcher[] m : BucketStoreSameAnswersTest.MATCHERS) {
                String what = List.of(m) + " over [" + r[0] + ", " + r[1] + "]";
                TreeMap<Labels, List<String>> want;
                List<String> wantNames;
                try (Querier q = local.querier(r[0], r[1])) {
                    want = StoreData.dump(q, m);
                    wantNames = q.labelNames(m);
                }
                try (BlockQuery q = store.query(TENANT, r[0], r[1], null)) {
                    StoreData.assertSameSeries(want, StoreData.dump(q, m), what);
                    assertEquals(wantNames, q.labelNames(m), "label names of " + what);
                }
            }
        }
    }

    @Test
    void aRepeatedQueryMakesNoRequests() {
        LabelMatcher[] m = {LabelMatcher.regex("job", "job-1[0-4]"), LabelMatcher.notEqual("zone", "")};
        TreeMap<Labels, List<String>> first;
        bucket.clear();
        try (BlockQuery q = store.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null)) {
            first = StoreData.dump(q, m);
        }
        int requests = bucket.reads().size();
        assertTrue(requests > 0 && !first.isEmpty());
        bucket.clear();
        try (BlockQuery q = store.query(TENANT, Long.MIN_VALUE, Long.MAX_VALUE, null)) {
            assertEquals(first, StoreData.dump(q, m));
        }
        assertEquals(List.of(), bucket.reads(), "answered from the caches, no request to S3");
    }
}
