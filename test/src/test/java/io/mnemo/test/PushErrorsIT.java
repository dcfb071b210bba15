package io.mnemo.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mnemo.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/** Bad input gets a clear 4xx, is counted, and harms nothing else; Kafka down is a bounded 5xx. */
class PushErrorsIT {
    static final long T = 1_700_000_000_000L;

    @TempDir
    Path dataDir;

    @Test
    void badInputIsRefusedClearlyAndCounted() throws Exception {
        try (TestNode n = TestNode.start(dataDir,
                "mnemo.distributor.max-request-body-size", "64KiB",
                "mnemo.kafka.produce-timeout", "3s",
                "mnemo.ring.heartbeat-timeout", "3s")) {
            byte[] good = RemoteWrite.request()
                    .series(Labels.of("__name__", "good", "job", "a"), new long[] {T}, new double[] {1}).encode();

            MnemoClient.Response noTenant = n.client.push(null, good);
            assertEquals(401, noTenant.status());
            assertEquals("no org id", noTenant.body().trim());

            MnemoClient.Response notSnappy = n.client.push("t", "this is not snappy".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, notSnappy.status());
            assertTrue(notSnappy.body().toLowerCase().contains("snappy"), notSnappy.body());

            MnemoClient.Response notProtobuf = n.client.push("t", Snappy.compress(new byte[] {0x0a, 0x7f, 0x01}));
            assertEquals(400, notProtobuf.status());
            assertTrue(notProtobuf.body().contains("protobuf") || notProtobuf.body().contains("length"), notProtobuf.body());

            MnemoClient.Response tooLarge = n.client.push("t", new byte[100 * 1024]);
            assertEquals(413, tooLarge.status());
            assertTrue(tooLarge.body().contains("max-request-body-size"), tooLarge.body());

            // A series without a metric name is refused and named; the valid one beside it is kept.
            byte[] mixed = RemoteWrite.request()
                    .series(Labels.of("job", "nameless"), new long[] {T}, new double[] {1})
                    .series(Labels.of("__name__", "kept", "job", "a"), new long[] {T}, new double[] {2})
                    .encode();
            MnemoClient.Response invalid = n.client.push("t", mixed);
            assertEquals(400, invalid.status());
            assertTrue(invalid.body().contains("metric name") && invalid.body().contains("nameless"), invalid.body());

            // Nothing above broke the node: a good push works and is queryable.
            assertEquals(200, n.client.push("t", good).status());
            Await.until("good sample queryable", Duration.ofSeconds(30), () -> n.client.api("t", "query",
                    "query", "good", "time", Long.toString(T / 1000)).json().path("data").path("result").size() == 1);
            assertEquals(1, n.client.api("t", "query", "query", "kept", "time", Long.toString(T / 1000))
                    .json().path("data").path("result").size());
            assertEquals(0, n.client.api("t", "series", "match[]", "{job=\"nameless\"}")
                    .json().path("data").size());

            String metrics = n.client.get("/metrics").body();
            assertTrue(metrics.contains("mnemo_discarded_samples_total{reason=\"missing_metric_name\",tenant=\"t\"} 1.0"), metrics);
            assertTrue(metrics.contains("mnemo_distributor_rejected_requests_total{reason=\"no_org_id\"} 1.0"), metrics);

            // Kafka gone: the push is not acknowledged, within a bounded wait.
            n.node.closeKafka();
            long start = System.nanoTime();
            MnemoClient.Response down = n.client.push("t", good);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(down.status() >= 500, down.status() + " " + down.body());
            assertTrue(tookMs < 30_000, "took " + tookMs + " ms");

            // Reads need no Kafka: the ingesters stay ACTIVE in the ring, heartbeating past the
            // timeout, and the data already consumed stays queryable.
            Instant pastTimeout = Instant.now().plusSeconds(4);
            Await.until("heartbeats newer than " + pastTimeout + " with Kafka down", Duration.ofSeconds(30), () -> {
                JsonNode ring = n.client.getJson("/ingester/ring").json().path("ingesters");
                if (ring.isEmpty()) return false;
                for (JsonNode e : ring) {
                    assertEquals("ACTIVE", e.path("state").asText(), e.toString());
                    if (Instant.parse(e.path("lastHeartbeat").asText()).isBefore(pastTimeout)) return false;
                }
                return true;
            });
            assertEquals(1, n.client.api("t", "query", "query", "good", "time", Long.toString(T / 1000))
                    .json().path("data").path("result").size());
        }
    }
}
