package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.objstore.Bucket;
import io.mnemo.objstore.Buckets;
import io.mnemo.objstore.BucketConfig;
import io.mnemo.objstore.S3ProxyServer;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingesters ship their blocks to the bucket, and a node whose disk is replaced takes them back from
 * it (issue "Long-term storage", tests 1 and 2), on a single node with 2-minute blocks, once with
 * the filesystem bucket under the data directory and once against a real S3 API (s3proxy 2.6.0 in
 * this JVM):
 *
 * <ol>
 *   <li>Five block ranges of 2,000 series are pushed and flushed: the flush answers once the
 *       blocks are in the bucket. Four more ranges follow, the last one half full: the ingesters
 *       cut and ship ranges 5 and 6 on their own and keep 7 and 8 in their heads. The bucket then
 *       holds, for each of the 4 partitions, blocks in Mimir's layout with Thanos's and Mnemo's
 *       meta sections; promtool analyzes every one, and promtool's dump of them all is exactly
 *       ranges 0 to 6 as pushed.</li>
 *   <li>The node stops, and everything under its data directory goes but Kafka's directory (and
 *       the filesystem bucket): a replaced disk. Started again, each ingester finds its newest
 *       block in the bucket and consumes Kafka from the offset recorded there: the ring shows it
 *       resumed there, and the samples it appended are exactly those of ranges 7 and 8 (the
 *       records after that offset), none refused. It downloads its blocks (all within the
 *       retention period) and uploads none again. Every sample of ranges 0 to 8 is answered once,
 *       and the node keeps ingesting and shipping.</li>
 * </ol>
 */
class ShippingIT {
    static final String TENANT = "shipping";
    static final int SERIES = 2000;
    static final int PARTITIONS = 4;
    static final long RANGE = 120_000; // mnemo.ingester.block-range = 2m
    static final long STEP = 15_000;
    static final int PER_RANGE = (int) (RANGE / STEP);
    static final long T0 = 1_700_000_640_000L; // 24 minutes (12 block ranges) aligned
    /** Samples per series of ranges 0-7 and half of range 8; then with the rest of 8 and range 9. */
    static final int PUSHED = 8 * PER_RANGE + PER_RANGE / 2;
    static final int PUSHED_LATER = 10 * PER_RANGE;

    @TempDir
    Path dir;

    @Test
    void blocksGoToAFilesystemBucketAndComeBackToAReplacedDisk() throws Exception {
        Path data = dir.resolve("data");
        try (Bucket bucket = Buckets.open(BucketConfig.filesystem(data.resolve("blocks")))) {
            scenario(data, bucket, true);
        }
    }

    @Test
    void blocksGoToAnS3BucketAndComeBackToAReplacedDisk() throws Exception {
        Path data = dir.resolve("data");
        try (S3ProxyServer s3 = s3proxy(dir.resolve("s3proxy"));
             Bucket bucket = Buckets.open(BucketConfig.s3(s3.config("mnemo-blocks")))) {
            scenario(data, bucket, false, "mnemo.blocks-storage.backend", "s3",
                    "mnemo.blocks-storage.s3.endpoint", s3.endpoint(),
                    "mnemo.blocks-storage.s3.bucket-name", "mnemo-blocks",
                    "mnemo.blocks-storage.s3.access-key-id", S3ProxyServer.ACCESS_KEY,
                    "mnemo.blocks-storage.s3.secret-access-key", S3ProxyServer.SECRET_KEY,
                    "mnemo.blocks-storage.s3.insecure", "true");
            assertTrue(!Files.exists(data.resolve("blocks")), "no filesystem bucket when the backend is s3");
        }
    }

