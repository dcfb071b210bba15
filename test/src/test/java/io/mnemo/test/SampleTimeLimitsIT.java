package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mnemo.tsdb.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Samples far from the wall clock are refused by the distributor, per sample, before they reach a
 * head (Mimir's creation_grace_period and past_grace_period). Before these limits, one sample a
 * year ahead moved the tenant's head a year forward, and every current sample pushed after it was
 * answered 200 and then dropped as too old.
 */
class SampleTimeLimitsIT {
    private static final long YEAR = 365L * 24 * 3600 * 1000;

    @TempDir
    Path dataDir;

    @Test
    void farFutureSampleIsRefusedAndLaterSamplesAreAllStored() throws Exception {
        try (TestNode n = TestNode.start(dataDir, "mnemo.limits.tenants.strict.past-grace-period", "1h")) {
            long before = System.currentTimeMillis() - 120_000;
            assertEquals(200, n.client.push("t", push("clock", before)).status());

            // One sample of the series a year ahead, one current: the current one is kept, the push is 400.
            long now = System.currentTimeMillis();
            byte[] mixed = RemoteWrite.request()
                    .series(Labels.of("__name__", "clock", "job", "a"), new long[] {now - 60_000, now + YEAR}, new double[] {1, 2})
                    .series(Labels.of("__name__", "neighbour", "job", "a"), new long[] {now - 60_000}, new double[] {3})
                    .encode();
            MnemoClient.Response future = n.client.push("t", mixed);
            assertEquals(400, future.status(), future.body());
            assertTrue(future.body().contains("received a sample whose timestamp is too far in the future, timestamp: "
                    + (now + YEAR) + " series: '{__name__=\"clock\", job=\"a\"}'"), future.body());
            assertTrue(future.body().contains("(err-mnemo-too-far-in-future)"), future.body());
            assertTrue(future.body().contains("mnemo.limits.creation-grace-period"), future.body());

            // Ten pushes at the current time: all acknowledged, all stored.
            long last = now;
            for (int i = 0; i < 10; i++) {
                last = Math.max(last + 1, System.currentTimeMillis());
                MnemoClient.Response r = n.client.push("t", push("clock", last));
                assertEquals(200, r.status(), r.body());
            }
            long queryTime = last + 1_000;
            Await.until("12 clock samples queryable", Duration.ofSeconds(30),
                    () -> count(n, "t", "clock", queryTime) == 12);
            assertEquals(1, count(n, "t", "neighbour", queryTime));

            // past-grace-period (set for tenant "strict" only): older than now - 1h is refused, per sample.
            long now2 = System.currentTimeMillis();
            MnemoClient.Response past = n.client.push("strict", RemoteWrite.request()
                    .series(Labels.of("__name__", "old", "job", "a"), new long[] {now2 - 3 * 3_600_000L, now2 - 600_000},
                            new double[] {1, 2})
                    .encode());
            assertEquals(400, past.status(), past.body());
            assertTrue(past.body().contains("received a sample whose timestamp is too far in the past, timestamp: "
                    + (now2 - 3 * 3_600_000L) + " series: '{__name__=\"old\", job=\"a\"}'"), past.body());
            assertTrue(past.body().contains("(err-mnemo-too-far-in-past)"), past.body());
            // Off by default: the same push to another tenant is stored whole.
            assertEquals(200, n.client.push("lenient", RemoteWrite.request()
                    .series(Labels.of("__name__", "old", "job", "a"), new long[] {now2 - 3 * 3_600_000L, now2 - 600_000},
                            new double[] {1, 2})
                    .encode()).status());
            Await.until("old samples queryable", Duration.ofSeconds(30),
                    () -> count(n, "strict", "old", now2, "4h") == 1 && count(n, "lenient", "old", now2, "4h") == 2);

            String metrics = n.client.get("/metrics").body();
            assertTrue(metrics.contains("mnemo_discarded_samples_total{reason=\"too_far_in_future\",tenant=\"t\"} 1.0"), metrics);
            assertTrue(metrics.contains("mnemo_discarded_samples_total{reason=\"too_far_in_past\",tenant=\"strict\"} 1.0"), metrics);

            // The node keeps ingesting: a later push is stored too, and everything before still is.
            long after = Math.max(last + 1, System.currentTimeMillis());
            assertEquals(200, n.client.push("t", push("clock", after)).status());
            Await.until("13 clock samples queryable", Duration.ofSeconds(30),
                    () -> count(n, "t", "clock", after + 1_000) == 13);
        }
    }

    private static byte[] push(String metric, long timestamp) {
        return RemoteWrite.request()
                .series(Labels.of("__name__", metric, "job", "a"), new long[] {timestamp}, new double[] {timestamp})
                .encode();
    }

    private static int count(TestNode n, String tenant, String metric, long at) {
        return count(n, tenant, metric, at, "1h");
    }

    /** Samples of the metric in the range before {@code at} (ms), -1 when the query fails. */
    static int count(TestNode n, String tenant, String metric, long at, String range) {
        var r = n.client.api(tenant, "query", "query", "count_over_time(" + metric + "[" + range + "])",
                "time", String.format(Locale.ROOT, "%.3f", at / 1000.0)).json();
        if (!"success".equals(r.path("status").asText())) return -1;
        int total = 0;
        for (var s : r.path("data").path("result")) total += (int) Double.parseDouble(s.path("value").path(1).asText());
        return total;
    }
}
