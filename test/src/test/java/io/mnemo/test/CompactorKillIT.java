package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.bucketstore.BucketBlockMeta;
import io.mnemo.bucketstore.BucketLayout;
import io.mnemo.bucketstore.bucketindex.BucketIndex;
import io.mnemo.objstore.Bucket;
import io.mnemo.objstore.BucketConfig;
import io.mnemo.objstore.Buckets;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compactor SIGKILLed in the middle of a compaction leaves the bucket consistent, and the
 * restarted compactor finishes the work (issue "The compactor", test 3). A single node in its own
 * JVM first ingests 13 two-minute ranges of 20,000 series over two partitions without the compactor
 * role and ships them; restarted with the role, its compactor starts merging at once, and is killed
 * as soon as it logs that a merge started (its work directory then holds the merge's inputs). The
 * bucket index then lists only whole blocks (every file meta.json names is there), and no block
 * without meta.json. Restarted, the node answers every sample once (counts and sums per series),
 * and the compactor finishes: the blocks of every 12m range in one, the sources deleted.
 */
class CompactorKillIT {
    static final String TENANT = "killed";
    static final int SERIES = 20_000;
    static final long RANGE = 120_000;
    static final long STEP = 15_000;
    static final int PER_RANGE = (int) (RANGE / STEP);
    static final int RANGES = 13;
    static final int SAMPLES = RANGES * PER_RANGE;
    static final long T0 = CompactorIT.T0;
    static final long LAST = T0 + (SAMPLES - 1) * STEP;

    @TempDir
    Path dir;

    String config(int http, boolean compactor) throws IOException {
        return """
                mnemo {
                  data-dir = "%s"
                  http { host = "127.0.0.1", port = %d }
                  kafka.embedded.port = %d
                  kafka.partitions = 2
                  management.enabled = false
                  roles = %s
                  ingester.block-range = 2m
                  ingester.head-compaction-interval = 1s
                  blocks-storage.tsdb.retention-period = 3s
                  blocks-storage.bucket-store { sync-interval = 1s, ignore-blocks-within = 0s, ignore-deletion-marks-delay = 2s }
                  querier { query-store-after = 0s, query-ingesters-within = 10m }
                  compactor { compaction-interval = 2s, block-ranges = [2m, 6m, 12m], first-level-compaction-wait-period = 0s,
                              deletion-delay = 4s, cleanup-interval = 1s }
                }
                pekko.remote.artery.canonical.port = %d
                %s""".formatted(dir.resolve("data"), http, MnemoProcess.freePort(),
                compactor ? "[distributor, ingester, querier, store-gateway, compactor]" : "[distributor, ingester, querier, store-gateway]",
                MnemoProcess.freePort(), MnemoProcess.SINGLE_NODE_RESTARTS);
    }

    @Test
    void aCompactorKilledInTheMiddleOfAMergeLeavesTheBucketConsistentAndTheRestartedOneFinishes() throws Exception {
        int http = MnemoProcess.freePort();
        Path data = dir.resolve("data");
        try (MnemoProcess node = new MnemoProcess("compactor", dir, config(http, false), http, 0).heap("1g");
             Bucket bucket = Buckets.open(BucketConfig.filesystem(data.resolve("blocks")))) {
            node.start().awaitReady(Duration.ofMinutes(2));
            for (int r = 0; r < RANGES; r++) push(node.client, r);
            Await.until("every sample consumed", Duration.ofSeconds(120), () -> ShippingIT.sum(node.client.get("/metrics").body(),
                    "mnemo_ingester_appended_samples_total") == (long) SERIES * SAMPLES);
            MnemoClient.Response flush = node.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            int shipped = CompactorIT.blockDirs(bucket, TENANT);
            assertTrue(shipped >= 4, "both partitions shipped blocks: " + shipped);
            assertTrue(node.terminate(Duration.ofSeconds(60)), "stopped");

            node.reconfigure(config(http, true));
            node.start();
            node.awaitLogLine("Compactor: merge of \\d+ blocks started", Duration.ofSeconds(120));
            node.kill();
            Path work = data.resolve("compactor").resolve("compact").resolve(TENANT);
            assertTrue(nonEmpty(work), "killed in the middle of a compaction: its work directory holds the merge's files");
            assertBucketConsistent(bucket);

            node.start().awaitReady(Duration.ofMinutes(3));
            assertBucketConsistent(bucket);
            Await.until("the restarted compactor finished: every 12m range in one block, the sources deleted",
                    Duration.ofSeconds(180), () -> CompactorIT.compacted(bucket, TENANT, RANGES) && !nonEmpty(work));
            Await.until("every sample answered once", Duration.ofSeconds(60), () -> answersEverySampleOnce(node.client));
            String metrics = node.client.get("/metrics").body();
            assertEquals(0, ShippingIT.sum(metrics, "mnemo_compactor_blocks_marked_for_no_compaction_total"));
            assertEquals(0, ShippingIT.sum(metrics, "mnemo_querier_blocks_consistency_checks_failed_total"), "no query saw a gap");
        }
    }

    /** Every block the index lists is whole: meta.json and every file it names, with its size; partial blocks are not listed. */
    static void assertBucketConsistent(Bucket bucket) throws IOException {
        BucketIndex index = BucketIndex.read(bucket, TENANT).orElse(null);
        if (index == null) return; // not written yet: readers list the bucket, which takes whole blocks only
        for (BucketIndex.Block b : index.blocks()) {
            BucketBlockMeta meta = BucketLayout.meta(bucket, TENANT, b.id()).orElse(null);
            if (meta == null) {
                // Deleted since the index was written: only blocks marked for deletion may go.
                assertTrue(index.markedForDeletion().contains(b.id()), "block " + b.id() + " in the index has no meta.json");
                continue;
            }
            for (BucketBlockMeta.BlockFile f : meta.files()) {
                if (f.relPath().equals(BucketLayout.META)) continue;
                assertEquals(f.sizeBytes(), bucket.attributes(BucketLayout.object(TENANT, b.id(), f.relPath())).size(),
                        "block " + b.id() + " in the index: " + f.relPath());
            }
        }
    }

    static boolean nonEmpty(Path dir) {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(Files::isRegularFile);
        } catch (IOException e) {
            return true; // changing under us: not empty
        }
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "killed_metric", "series", Integer.toString(s));
    }

    static void push(MnemoClient client, int range) {
        RemoteWrite w = RemoteWrite.request();
        for (int s = 0; s < SERIES; s++) {
            long[] ts = new long[PER_RANGE];
            double[] vs = new double[PER_RANGE];
            for (int k = 0; k < PER_RANGE; k++) {
                int i = range * PER_RANGE + k;
                ts[k] = T0 + i * STEP;
                vs[k] = s * 1000 + i;
            }
            w.series(labels(s), ts, vs);
        }
        MnemoClient.Response r = client.push(TENANT, w.encode());
        assertEquals(200, r.status(), r.body());
    }

    /** Per series, the count and the sum of its samples are those pushed (a sample twice or missing changes both or one). */
    static boolean answersEverySampleOnce(MnemoClient client) {
        String window = (SAMPLES * STEP / 1000 + 60) + "s";
        String at = Long.toString(LAST / 1000);
        MnemoClient.Response counts = client.api(TENANT, "query", "query", "count_over_time(killed_metric[" + window + "])", "time", at);
        MnemoClient.Response sums = client.api(TENANT, "query", "query", "sum_over_time(killed_metric[" + window + "])", "time", at);
        if (counts.status() != 200 || sums.status() != 200) return false;
        JsonNode c = counts.json().path("data").path("result");
        JsonNode s = sums.json().path("data").path("result");
        if (c.size() != SERIES || s.size() != SERIES) return false;
        long sumOfI = (long) SAMPLES * (SAMPLES - 1) / 2;
        for (JsonNode e : c) assertEquals(Integer.toString(SAMPLES), e.path("value").get(1).asText(), e.toString());
        for (JsonNode e : s) {
            int series = Integer.parseInt(e.path("metric").path("series").asText());
            assertEquals((double) SAMPLES * series * 1000 + sumOfI, Double.parseDouble(e.path("value").get(1).asText()), e.toString());
        }
        return true;
    }
}