    /**
     * As the replaced disk above, once the compactor has merged every block of the partitions and
     * deleted them (issue "The compactor": an ingester restores from compacted blocks): each
     * ingester finds, in the compacted blocks' sources, where its newest cut was and resumes Kafka
     * there, consumes only ranges 7 and 8 again, and every sample is answered once, though the
     * compacted blocks it downloaded hold every partition's series.
     */
    @Test
    void aReplacedDiskComesBackFromCompactedBlocksOnceTheShippedOnesAreDeleted() throws Exception {
        Path data = dir.resolve("data");
        Object[] config = config("mnemo.compactor.compaction-interval", "1s",
                "mnemo.compactor.block-ranges", List.of("2m", "6m", "12m"),
                "mnemo.compactor.first-level-compaction-wait-period", "0s",
                "mnemo.compactor.deletion-delay", "2s",
                "mnemo.compactor.cleanup-interval", "1s",
                "mnemo.blocks-storage.bucket-store.ignore-deletion-marks-delay", "1s");
        try (Bucket bucket = Buckets.open(BucketConfig.filesystem(data.resolve("blocks")))) {
            try (TestNode n = TestNode.start(data, config)) {
                for (int r = 0; r < 5; r++) push(n, r, PER_RANGE);
                Await.until("ranges 0-4 consumed", Duration.ofSeconds(30), () -> complete(n, 5 * PER_RANGE));
                MnemoClient.Response flush = n.client.post("/ingester/flush");
                assertEquals(200, flush.status(), flush.body());
                for (int r = 5; r < 8; r++) push(n, r, PER_RANGE);
                push(n, 8, PER_RANGE / 2);
                Await.until("every sample queryable", Duration.ofSeconds(30), () -> complete(n, PUSHED));
                Await.until("only compacted blocks left in the bucket, holding ranges 0 to 6", Duration.ofSeconds(120),
                        () -> onlyCompactedBlocksUpTo(bucket, T0 + 7 * RANGE));
                for (String b : blocks(bucket)) {
                    JsonNode mnemo = meta(bucket, b).path("mnemo");
                    assertEquals(2, mnemo.path("version").asInt(), mnemo.toString());
                    assertTrue(mnemo.path("sources").size() > 0, mnemo.toString());
                }
            }
            try (Stream<Path> entries = Files.list(data)) {
                for (Path p : entries.toList()) {
                    String name = p.getFileName().toString();
                    if (!name.equals("kafka") && !name.equals("blocks")) deleteRecursively(p);
                }
            }
            try (TestNode n = TestNode.start(data, config)) {
                for (JsonNode e : n.client.getJson("/ingester/ring").json().path("ingesters")) {
                    assertEquals(7, e.path("resumedOffset").asLong(),
                            "partition " + e.path("partition").asInt() + " resumed where the compacted blocks say its newest cut was: " + e);
                }
                Await.until("ranges 7 and 8 consumed again", Duration.ofSeconds(30), () -> complete(n, PUSHED));
                String metrics = n.client.get("/metrics").body();
                assertEquals(SERIES * (PER_RANGE + PER_RANGE / 2), sum(metrics, "mnemo_ingester_appended_samples_total"),
                        "only the records from the recorded offset on were consumed: ranges 7 and 8");
                assertEquals(0, sum(metrics, "mnemo_ingester_rejected_samples_total"), "none refused: none consumed twice");
                assertEquals(0, sum(metrics, "mnemo_ingester_shipper_uploads_total"), "the downloaded blocks are not shipped again");
                push(n, 8, PER_RANGE, PER_RANGE / 2);
                push(n, 9, PER_RANGE);
                Await.until("the new samples consumed", Duration.ofSeconds(30), () -> complete(n, PUSHED_LATER));
            }
        }
    }

