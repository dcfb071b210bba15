package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.objstore.Bucket;
import io.mnemo.objstore.BucketConfig;
import io.mnemo.objstore.Buckets;
import io.mnemo.server.kafka.EmbeddedKafka;
import io.mnemo.tsdb.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long-term storage on the example's shape (issue "Long-term storage", test 3): three nodes with
 * every role in two zones (zone-a: node1 and node3, zone-b: node2) around one Kafka, one bucket
 * they all mount (a filesystem bucket in a shared directory), 2-minute blocks.
 *
 * <p>20 minutes of 20,000 series end now. Both zones' ingesters cut and ship every range older than
 * what their heads keep, and, with a retention period of 0s, drop them from their disks: the old
 * ranges are then only in the bucket, twice (one copy per zone), and the recent ones only in the
 * ingesters' heads. Queriers ask store-gateways for everything (query-store-after 0s) and ingesters
 * for queries reaching the last 5 minutes. So:
 * <ul>
 *   <li>a query of the old ranges alone is answered by store-gateways alone, exactly;</li>
 *   <li>a query over the whole 20 minutes spans store-gateway and ingester time and counts every
 *       sample once (the two zones' copies of a block and an ingester's head overlap nothing twice);</li>
 *   <li>node3, a store-gateway serving zone-a's replica of half the blocks (and an ingester), is
 *       killed with SIGKILL while clients query through node1: every answer stays exact.</li>
 * </ul>
 */
class StoreGatewayClusterIT {
    static final int PARTITIONS = 4;
    static final int SERIES = 20_000;
    static final long STEP = 15_000;
    static final long RANGE = 120_000;
    static final int SAMPLES = 80; // 20 minutes

    @TempDir
    Path dir;

