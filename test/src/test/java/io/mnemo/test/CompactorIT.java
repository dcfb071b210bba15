package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.bucketindex.BucketIndex;
import io.mnemo.objstore.Bucket;
import io.mnemo.objstore.BucketConfig;
import io.mnemo.objstore.Buckets;
import io.mnemo.tsdb.Labels;
import io.mnemo.tsdb.block.Ulid;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compactor role on a single node with every role (issue "The compactor"): 2-minute ingester
 * blocks, compactor block ranges 2m, 6m and 12m, no first-level wait, a 4 s deletion delay and
 * 2 s ignore-deletion-marks-delay, store-gateways asked for every time and ingesters keeping
 * shipped blocks 3 s, so that queries of the pushed range are answered from the bucket.
 *
 * <ol>
 *   <li>Thirteen block ranges of two tenants are pushed over two partitions and flushed: the
 *       compactor merges the partitions' blocks (they overlap in time) and the ranges until each
 *       12-minute range of each tenant is in one block, and deletes the sources after the delay.
 *       promtool's dump of the blocks left is exactly the samples pushed, each once, and queries
 *       answer exactly what was pushed.</li>
 *   <li>A third tenant with a retention of one day: its old blocks are marked for retention and
 *       deleted, its recent block stays.</li>
 *   <li>{@code POST /compactor/delete_tenant} for one tenant: its blocks go, its queries answer
 *       nothing, {@code delete_tenant_status} says so; the other tenant answers as before, and the
 *       node keeps ingesting.</li>
 * </ol>
 */
class CompactorIT {
    static final String A = "compacted-a";
    static final String B = "compacted-b";
    static final String RETAINED = "retained";
    static final int SERIES = 400;
    static final long RANGE = 120_000; // mnemo.ingester.block-range = 2m
    static final long BIG = 12 * 60_000; // the largest compactor block range
    static final long STEP = 15_000;
    static final int PER_RANGE = (int) (RANGE / STEP);
    static final int RANGES = 13; // two full 12m ranges and a block of the third
    static final int SAMPLES = RANGES * PER_RANGE;
    static final long T0 = 1_700_000_640_000L; // 24 minutes aligned
    static final long LAST = T0 + (SAMPLES - 1) * STEP;

    @TempDir
    Path dir;

    static Object[] config() {
        return new Object[] {
                "mnemo.ingester.block-range", "2m",
                "mnemo.kafka.partitions", 2,
                // Three sync intervals: the querier's upload grace for new blocks (capped by this).
                "mnemo.blocks-storage.tsdb.retention-period", "3s",
                "mnemo.blocks-storage.bucket-store.sync-interval", "1s",
                "mnemo.blocks-storage.bucket-store.ignore-blocks-within", "0s",
                "mnemo.blocks-storage.bucket-store.ignore-deletion-marks-delay", "2s",
                "mnemo.querier.query-store-after", "0s",
                "mnemo.querier.query-ingesters-within", "10m",
                "mnemo.compactor.compaction-interval", "2s",
                "mnemo.compactor.block-ranges", List.of("2m", "6m", "12m"),
                "mnemo.compactor.first-level-compaction-wait-period", "0s",
                "mnemo.compactor.deletion-delay", "4s",
                "mnemo.compactor.cleanup-interval", "1s",
                "mnemo.limits.tenants." + RETAINED + ".compactor-blocks-retention-period", "1d"};
    }