    /** Whether every block in the bucket is a compacted one, and they end at {@code end}. */
    static boolean onlyCompactedBlocksUpTo(Bucket bucket, long end) {
        try {
            List<String> blocks = blocks(bucket);
            if (blocks.isEmpty()) return false;
            long last = Long.MIN_VALUE;
            for (String b : blocks) {
                JsonNode m = meta(bucket, b);
                if (!m.path("thanos").path("source").asText().equals("compactor")) return false;
                last = Math.max(last, m.path("maxTime").asLong());
            }
            return last == end;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    void scenario(Path data, Bucket bucket, boolean bucketInDataDir, Object... bucketConfig) throws Exception {
        PrometheusTools.promtool();
        Object[] config = config(bucketConfig);
        Map<Integer, Long> rebuildOffsets;
        int shippedBlocks;
        try (TestNode n = TestNode.start(data, config)) {
            for (int r = 0; r < 5; r++) push(n, r, PER_RANGE);
            // A push is answered once Kafka has it; the flush cuts what the ingesters consumed.
            Await.until("ranges 0-4 consumed", Duration.ofSeconds(30), () -> complete(n, 5 * PER_RANGE));
            MnemoClient.Response flush = n.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            // Answered once shipped: every partition's blocks reach the flushed head's end.
            Map<Integer, Long> ends = blockEnds(bucket);
            assertEquals(PARTITIONS, ends.size(), "every partition shipped blocks: " + ends + "\n" + flush.body());
            for (long end : ends.values()) assertEquals(T0 + 5 * RANGE - STEP + 1, end, "flushed to the newest sample");

            for (int r = 5; r < 8; r++) push(n, r, PER_RANGE);
            push(n, 8, PER_RANGE / 2); // half a range: the head keeps ranges 7 and 8
            Await.until("ranges 5 and 6 cut and shipped by every ingester", Duration.ofSeconds(60),
                    () -> blockEnds(bucket).values().stream().allMatch(e -> e == T0 + 7 * RANGE));
            Await.until("every sample queryable", Duration.ofSeconds(30), () -> complete(n, PUSHED));

            rebuildOffsets = checkBucket(bucket, bucketInDataDir);
            assertEquals(Map.of(0, 7L, 1, 7L, 2, 7L, 3, 7L), rebuildOffsets,
                    "each partition's newest block says a rebuild starts at its record of range 7 (offsets 0-4: ranges "
                            + "0-4, 5-8: ranges 5-8)");
            shippedBlocks = blocks(bucket).size();
            String metrics = n.client.get("/metrics").body();
            assertEquals(shippedBlocks, sum(metrics, "mnemo_ingester_shipper_uploads_total"), "each block uploaded once");
            assertEquals(0, sum(metrics, "mnemo_ingester_shipper_upload_failures_total"));
        }

        // A replaced disk: only Kafka's directory (and a bucket living there) stays.
        try (Stream<Path> entries = Files.list(data)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.equals("kafka") || bucketInDataDir && name.equals("blocks")) continue;
                deleteRecursively(p);
            }
        }

        try (TestNode n = TestNode.start(data, config)) {
            for (JsonNode e : n.client.getJson("/ingester/ring").json().path("ingesters")) {
                int p = e.path("partition").asInt();
                assertEquals((long) rebuildOffsets.get(p), e.path("resumedOffset").asLong(),
                        "partition " + p + " resumed where its newest block in the bucket says: " + e);
            }
            Await.until("ranges 7 and 8 consumed again", Duration.ofSeconds(30), () -> complete(n, PUSHED));
            String metrics = n.client.get("/metrics").body();
            assertEquals(SERIES * (PER_RANGE + PER_RANGE / 2),
                    sum(metrics, "mnemo_ingester_appended_samples_total"),
                    "only the records from the recorded offset on were consumed: ranges 7 and 8");
            assertEquals(0, sum(metrics, "mnemo_ingester_rejected_samples_total"), "none refused: none consumed twice");
            assertEquals(0, sum(metrics, "mnemo_discarded_samples_total"));
            assertEquals(0, sum(metrics, "mnemo_ingester_shipper_uploads_total"), "the downloaded blocks are not shipped again");
            assertEquals(shippedBlocks, localBlocks(data), "its blocks within the retention period downloaded");
            assertEquals(SERIES, n.client.api(TENANT, "series", "match[]", "shipping_metric",
                    "start", Long.toString(T0 / 1000), "end", Long.toString((T0 + 9 * RANGE) / 1000))
                    .json().path("data").size());

            // It keeps ingesting, and ships what it cuts next.
            push(n, 8, PER_RANGE, PER_RANGE / 2);
            push(n, 9, PER_RANGE);
            Await.until("the new samples consumed", Duration.ofSeconds(30), () -> complete(n, PUSHED_LATER));
            MnemoClient.Response flush = n.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            assertTrue(blocks(bucket).size() > shippedBlocks, "new blocks shipped");
            assertEquals(blocks(bucket).size() - shippedBlocks,
                    sum(n.client.get("/metrics").body(), "mnemo_ingester_shipper_uploads_total"), "only the new ones");
            assertTrue(complete(n, PUSHED_LATER), "complete after the flush");
        }
    }

    static Object[] config(Object... bucketConfig) {
        List<Object> c = new ArrayList<>(List.of("mnemo.ingester.block-range", "2m", "mnemo.kafka.partitions", PARTITIONS));
        c.addAll(List.of(bucketConfig));
        return c.toArray();
    }