    @Test
    void queriesSpanStoreGatewaysAndIngestersExactlyAndSurviveAStoreGatewaysDeath() throws Exception {
        long tLast = System.currentTimeMillis() / STEP * STEP;
        long t0 = tLast - (SAMPLES - 1) * STEP;
        Path bucketDir = dir.resolve("bucket");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), "127.0.0.1", 0);
             Bucket bucket = Buckets.open(BucketConfig.filesystem(bucketDir))) {
            int[] remoting = new int[3];
            for (int i = 0; i < 3; i++) remoting[i] = MnemoProcess.freePort();
            String seeds = "[\"pekko://mnemo@127.0.0.1:" + remoting[0] + "\", \"pekko://mnemo@127.0.0.1:" + remoting[1] + "\"]";
            String[] zones = {"zone-a", "zone-b", "zone-a"};
            List<MnemoProcess> nodes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int http = MnemoProcess.freePort();
                String conf = """
                        mnemo {
                          data-dir = "%s"
                          roles = [distributor, ingester, querier, store-gateway, compactor]
                          zone = "%s"
                          zones = [zone-a, zone-b]
                          http { host = "127.0.0.1", port = %d }
                          kafka { bootstrap-servers = "%s", partitions = %d }
                          ring.heartbeat-timeout = 5s
                          querier {
                            ingester-timeout = 5s
                            query-store-after = 0s
                            query-ingesters-within = 5m
                          }
                          ingester.block-range = 2m
                          blocks-storage {
                            filesystem.dir = "%s"
                            tsdb.retention-period = 0s
                            bucket-store { sync-interval = 3s, ignore-blocks-within = 0s, ignore-deletion-marks-delay = 10s }
                          }
                          compactor { compaction-interval = 2s, block-ranges = [2m, 6m, 12m],
                                      first-level-compaction-wait-period = 0s, deletion-delay = 12s, cleanup-interval = 2s }
                          store-gateway.sharding-ring.replication-factor = 2
                          limits.max-fetched-series-per-query = 0
                          limits.max-fetched-chunk-bytes-per-query = 0
                        }
                        pekko.remote.artery.canonical.port = %d
                        pekko.management.http.port = %d
                        pekko.cluster.seed-nodes = %s
                        pekko.cluster.split-brain-resolver.stable-after = 5s
                        pekko.cluster.failure-detector.acceptable-heartbeat-pause = 4s
                        pekko.cluster.failure-detector.heartbeat-interval = 500ms
                        """.formatted(dir.resolve("node" + (i + 1)), zones[i], http, kafka.bootstrapServers(), PARTITIONS,
                        bucketDir, remoting[i], MnemoProcess.freePort(), seeds);
                nodes.add(new MnemoProcess("node" + (i + 1), dir, conf, http, remoting[i]).heap("1g"));
            }
            MnemoProcess n1 = nodes.get(0), n2 = nodes.get(1), n3 = nodes.get(2);
            try {
                for (MnemoProcess n : nodes) n.start();
                for (MnemoProcess n : nodes) n.awaitReady(Duration.ofMinutes(4));
                Await.until("every partition ACTIVE in both zones", Duration.ofSeconds(120), () -> {
                    List<ClusterIT.Entry> ring = ClusterIT.ring(n1);
                    return ring.size() == 2 * PARTITIONS && ring.stream().allMatch(e -> e.state().equals("ACTIVE"));
                });
                push(n1, t0);

                // Every range older than the heads keep is in the bucket from both zones, for every partition.
                long shippedEnd = (tLast - 2 * RANGE) / RANGE * RANGE; // heads keep at most the last 1.5 ranges
                Await.until("both zones shipped every partition's old ranges", Duration.ofMinutes(3),
                        () -> shippedFromBothZones(bucket, shippedEnd));

                // Old ranges only: ingesters are not asked (before now - 5m), their blocks are gone anyway.
                long oldEnd = shippedEnd - STEP;
                int oldSamples = (int) ((oldEnd - t0) / STEP) + 1;
                for (MnemoProcess n : nodes) {
                    // 503 until the store-gateways synced the blocks the ingesters dropped: never a gap.
                    Await.until(n.name + " answers the old ranges from store-gateways", Duration.ofMinutes(2),
                            () -> totalOrStatus(n, oldEnd, oldSamples, new ArrayList<>()) == (long) SERIES * oldSamples);
                }
                // The whole span: store-gateways and ingesters, every sample once.
                for (MnemoProcess n : nodes) {
                    Await.until(n.name + " answers all 20 minutes", Duration.ofMinutes(1),
                            () -> totalOrStatus(n, tLast, SAMPLES, new ArrayList<>()) == (long) SERIES * SAMPLES);
                    assertExactSeries(n, tLast);
                }
                assertTrue(ReadPathIT.sum(nodes, "mnemo_bucket_store_blocks_loaded") > 0, "store-gateways loaded blocks");

                // SIGKILL node3 (store-gateway of zone-a's replica of about half the blocks) under queries through node1.
                AtomicBoolean running = new AtomicBoolean(true);
                List<String> wrong = new CopyOnWriteArrayList<>();
                AtomicInteger exact = new AtomicInteger();
                Thread client = new Thread(() -> {
                    while (running.get()) {
                        long got = totalOrStatus(n1, tLast, SAMPLES, wrong);
                        if (got == (long) SERIES * SAMPLES) exact.incrementAndGet();
                        else if (got >= 0) wrong.add("total " + got);
                    }
                });
                client.start();
                Await.until("queries under way", Duration.ofSeconds(60), () -> exact.get() >= 2);
                n3.kill();
                int before = exact.get();
                Await.until("queries exact after node3's death", Duration.ofSeconds(120), () -> exact.get() >= before + 5);
                running.set(false);
                client.join();
                assertEquals(List.of(), wrong, "a store-gateway's death changes no answer");
                assertEquals((long) SERIES * oldSamples, total(n2, oldEnd, oldSamples), "node2 serves every block");
                assertExactSeries(n2, tLast);

                // The compactor's work, finished by a survivor if node3 owned the tenant.
                Await.until("the tenant compacted: no overlap, each complete 12m range in one block, the sources deleted",
                        Duration.ofMinutes(3), () -> compacted(bucket));
                assertBucketHoldsEachShippedSampleOnce(bucket, t0);
                assertEquals((long) SERIES * SAMPLES, total(n2, tLast, SAMPLES), "queries unchanged after the compaction");
                assertEquals((long) SERIES * SAMPLES, total(n1, tLast, SAMPLES));
                assertExactSeries(n1, tLast);
                // compacted(bucket) saw the sources deleted; which node deleted them (node3 may have,
                // before its death) is not this test's question: CompactorIT checks the counter.
            } finally {
                MnemoProcess.closeAll(nodes);
            }
        }
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "sg_metric", "job", "sg", "pod", "pod-" + s % 100, "series", Integer.toString(s));
    }

    static double value(int s, int i) {
        return s + i * 0.5;
    }

    static void push(MnemoProcess via, long t0) {
        for (int from = 0; from < SAMPLES; from += 8) {
            int n = Math.min(8, SAMPLES - from);
            long[] ts = new long[n];
            for (int i = 0; i < n; i++) ts[i] = t0 + (from + i) * STEP;
            for (int first = 0; first < SERIES; first += 20_000) {
                RemoteWrite w = RemoteWrite.request();
                for (int s = first; s < first + 20_000; s++) {
                    double[] vs = new double[n];
                    for (int i = 0; i < n; i++) vs[i] = value(s, from + i);
                    w.series(labels(s), ts, vs);
                }
                MnemoClient.Response r = via.client.push("t", w.encode());
                assertEquals(200, r.status(), r.body());
            }
        }
    }

    /** Whether blocks of every partition from both zones reach {@code end} in the bucket. */
    static boolean shippedFromBothZones(Bucket bucket, long end) {
        Set<String> covered = new HashSet<>();
        try {
            List<String> names = new ArrayList<>();
            bucket.iter("t", false, name -> names.add(name.substring(2, name.length() - 1)));
            for (String b : names) {
                if (!bucket.exists("t/" + b + "/meta.json")) continue;
                JsonNode m;
                try (java.io.InputStream in = bucket.get("t/" + b + "/meta.json")) {
                    m = MnemoClient.JSON.readTree(in);
                }
                if (m.path("maxTime").asLong() >= end && m.path("mnemo").has("zone")) {
                    covered.add(m.path("mnemo").path("zone").asText() + "/" + m.path("mnemo").path("partition").asInt());
                }
                // Merged by the compactor already: its sources say whose blocks it holds, to where.
                for (JsonNode source : m.path("mnemo").path("sources")) {
                    if (source.path("maxTime").asLong() >= end) {
                        covered.add(source.path("zone").asText() + "/" + source.path("partition").asInt());
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return covered.size() == 2 * PARTITIONS;
    }

    static final long BIG = 12 * 60_000;

    /**
     * Whether the compactor is done with tenant t: every block in the bucket is its (both zones'
     * copies merged), none overlaps another, every complete 12m range (ending by the newest
     * block's end) is one block, and no block is marked or left over.
     */
    static boolean compacted(Bucket bucket) {
        io.mnemo.bucketstore.bucketindex.BucketIndex index = CompactorIT.index(bucket, "t");
        List<io.mnemo.bucketstore.bucketindex.BucketIndex.Block> live = index.liveBlocks().stream()
                .sorted(java.util.Comparator.comparingLong(io.mnemo.bucketstore.bucketindex.BucketIndex.Block::minTime)).toList();
        if (live.isEmpty() || !index.blockDeletionMarks().isEmpty() || index.blocks().size() != live.size()) return false;
        long end = live.stream().mapToLong(io.mnemo.bucketstore.bucketindex.BucketIndex.Block::maxTime).max().orElseThrow();
        for (int i = 0; i < live.size(); i++) {
            var b = live.get(i);
            if (!b.source().equals("compactor")) return false;
            if (i == 0) continue;
            var prev = live.get(i - 1);
            if (prev.maxTime() > b.minTime()) return false;
            long range = prev.minTime() / BIG;
            if (range == (b.maxTime() - 1) / BIG && (range + 1) * BIG <= end) return false; // a complete range in two
        }
        try {
            // Whole blocks only: node3, killed, may have left a partial upload (Mimir's partial-block-deletion-delay is not built).
            return io.mnemo.bucketstore.BucketLayout.wholeBlocks(bucket, "t").size() == live.size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** promtool's dump of tenant t's blocks is every sample pushed before their end, each once. */
    void assertBucketHoldsEachShippedSampleOnce(Bucket bucket, long t0) throws Exception {
        Path copy = java.nio.file.Files.createTempDirectory(dir, "bucket-copy");
        long end = Long.MIN_VALUE;
        for (io.mnemo.tsdb.block.Ulid b : io.mnemo.bucketstore.BucketLayout.wholeBlocks(bucket, "t")) {
            end = Math.max(end, io.mnemo.bucketstore.BucketLayout.meta(bucket, "t", b).orElseThrow().block().maxTime());
            List<String> objects = new ArrayList<>();
            bucket.iter(io.mnemo.bucketstore.BucketLayout.block("t", b), true, objects::add);
            for (String o : objects) {
                Path target = copy.resolve(o.substring(2));
                java.nio.file.Files.createDirectories(target.getParent());
                try (java.io.InputStream in = bucket.get(o)) {
                    java.nio.file.Files.copy(in, target);
                }
            }
        }
        java.nio.file.Files.createDirectories(copy.resolve("wal"));
        List<String> dump = new ArrayList<>();
        for (String line : PrometheusTools.promtool(Duration.ofSeconds(300), "tsdb", "dump", copy.toString()).split("\n")) {
            if (!line.isBlank()) dump.add(line.trim());
        }
        dump.sort(null);
        List<String> expected = new ArrayList<>();
        for (int s = 0; s < SERIES; s++) {
            for (int i = 0; i < SAMPLES && t0 + i * STEP < end; i++) {
                expected.add(labels(s) + " " + promtoolValue(value(s, i)) + " " + (t0 + i * STEP));
            }
        }
        expected.sort(null);
        assertEquals(expected.size(), dump.size(), "samples in the compacted blocks (each once)");
        assertEquals(expected, dump, "promtool's dump of the compacted blocks");
    }

    /** A value as promtool prints it (Go's strconv 'g'-like shortest form for these halves). */
    static String promtoolValue(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** sum(count_over_time) over the {@code samples} samples ending at {@code end}: every sample counted once. */
    static long total(MnemoProcess n, long end, int samples) {
        MnemoClient.Response r = n.client.api("t", "query", "query",
                "sum(count_over_time(sg_metric[" + (samples * STEP / 1000) + "s]))", "time", Long.toString(end / 1000));
        assertEquals(200, r.status(), n.name + ": " + r.body());
        JsonNode result = r.json().path("data").path("result");
        return result.isEmpty() ? 0 : result.get(0).path("value").get(1).asLong();
    }

    /** The total, or -1 with the answer noted when it is not a 200. */
    static long totalOrStatus(MnemoProcess n, long end, int samples, List<String> wrong) {
        MnemoClient.Response r = n.client.api("t", "query", "query",
                "sum(count_over_time(sg_metric[" + (samples * STEP / 1000) + "s]))", "time", Long.toString(end / 1000));
        if (r.status() != 200) {
            wrong.add(r.status() + " " + r.body());
            return -1;
        }
        JsonNode result = r.json().path("data").path("result");
        return result.isEmpty() ? 0 : result.get(0).path("value").get(1).asLong();
    }

    /** A sample of series, every value and timestamp as pushed: blocks and heads join without a gap or a double. */
    static void assertExactSeries(MnemoProcess n, long tLast) {
        for (int s = 0; s < SERIES; s += 4999) {
            MnemoClient.Response r = n.client.api("t", "query", "query", "sg_metric{series=\"" + s + "\"}["
                    + (SAMPLES * STEP / 1000) + "s]", "time", Long.toString(tLast / 1000));
            assertEquals(200, r.status(), r.body());
            JsonNode values = r.json().path("data").path("result").get(0).path("values");
            assertEquals(SAMPLES, values.size(), n.name + " series " + s);
            long t0 = tLast - (SAMPLES - 1) * STEP;
            for (int i = 0; i < SAMPLES; i++) {
                assertEquals((t0 + i * STEP) / 1000.0, values.get(i).get(0).asDouble(), n.name + " series " + s + " sample " + i);
                assertEquals(value(s, i), values.get(i).get(1).asDouble(), n.name + " series " + s + " sample " + i);
            }
        }
    }
}
