package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.objstore.Bucket;
import io.mnemo.objstore.BucketConfig;
import io.mnemo.objstore.Buckets;
import io.mnemo.tsdb.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store-gateway answers for blocks in the bucket (issue "Long-term storage", the store-gateway
 * and queriers over both): a single node with every role, 2-minute blocks, ingesters that keep a
 * shipped block on disk only a second, store-gateways that load every block at once
 * ({@code ignore-blocks-within = 0s}) and are asked for any time ({@code query-store-after = 0s}),
 * ingesters asked only for the last 10 minutes. Three block ranges of 20,000 series are pushed
 * (far in the past, so that only the store-gateway is asked for them), flushed and shipped; once
 * the ingesters dropped their local copies and the store-gateway loaded every block in the bucket,
 * instant and range queries, {@code /api/v1/series}, label names and values over the whole range
 * answer exactly what was pushed, and a sample count equals the samples pushed: the store-gateway
 * answered, through streams of many frames, and every block was checked to be answered for. The
 * node then keeps ingesting and answering, old samples and new.
 */
class StoreGatewayIT {
    static final String TENANT = "store-gateway";
    static final int SERIES = 20_000;
    static final int RANGES = 3;
    static final long RANGE = 120_000; // mnemo.ingester.block-range = 2m
    static final long STEP = 15_000;
    static final int PER_RANGE = (int) (RANGE / STEP);
    static final int SAMPLES = RANGES * PER_RANGE;
    static final long T0 = 1_700_000_640_000L; // 24 minutes aligned
    static final long LAST = T0 + (SAMPLES - 1) * STEP;

    @TempDir
    Path dir;

    @Test
    void theStoreGatewayAnswersExactlyWhatWasPushedOnceIngestersDroppedTheirBlocks() throws Exception {
        Path data = dir.resolve("data");
        try (TestNode n = TestNode.start(data,
                "mnemo.ingester.block-range", "2m",
                "mnemo.kafka.partitions", 4,
                "mnemo.blocks-storage.tsdb.retention-period", "1s",
                "mnemo.blocks-storage.bucket-store.sync-interval", "1s",
                "mnemo.blocks-storage.bucket-store.ignore-blocks-within", "0s",
                "mnemo.querier.query-store-after", "0s",
                "mnemo.querier.query-ingesters-within", "10m");
             Bucket bucket = Buckets.open(BucketConfig.filesystem(data.resolve("blocks")))) {
            // One request per range: a record older than its partition's newest sample by half a
            // range is out of bounds (Prometheus's rule), so every series of a range goes at once.
            for (int r = 0; r < RANGES; r++) push(n, r, 0, SERIES);
            Await.until("every sample consumed", Duration.ofSeconds(60),
                    () -> sum(n.client.get("/metrics").body(), "mnemo_ingester_appended_samples_total") == (long) SERIES * SAMPLES);
            MnemoClient.Response flush = n.client.post("/ingester/flush");
            assertEquals(200, flush.status(), flush.body());
            int blocks = blocks(bucket).size();
            assertTrue(blocks >= 4, "every partition shipped: " + blocks + " blocks\n" + flush.body());
            Await.until("the ingesters dropped their shipped blocks", Duration.ofSeconds(30), () -> localBlocks(data) == 0);
            // So they hold no sample (the ring says), and queriers ask them for none of the old range.
            Await.until("the ring shows the ingesters hold no sample", Duration.ofSeconds(10), () -> {
                for (JsonNode e : n.client.getJson("/ingester/ring").json().path("ingesters")) {
                    if (!e.path("minTime").isNull()) return false;
                }
                return true;
            });
            Await.until("the store-gateway loaded every block of the bucket", Duration.ofSeconds(60),
                    () -> sum(n.client.get("/metrics").body(), "mnemo_bucket_store_blocks_loaded") == blocks);

            assertStoreAnswersEverything(n);
            String metrics = n.client.get("/metrics").body();
            assertTrue(sum(metrics, "mnemo_querier_blocks_consistency_checks_total") > 0, "the store-gateway side was read");
            assertEquals(0, sum(metrics, "mnemo_querier_blocks_consistency_checks_failed_total"));
            assertTrue(sum(metrics, "mnemo_bucket_store_bucket_reads_total") > 0, "the store-gateway read the bucket");
            assertTrue(sum(metrics, "mnemo_bucket_store_cache_requests_total") > 0, "through its caches");
            Await.until("the store-gateway's streams closed", Duration.ofSeconds(10),
                    () -> sum(n.client.get("/metrics").body(), "mnemo_store_gateway_read_streams") == 0);

            // It keeps ingesting: fresh samples are the ingesters' to answer, old ones still the store's.
            long now = System.currentTimeMillis() / 1000 * 1000;
            RemoteWrite w = RemoteWrite.request();
            for (int s = 0; s < 10; s++) w.series(labels(s), new long[] {now}, new double[] {-s});
            assertEquals(200, n.client.push(TENANT, w.encode()).status());
            Await.until("fresh samples answered", Duration.ofSeconds(30), () -> {
                JsonNode r = n.client.api(TENANT, "query", "query", "count(sg_metric)", "time", Long.toString(now / 1000))
                        .json().path("data").path("result");
                return r.size() == 1 && r.get(0).path("value").get(1).asText().equals("10");
            });
            assertStoreAnswersEverything(n);
        }
    }