    @Test
    void blocksAreCompactedIntoOnePerRangeWithEverySampleOnceRetentionAndTenantDeletionRemoveBlocks() throws Exception {
        PrometheusTools.promtool();
        Path data = dir.resolve("data");
        try (TestNode n = TestNode.start(data, config());
             Bucket bucket = Buckets.open(BucketConfig.filesystem(data.resolve("blocks")))) {
            for (String tenant : List.of(A, B, RETAINED)) {
                for (int r = 0; r < RANGES; r++) push(n, tenant, r);
            }
            Await.until("every sample consumed", Duration.ofSeconds(60), () -> sum(n.client.get("/metrics").body(),
                    "mnemo_ingester_appended_samples_total") == 3L * SERIES * SAMPLES);
            MnemoClient.Response flush = n.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            // Recent samples of the tenant with a retention, cut on their own (a flush cuts a head whole).
            long now = System.currentTimeMillis() / STEP * STEP;
            pushRecent(n, RETAINED, now - 5 * 60_000, now - 60_000);
            Await.until("the recent samples consumed", Duration.ofSeconds(60), () -> sum(n.client.get("/metrics").body(),
                    "mnemo_ingester_appended_samples_total") == 3L * SERIES * SAMPLES + SERIES * 16L);
            flush = n.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());

            for (String tenant : List.of(A, B)) {
                Await.until(tenant + ": one block per 12m range, the sources deleted", Duration.ofSeconds(120),
                        () -> compacted(bucket, tenant, RANGES));
                assertBucketHoldsEverySampleOnce(bucket, tenant);
                Await.until(tenant + ": queries answer every sample once", Duration.ofSeconds(30), () -> complete(n, tenant));
            }
            String metrics = n.client.get("/metrics").body();
            assertTrue(sum(metrics, "mnemo_compactor_runs_started_total") > 0, "the compactor ran");
            assertTrue(sum(metrics, "mnemo_compactor_blocks_cleaned_total") > 0, "the sources were deleted");
            assertEquals(0, sum(metrics, "mnemo_compactor_blocks_marked_for_no_compaction_total"));
            assertEquals(0, sum(metrics, "mnemo_querier_blocks_consistency_checks_failed_total"), "no query saw a gap");

            // Retention: the old ranges go, the recent block stays.
            Await.until(RETAINED + ": only blocks within the retention period left", Duration.ofSeconds(60), () -> {
                List<BucketIndex.Block> blocks = index(bucket, RETAINED).blocks();
                return !blocks.isEmpty() && blocks.stream().allMatch(b -> b.minTime() > now - Duration.ofDays(1).toMillis())
                        && blockDirs(bucket, RETAINED) == blocks.size();
            });
            assertTrue(sum(n.client.get("/metrics").body(), "mnemo_compactor_blocks_marked_for_deletion_total{reason=\"retention\"}") > 0);
            Await.until(RETAINED + ": old samples no longer answered", Duration.ofSeconds(30),
                    () -> seriesCount(n, RETAINED, T0, LAST) == 0);

            // Tenant deletion.
            MnemoClient.Response status = n.client.get(B, "/compactor/delete_tenant_status");
            assertEquals(200, status.status(), status.body());
            assertEquals(B, status.json().path("tenant_id").asText());
            assertEquals(false, status.json().path("blocks_deleted").asBoolean());
            assertEquals(401, n.client.post(null, "/compactor/delete_tenant").status(), "no tenant: refused");
            MnemoClient.Response deleted = n.client.post(B, "/compactor/delete_tenant");
            assertEquals(200, deleted.status(), deleted.body());
            Await.until(B + " deleted", Duration.ofSeconds(60),
                    () -> n.client.get(B, "/compactor/delete_tenant_status").json().path("blocks_deleted").asBoolean());
            assertEquals(List.of(), BucketLayout.blocksNewestFirst(bucket, B));
            Await.until(B + ": nothing answered", Duration.ofSeconds(30), () -> seriesCount(n, B, T0, LAST) == 0);
            assertTrue(complete(n, A), A + " answers as before");

            // It keeps ingesting and answering.
            push(n, A, RANGES);
            MnemoClient.Response again = n.client.post("/ingester/flush");
            assertEquals(200, again.status(), again.body());
            Await.until(A + ": the new range answered too", Duration.ofSeconds(60),
                    () -> count(n, A, T0 + (RANGES + 1) * RANGE - STEP, (RANGES + 1) * PER_RANGE));
        }
    }

    // ---------------------------------------------------------------- the bucket

    static BucketIndex index(Bucket bucket, String tenant) {
        try {
            return BucketIndex.read(bucket, tenant).orElse(BucketIndex.empty(0));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static int blockDirs(Bucket bucket, String tenant) {
        try {
            return BucketLayout.blocksNewestFirst(bucket, tenant).size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Whether compaction is done and its sources deleted: the tenant's live blocks do not overlap
     * (every copy merged), no two lie within one 12m range (every range merged), at most one per
     * 12m range the data touches, none is marked any more, and the bucket holds nothing else.
     * (Ingesters that fall behind cut blocks of several 2m ranges at once, so a merge of
     * overlapping blocks may span two 12m ranges: one block then stands for both.)
     */
    static boolean compacted(Bucket bucket, String tenant, int ranges) {
        BucketIndex index = index(bucket, tenant);
        List<BucketIndex.Block> live = index.liveBlocks().stream()
                .sorted(java.util.Comparator.comparingLong(BucketIndex.Block::minTime)).toList();
        if (live.isEmpty() || !index.blockDeletionMarks().isEmpty() || index.blocks().size() != live.size()) return false;
        if (live.size() > (ranges * RANGE + BIG - 1) / BIG) return false;
        for (int i = 1; i < live.size(); i++) {
            BucketIndex.Block prev = live.get(i - 1);
            BucketIndex.Block b = live.get(i);
            if (prev.maxTime() > b.minTime()) return false; // overlap
            if ((prev.minTime() - T0) / BIG == (b.maxTime() - 1 - T0) / BIG) return false; // both within one 12m range
        }
        return blockDirs(bucket, tenant) == live.size();
    }

    /** promtool's dump of the tenant's blocks in the bucket is every sample pushed, each once. */
    void assertBucketHoldsEverySampleOnce(Bucket bucket, String tenant) throws Exception {
        Path copy = Files.createTempDirectory(dir, "bucket-" + tenant);
        for (Ulid b : BucketLayout.blocksNewestFirst(bucket, tenant)) {
            List<String> objects = new ArrayList<>();
            bucket.iter(BucketLayout.block(tenant, b), true, objects::add);
            for (String o : objects) {
                Path target = copy.resolve(o.substring(tenant.length() + 1));
                Files.createDirectories(target.getParent());
                try (InputStream in = bucket.get(o)) {
                    Files.copy(in, target);
                }
            }
        }
        Files.createDirectories(copy.resolve("wal"));
        List<String> dump = new ArrayList<>();
        for (String line : PrometheusTools.promtool(Duration.ofSeconds(120), "tsdb", "dump", copy.toString()).split("\n")) {
            if (!line.isBlank()) dump.add(line.trim());
        }
        dump.sort(null);
        List<String> expected = new ArrayList<>();
        for (int s = 0; s < SERIES; s++) {
            for (int i = 0; i < SAMPLES; i++) expected.add(labels(tenant, s) + " " + (long) value(s, i) + " " + (T0 + i * STEP));
        }
        expected.sort(null);
        assertEquals(expected.size(), dump.size(), tenant + ": samples in the compacted blocks (none twice)");
        assertEquals(expected, dump, tenant + ": promtool's dump of the compacted blocks");
    }

    // ---------------------------------------------------------------- data

    static Labels labels(String tenant, int s) {
        return Labels.of("__name__", "compactor_metric", "job", tenant, "series", Integer.toString(s));
    }

    static double value(int s, int i) {
        return s * 1000 + i;
    }

    /** Pushes block range r of every series, one request. */
    static void push(TestNode n, String tenant, int range) {
        RemoteWrite w = RemoteWrite.request();
        for (int s = 0; s < SERIES; s++) {
            long[] ts = new long[PER_RANGE];
            double[] vs = new double[PER_RANGE];
            for (int k = 0; k < PER_RANGE; k++) {
                int i = range * PER_RANGE + k;
                ts[k] = T0 + i * STEP;
                vs[k] = value(s, i);
            }
            w.series(labels(tenant, s), ts, vs);
        }
        MnemoClient.Response r = n.client.push(tenant, w.encode());
        assertEquals(200, r.status(), r.body());
    }

    /** Pushes samples of every series every 15 s in [from, to). */
    static void pushRecent(TestNode n, String tenant, long from, long to) {
        RemoteWrite w = RemoteWrite.request();
        int count = (int) ((to - from) / STEP);
        for (int s = 0; s < SERIES; s++) {
            long[] ts = new long[count];
            double[] vs = new double[count];
            for (int k = 0; k < count; k++) {
                ts[k] = from + k * STEP;
                vs[k] = k;
            }
            w.series(labels(tenant, s), ts, vs);
        }
        MnemoClient.Response r = n.client.push(tenant, w.encode());
        assertEquals(200, r.status(), r.body());
    }

    /** Whether every series of the tenant answers each of its samples up to LAST once, with its value. */
    static boolean complete(TestNode n, String tenant) {
        JsonNode r = n.client.api(tenant, "query", "query", "compactor_metric[" + (SAMPLES * STEP / 1000 + 60) + "s]",
                "time", Long.toString(LAST / 1000)).json();
        JsonNode result = r.path("data").path("result");
        if (result.size() != SERIES) return false;
        for (JsonNode series : result) {
            int s = Integer.parseInt(series.path("metric").path("series").asText());
            JsonNode values = series.path("values");
            if (values.size() != SAMPLES) return false;
            for (int i = 0; i < SAMPLES; i++) {
                assertEquals(Long.toString((T0 + i * STEP) / 1000), values.get(i).get(0).asText(), "series " + s);
                assertEquals(Long.toString((long) value(s, i)), values.get(i).get(1).asText(), "series " + s + " sample " + i);
            }
        }
        return true;
    }

    /** Whether every series has {@code samples} samples up to {@code at}. */
    static boolean count(TestNode n, String tenant, long at, int samples) {
        JsonNode r = n.client.api(tenant, "query", "query", "count_over_time(compactor_metric[" + (samples * STEP / 1000 + 60) + "s])",
                "time", Long.toString(at / 1000)).json();
        JsonNode result = r.path("data").path("result");
        if (result.size() != SERIES) return false;
        for (JsonNode series : result) {
            if (!series.path("value").get(1).asText().equals(Integer.toString(samples))) return false;
        }
        return true;
    }

    /**
     * The series answered over [from, to]; -1 for a 503, which a query may get while the querier
     * still expects blocks the store-gateway has dropped already (until its next refresh).
     */
    static int seriesCount(TestNode n, String tenant, long from, long to) {
        MnemoClient.Response r = n.client.api(tenant, "series", "match[]", "compactor_metric",
                "start", Long.toString(from / 1000), "end", Long.toString(to / 1000));
        if (r.status() == 503) return -1;
        assertEquals(200, r.status(), r.body());
        return r.json().path("data").size();
    }

    static long sum(String metrics, String name) {
        return ShippingIT.sum(metrics, name);
    }
}