    // ---------------------------------------------------------------- data

    static Labels labels(int s) {
        return Labels.of("__name__", "shipping_metric", "job", "shipping", "series", Integer.toString(s));
    }

    /** The value of series s at its i-th sample (i counts from T0 in steps; below 1e6, which promtool prints as is). */
    static double value(int s, int i) {
        return s * 100 + i;
    }

    /** Pushes samples [0, count) of block range r for every series, one request. */
    static void push(TestNode n, int range, int count) {
        push(n, range, count, 0);
    }

    /** Pushes samples [from, count) of block range r for every series, one request. */
    static void push(TestNode n, int range, int count, int from) {
        RemoteWrite w = RemoteWrite.request();
        for (int s = 0; s < SERIES; s++) {
            long[] ts = new long[count - from];
            double[] vs = new double[count - from];
            for (int k = from; k < count; k++) {
                int i = range * PER_RANGE + k;
                ts[k - from] = T0 + i * STEP;
                vs[k - from] = value(s, i);
            }
            w.series(labels(s), ts, vs);
        }
        MnemoClient.Response r = n.client.push(TENANT, w.encode());
        assertEquals(200, r.status(), r.body());
    }

    /**
     * Whether the node answers the first {@code samples} samples of every series exactly: each
     * series once, each sample once with its value.
     */
    static boolean complete(TestNode n, int samples) {
        long last = T0 + (samples - 1) * STEP;
        JsonNode r = n.client.api(TENANT, "query", "query", "shipping_metric[" + (samples * STEP / 1000 + 60) + "s]",
                "time", Long.toString(last / 1000)).json();
        JsonNode result = r.path("data").path("result");
        if (result.size() != SERIES) return false;
        for (JsonNode series : result) {
            int s = Integer.parseInt(series.path("metric").path("series").asText());
            JsonNode values = series.path("values");
            if (values.size() != samples) return false;
            for (int i = 0; i < samples; i++) {
                assertEquals(Long.toString((T0 + i * STEP) / 1000), values.get(i).get(0).asText(), "series " + s);
                assertEquals(Long.toString((long) value(s, i)), values.get(i).get(1).asText(), "series " + s + " sample " + i);
            }
        }
        return true;
    }

    static List<String> expectedDump(int samples) {
        List<String> out = new ArrayList<>();
        for (int s = 0; s < SERIES; s++) {
            for (int i = 0; i < samples; i++) out.add(labels(s) + " " + (long) value(s, i) + " " + (T0 + i * STEP));
        }
        out.sort(null);
        return out;
    }

    // ---------------------------------------------------------------- the bucket

    /** The tenant's blocks in the bucket (with a meta.json), by ULID. */
    static List<String> blocks(Bucket bucket) throws IOException {
        List<String> out = new ArrayList<>();
        bucket.iter(TENANT, false, name -> out.add(name.substring(TENANT.length() + 1, name.length() - 1)));
        List<String> whole = new ArrayList<>();
        for (String b : out) if (bucket.exists(TENANT + "/" + b + "/meta.json")) whole.add(b);
        return whole;
    }

    static JsonNode meta(Bucket bucket, String block) throws IOException {
        try (InputStream in = bucket.get(TENANT + "/" + block + "/meta.json")) {
            return MnemoClient.JSON.readTree(in);
        }
    }