    /** Every query over the old range answers exactly the pushed samples; only the store-gateway holds them. */
    static void assertStoreAnswersEverything(TestNode n) {
        String start = Long.toString(T0 / 1000);
        String end = Long.toString(LAST / 1000);
        String window = (SAMPLES * STEP / 1000 + 60) + "s";

        // Every sample, exactly, in an instant query of a range selector.
        MnemoClient.Response raw = n.client.api(TENANT, "query", "query", "sg_metric[" + window + "]", "time", end);
        assertEquals(200, raw.status(), raw.body());
        JsonNode result = raw.json().path("data").path("result");
        assertEquals(SERIES, result.size(), "every series");
        for (JsonNode series : result) {
            int s = Integer.parseInt(series.path("metric").path("series").asText());
            JsonNode values = series.path("values");
            assertEquals(SAMPLES, values.size(), "series " + s);
            for (int i = 0; i < SAMPLES; i++) {
                assertEquals(Long.toString((T0 + i * STEP) / 1000), values.get(i).get(0).asText(), "series " + s);
                assertEquals(Long.toString((long) value(s, i)), values.get(i).get(1).asText(), "series " + s + " sample " + i);
            }
        }

        // The store side's sample count (ingesters are not asked so far back) is what was pushed.
        assertEquals(List.of(Long.toString((long) SERIES * SAMPLES)),
                values(n.client.api(TENANT, "query", "query", "sum(count_over_time(sg_metric[" + window + "]))", "time", end)));

        // A range query: every series at every step.
        MnemoClient.Response range = n.client.api(TENANT, "query_range", "query", "count(sg_metric)", "start", start,
                "end", end, "step", "15");
        assertEquals(200, range.status(), range.body());
        JsonNode points = range.json().path("data").path("result").get(0).path("values");
        assertEquals(SAMPLES, points.size());
        for (JsonNode p : points) assertEquals(Integer.toString(SERIES), p.get(1).asText(), "at " + p.get(0).asText());
        MnemoClient.Response one = n.client.api(TENANT, "query_range", "query", "sg_metric{series=\"12345\"}", "start", start,
                "end", end, "step", "15");
        JsonNode oneValues = one.json().path("data").path("result").get(0).path("values");
        assertEquals(SAMPLES, oneValues.size(), one.body());
        for (int i = 0; i < SAMPLES; i++) assertEquals(Long.toString((long) value(12345, i)), oneValues.get(i).get(1).asText());

        // Series, label names and values.
        MnemoClient.Response series = n.client.api(TENANT, "series", "match[]", "sg_metric", "start", start, "end", end);
        assertEquals(200, series.status(), series.body());
        assertEquals(SERIES, series.json().path("data").size());
        assertEquals(List.of("__name__", "job", "series"),
                strings(n.client.api(TENANT, "labels", "start", start, "end", end).json().path("data")));
        List<String> seriesValues = strings(n.client.api(TENANT, "label/series/values", "start", start, "end", end)
                .json().path("data"));
        assertEquals(SERIES, seriesValues.size());
        assertEquals(List.of("sg"), strings(n.client.api(TENANT, "label/job/values", "start", start, "end", end)
                .json().path("data")));
    }

    // ---------------------------------------------------------------- data

    static Labels labels(int s) {
        return Labels.of("__name__", "sg_metric", "job", "sg", "series", Integer.toString(s));
    }

    static double value(int s, int i) {
        return s * 100 + i;
    }

    /** Pushes block range r of series [from, to), one request. */
    static void push(TestNode n, int range, int from, int to) {
        RemoteWrite w = RemoteWrite.request();
        for (int s = from; s < to; s++) {
            long[] ts = new long[PER_RANGE];
            double[] vs = new double[PER_RANGE];
            for (int k = 0; k < PER_RANGE; k++) {
                int i = range * PER_RANGE + k;
                ts[k] = T0 + i * STEP;
                vs[k] = value(s, i);
            }
            w.series(labels(s), ts, vs);
        }
        MnemoClient.Response r = n.client.push(TENANT, w.encode());
        assertEquals(200, r.status(), r.body());
    }

    static List<String> values(MnemoClient.Response r) {
        assertEquals(200, r.status(), r.body());
        List<String> out = new ArrayList<>();
        for (JsonNode e : r.json().path("data").path("result")) out.add(e.path("value").get(1).asText());
        return out;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : array) out.add(e.asText());
        return out;
    }

    static List<String> blocks(Bucket bucket) throws IOException {
        List<String> out = new ArrayList<>();
        bucket.iter(TENANT, false, name -> out.add(name.substring(TENANT.length() + 1, name.length() - 1)));
        List<String> whole = new ArrayList<>();
        for (String b : out) if (bucket.exists(TENANT + "/" + b + "/meta.json")) whole.add(b);
        return whole;
    }

    static long localBlocks(Path data) {
        Path tenantDir = data.resolve("tsdb").resolve(TENANT);
        if (!Files.isDirectory(tenantDir)) return 0;
        try (Stream<Path> s = Files.list(tenantDir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("meta.json"))).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static long sum(String metrics, String name) {
        return ShippingIT.sum(metrics, name);
    }
}