    /** Per partition, the end (maxTime) of its newest-ending block in the bucket. */
    static Map<Integer, Long> blockEnds(Bucket bucket) {
        try {
            Map<Integer, Long> out = new TreeMap<>();
            for (String b : blocks(bucket)) {
                JsonNode m = meta(bucket, b);
                out.merge(m.path("mnemo").path("partition").asInt(), m.path("maxTime").asLong(), Math::max);
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Checks every block in the bucket: its objects (Mimir's layout, the sizes meta.json lists), its
     * meta sections, promtool's analysis, and that promtool's dump of them all is ranges 0-6 as
     * pushed. Returns per partition the rebuild offset of its newest block.
     */
    Map<Integer, Long> checkBucket(Bucket bucket, boolean filesystem) throws Exception {
        Path copy = Files.createTempDirectory(dir, "bucket-copy");
        Map<Integer, Long> rebuild = new TreeMap<>();
        Map<Integer, String> newest = new TreeMap<>();
        List<String> blocks = blocks(bucket);
        assertTrue(blocks.size() >= 2 * PARTITIONS, "blocks: " + blocks);
        for (String b : blocks) {
            JsonNode m = meta(bucket, b);
            assertEquals(b, m.path("ulid").asText());
            assertEquals(1, m.path("version").asInt());
            JsonNode thanos = m.path("thanos");
            assertEquals("receive", thanos.path("source").asText(), m.toString());
            assertEquals(0, thanos.path("downsample").path("resolution").asInt());
            assertEquals(0, thanos.path("labels").size());
            List<String> objects = new ArrayList<>();
            bucket.iter(TENANT + "/" + b, true, objects::add);
            List<String> listed = new ArrayList<>();
            for (JsonNode f : thanos.path("files")) {
                String rel = f.path("rel_path").asText();
                listed.add(TENANT + "/" + b + "/" + rel);
                if (!rel.equals("meta.json")) {
                    assertEquals(f.path("size_bytes").asLong(), bucket.attributes(TENANT + "/" + b + "/" + rel).size(), rel);
                }
            }
            assertEquals(objects, listed, "exactly the files meta.json lists");
            assertTrue(objects.contains(TENANT + "/" + b + "/chunks/000001") && objects.contains(TENANT + "/" + b + "/index"),
                    objects.toString());
            JsonNode mnemo = m.path("mnemo");
            assertEquals(1, mnemo.path("version").asInt());
            assertEquals("zone-a", mnemo.path("zone").asText());
            assertTrue(mnemo.path("partition").asInt() < PARTITIONS, mnemo.toString());
            assertTrue(mnemo.path("rebuildOffset").asLong() <= mnemo.path("nextOffset").asLong(), mnemo.toString());
            int p = mnemo.path("partition").asInt();
            if (newest.get(p) == null || b.compareTo(newest.get(p)) > 0) {
                newest.put(p, b);
                rebuild.put(p, mnemo.path("rebuildOffset").asLong());
            }
            // A copy, object by object, for promtool's dump (it wants a TSDB directory with a WAL).
            for (String o : objects) {
                Path target = copy.resolve(o.substring(TENANT.length() + 1));
                Files.createDirectories(target.getParent());
                try (InputStream in = bucket.get(o)) {
                    Files.copy(in, target);
                }
            }
        }
        // promtool reads the bucket's own directory when it is one; else the copy of its objects.
        Path analyzed = filesystem ? dir.resolve("data").resolve("blocks").resolve(TENANT) : copy;
        for (String b : blocks) {
            String out = PrometheusTools.promtool(Duration.ofSeconds(120), "tsdb", "analyze", analyzed.toString(), b);
            assertTrue(out.contains("Block ID: " + b), out);
        }
        Files.createDirectories(copy.resolve("wal"));
        List<String> dump = new ArrayList<>();
        for (String line : PrometheusTools.promtool(Duration.ofSeconds(120), "tsdb", "dump", copy.toString()).split("\n")) {
            if (!line.isBlank()) dump.add(line.trim());
        }
        dump.sort(null);
        List<String> expected = expectedDump(7 * PER_RANGE);
        assertEquals(expected.size(), dump.size(), "samples in the bucket's blocks");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), dump.get(i), "promtool's dump of the bucket (ranges 0-6, each sample once), line " + i);
        }
        return rebuild;
    }

    static long localBlocks(Path data) throws IOException {
        Path tenantDir = data.resolve("tsdb").resolve(TENANT);
        try (Stream<Path> s = Files.list(tenantDir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("meta.json"))).count();
        }
    }

    /** The sum of a metric's samples in Prometheus's text format (0 when it has none). */
    static long sum(String metrics, String name) {
        double total = 0;
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
            total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return (long) total;
    }

    static void deleteRecursively(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }

    // ---------------------------------------------------------------- S3

    /** s3proxy 2.6.0 in this JVM (objstore's test server), with the bucket the node is given. */
    static S3ProxyServer s3proxy(Path dir) throws Exception {
        Files.createDirectories(dir);
        S3ProxyServer s3 = new S3ProxyServer(dir);
        s3.createBucket("mnemo-blocks");
        return s3;
    }
}
